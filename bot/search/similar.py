"""More like this: the stored papers closest to a paper by shared content terms.

Similarity is the cosine of binary content-term sets (`content_terms`, as digest feedback
uses). The full-text index finds candidates fast: an OR of the paper's probe terms (its
title's content words first, then the abstract's most repeated ones), best `candidates` by
the index's BM25; the exact similarity then orders them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.feedback import COMMON, MIN_TERM_LENGTH, content_terms
from bot.models import Paper
from bot.query.terms import raw_tokens, stem
from bot.search.fts import AnyOf, Phrase, candidate_ids
from bot.search.service import Hit, papers_by_id

SIMILAR = 5
CANDIDATES = 200
PROBE_TERMS = 8
CHUNK = 500


def _content_words(text: str) -> list[str]:
    """Folded unstemmed words whose stems are content terms, in order."""
    stems = ((word, stem(word)) for word in raw_tokens(text))
    return [word for word, s in stems if len(s) >= MIN_TERM_LENGTH and s not in COMMON]


def probe_terms(title: str, abstract: str, limit: int = PROBE_TERMS) -> list[str]:
    """The words to look for: title content words, then the abstract's most frequent ones."""
    chosen: dict[str, str] = {}  # stem -> first raw form
    for word in _content_words(title):
        chosen.setdefault(stem(word), word)
    counts = Counter(_content_words(abstract))
    for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]))):
        chosen.setdefault(stem(word), word)
    return list(chosen.values())[:limit]


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two binary term sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


async def _terms_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = await session.exec(
            select(Paper.id, Paper.title, Paper.abstract).where(col(Paper.id).in_(chunk))
        )
        found.update({pid: content_terms(title, abstract) for pid, title, abstract in rows})
    return found


async def similar_papers(
    session: AsyncSession, paper: Paper, *, limit: int = SIMILAR, candidates: int = CANDIDATES
) -> list[Hit]:
    """The `limit` stored papers most similar to `paper` (never itself), most similar first."""
    probes = probe_terms(paper.title, paper.abstract)
    if not probes:
        return []
    expr = AnyOf(tuple(Phrase("any", (word,)) for word in probes))
    ids = [i for i in await candidate_ids(session, expr, None, candidates) if i != paper.id]
    mine = content_terms(paper.title, paper.abstract)
    scored = [(cosine(mine, terms), pid) for pid, terms in (await _terms_of(session, ids)).items()]
    best = sorted((s for s in scored if s[0] > 0), reverse=True)[:limit]
    papers = await papers_by_id(session, [pid for _, pid in best])
    return [Hit(papers[pid], score) for score, pid in best if pid in papers]
