"""Ranking a channel's papers across its several topics."""

from __future__ import annotations

from collections.abc import Sequence

from bot.query.index import PaperIndex
from bot.query.match import CompiledQuery

EXTRA_TOPIC_BONUS = 0.1  # relative bonus per additional topic a paper matches


def rank(index: PaperIndex, compiled_queries: Sequence[CompiledQuery]) -> list[tuple[int, float]]:
    """(doc_id, score) for every paper matching any topic, best first (ties by doc_id).

    A paper's score is its best topic score times (1 + EXTRA_TOPIC_BONUS * (k - 1)), where
    k is the number of topics it matches.
    """
    best: dict[int, float] = {}
    hits: dict[int, int] = {}
    for compiled in compiled_queries:
        for doc, score in compiled.scores(index).items():
            best[doc] = max(best.get(doc, 0.0), score)
            hits[doc] = hits.get(doc, 0) + 1
    combined = {doc: s * (1.0 + EXTRA_TOPIC_BONUS * (hits[doc] - 1)) for doc, s in best.items()}
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))
