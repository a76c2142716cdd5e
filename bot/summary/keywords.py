"""Keyword extraction with YAKE, cleaned up for display.

The title is lower-cased and put before the abstract (so title phrases rank high without
YAKE's capitalisation bonus swamping them), candidates are filtered (no inner stop word,
no lone lower-case word unless needed), de-duplicated case-insensitively and by word
overlap, and shown with the casing they have in the paper's text.
"""

from __future__ import annotations

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
    chosen = _pick(ranked, strict=True)
    if len(chosen) < KEYWORDS_MIN:
        chosen = _pick(chosen + ranked + _plain_words(text), strict=False)
    return [_original_casing(kw, source) for kw in chosen[:KEYWORDS_MAX]]


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
