"""Shortening a contribution sentence into a tl;dr and a one-line summary.

tl;dr: drop the lead-in ("In this paper, we", "To address this challenge, we", "This study")
and state the action in the third person ("we propose X" → "Proposes X"); if still longer
than TLDR_MAX, drop parentheticals, then cut at the last clause boundary that fits.
one-line: the tl;dr without parentheticals, cut to ONE_LINE_MAX the same way.
"""

from __future__ import annotations

import re

TLDR_MAX = 300
ONE_LINE_MAX = 120

_DOC = r"(?:paper|work|study|chapter|article|letter|thesis|report|manuscript)"
# Everything up to and including the subject "we" / "this paper", when it opens the sentence.
_LEAD_IN = re.compile(
    rf"^(?:[^,]{{0,160}},\s*|(?:here(?:in)?|now|next|finally|thus|then)\s+)?"
    rf"(?P<subject>we|(?:this|the present|our)\s+{_DOC})\s+"
    r"(?:(?:also|further|first|then|here|therefore|thus|now|finally|additionally)\s+)?",
    re.IGNORECASE,
)
_PARENS = re.compile(r"(?:\s+|^)[(\[][^()\[\]]*[)\]](?![\w-])")  # not "(epi)genomic"
_CLAUSE_BREAKS = (
    "; ",
    ": ",
    " — ",
    ", which ",
    ", where ",
    ", while ",
    ", whereas ",
    ", and ",
    ", but ",
    ", thereby ",
    ", enabling ",
    ", allowing ",
    ", making ",
    ", leading ",
    ", resulting ",
    ", yielding ",
    ", achieving ",
    ", providing ",
    ", a ",
    ", an ",
    ", the ",
    ", as ",
    ", with ",
    ", using ",
    ", by ",
    ", based on ",
    ", i.e. ",
    ", e.g. ",
    ", such as ",
    ", including ",
)
_PHRASE_BREAKS = (
    " that ",
    " which ",
    " for ",
    " using ",
    " via ",
    " through ",
    " with ",
    " by ",
    " to ",
    " in ",
    " on ",
    " across ",
    " from ",
    " under ",
    " comprising ",
    " consisting ",
    " including ",
    " based on ",
    " and ",
)
_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "for",
        "with",
        "in",
        "on",
        "by",
        "from",
        "as",
        "at",
        "into",
        "via",
        "its",
        "their",
        "our",
        "this",
        "these",
        "that",
        "which",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "than",
        "both",
        "each",
        "between",
        "over",
        "under",
    ]
)
_ADVERB = re.compile(r"^(\w+ly)\s+", re.IGNORECASE)
_AND_VERB = re.compile(r"^and\s+([a-z]+)\b")
# After "we", these do not turn into a third-person verb by adding "s"; leave the sentence.
_KEEP_WE = frozenset(
    {
        "are",
        "were",
        "can",
        "could",
        "will",
        "would",
        "may",
        "might",
        "must",
        "should",
        "had",
        "do",
        "did",
        "have",
        "has",
        "is",
        "was",
        "not",
        "all",
        "both",
        "each",
        "who",
        "that",
        "in",
        "to",
        "as",
        "at",
        "by",
        "for",
        "from",
        "of",
        "on",
        "with",
        "here",
        "now",
        "thus",
        "hence",
        "so",
    }
)
# Past forms keep their tense after "we" goes ("we used" → "Used", never "Useds").
IRREGULAR_PAST = frozenset(
    [
        "found",
        "made",
        "built",
        "took",
        "gave",
        "showed",
        "shown",
        "ran",
        "led",
        "held",
        "sought",
        "brought",
        "began",
        "chose",
        "drew",
        "grew",
        "knew",
        "saw",
        "wrote",
        "got",
        "set",
        "put",
        "kept",
        "left",
        "meant",
        "met",
        "paid",
        "said",
        "sent",
        "spent",
        "stood",
        "told",
        "thought",
        "understood",
        "won",
        "fit",
        "read",
        "undertook",
        "underwent",
        "became",
        "came",
        "did",
        "went",
    ]
)
# "We address this challenge with X" → "Introduces X": the challenge was never named here.
_ANAPHORIC = re.compile(
    r"^(?:\w+ly\s+)?(?:address|tackle|overcome|bridge|fill|close|mitigate|solve|alleviate"
    r"|resolve|handle|remed|meet|answer)\w*\s+(?:this|these|those|such|the\s+above|both)\s+"
    r"(?:\w+\s+){0,2}?(?:challenges?|problems?|issues?|gaps?|limitations?|questions?"
    r"|shortcomings?|bottlenecks?|difficult(?:y|ies)|needs?|drawbacks?|concerns?|tasks?)"
    r"\s*,?\s*(?:with|via|through|using|by\s+(?:introducing|proposing|presenting|developing))"
    r"\s+",
    re.IGNORECASE,
)


