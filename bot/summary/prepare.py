"""From a cleaned abstract to the sentences a summary may use, with their headings' roles.

Steps: chat mentions removed → sections cut at structured-abstract headings (`structure`) →
sections that are not summary material dropped → sentences split per section (pysbd) →
paperwork and text addressed to a reader or model dropped (`noise`). When that leaves
nothing (an abstract that is all "Author summary", say), the dropped sections come back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pysbd

from bot.summary.noise import is_noise, strip_mentions
from bot.summary.sentences import split_sentences
from bot.summary.structure import DROP, is_structured, split_sections

_LIST_MARKER = re.compile(r"^(?:\(?(?:\d{1,2}|[ivx]{1,4}|[a-h])\)|\d{1,2}\.(?=\s+[A-Z]))\s+")
_CONTINUES = re.compile(r"^(?:[,;:)\]]|\(\s|[a-z])")
_POINTER = re.compile(r"^\(?\s*see\s+(?:fig|figure|table|supplementary|graphical)", re.IGNORECASE)


@dataclass(frozen=True)
class Prepared:
    """The abstract's usable sentences, each with its heading's role (None: no heading says)."""

    sentences: tuple[str, ...]
    headed: tuple[str | None, ...]
    structured: bool

    @property
    def text(self) -> str:
        """The usable sentences as one text (what keywords are drawn from)."""
        return " ".join(self.sentences)


def prepare(segmenter: pysbd.Segmenter, abstract: str) -> Prepared:
    """Split, label and filter an abstract (see the module docstring); never raises."""
    sections = split_sections(strip_mentions(abstract))
    kept = [s for s in sections if s.role != DROP] or [
        type(s)(s.heading, None, s.text) for s in sections
    ]
    sentences: list[str] = []
    headed: list[str | None] = []
    for section in kept:
        for sentence in tidy_sentences(split_sentences(segmenter, section.text)):
            if not is_noise(sentence):
                sentences.append(sentence)
                headed.append(section.role)
    return Prepared(tuple(sentences), tuple(headed), is_structured(sections))


def tidy_sentences(pieces: list[str]) -> list[str]:
    """Sentences that read on their own: a piece the splitter cut off (", are not …",
    "( 65 species) …") rejoins the one before, list markers ("(ii) ", "1. ") go, and
    pointers to figures ("(See Figure 1.)") are dropped."""
    out: list[str] = []
    for piece in pieces:
        piece = _LIST_MARKER.sub("", piece).strip()
        if not piece or _POINTER.match(piece):
            continue
        if out and _CONTINUES.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
