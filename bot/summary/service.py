"""Summaries on demand, cached per (paper, language, summarizer+model, prompt version).

A summarizer that can summarize several papers per call (`BatchSummarizer`, the LLM one)
goes through a `MicroBatcher`: the missing papers of concurrent callers are pooled into
batches of the summarizer's `batch_size`, and a paper already asked for is awaited rather
than asked for again. Other summarizers (the offline one) are called paper by paper.
Fallback summaries (an offline stand-in for a failed LLM call) are never cached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlmodel import col, select

from bot.models import Paper, SummaryRecord, utcnow
from bot.store.db import Database, insert_ignoring_duplicates
from bot.summary.batcher import WINDOW, BatchSummarizer, MicroBatcher
from bot.summary.types import PaperText, Summarizer, Summary

CHUNK = 500


def summarizer_id(summarizer: Summarizer) -> str:
    """The cache key part naming a summarizer and its model, e.g. 'llm:gpt-4o-mini'."""
    return f"{summarizer.name}:{summarizer.model}" if summarizer.model else summarizer.name


def paper_text(paper: Paper) -> PaperText:
    """What a summarizer reads of a stored paper."""
    return PaperText(key=paper.key, title=paper.title, abstract=paper.abstract)


class SummaryService:
    """Gives each paper one stored summary per language and summarizer variant."""

    def __init__(
        self,
        db: Database,
        summarizer: Summarizer,
        *,
        concurrency: int = 4,
        window: float = WINDOW,
    ) -> None:
        self._db = db
        self._summarizer = summarizer
        self._limit = asyncio.Semaphore(concurrency)
        self._batcher: MicroBatcher | None = None
        if isinstance(summarizer, BatchSummarizer):
            self._batcher = MicroBatcher(
                summarizer, self._store, self._limit, size=summarizer.batch_size, window=window
            )

    async def aclose(self, grace: float = 0.0) -> None:
        """At shutdown: drop batches not yet sent, give those under way `grace` seconds."""
        if self._batcher is not None:
            await self._batcher.aclose(grace)

    @property
    def summarizer(self) -> Summarizer:
        """The summarizer behind this service."""
        return self._summarizer

    async def summaries(self, papers: Sequence[Paper], language: str) -> dict[int, Summary]:
        """A summary for each paper, from the cache or made now (and stored)."""
        if self._batcher is None:
            return await self._one_by_one(papers, language)
        return await self._batched(self._batcher, papers, language)

    async def _batched(
        self, batcher: MicroBatcher, papers: Sequence[Paper], language: str
    ) -> dict[int, Summary]:
        """Cached summaries, plus the rest from shared batches (asked for once each)."""
        stored = {p.id: p for p in papers if p.id is not None}
        waiting = {i: f for i in stored if (f := batcher.known(i, language)) is not None}
        cached = await self._cached([i for i in stored if i not in waiting], language)
        for paper_id, paper in stored.items():
            if paper_id not in cached and paper_id not in waiting:
                waiting[paper_id] = batcher.submit(paper_id, paper_text(paper), language)
        made = await asyncio.gather(*(asyncio.shield(f) for f in waiting.values()))
        return {**cached, **dict(zip(waiting, made, strict=True))}

    async def _one_by_one(self, papers: Sequence[Paper], language: str) -> dict[int, Summary]:
        cached = await self._cached([p.id for p in papers if p.id is not None], language)
        missing = [p for p in papers if p.id not in cached]
        made = await asyncio.gather(*(self._make(p, language) for p in missing))
        pairs = [(p.id, s) for p, s in zip(missing, made, strict=True) if p.id is not None]
        await self._store(language, pairs)
        return {**cached, **dict(pairs)}

    async def _make(self, paper: Paper, language: str) -> Summary:
        async with self._limit:
            return await self._summarizer.summarize(paper_text(paper), language)

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

    async def _store(self, language: str, made: Sequence[tuple[int, Summary]]) -> None:
        """Cache new summaries; a fallback (offline stand-in) is not cached as the LLM's."""
        name = summarizer_id(self._summarizer)
        rows = [
            {
                "paper_id": paper_id,
                "language": language,
                "summarizer": name,
                "prompt_version": self._summarizer.prompt_version,
                "data": summary.to_dict(),
                "fallback": False,
                "created_at": utcnow(),
            }
            for paper_id, summary in made
            if not summary.fallback
        ]
        async with self._db.session() as session:
            await insert_ignoring_duplicates(session, SummaryRecord, rows)
