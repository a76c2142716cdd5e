"""Abstract clean-up and sentence splitting for the extractive summarizer."""

from __future__ import annotations

import re

import pysbd

from bot.text import collapse_whitespace, render_latex

_SPACE_RE = re.compile(r"\s+")
_GLUED_RE = re.compile(r"(?<=[A-Za-z)]{2})\.(?=[A-Z])")  # "expression.In this paper"
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
_MIN_SENTENCE_CHARS = 2


def clean_abstract(text: str) -> str:
    """The abstract as the summarizer reads it: LaTeX rendered, as at store time, sentences unglued.

    LaTeX is rendered by `bot.text.render_latex`, the one implementation (a stored abstract has
    been through it already, and a second pass leaves it as it is).
    """
    text = text.replace("``", "\u201c").replace("''", "\u201d")  # LaTeX quotes
    text = collapse_whitespace(render_latex(text))
    return " ".join(_unglue(token) for token in text.split())


def _unglue(token: str) -> str:
    """Put the missing space into "end.Start" inside one token, leaving URLs alone."""
    if "/" in token or "@" in token or token.lower().startswith("www."):
        return token
    return _GLUED_RE.sub(". ", token)


def make_segmenter() -> pysbd.Segmenter:
    """Build the English pysbd segmenter (cheap; one per summarizer is plenty)."""
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(segmenter: pysbd.Segmenter, text: str) -> list[str]:
    """Split cleaned text into trimmed, non-trivial sentences; never raises."""
    if not text.strip():
        return []
    try:
        pieces = _segment(segmenter, text)
    except Exception:  # pysbd has regex corner cases on odd input; fall back to one piece
        pieces = [text]
    sentences = [_SPACE_RE.sub(" ", p).strip() for p in pieces]
    kept = [s for s in sentences if len(s) >= _MIN_SENTENCE_CHARS and _has_word(s)]
    return _merge_fragments(kept)


def _segment(segmenter: pysbd.Segmenter, text: str) -> list[str]:
    """pysbd's sentences without its char-span pass (a regex per sentence; ~1/3 of its time).

    `Segmenter.segment` re-finds every sentence in the text only to return the original
    whitespace, which `split_sentences` normalizes anyway; `processor(...).process()` is
    the same segmentation without that pass. Falls back to `segment` if pysbd changes.
    """
    processor = getattr(segmenter, "processor", None)
    if processor is None:
        return list(segmenter.segment(text))
    return list(processor(text).process())


def _merge_fragments(pieces: list[str]) -> list[str]:
    """Join a piece that does not end a sentence (an "(i) ... (ii)" list item) to the next."""
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        current = f"{carry} {piece}".strip() if carry else piece
        if _TERMINAL_RE.search(current):
            merged.append(current)
            carry = ""
        else:
            carry = current
    if carry:
        merged.append(carry)
    return merged


def _has_word(sentence: str) -> bool:
    """True when the sentence contains at least one letter or digit."""
    return any(ch.isalnum() for ch in sentence)
