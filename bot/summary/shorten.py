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
    rf"^(?:[^,]{{0,160}},\s*)?(?:we|(?:this|the present|our)\s+{_DOC})\s+"
    r"(?:(?:also|further|first|then|here|therefore|thus)\s+)?",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_CLAUSE_BREAKS = ("; ", ": ", ", which ", ", where ", ", while ", ", and ", " — ", ", ")
_ADVERB = re.compile(r"^(\w+ly)\s+", re.IGNORECASE)
_AND_VERB = re.compile(r"^and\s+([a-z]+)\b")
# After "we", these do not turn into a third-person verb by adding "s"; leave the sentence.
_KEEP_WE = frozenset(
    {"are", "were", "can", "could", "will", "would", "may", "might", "must", "should", "had", "do"}
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
    if not verb.isalpha() or verb.lower() in _KEEP_WE:
        return sentence
    if match.group(0).strip().lower().endswith("we"):
        verb = "has" if verb.lower() == "have" else third_person(verb)
        tail = _AND_VERB.sub(lambda m: "and " + third_person(m.group(1)), tail, count=1)
    text = f"{prefix}{verb} {tail}".strip()
    return text[:1].upper() + text[1:]


def drop_parentheticals(text: str) -> str:
    """Remove "(...)" and "[...]" asides, innermost first."""
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    return text


def cut_to(text: str, limit: int) -> str:
    """Cut text to at most `limit` chars at the last clause boundary (else a word + '…')."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    for mark in _CLAUSE_BREAKS:
        at = window.rfind(mark)
        if at >= limit // 3:
            return window[:at].rstrip(" ,;:—") + "."
    at = window[: limit - 1].rfind(" ")
    head = window[: at if at > 0 else limit - 1].rstrip(" ,;:—.")
    return head + "…"


def make_tldr(sentence: str, limit: int = TLDR_MAX) -> str:
    """The tl;dr form of a contribution sentence, at most `limit` chars."""
    text = strip_lead_in(sentence.strip())
    if len(text) > limit:
        text = drop_parentheticals(text)
    return cut_to(text, limit)


def make_one_line(sentence: str, limit: int = ONE_LINE_MAX) -> str:
    """A one-line form of a contribution sentence, at most `limit` chars."""
    return cut_to(drop_parentheticals(strip_lead_in(sentence.strip())), limit)
