"""Group commit for a chunk's post records: each post's record is durable before it returns,
and records made meanwhile by the chunk's other channels share one transaction.

A channel's task awaits its pending record before it sends and its platform ref before its
next post, exactly as `bot.pending.post_once` wants; only the transactions are shared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.store.bulk import add_delivered, renew_claims, set_headers, set_paper_refs
from bot.store.db import Database


@dataclass
class _Batch:
    headers: list[tuple[int, str]] = field(default_factory=list)
    papers: list[dict[str, Any]] = field(default_factory=list)
    refs: list[tuple[int, int, str]] = field(default_factory=list)
    waiting: list[asyncio.Future[None]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # deliveries whose lease a write renews


class RecordWriter:
    """Coalesces the pending and sent records of many concurrent posts into few transactions."""

    def __init__(self, db: Database, replica: str, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._replica = replica
        self._clock = clock
        self._batch = _Batch()
        self._flusher: asyncio.Task[None] | None = None
        self.lost: set[int] = set()  # deliveries another replica took over

    async def header(self, delivery_id: int, ref: str) -> None:
        """Record a delivery's header ref (pending, or the platform's id)."""
        await self._add(delivery_id, lambda b: b.headers.append((delivery_id, ref)))

    async def paper(self, row: dict[str, Any]) -> None:
        """Record a paper as delivered, its ref pending."""
        await self._add(row["delivery_id"], lambda b: b.papers.append(row))

    async def paper_ref(self, delivery_id: int, paper_id: int, ref: str) -> None:
        """Record the platform's id of a paper's post."""
        await self._add(delivery_id, lambda b: b.refs.append((delivery_id, paper_id, ref)))

    async def _add(self, delivery_id: int, put: Callable[[_Batch], None]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        put(self._batch)
        self._batch.waiting.append(done)
        self._batch.touched.add(delivery_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        """Flush until nothing is waiting; what arrives during a flush goes in the next."""
        while self._batch.waiting:
            await asyncio.sleep(0)  # let the other ready tasks add their records first
            batch, self._batch = self._batch, _Batch()
            try:
                await self._flush(batch)
            except BaseException as error:
                for done in batch.waiting:
                    if not done.done():
                        done.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for done in batch.waiting:
                if not done.done():
                    done.set_result(None)

    async def _flush(self, batch: _Batch) -> None:
        async with self._db.session() as session:
            await add_delivered(session, batch.papers)
            await set_headers(session, batch.headers)
            await set_paper_refs(session, batch.refs)
            ids = sorted(batch.touched - self.lost)
            self.lost |= await renew_claims(session, ids, self._replica, self._clock())
