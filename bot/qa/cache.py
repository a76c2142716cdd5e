"""Each paper's full text fetched once: an in-process LRU of built indexes over a DB cache,
both within the QA_CACHE_MB size limit, and one fetch at a time per paper.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.models import Paper, utcnow
from bot.qa.fulltext import FullTextFetcher
from bot.qa.retrieve import PaperIndex
from bot.qa.store import evict_texts, load_text, save_text, touch_text
from bot.qa.types import FullText
from bot.store.db import Database

ABSTRACT_RETRY = timedelta(hours=6)  # an abstract-only result is retried after this long


class FullTextCache:
    """Gives the BM25 index of a paper's full text, fetching and parsing it at most once."""

    def __init__(
        self,
        db: Database,
        fetcher: FullTextFetcher,
        *,
        limit_chars: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._limit = limit_chars
        self._clock = clock
        self._memory: OrderedDict[int, PaperIndex] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @property
    def memory_chars(self) -> int:
        """Characters held by the in-process indexes."""
        return sum(index.chars for index in self._memory.values())

    async def index(self, paper: Paper) -> PaperIndex:
        """The paper's index: from memory, else the DB, else fetched (and stored)."""
        assert paper.id is not None
        pid = paper.id
        self._waiting[pid] = self._waiting.get(pid, 0) + 1
        lock = self._locks.setdefault(pid, asyncio.Lock())
        try:
            async with lock:
                return await self._index(paper, pid)
        finally:
            self._waiting[pid] -= 1
            if not self._waiting[pid]:
                del self._waiting[pid], self._locks[pid]

    async def _index(self, paper: Paper, pid: int) -> PaperIndex:
        index = self._memory.get(pid)
        if index is not None:
            self._memory.move_to_end(pid)
            await self._touch(pid)
            return index
        text = await self._stored(pid)
        if text is None:
            text = await self._fetcher.fetch(paper)
            await self._save(pid, text)
        else:
            await self._touch(pid)
        index = PaperIndex(paper.title, paper.abstract, text)
        self._remember(pid, index)
        return index

    async def _stored(self, pid: int) -> FullText | None:
        async with self._db.session() as session:
            found = await load_text(session, pid)
        if found is None:
            return None
        text, fetched_at = found
        stale = text.kind == "abstract" and self._clock() - fetched_at > ABSTRACT_RETRY
        return None if stale else text

    async def _save(self, pid: int, text: FullText) -> None:
        async with self._db.session() as session:
            await save_text(session, pid, text, self._clock())
            await evict_texts(session, self._limit, keep=pid)

    async def _touch(self, pid: int) -> None:
        async with self._db.session() as session:
            await touch_text(session, pid, self._clock())

    def _remember(self, pid: int, index: PaperIndex) -> None:
        self._memory[pid] = index
        total = self.memory_chars
        while total > self._limit and len(self._memory) > 1:
            _, dropped = self._memory.popitem(last=False)
            total -= dropped.chars