def third_person(verb: str) -> str:
    """'propose' → 'proposes', 'study' → 'studies', 'address' → 'addresses'."""
    lower = verb.lower()
    if lower.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def strip_lead_in(sentence: str) -> str:
    """'In this paper, we propose X.' → 'Proposes X.'; unchanged if there is no lead-in."""
    match = _LEAD_IN.match(sentence)
    if not match or match.end() >= len(sentence):
        return sentence
    rest = sentence[match.end() :]
    adverb = _ADVERB.match(rest)
    prefix = ""
    if adverb:
        prefix, rest = adverb.group(1) + " ", rest[adverb.end() :]
    verb, _, tail = rest.partition(" ")
    if not verb.isalpha() or verb.lower() in _KEEP_WE or not verb.islower():
        return sentence
    if match.group("subject").lower() == "we":
        verb = as_third_person(verb)
        tail = _AND_VERB.sub(lambda m: "and " + as_third_person(m.group(1)), tail, count=1)
    text = f"{prefix}{verb} {tail}".strip()
    text = _ANAPHORIC.sub("Introduces ", text, count=1)
    return text[:1].upper() + text[1:]


def is_past(verb: str) -> bool:
    """A past form ("used", "found"), which has no third-person form to turn into."""
    lower = verb.lower()
    return lower in IRREGULAR_PAST or (len(lower) > 3 and lower.endswith("ed"))


def as_third_person(verb: str) -> str:
    """The verb as it reads without "we": past forms unchanged, present forms with -s."""
    if is_past(verb) or verb.lower().endswith("ing"):
        return verb
    return "has" if verb.lower() == "have" else third_person(verb)


def drop_parentheticals(text: str) -> str:
    """Remove "(...)" and "[...]" asides, innermost first."""
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    return text


def cut_to(text: str, limit: int) -> str:
    """Cut text to at most `limit` chars where a thought ends (else a word + '…').

    Tried in order, each at the latest place that fits and keeps a third of the text:
    clause boundaries ("; ", ", which ", ", a …" appositions), then phrase boundaries
    before a preposition or participle (" for ", " using ", " comprising "). A cut never
    leaves a dangling word ("the", "of", "and") at the end.
    """
    if len(text) <= limit:
        return text
    window = text[:limit]
    for marks in (_CLAUSE_BREAKS, _PHRASE_BREAKS):
        at = _last_break(window, marks, limit // 3)
        if at is not None:
            return window[:at].rstrip(" ,;:—") + "."
    at = window[: limit - 1].rfind(" ")
    head = window[: at if at > 0 else limit - 1].rstrip(" ,;:—.")
    return head + "…"


def _last_break(window: str, marks: tuple[str, ...], floor: int) -> int | None:
    """The latest position of any mark in `window` past `floor` that ends on a content word."""
    best: int | None = None
    for mark in marks:
        at = window.rfind(mark)
        while at >= floor:
            if _ends_cleanly(window[:at]):
                best = at if best is None else max(best, at)
                break
            at = window.rfind(mark, 0, at)
    return best


def _ends_cleanly(head: str) -> bool:
    """True when the text before a cut does not end on a function word or an open bracket."""
    words = head.rstrip(" ,;:—").split()
    if not words or head.count("(") != head.count(")"):
        return False
    last = words[-1].lower().strip(".,")
    return last not in _DANGLING and not (len(words) > 3 and last.endswith(("ed", "ing")))


def make_tldr(sentence: str, limit: int = TLDR_MAX) -> str:
    """The tl;dr form of a contribution sentence, at most `limit` chars."""
    text = strip_lead_in(sentence.strip())
    if len(text) > limit:
        text = drop_parentheticals(text)
    return cut_to(text, limit)


def make_one_line(sentence: str, limit: int = ONE_LINE_MAX) -> str:
    """A one-line form of a contribution sentence, at most `limit` chars."""
    return cut_to(drop_parentheticals(strip_lead_in(sentence.strip())), limit)
