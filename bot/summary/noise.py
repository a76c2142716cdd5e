"""Sentences that are not summary material, whatever the abstract's format.

Two kinds are left out of every summary field and of the keywords' text:
- paperwork: acknowledgements, contact lines and e-mail addresses, trial and review
  registrations, funding statements, copyright lines, competing-interest statements;
- text addressed to a reader or a model rather than describing the work: "ignore previous
  instructions", "reply …", "you are …", chat mentions such as <!channel> or @here.
"""

from __future__ import annotations

import re

_PAPERWORK = re.compile(
    r"\bwe\s+(?:would\s+like\s+to\s+|wish\s+to\s+|also\s+)?(?:thank|acknowledge)\b"
    r"|\backnowledge?ments?\b|\bare\s+grateful\s+to\b|\bgratefully\s+acknowledg"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+|\bcorresponding\s+author\b|\bcontacts?\s*:"
    r"|\b(?:NCT|ISRCTN|ACTRN|ChiCTR|DRKS|CTRI|EudraCT|CRD)[\s:-]?\d{5,}"
    r"|\bclinicaltrials\.gov\b|\btrial\s+regist\w*|\bregistered\s+(?:at|with|in|on)\s+"
    r"(?:clinicaltrials|prospero|the\s+\w+\s+(?:trial|clinical)|osf|(?:the\s+)?open\s+science)\b"
    r"|\bprospero\b|\b(?:trial|review|protocol)\s+(?:was\s+)?(?:prospectively\s+)?registered\b"
    r"|\b(?:this\s+(?:work|study|research|project)\s+(?:was|is)\s+)?(?:funded|supported"
    r"|financed)\s+(?:in\s+part\s+)?by\s+(?:the\s+|a\s+|an\s+)?(?:grants?\b|(?-i:[A-Z]))"
    r"|\bfunding\s*(?::|sources?\b|was\s+provided|statement)|\bgrant\s+(?:no\.?|number)\s*\w"
    r"|©|\(c\)\s*\d{4}|\bcopyright\b|\ball\s+rights\s+reserved\b"
    r"|\bcompeting\s+interests?\b|\bconflicts?\s+of\s+interests?\b"
    r"|\bdeclare\s+no\s+(?:competing|conflict)",
    re.IGNORECASE,
)
_MENTION = re.compile(
    r"<!(?:channel|here|everyone)[^>]*>|<@[A-Z0-9]+>|(?<!\w)@(?:channel|here|everyone)\b"
)
_ADDRESSED = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous"
    r"|prior|above|earlier|preceding|system|other)?\s*(?:instructions?|prompts?|rules|messages?)"
    r"|\bsystem\s+prompt\b|\bas\s+an\s+(?:ai|llm|language\s+model)\b"
    r"|^\W*(?:please\s+)?(?:reply|respond|answer|say|print|output|write|repeat|summari[sz]e)"
    r"\s+(?:with|only|exactly|that|the\s+word|in\s+all|\"|'|“|(?-i:[A-Z]{3,}\b))"
    r"|^\W*(?:you\s+are|you're|act\s+as|pretend\s+to\s+be|from\s+now\s+on)\b"
    r"|\b(?:reply|respond)\s+(?:with\s+)?[\"'“]?(?-i:[A-Z]{4,})\b",
    re.IGNORECASE | re.MULTILINE,
)


def is_paperwork(sentence: str) -> bool:
    """Acknowledgements, contacts, registrations, funding, copyright, competing interests."""
    return bool(_PAPERWORK.search(sentence))


def is_addressed(sentence: str) -> bool:
    """A sentence addressed to a reader or a model, or one that mentions a whole channel."""
    return bool(_MENTION.search(sentence) or _ADDRESSED.search(sentence))


def is_noise(sentence: str) -> bool:
    """True for a sentence that must not appear in a summary (see the module docstring)."""
    return is_paperwork(sentence) or is_addressed(sentence)


def strip_mentions(text: str) -> str:
    """Remove chat mentions (<!channel>, <@U123>, @here) from text."""
    return " ".join(_MENTION.sub(" ", text).split())
