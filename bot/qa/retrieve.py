"""Finding the passages of one paper that answer a question: BM25 (bm25s) over its chunks.

The title and abstract are one chunk; every other chunk is a paragraph with its section.
An index is built once per paper and kept with its text (see `bot.qa.cache`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.qa.types import ABSTRACT, Chunk, FullText

if TYPE_CHECKING:
    import bm25s

CHARS_PER_TOKEN = 4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORD_TEXT = (
    "a an the and or of to in on for with by from as at is are was were be been being it its "
    "this that these those what which who whom how why when where do does did done can could "
    "should would will shall may might must have has had not no than then there their they "
    "them we our you your he she his her i me my about into over under between paper authors "
    "use used using"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def estimate_tokens(text: str) -> int:
    """A rough token count: about four characters a token."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def tokenize(text: str) -> list[str]:
    """Lower-case words without stopwords, a plural "s" dropped (a light stem)."""
    words = (w.lower() for w in _WORD.findall(text))
    return [_stem(w) for w in words if w not in STOPWORDS]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Scored:
    """A chunk and its BM25 score for the question."""

    chunk: Chunk
    score: float


class PaperIndex:
    """One paper's chunks (title+abstract first) and their BM25 index."""

    def __init__(self, title: str, abstract: str, text: FullText) -> None:
        head = Chunk(ABSTRACT, f"{title}. {abstract}".strip())
        body = tuple(c for c in text.chunks if c.section != ABSTRACT or not abstract)
        self.kind = text.kind
        self.chunks: tuple[Chunk, ...] = (head, *body)
        import bm25s  # imported on first use: it pulls in numpy (~0.2 s at startup)

        self._bm25: bm25s.BM25 = bm25s.BM25()
        corpus = [tokenize(f"{c.section} {c.text}") or ["_"] for c in self.chunks]
        self._bm25.index(corpus, show_progress=False)

    @property
    def chars(self) -> int:
        """Characters of text held (the cache's size measure)."""
        return sum(len(c.text) + len(c.section) for c in self.chunks)

    def search(self, question: str) -> list[Scored]:
        """Every chunk that shares a term with the question, best first."""
        terms = tokenize(question)
        if not terms:
            return []
        scores = [float(s) for s in self._bm25.get_scores(terms)]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [Scored(self.chunks[i], scores[i]) for i in order if scores[i] > 0]

    def top(self, question: str, budget_tokens: int, *, limit: int = 12) -> list[Scored]:
        """The best chunks that fit in `budget_tokens`; the opening chunks when none match."""
        ranked = self.search(question) or [Scored(c, 0.0) for c in self.chunks[:limit]]
        chosen: list[Scored] = []
        used = 0
        for item in ranked[:limit]:
            cost = estimate_tokens(item.chunk.text) + estimate_tokens(item.chunk.section) + 4
            if chosen and used + cost > budget_tokens:
                continue
            chosen.append(item)
            used += cost
        return chosen
