"""One 0–100 relevance per paper and a one-line reason: topic BM25 blended with the profile.

* Lexical part L = 100 · (1 − exp(−bm25 / BM25_SCALE)) of the topic's BM25 (which gives
  every match a small base score: a category-only match has L ≈ 1).
* Semantic part S: the paper's cosine to its NEAREST closest positive examples (library
  papers and 👍 papers, averaged), minus a share of its closeness to 👎 papers, mapped from
  [SIM_LOW, SIM_HIGH] onto 0–100. Nearest examples, not a centroid: a channel with two
  interests keeps both.
* With a profile, relevance = w · S + (1 − w) · L (w = SEMANTIC_WEIGHT; a topic without
  words, like `cat:cs.CL` or `similar:library`, uses S alone); without one it is L.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from bot.query import CompiledQuery
from bot.query.ast import Term, positive_nodes
from bot.query.index import PaperIndex
from bot.query.match import _term_fields
from bot.query.scoring import BASE_SCORE, ScoredTerm, term_scores
from bot.query.terms import tokenize

BM25_SCALE = 8.0
SIM_LOW, SIM_HIGH = 0.15, 0.65
NEAREST = 3
NEGATIVE_SHARE = 0.5


@dataclass(frozen=True)
class Example:
    """A positive example of the profile: a library paper or a 👍 one."""

    paper_id: int
    title: str
    kind: str  # "library" | "liked"


@dataclass(frozen=True)
class Profile:
    """A channel's examples as unit vectors: positives (library, 👍) and negatives (👎)."""

    examples: tuple[Example, ...]
    positives: np.ndarray  # (len(examples), dims)
    negatives: np.ndarray  # (k, dims)

    @property
    def is_empty(self) -> bool:
        """True with no positive example."""
        return not self.examples

    def similarity(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarity, index of the nearest example) per row of `vectors` (one matrix product)."""
        sims = vectors @ self.positives.T
        k = min(NEAREST, sims.shape[1])
        top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        score = top.mean(axis=1)
        if len(self.negatives):
            closest_bad = (vectors @ self.negatives.T).max(axis=1)
            score = score - NEGATIVE_SHARE * np.maximum(0.0, closest_bad - SIM_LOW)
        return score, sims.argmax(axis=1)


@dataclass(frozen=True)
class Scored:
    """A ranked paper: its relevance (0–100) and why it was picked."""

    paper_id: int
    relevance: float
    reason: str


def lexical_part(raw: float) -> float:
    """L (0–100) of a topic score from `bot.query.rank`."""
    return 100.0 * (1.0 - math.exp(-max(0.0, raw) / BM25_SCALE))


def semantic_part(similarity: float) -> float:
    """S (0–100) of a profile similarity."""
    return 100.0 * min(1.0, max(0.0, (similarity - SIM_LOW) / (SIM_HIGH - SIM_LOW)))


def matched_terms(
    index: PaperIndex, topics: Sequence[CompiledQuery], paper_id: int, limit: int = 3
) -> list[str]:
    """The topic words and phrases the paper contains, as the topics spell them."""
    return _contained(topic_terms(index, topics), paper_id, limit)


def topic_terms(
    index: PaperIndex, topics: Sequence[CompiledQuery]
) -> list[tuple[str, Mapping[int, float]]]:
    """Each scored word or phrase of the topics, as spelled, with the papers containing it."""
    found = []
    for topic in topics:
        shown = index.memo(("shown", topic.query.text), lambda t=topic: _shown_terms(t))
        found += [(text, term_scores(index, term)) for text, term in shown]
    return found


def _contained(
    terms: Sequence[tuple[str, Mapping[int, float]]], paper_id: int, limit: int = 3
) -> list[str]:
    return list(dict.fromkeys(text for text, papers in terms if paper_id in papers))[:limit]


def _shown_terms(topic: CompiledQuery) -> tuple[tuple[str, ScoredTerm], ...]:
    """A topic's scored words and phrases, as it spells them (lower case)."""
    return tuple(
        (leaf.text.lower(), ScoredTerm(_term_fields(leaf.field), tuple(tokenize(leaf.text))))
        for leaf in positive_nodes(topic.query.ast)
        if isinstance(leaf, Term) and leaf.field != "author"
    )


