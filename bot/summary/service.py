"""Summaries on demand, cached per (paper, language, summarizer+model, prompt version).

A summarizer that can summarize several papers per call (`BatchSummarizer`, the LLM one)
goes through a `MicroBatcher`: the missing papers of concurrent callers are pooled into
batches of the summarizer's `batch_size`, and a paper already asked for is awaited rather
than asked for again. Other summarizers (the offline one) are called paper by paper.
Fallback summaries (an offline stand-in for a failed LLM call) are never cached.

A summarizer whose text does not depend on the language (`language_neutral`, the offline
one: only the labels around it are translated) is run and cached once per paper, under
the language key `NEUTRAL`, and concurrent callers of one paper await the same run.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import col, select

from bot.models import Paper, SummaryRecord, utcnow
from bot.store.db import Database, insert_ignoring_duplicates
from bot.summary.batcher import WINDOW, BatchSummarizer, MicroBatcher
from bot.summary.types import PaperText, Summarizer, Summary

CHUNK = 500
MEMO = 20_000  # the latest language-neutral summaries kept in memory, beside the store
NEUTRAL = "*"  # the cache's language key for a language-neutral summarizer's summaries


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
        self._neutral = bool(getattr(summarizer, "language_neutral", False))
        self._making: OrderedDict[tuple[int, str], asyncio.Future[Summary]] = OrderedDict()
        self._runs: set[asyncio.Future[None]] = set()
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
        """Cached summaries, plus the rest made now (each paper once, however many ask)."""
        key = NEUTRAL if self._neutral else language
        stored = {p.id: p for p in papers if p.id is not None}
        waiting = {i: f for i in stored if (f := self._making.get((i, key))) is not None}
        cached = await self._cached([i for i in stored if i not in waiting], key)
        for paper_id in stored:  # asked for by another caller while the cache was read
            if paper_id not in cached and (f := self._making.get((paper_id, key))) is not None:
                waiting.setdefault(paper_id, f)
        missing = [(i, p) for i, p in stored.items() if i not in cached and i not in waiting]
        if missing:
            loop = asyncio.get_running_loop()
            mine = {paper_id: loop.create_future() for paper_id, _ in missing}
            self._making.update({(paper_id, key): f for paper_id, f in mine.items()})
            waiting.update(mine)
            task = asyncio.ensure_future(self._make_all(missing, key, mine))
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        made = await asyncio.gather(*(asyncio.shield(f) for f in waiting.values()))
        found = {**cached, **dict(zip(waiting, made, strict=True))}
        if key == language:
            return found
        return {i: replace(summary, language=language) for i, summary in found.items()}

    async def _make_all(
        self,
        papers: Sequence[tuple[int, Paper]],
        key: str,
        futures: dict[int, asyncio.Future[Summary]],
    ) -> None:
        """Summarize these papers, store them in one write, then resolve their futures."""
        try:
            made = await asyncio.gather(*(self._make(paper, key) for _, paper in papers))
            pairs = [(paper_id, s) for (paper_id, _), s in zip(papers, made, strict=True)]
            await self._store(key, pairs)
            for paper_id, summary in pairs:
                futures[paper_id].set_result(summary)
        except BaseException as error:
            for paper_id, future in futures.items():
                self._making.pop((paper_id, key), None)  # asked for again next time
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        while len(self._making) > MEMO:  # made ones stay a while: a cache read under way
            self._making.popitem(last=False)  # when they were stored would miss them

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
