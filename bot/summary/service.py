"""Summaries on demand, cached per (paper, language, summarizer+model, prompt version)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlmodel import col, select

from bot.models import Paper, SummaryRecord, utcnow
from bot.store.db import Database, insert_ignoring_duplicates
from bot.summary.types import PaperText, Summarizer, Summary

CHUNK = 500


def summarizer_id(summarizer: Summarizer) -> str:
    """The cache key part naming a summarizer and its model, e.g. 'llm:gpt-4o-mini'."""
    return f"{summarizer.name}:{summarizer.model}" if summarizer.model else summarizer.name


class SummaryService:
    """Gives each paper one stored summary per language and summarizer variant."""

    def __init__(self, db: Database, summarizer: Summarizer, *, concurrency: int = 4) -> None:
        self._db = db
        self._summarizer = summarizer
        self._limit = asyncio.Semaphore(concurrency)

    @property
    def summarizer(self) -> Summarizer:
        """The summarizer behind this service."""
        return self._summarizer

    async def summaries(self, papers: Sequence[Paper], language: str) -> dict[int, Summary]:
        """A summary for each paper, from the cache or made now (and stored)."""
        cached = await self._cached([p.id for p in papers if p.id is not None], language)
        missing = [p for p in papers if p.id not in cached]
        made = await asyncio.gather(*(self._make(p, language) for p in missing))
        await self._store(missing, made, language)
        return {**cached, **{p.id: s for p, s in zip(missing, made, strict=True) if p.id}}

    async def _make(self, paper: Paper, language: str) -> Summary:
        async with self._limit:
            text = PaperText(key=paper.key, title=paper.title, abstract=paper.abstract)
            return await self._summarizer.summarize(text, language)

    async def _cached(self, ids: list[int], language: str) -> dict[int, Summary]:
        found: dict[int, Summary] = {}
        name = summarizer_id(self._summarizer)
        async with self._db.session() as session:
            for start in range(0, len(ids), CHUNK):
                rows = await session.exec(
                    select(SummaryRecord).where(
                        col(SummaryRecord.paper_id).in_(ids[start : start + CHUNK]),
                        SummaryRecord.language == language,
                        SummaryRecord.summarizer == name,
                        SummaryRecord.prompt_version == self._summarizer.prompt_version,
                    )
                )
                found.update({r.paper_id: Summary.from_dict(r.data) for r in rows})
        return found

    async def _store(self, papers: Sequence[Paper], made: Sequence[Summary], language: str) -> None:
        """Cache new summaries; a fallback (offline stand-in) is not cached as the LLM's."""
        name = summarizer_id(self._summarizer)
        rows = [
            {
                "paper_id": paper.id,
                "language": language,
                "summarizer": name,
                "prompt_version": self._summarizer.prompt_version,
                "data": summary.to_dict(),
                "fallback": False,
                "created_at": utcnow(),
            }
            for paper, summary in zip(papers, made, strict=True)
            if paper.id is not None and not summary.fallback
        ]
        async with self._db.session() as session:
            await insert_ignoring_duplicates(session, SummaryRecord, rows)
