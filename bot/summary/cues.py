"""Cue phrases that signal a sentence's rhetorical role in an abstract.

Each table maps a compiled pattern to a weight. A sentence's cue score for a role is the
sum of the weights of the patterns it matches; a score of 2 or more is a "strong" cue.
All patterns are matched case-insensitively against the sentence text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

STRONG = 2.0

# Verbs that, after "we", report a finding rather than describe the paper's own work.
FINDING_VERBS = (
    r"show|find|found|observe|demonstrate|argue|note|notice|reveal|confirm|report|see|believe"
)
_CONTRIB_VERBS = (
    r"propose|introduce|present|develop|devise|contribute|put forward|unveil|formali[sz]e"
    r"|revisit|investigate|study|explore|examine"
)
_RELEASE = (
    r"https?://|github\.com|\b(?:we|will)\s+(?:publicly\s+)?(?:release|open-?source)\b"
    r"|\b(?:code|codes|data|dataset|models?|implementation|weights)\b[^.]{0,60}"
    r"\b(?:(?:is|are|will be|has been|have been)\s+(?:made\s+)?(?:publicly|freely|openly)\s+"
    r"available|(?:is|are|will be)\s+(?:made\s+)?available\s+(?:at|online|on|from|upon)"
    r"|(?:is|are|will be|has been|have been)\s+released|open-?sourced|publicly available)\b"
)
_DOC = r"(?:paper|work|study|research|chapter|article|letter|thesis|report|manuscript)"


def _table(entries: Mapping[str, float]) -> tuple[tuple[re.Pattern[str], float], ...]:
    """Compile a pattern→weight mapping once."""
    return tuple((re.compile(p, re.IGNORECASE), w) for p, w in entries.items())


# The paper's authors doing something ("we design", not "we show").
AUTHOR_ACTION = re.compile(
    rf"\bwe\s+(?:\w+ly\s+)?(?!(?:{FINDING_VERBS})\w*\b)[a-z]+", re.IGNORECASE
)

# A sentence that states the paper's own contribution ("we propose X", "this paper presents").
CONTRIBUTION = _table(
    {
        rf"\bwe\s+(?:\w+ly\s+)?(?:{_CONTRIB_VERBS})": 1.0,
        rf"\bwe\b[^.;]{{0,120}}\band\s+(?:{_CONTRIB_VERBS})\b": 1.0,
        rf"\b(?:this|the present|our)\s+{_DOC}\s+(?:\w+ly\s+)?(?!(?:is|has|was|does)\b)"
        r"[a-z]+(?<!ss)s\b": 1.0,
        rf"\b(?:in|with)\s+this\s+{_DOC},\s*we\s+(?!(?:{FINDING_VERBS})\b)\w+": 1.0,
        r"\b(?:to|in order to)\s+(?:address|overcome|tackle|bridge|solve|fill|close|mitigate"
        r"|alleviate|remedy|resolve|handle)\b[^.]{0,80},\s*we\b": 1.0,
        r"\b(?:herein|here),?\s+we\b": 1.0,
        r"\bby\s+(?:introducing|proposing|presenting|developing)\b": 1.0,
    }
)

# Weaker: used only when no sentence has a CONTRIBUTION cue ("X is proposed", "the proposed X").
CONTRIBUTION_PASSIVE = _table(
    {
        r"\b(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:proposed|introduced|presented|developed"
        r"|designed|derived|formulated|constructed|built)\b": 1.0,
        r"\bthe proposed\b": 1.0,
    }
)

BACKGROUND = _table(
    {
        r"\bhowever\b": 1.0,
        r"\bremains?\b": 1.0,
        r"\bchalleng\w*": 1.0,
        r"\blimit(?:ed|ation|ations|s)\b": 1.0,
        r"\b(?:existing|prior|previous|conventional|current|traditional)\b": 1.0,
        r"\b(?:suffer|struggle|lack|fail)\w*": 1.0,
        r"\b(?:despite|although|while)\b": 0.5,
        r"\b(?:under-?explored|unexplored|overlook\w*|bottleneck|gap|poor\w*)\b": 1.0,
        r"\b(?:recent(?:ly)?|increasingly|widely)\b": 0.5,
        r"\b(?:is|are|plays?)\s+(?:a\s+)?(?:crucial|critical|essential|vital|key|important)\b": 1.0,
        r"\baims?\s+to\b": 0.5,
    }
)

METHOD = _table(
    {
        rf"\bwe\s+(?:then\s+|further\s+|also\s+|first\s+)?(?!(?:{FINDING_VERBS})\b)\w+": 1.0,
        r"\b(?:specifically|concretely|in particular)\b": 1.0,
        r"\b(?:module|framework|architecture|encoder|decoder|backbone|pipeline|mechanism"
        r"|algorithm|strategy|loss|objective|scheme|formulation|model|network|layer)s?\b": 1.0,
        r"\b(?:our|the proposed)\s+(?:method|approach|model|framework|system|architecture)\b": 0.5,
        r"\b(?:consists? of|comprises?|composed of|built on|based on|relies on)\b": 1.0,
        r"^(?:first|second|third|finally|furthermore|moreover|in addition|additionally)\b": 0.5,
        r"\b(?:leverag|employ|incorporat|integrat|introduc|design|utiliz|adopt)\w*": 0.5,
    }
)

RESULT = _table(
    {
        r"\boutperform\w*|\bsurpass\w*|\bexceed\w*|\bbeats?\b": 2.0,
        r"\bexperiments?\b|\bexperimental\b|\bempirical(?:ly)?\b|\bablations?\b": 1.5,
        r"\bresults?\s+(?:show|demonstrate|indicate|reveal|confirm|suggest|verify)": 2.0,
        r"\bwe\s+(?:also\s+|further\s+|then\s+|empirically\s+)?(?:show|find|found|observe"
        r"|demonstrate|verify|confirm)\w*\b": 2.0,
        r"\bit is (?:shown|demonstrated|found)\b|\b(?:is|are|was|were) (?:found|shown) to\b": 2.0,
        r"\d+(?:\.\d+)?\s*(?:%|×|x\b|dB\b|AP\b|points?\b|mAP\b|fold\b)": 1.5,
        r"\bstate[- ]of[- ]the[- ]art\s+(?:performance|results?|accuracy)\b": 1.5,
        r"\b(?:achiev|attain)\w*": 1.0,
        r"\b(?:deliver|yield)\w*": 0.5,
        r"\bstate[- ]of[- ]the[- ]art\b|\bsota\b": 0.5,
        r"\b(?:improv|gain|boost|reduc|increas|speed-?up|faster|higher|lower)\w*": 0.5,
        r"\b(?:compared (?:to|with)|relative to|baselines?|benchmarks?)\b": 0.5,
        r"\b(?:accuracy|precision|recall|f1|auc|psnr|ssim|bleu|rouge|error rate)\b": 0.5,
        r"\b(?:simulation|numerical|evaluation|extensive)\b": 0.5,
        r"\bsignificant(?:ly)?\b|\bconsistent(?:ly)?\b|\bsubstantial(?:ly)?\b": 0.5,
    }
)

CONCLUSION = _table(
    {
        r"\bin (?:conclusion|summary)\b|\bto summari[sz]e\b|\btaken together\b": 2.0,
        r"\b(?:these|our|the)\s+(?:results|findings|observations|experiments|analyses|insights)"
        r"\s+(?:\w+ly\s+)?(?:suggest|highlight|demonstrate|indicate|show|provide|expose|confirm"
        r"|underscore|reveal|establish|point|open|offer|call|emphasi[sz]e)": 2.0,
        r"\b(?:this|our)\s+(?:work|study|paper|analysis)\s+(?:\w+ly\s+)?(?:validates|provides"
        r"|offers|establishes|paves|opens|highlights|underscores|suggests|contributes)": 2.0,
        r"\btogether,\s+these\b": 2.0,
        _RELEASE: 2.0,
        r"\bpaves? the way\b|\bfuture (?:work|research|directions?)\b|\bwe (?:believe|hope)\b": 2.0,
        r"\b(?:implications?|insights?|guidance|foundation)\b": 1.0,
    }
)

# Sentences that only announce a code/data release; kept out of the conclusion text.
RELEASE = re.compile(_RELEASE, re.IGNORECASE)


def cue_score(sentence: str, table: tuple[tuple[re.Pattern[str], float], ...]) -> float:
    """Sum the weights of the table's patterns that occur in the sentence."""
    return sum(weight for pattern, weight in table if pattern.search(sentence))


