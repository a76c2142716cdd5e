"""A channel's taste from its 👍/👎: papers similar to liked ones move up, to disliked ones down.

Similarity is over content terms (title and abstract tokens of four or more characters, common
words left out). The liked papers' terms are summed into one vector, the disliked ones into
another; a candidate's similarity to each is the cosine with its own (binary) term set. Its
score is multiplied by `1 + STRENGTH * (like - dislike)`, clamped to [MIN_FACTOR, MAX_FACTOR],
so feedback reorders papers of similar relevance but cannot make an unrelated paper match.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from bot.query import tokenize

STRENGTH = 2.0
MIN_FACTOR, MAX_FACTOR = 0.25, 2.0
MIN_TERM_LENGTH = 4
COMMON = frozenset(  # compared after the index's own stemming, so written through it
    tokenize(
        "with this that from their these which using based show results paper propose proposed "
        "method methods approach approaches also have been into than more such both while where "
        "when over under between across however data model models work task tasks"
    )
)


def content_terms(title: str, abstract: str) -> frozenset[str]:
    """The distinctive terms of a paper, as the topic index tokenizes them."""
    return frozenset(
        t for t in tokenize(f"{title} {abstract}") if len(t) >= MIN_TERM_LENGTH and t not in COMMON
    )


@dataclass(frozen=True)
class FeedbackProfile:
    """Term vectors of the papers a channel liked and disliked."""

    liked: Counter[str]
    disliked: Counter[str]
    _factors: dict[int, float] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, votes: Iterable[tuple[frozenset[str], int]]) -> FeedbackProfile:
        """Build from (terms, net vote) pairs."""
        liked: Counter[str] = Counter()
        disliked: Counter[str] = Counter()
        for terms, vote in votes:
            (liked if vote > 0 else disliked).update(terms)
        return cls(liked, disliked)

    @property
    def is_empty(self) -> bool:
        """True when the channel has voted on nothing."""
        return not self.liked and not self.disliked

    def factor(self, terms: frozenset[str]) -> float:
        """The multiplier for a candidate with these terms."""
        liked, disliked = self._prepared
        delta = _cosine(terms, self.liked, *liked) - _cosine(terms, self.disliked, *disliked)
        return min(MAX_FACTOR, max(MIN_FACTOR, 1.0 + STRENGTH * delta))

    def factor_of(self, paper_id: int, terms: Callable[[int], frozenset[str]]) -> float:
        """`factor` of a paper (its terms read by `terms`), computed once per profile."""
        found = self._factors.get(paper_id)
        if found is None:
            found = self._factors[paper_id] = self.factor(terms(paper_id))
        return found

    @cached_property
    def _prepared(self) -> tuple[tuple[frozenset[str], float], tuple[frozenset[str], float]]:
        """Each vector's terms and Euclidean norm, computed once per profile."""
        return _prepare(self.liked), _prepare(self.disliked)


def _prepare(vector: Counter[str]) -> tuple[frozenset[str], float]:
    return frozenset(vector), math.sqrt(sum(v * v for v in vector.values()))


def _cosine(
    terms: frozenset[str], vector: Counter[str], keys: frozenset[str], norm: float
) -> float:
    if not terms or not vector:
        return 0.0
    dot = sum(vector[t] for t in terms & keys)  # integer counts: the order does not matter
    return dot / (math.sqrt(len(terms)) * norm)
