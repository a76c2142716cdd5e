"""Searching every stored paper with a topic query, ranked by the digests' own scorer.

The full-text index proposes candidates (the query's positive terms' matches within
`since:`, the most recent `candidates` of them when there are more); those are indexed in
memory (`candidate_index`: a `PaperIndex` narrowed to the query's tokens) and matched and
scored exactly as a digest would (`compile_query` + `rank`), so a search and a digest agree
on what matches and in which order (BM25 statistics are over the candidates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Paper
from bot.query import IndexDoc, Query, compile_query, parse_query, rank
from bot.search.fts import candidate_ids, fts_expression
from bot.search.index import candidate_index
from bot.search.since import split_since

CANDIDATES = 300
RESULTS = 10
CHUNK = 500
DOC_COLUMNS = (Paper.id, Paper.title, Paper.abstract, Paper.authors, Paper.categories,
               Paper.primary_category, Paper.source, Paper.feed)  # fmt: skip


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search: the topic query and the first announcement date it admits."""

    query: Query
    since: date | None = None
    today: date | None = None

    @classmethod
    def parse(cls, text: str, today: date) -> SearchRequest:
        """Take `since:` out of `text` and parse the rest; ValueError when either is bad."""
        rest, since = split_since(text, today)
        if not rest:
            raise ValueError("a search needs words to look for, e.g. `search entanglement`")
        return cls(parse_query(rest), since, today)


@dataclass(frozen=True)
class Hit:
    """A paper found, with its relevance score."""

    paper: Paper
    score: float


@dataclass(frozen=True)
class SearchResult:
    """The best hits, how many candidates matched the query, and whether candidates were
    capped (more papers match than were looked at: the most recent were)."""

    hits: tuple[Hit, ...]
    matched: int
    capped: bool = False


async def load_docs(session: AsyncSession, ids: Sequence[int]) -> list[IndexDoc]:
    """The index view of these papers, read column-wise (no ORM objects)."""
    docs: list[IndexDoc] = []
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = await session.exec(select(*DOC_COLUMNS).where(col(Paper.id).in_(chunk)))
        for pid, title, abstract, authors, cats, primary, source, feed in rows:
            docs.append(IndexDoc(pid, title, abstract, tuple(authors), tuple(cats), primary,
                                 source, feed))  # fmt: skip
    return docs


async def papers_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, Paper]:
    """Stored papers by id."""
    if not ids:
        return {}
    rows = await session.exec(select(Paper).where(col(Paper.id).in_(list(ids))))
    return {p.id: p for p in rows if p.id is not None}


async def search_papers(
    session: AsyncSession,
    request: SearchRequest,
    *,
    limit: int = RESULTS,
    candidates: int = CANDIDATES,
) -> SearchResult:
    """The `limit` best stored papers for the request, best first."""
    expr = fts_expression(request.query.ast)
    ids = await candidate_ids(session, expr, request.since, candidates, request.today)
    docs = await load_docs(session, ids)
    if not docs:
        return SearchResult((), 0)
    capped = len(ids) >= candidates
    ranking = rank(candidate_index(docs, request.query), [compile_query(request.query)])
    best = ranking[:limit]
    papers = await papers_by_id(session, [doc for doc, _ in best])
    hits = tuple(Hit(papers[doc], score) for doc, score in best if doc in papers)
    return SearchResult(hits, len(ranking), capped)
