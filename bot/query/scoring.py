"""BM25 relevance of matched papers.

For every positive text term of a query (a word or a phrase; a phrase counts as one term
whose tf is its number of occurrences and whose df is the number of papers containing it)
BM25 is computed separately in the title and in the abstract, with that field's document
frequency and average length over the whole index, and the field scores are summed with
the title weighted TITLE_WEIGHT times. Every matching paper also gets BASE_SCORE, so a
paper matched only by filters (`cat:cs.CL`), authors or negations still ranks (just below
any paper with a text hit). Author terms do not contribute to BM25.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.query.index import PaperIndex

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.5
BASE_SCORE = 0.1
FIELD_WEIGHTS: dict[str, float] = {"title": TITLE_WEIGHT, "abs": 1.0}


@dataclass(frozen=True)
class ScoredTerm:
    """A positive text term: the fields it is searched in and its token sequence."""

    fields: tuple[str, ...]
    tokens: tuple[str, ...]


def idf(doc_count: int, df: int) -> float:
    """BM25 inverse document frequency (the always-positive Lucene variant)."""
    return math.log(1.0 + (doc_count - df + 0.5) / (df + 0.5))


def bm25(tf: int, length: int, avg_length: float, term_idf: float) -> float:
    """BM25 of one term in one field of one paper."""
    norm = 1.0 - B + B * (length / avg_length if avg_length else 0.0)
    return term_idf * tf * (K1 + 1.0) / (tf + K1 * norm)


def _compute_term_scores(index: PaperIndex, term: ScoredTerm) -> dict[int, float]:
    """doc_id -> weighted BM25 of `term` summed over its fields, for every doc containing it."""
    result: dict[int, float] = {}
    for field in term.fields:
        tfs = index.term_frequencies(field, term.tokens)
        if not tfs:
            continue
        stats = index.fields[field]
        term_idf = idf(len(index), len(tfs)) * FIELD_WEIGHTS.get(field, 1.0)
        for doc, tf in tfs.items():
            score = bm25(tf, stats.lengths[doc], stats.avg_length, term_idf)
            result[doc] = result.get(doc, 0.0) + score
    return result


def term_scores(index: PaperIndex, term: ScoredTerm) -> dict[int, float]:
    """Per-index memoized `_compute_term_scores` (topics share many terms)."""
    return index.memo(("bm25", term), lambda: _compute_term_scores(index, term))


def score_docs(
    index: PaperIndex, docs: frozenset[int], terms: Iterable[ScoredTerm]
) -> dict[int, float]:
    """doc_id -> BASE_SCORE + summed BM25 of `terms`, for every doc in `docs`."""
    scores = dict.fromkeys(docs, BASE_SCORE)
    for term in terms:
        per_doc = term_scores(index, term)
        if len(per_doc) < len(scores):
            for doc, score in per_doc.items():
                if doc in scores:
                    scores[doc] += score
        else:
            for doc in scores:
                scores[doc] += per_doc.get(doc, 0.0)
    return scores
