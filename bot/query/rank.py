"""Ranking a channel's papers across its several topics."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

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
            previous = best.get(doc)
            if previous is None:
                best[doc], hits[doc] = score, 1
            else:
                best[doc], hits[doc] = max(previous, score), hits[doc] + 1
    for doc, count in hits.items():
        if count > 1:
            best[doc] *= 1.0 + EXTRA_TOPIC_BONUS * (count - 1)
    ranking = sorted(best.items(), key=itemgetter(0))
    ranking.sort(key=itemgetter(1), reverse=True)  # stable: ties stay in doc_id order
    return ranking
