"""Summaries for papers shown outside a digest (archive pages, search results): cached or made.

The cache is read as it stands: for each paper the newest stored summary in the language,
an LLM's preferred over the offline one. A paper with none is summarized now by the given
summarizer (in practice the offline one, so showing old papers costs no LLM calls) and the
result is not stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Paper, SummaryRecord
from bot.summary.types import PaperText, Summarizer, Summary

CHUNK = 500


def _preference(record: SummaryRecord) -> tuple[bool, bool, object]:
    """Sort key: LLM over offline, real over fallback, then newer."""
    return (not record.summarizer.startswith("offline"), not record.fallback, record.created_at)


async def stored_summaries(
    session: AsyncSession, paper_ids: Sequence[int], language: str
) -> dict[int, Summary]:
    """The best cached summary in `language` for each of these papers that has one."""
    best: dict[int, SummaryRecord] = {}
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        rows = await session.exec(
            select(SummaryRecord).where(
                col(SummaryRecord.paper_id).in_(chunk), SummaryRecord.language == language
            )
        )
        for row in rows:
            seen = best.get(row.paper_id)
            if seen is None or _preference(row) > _preference(seen):
                best[row.paper_id] = row
    return {pid: Summary.from_dict(row.data) for pid, row in best.items()}


async def summaries_for(
    session: AsyncSession, papers: Sequence[Paper], language: str, summarizer: Summarizer
) -> dict[int, Summary]:
    """A summary for every paper: the cached one, else `summarizer`'s made now (not stored)."""
    ids = [p.id for p in papers if p.id is not None]
    found = await stored_summaries(session, ids, language)
    for paper in papers:
        if paper.id is not None and paper.id not in found:
            text = PaperText(key=paper.key, title=paper.title, abstract=paper.abstract)
            found[paper.id] = await summarizer.summarize(text, language)
    return found
