"""Keyword extraction with YAKE, cleaned up for display.

The title is lower-cased and put before the abstract (so title phrases rank high without
YAKE's capitalisation bonus swamping them), candidates are filtered (no inner stop word,
no lone lower-case word unless needed), de-duplicated case-insensitively and by word
overlap, and shown with the casing they have in the paper's text.
"""

from __future__ import annotations

import itertools
import re

import yake

KEYWORDS_MIN = 3
KEYWORDS_MAX = 6
_CANDIDATES = 24
_INNER_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "over",
        "the",
        "their",
        "this",
        "to",
        "via",
        "we",
        "with",
        "without",
    }
)
# Filler that makes a YAKE phrase unreadable anywhere in it, or weak at its edges.
_FILLER = frozenset(
    {
        "perform",
        "performs",
        "supports",
        "offers",
        "plays",
        "enables",
        "remains",
        "achieves",
        "shows",
        "struggles",
        "requires",
        "provides",
        "due",
        "leads",
        "makes",
        "uses",
    }
)
_WEAK_EDGE = frozenset(
    {
        "proposed",
        "novel",
        "recent",
        "existing",
        "new",
        "significant",
        "various",
        "different",
        "accurate",
        "work",
        "based",
        "using",
        "current",
        "key",
    }
)
_VERB_BEFORE = re.compile(
    r"\b(?:to|can|could|may|might|will|would|should|must|we|they|which|that|it)\s+$", re.I
)
_ADJECTIVE_ENDS = ("al", "ive", "ous", "ful", "able", "ible", "ic", "ary")
_NOUN_AFTER = re.compile(
    r"\s+(?!(?:and|or|of|in|on|for|to|with|by|from|at|as|is|are|was|were|the|a|an|that|which)\b)"
    r"[a-z][a-z-]+"
)
_WORD_RE = re.compile(r"\w(?:[\w\-+.]*\w)?", re.UNICODE)


def make_extractor() -> yake.KeywordExtractor:
    """Build the YAKE extractor (construct once per summarizer and reuse it)."""
    return yake.KeywordExtractor(lan="en", n=3, top=_CANDIDATES, dedup_lim=0.7)


def extract_keywords(extractor: yake.KeywordExtractor, title: str, abstract: str) -> list[str]:
    """3–6 keywords for a paper (fewer only when its text has fewer distinct words)."""
    text = f"{title.lower()}. {abstract}".strip(". ")
    try:
        ranked = [kw for kw, _ in extractor.extract_keywords(text)] if text else []
    except Exception:  # YAKE has corner cases on degenerate input; degrade to plain words
        ranked = []
    source = f"{abstract} {title}"
    ranked = [kw for kw in ranked if not is_fragment(kw, source)] or ranked
    chosen = _pick(ranked, strict=True)
    if len(chosen) < KEYWORDS_MIN:
        chosen = _pick(chosen + ranked + _plain_words(text), strict=False)
    return [_original_casing(kw, source) for kw in chosen[:KEYWORDS_MAX]]


def is_fragment(candidate: str, text: str) -> bool:
    """A phrase cut out of a clause rather than a term ("achieve optimal scheduling",
    "Seismology faces fundamental"): it opens on a verb (after "to", "can", "we" … wherever
    it occurs), has a verb-like "-s" word inside, or ends on an adjective that is followed
    by a noun wherever it occurs."""
    words = candidate.split()
    if not words:
        return True
    spots = _occurrences(candidate.lower(), text.lower())
    if spots and all(_VERB_BEFORE.search(text[max(0, a - 12) : a]) for a, _ in spots):
        return True
    if any(_verb_like(w) and nxt[:1].islower() for w, nxt in itertools.pairwise(words)):
        return True
    last = words[-1].lower()
    if last.endswith(_ADJECTIVE_ENDS) and spots:
        return all(_NOUN_AFTER.match(text[b : b + 40]) for _, b in spots)
    return False


def _occurrences(phrase: str, text: str) -> list[tuple[int, int]]:
    """(start, end) of each whole-word occurrence of `phrase` in `text` (both lower-case).

    Plain `str.find`, not a regex per phrase: thousands of one-off patterns would evict
    pysbd's and YAKE's compiled patterns from `re`'s cache and triple the summarizer's time.
    """
    found: list[tuple[int, int]] = []
    at = text.find(phrase)
    while at >= 0 and phrase:
        end = at + len(phrase)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            found.append((at, end))
        at = text.find(phrase, at + 1)
    return found


def _verb_like(word: str) -> bool:
    """A lower-case "-s" word that reads as a verb inside a phrase ("faces", "enables")."""
    return (
        word.islower()
        and len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "ics", "ies", "ous", "sis"))
    )


def _pick(candidates: list[str], *, strict: bool) -> list[str]:
    """Keep acceptable candidates in order, skipping near-duplicates of earlier ones."""
    kept: list[str] = []
    for raw in candidates:
        candidate = " ".join(raw.split())
        if not candidate or (strict and not _acceptable(candidate)):
            continue
        if any(_overlaps(candidate, other) for other in kept):
            continue
        kept.append(candidate)
        if len(kept) == KEYWORDS_MAX:
            break
    return kept


def _acceptable(candidate: str) -> bool:
    """A displayable keyword: no stop/filler word inside, a lone word only if a name."""
    words = candidate.lower().split()
    if any(w in _INNER_STOP or w in _FILLER for w in words):
        return False
    if words[0] in _WEAK_EDGE or words[-1] in _WEAK_EDGE:
        return False
    if len(words) == 1:
        return _looks_like_name(candidate)
    return True


def _looks_like_name(word: str) -> bool:
    """An acronym, camelCase name or a word with digits ("GLC", "NeurAlign", "YOLOv5")."""
    inner_capital = any(ch.isupper() for ch in word[1:])
    return len(word) > 1 and (inner_capital or any(ch.isdigit() for ch in word))


def _stems(phrase: str) -> set[str]:
    """Lower-case words with a plural 's' dropped, for overlap tests."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in phrase.lower().split()}


def _overlaps(candidate: str, other: str) -> bool:
    """True if one phrase contains the other, or they share half the candidate's words."""
    a, b = candidate.lower(), other.lower()
    if a in b or b in a:
        return True
    mine, theirs = _stems(candidate), _stems(other)
    return len(mine & theirs) * 2 >= len(mine)


def _plain_words(text: str) -> list[str]:
    """Distinct longer words of the text, a last resort for very short input."""
    words = sorted({w for w in _WORD_RE.findall(text) if len(w) > 3}, key=len, reverse=True)
    return words or _WORD_RE.findall(text)


def _original_casing(keyword: str, source: str) -> str:
    """The keyword as spelled in the paper's text (abstract first), else as given."""
    match = re.search(re.escape(keyword), source, re.IGNORECASE)
    return match.group(0) if match else keyword
