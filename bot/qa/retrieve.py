"""Finding the passages of one paper that answer a question: BM25 (bm25s) over its chunks.

The title and abstract are one chunk; every other chunk is a paragraph with its section.
An index is built once per paper and kept with its text (see `bot.qa.cache`).

Scores are weighed by where a passage stands (`weights`): body sections count fully, the
abstract and tables a little less, appendices less, prompt templates and acknowledgements
least; a section whose title names what the question asks about ("limitations", "ablation")
counts more. Earlier questions of the thread add their other terms, so a follow-up
("and how big is it?") searches for what "it" was. `Retrieval.weak` says that the best
passage covers under half of the question's (IDF-weighted) terms: the answer is then "not
found in the paper", with the closest passages shown as such.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.qa.types import ABSTRACT, Chunk, FullText
from bot.qa.weights import SECTION_BOOST, SECTION_KINDS, section_title, weight

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
FOLLOW_UP_WEIGHT = 1.0
IMPLIED_WEIGHT = 0.3  # the guessed terms of "how big …" (size, number …)
WEAK_COVERAGE = 0.5
UNKNOWN_TERM_WEIGHT = 0.5


def estimate_tokens(text: str) -> int:
    """A rough token count: about four characters a token."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def tokenize(text: str) -> list[str]:
    """Lower-case words without stopwords, a plural "s" dropped (a light stem)."""
    words = (w.lower() for w in _WORD.findall(text))
    return [_stem(w) for w in words if w not in STOPWORDS]


def _stem(word: str) -> str:
    """A light stem: "trained", "training", "trains" → "train"; "papers" → "paper"."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# "How big is it?" asks for sizes and counts whatever the paper calls them.
_HOW = re.compile(r"\bhow\s+(big|large|many|much|fast|long|often)\b", re.IGNORECASE)
_HOW_TERMS = {
    "big": ("size", "number", "total", "comprise", "consist"),
    "large": ("size", "number", "total", "comprise", "consist"),
    "many": ("number", "total"),
    "much": ("improvement", "higher"),
    "fast": ("speed", "time", "latency"),
    "long": ("time", "length", "duration"),
    "often": ("frequency", "rate"),
}


def _asked_for(question: str) -> list[str]:
    """Terms a "how big / many / fast …" question asks for without saying them."""
    return [_stem(term) for m in _HOW.finditer(question) for term in _HOW_TERMS[m.group(1).lower()]]


@dataclass(frozen=True)
class Scored:
    """A chunk and its BM25 score for the question."""

    chunk: Chunk
    score: float


@dataclass(frozen=True)
class Retrieval:
    """The passages chosen for a question, and how well the best one answers it."""

    hits: list[Scored]
    weak: bool  # the best passage covers under half of the question's terms
    missing_section: str | None = None  # "limitations" asked for, no such section


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
        self._terms = [set(words) for words in corpus]
        self._weights = [weight(c) for c in self.chunks]
        self._sections = [set(tokenize(section_title(c.section))) for c in self.chunks]

    @property
    def chars(self) -> int:
        """Characters of text held (the cache's size measure)."""
        return sum(len(c.text) + len(c.section) for c in self.chunks)

    def search(self, question: str, context: str = "") -> list[Scored]:
        """Every chunk that shares a term with the question (or `context`), best first."""
        terms = tokenize(question)
        implied = [t for t in _asked_for(question) if t not in terms]
        if not terms and not implied:
            return []
        scores = [0.0] * len(self.chunks)
        extra = [t for t in tokenize(context) if t not in terms]
        for words, factor in ((terms, 1.0), (implied, IMPLIED_WEIGHT), (extra, FOLLOW_UP_WEIGHT)):
            if words:
                more = self._bm25.get_scores(words)
                scores = [a + factor * float(b) for a, b in zip(scores, more, strict=True)]
        asked = set(terms)
        scores = [
            score * self._weights[i] * (SECTION_BOOST if asked & self._sections[i] else 1.0)
            for i, score in enumerate(scores)
        ]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [Scored(self.chunks[i], scores[i]) for i in order if scores[i] > 0]

    def retrieve(
        self, question: str, budget_tokens: int, context: str = "", *, limit: int = 12
    ) -> Retrieval:
        """`top` with how well the best passage answers (see the module docstring)."""
        hits = self.top(question, budget_tokens, context=context, limit=limit)
        best = hits[0].chunk if hits and hits[0].score > 0 else None
        weak = best is None or self.coverage(question, best) < WEAK_COVERAGE
        return Retrieval(hits, weak, self.missing_section(question))

    def coverage(self, question: str, chunk: Chunk) -> float:
        """The IDF-weighted share of the question's terms that `chunk` contains; a word the
        paper never uses ("how much *better*") counts half."""
        terms = set(tokenize(question))
        words = set(tokenize(f"{chunk.section} {chunk.text}"))
        unknown = UNKNOWN_TERM_WEIGHT * math.log(1 + (len(self._terms) + 0.5) / 0.5)
        weights = {t: self._idf(t) if self._used(t) else unknown for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in words) / total if total else 0.0

    def _used(self, term: str) -> bool:
        return any(term in words for words in self._terms)

    def missing_section(self, question: str) -> str | None:
        """A kind of section the question asks for ("limitations") that the paper lacks."""
        asked = set(tokenize(question))
        for name in SECTION_KINDS:
            wanted = set(tokenize(name))
            if wanted <= asked and not any(wanted <= words for words in self._sections):
                return name
        return None

    def _idf(self, term: str) -> float:
        df = sum(1 for words in self._terms if term in words)
        return math.log(1 + (len(self._terms) - df + 0.5) / (df + 0.5))

    def top(
        self, question: str, budget_tokens: int, *, context: str = "", limit: int = 12
    ) -> list[Scored]:
        """The best chunks that fit in `budget_tokens`; the opening chunks when none match."""
        ranked = self.search(question, context) or [Scored(c, 0.0) for c in self.chunks[:limit]]
        chosen: list[Scored] = []
        used = 0
        for item in ranked[:limit]:
            cost = estimate_tokens(item.chunk.text) + estimate_tokens(item.chunk.section) + 4
            if chosen and used + cost > budget_tokens:
                continue
            chosen.append(item)
            used += cost
        return chosen
