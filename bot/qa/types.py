"""The small values Q&A passes around: passages of a paper and a paper's full text."""

from __future__ import annotations

import re
from dataclasses import dataclass

ABSTRACT = "Abstract"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """One passage (about a paragraph) and the section it is in, e.g. "§4.2 Experiments"."""

    section: str
    text: str


@dataclass(frozen=True)
class FullText:
    """What could be read of a paper: `kind` says from where ("html", "pdf", "jats", "abstract")."""

    kind: str
    chunks: tuple[Chunk, ...] = ()

    @property
    def chars(self) -> int:
        """Characters of text held (the cache's size measure)."""
        return sum(len(c.text) + len(c.section) for c in self.chunks)


class NoFullText(Exception):
    """A full-text source gave nothing usable (no structure, no text)."""


def section_label(tag: str, title: str) -> str:
    """A label like "§4.2 Experiments" from a tag and a title; the title alone without a tag."""
    tag, title = clean(tag).rstrip("."), clean(title)
    if not tag:
        return title or "Untitled section"
    return f"§{tag} {title}".strip()


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return _SPACES.sub(" ", text).strip()
