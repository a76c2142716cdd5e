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
    tables = [compiled.scores(index) for compiled in compiled_queries]
    best: dict[int, float] = dict(tables[0]) if tables else {}
    hits: dict[int, int] = {}  # papers matched by more than one topic: how many
    for table in tables[1:]:
        both = best.keys() & table.keys()  # the rest merge in C: few papers match two topics
        kept = {doc: best[doc] for doc in both}
        best.update(table)
        for doc in both:
            best[doc] = max(kept[doc], best[doc])
            hits[doc] = hits.get(doc, 1) + 1
    for doc, count in hits.items():
        best[doc] *= 1.0 + EXTRA_TOPIC_BONUS * (count - 1)
    ranking = sorted(best.items(), key=itemgetter(0))
    ranking.sort(key=itemgetter(1), reverse=True)  # stable: ties stay in doc_id order
    return ranking