# A measured number as results report it: 12.5%, 3-fold, 2×, p < 0.01, HR 0.8, AUC = 0.91, n = 40.
REPORTED_NUMBER = re.compile(
    r"\d(?:[\d.,]*\d)?\s*(?:%|×|(?:-|\s)?fold\b|dB\b|pp\b|percentage points?\b)"
    r"|\b[pP]\s*(?:[<=>≤]|&lt;)\s*0?\.\d|\b[pP]-?values?\s*(?:of\s*)?[<=>≤]?\s*0?\.\d"
    r"|\b(?:OR|HR|RR|aOR|aHR|AUC|AUROC|ROC-AUC|CI|IC50|EC50|R2|R²|F1|Dice|mAP|BLEU|ROUGE)"
    r"\s*(?:of\s+|was\s+|=|:)?\s*[-−]?\d|\b[rρ]\s*=\s*[-−]?0?\.\d|\bn\s*=\s*\d"
    r"|\b0?\.\d+\s+(?:ROC[- ]|PR[- ])?"
    r"(?:AUC|AUROC|AUPRC|F1|accuracy|mAP|BLEU|Dice|precision|recall)\b"
)
# An explicit concluding opener, which keeps a sentence a conclusion even with numbers in it.
CONCLUDING_OPENER = re.compile(
    r"^\W*(?:in\s+(?:conclusion|summary|sum)|to\s+conclude|overall|taken\s+together"
    r"|together(?=\s*,)|collectively|altogether(?=\s*,)"
    r"|these\s+(?:results|findings|data)\s+(?:suggest|indicate|imply))\b",
    re.IGNORECASE,
)
