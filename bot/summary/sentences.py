"""Abstract clean-up and sentence splitting for the extractive summarizer."""

from __future__ import annotations

import re

import pysbd

# LaTeX that survives in arXiv abstracts: a few symbols worth keeping, the rest unwrapped.
_LATEX_SYMBOLS = {
    r"\%": "%",
    r"\&": "&",
    r"\_": "_",
    r"\#": "#",
    r"\times": "×",
    r"\circ": "°",
    r"\leq": "≤",
    r"\geq": "≥",
    r"\le": "≤",
    r"\ge": "≥",
    r"\ll": "≪",
    r"\gg": "≫",
    r"\sim": "~",
    r"\approx": "≈",
    r"\pm": "±",
    r"\to": "→",
}
_SYMBOL_RE = re.compile(
    "|".join(
        re.escape(k) + (r"(?![A-Za-z])" if k[1].isalpha() else "")
        for k in sorted(_LATEX_SYMBOLS, key=len, reverse=True)
    )
)
_HREF_RE = re.compile(r"\\(?:href)\s*\{[^{}]*\}\s*\{([^{}]*)\}")
_URL_CMD_RE = re.compile(r"\\url\s*\{([^{}]*)\}")
_WRAP_RE = re.compile(r"\\[A-Za-z]+\*?\s*\{([^{}]*)\}")
_BARE_CMD_RE = re.compile(r"\\[A-Za-z]+\*?")
_SUPERSCRIPT_RE = re.compile(r"\^\{([^{}]*)\}")
_SPACE_RE = re.compile(r"\s+")
_NBSP_RE = re.compile(r"(?<=[A-Za-z.])~(?=\w)")
_GLUED_RE = re.compile(r"(?<=[A-Za-z)]{2})\.(?=[A-Z])")  # "expression.In this paper"
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
_MIN_SENTENCE_CHARS = 2


def clean_abstract(text: str) -> str:
    """Unwrap common LaTeX markup, drop math delimiters and collapse whitespace."""
    text = text.replace("``", "\u201c").replace("''", "\u201d")  # LaTeX quotes
    text = _NBSP_RE.sub(" ", text)  # LaTeX non-breaking space, as in "Fig.~2"
    text = _HREF_RE.sub(r"\1", text)
    text = _URL_CMD_RE.sub(r"\1", text)
    text = _SYMBOL_RE.sub(lambda m: _LATEX_SYMBOLS[m.group(0)], text)
    for _ in range(3):  # nested \textbf{\emph{x}}
        text = _WRAP_RE.sub(r"\1", text)
    text = _SUPERSCRIPT_RE.sub(r"^\1", text)
    text = _BARE_CMD_RE.sub("", text)
    text = text.replace("$", "").replace("{", "").replace("}", "")
    text = " ".join(_unglue(token) for token in text.split())
    return text.strip()


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