BASE_LEXICAL = lexical_part(BASE_SCORE)  # a match with no topic word in it


def has_words(topics: Sequence[CompiledQuery]) -> bool:
    """True when some topic has words that BM25 can score."""
    return any(t.scored_terms for t in topics)


def score_papers(
    ranked: Sequence[tuple[int, float]],
    index: PaperIndex,
    topics: Sequence[CompiledQuery],
    vectors: Mapping[int, np.ndarray],
    profile: Profile | None,
    weight: float,
) -> list[Scored]:
    """Relevance and reason for each ranked (paper id, topic score), best first."""
    scored, reasons = relevance_of(ranked, index, topics, vectors, profile, weight)
    return [Scored(pid, relevance, reasons[pid]) for pid, relevance in scored]


def relevance_of(
    ranked: Sequence[tuple[int, float]],
    index: PaperIndex,
    topics: Sequence[CompiledQuery],
    vectors: Mapping[int, np.ndarray],
    profile: Profile | None,
    weight: float,
) -> tuple[list[tuple[int, float]], Reasons]:
    """`score_papers` with each reason worked out only when asked for (a digest shows few)."""
    semantic = _semantic(ranked, vectors, profile)
    words = has_words(topics)
    scored = []
    lexical_of: dict[int, float] = {}
    parts: dict[float, float] = {}  # topic scores repeat (a category match's base score)
    for pid, raw in ranked:
        lexical = parts.get(raw)
        if lexical is None:
            lexical = parts[raw] = lexical_part(raw)
        lexical_of[pid] = lexical
        near = semantic.get(pid)
        if near is None:
            relevance = lexical
        else:
            relevance = weight * near[0] + (1 - weight) * lexical if words else near[0]
        scored.append((pid, relevance))
    scored.sort(key=itemgetter(0))
    scored.sort(key=itemgetter(1), reverse=True)  # best first, ties by paper id
    return scored, Reasons(index, topics, lexical_of, semantic, weight if words else 1.0)


class Reasons(Mapping[int, str]):
    """Paper id -> the one-line reason it was picked, computed on first use."""

    def __init__(
        self,
        index: PaperIndex,
        topics: Sequence[CompiledQuery],
        lexical: dict[int, float],
        semantic: dict[int, tuple[float, Example]],
        weight: float,
    ) -> None:
        self._args = (index, topics)
        self._lexical, self._semantic, self._weight = lexical, semantic, weight
        self._made: dict[int, str] = {}
        self._terms: list[tuple[str, Mapping[int, float]]] | None = None  # read on first use

    def __getitem__(self, pid: int) -> str:
        if pid not in self._made:
            lexical = self._lexical[pid]  # KeyError: not a ranked paper
            near = self._semantic.get(pid)
            if self._terms is None:
                self._terms = topic_terms(*self._args)
            self._made[pid] = _reason(self._terms, pid, lexical, near, self._weight)
        return self._made[pid]

    def __iter__(self) -> Iterator[int]:
        return iter(self._lexical)

    def __len__(self) -> int:
        return len(self._lexical)


def _semantic(
    ranked: Sequence[tuple[int, float]],
    vectors: Mapping[int, np.ndarray],
    profile: Profile | None,
) -> dict[int, tuple[float, Example]]:
    if profile is None or profile.is_empty:
        return {}
    ids = [pid for pid, _ in ranked if pid in vectors]
    if not ids:
        return {}
    sims, nearest = profile.similarity(np.stack([vectors[pid] for pid in ids]))
    return {
        pid: (semantic_part(float(s)), profile.examples[int(n)])
        for pid, s, n in zip(ids, sims, nearest, strict=True)
    }


def _reason(
    topic_terms: Sequence[tuple[str, Mapping[int, float]]],
    pid: int,
    lexical: float,
    near: tuple[float, Example] | None,
    weight: float,
) -> str:
    terms = _contained(topic_terms, pid) if lexical > BASE_LEXICAL else []
    if near is not None and (weight * near[0] >= (1 - weight) * lexical or not terms):
        example = near[1]
        if example.kind == "liked":
            return f"you liked a similar paper: *{example.title}*"
        return f"close to: *{example.title}* in your library"
    if terms:
        return "matched: " + ", ".join(terms)
    return "in a followed category (add a library or 👍 papers to rank these)"
