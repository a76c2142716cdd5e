"""Group commit for a chunk's post records: each post's record is durable before it returns,
and records made meanwhile by the chunk's other channels share one transaction.

A channel's task awaits its pending record before it sends, exactly as `bot.pending.post_once`
wants; only the transactions are shared. A platform ref may be queued without waiting
(`queue_header`, `queue_paper_ref`): batches commit in the order records came, so once the
channel's next pending record is durable, the ref queued before it is too (its future says
whether it was, and is awaited before the next post goes out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.store.bulk import add_delivered, renew_claims, set_headers, set_paper_refs
from bot.store.db import Database


@dataclass(frozen=True)
class _Record:
    kind: str  # header | paper | ref
    delivery_id: int
    value: Any
    done: asyncio.Future[None]


class RecordWriter:
    """Coalesces the pending and sent records of many concurrent posts into few transactions."""

    def __init__(
        self, db: Database, replica: str, clock: Callable[[], datetime], renew_every: timedelta
    ) -> None:
        self._db = db
        self._replica = replica
        self._clock = clock
        self._renew_every = renew_every  # a lease is renewed when older than this
        self._renewed: dict[int, datetime] = {}  # delivery id -> when its lease was renewed
        self._batch: list[_Record] = []
        self._flusher: asyncio.Task[None] | None = None
        self.lost: set[int] = set()  # deliveries another replica took over

    def claimed(self, delivery_ids: Iterable[int], at: datetime) -> None:
        """These deliveries' leases were taken (or renewed) at `at`."""
        self._renewed.update(dict.fromkeys(delivery_ids, at))

    def forget(self, delivery_ids: Iterable[int]) -> None:
        """These deliveries are done: their leases need no renewing."""
        for delivery_id in delivery_ids:
            self._renewed.pop(delivery_id, None)

    async def header(self, delivery_id: int, ref: str) -> None:
        """Record a delivery's header ref (pending, or the platform's id)."""
        await self._add("header", delivery_id, (delivery_id, ref))

    def queue_header(self, delivery_id: int, ref: str) -> asyncio.Future[None]:
        """Queue a delivery's header ref; the future is done when it is durable."""
        return self._queue("header", delivery_id, (delivery_id, ref))

    async def paper(self, row: dict[str, Any]) -> None:
        """Record a paper as delivered, its ref pending."""
        await self._add("paper", row["delivery_id"], row)

    async def paper_ref(self, delivery_id: int, paper_id: int, ref: str) -> None:
        """Record the platform's id of a paper's post."""
        await self._add("ref", delivery_id, (delivery_id, paper_id, ref))

    def queue_paper_ref(self, delivery_id: int, paper_id: int, ref: str) -> asyncio.Future[None]:
        """Queue the platform's id of a paper's post; the future is done when it is durable."""
        return self._queue("ref", delivery_id, (delivery_id, paper_id, ref))

    async def _add(self, kind: str, delivery_id: int, value: Any) -> None:
        await self._queue(kind, delivery_id, value)

    def _queue(self, kind: str, delivery_id: int, value: Any) -> asyncio.Future[None]:
        flusher = self._flusher
        if flusher is None or flusher.done():
            flusher = self._flusher = asyncio.create_task(self._drain())
        # The batch's futures are made on its flusher's loop: `asyncio.get_running_loop()`
        # makes a getpid system call each time (a seventh of a profiled delivery run's
        # samples when every record looked it up).
        done: asyncio.Future[None] = flusher.get_loop().create_future()
        self._batch.append(_Record(kind, delivery_id, value, done))
        return done

    async def _drain(self) -> None:
        """Flush until nothing is waiting; what arrives during a flush goes in the next."""
        while self._batch:
            await asyncio.sleep(0)  # let the other ready tasks add their records first
            batch, self._batch = self._batch, []
            try:
                await self._flush(batch)
            except IntegrityError:
                for record in batch:  # one bad record fails only its own post
                    await self._flush_settled([record])
                continue
            except BaseException as error:
                _settle(batch, error)
                if not isinstance(error, Exception):
                    raise
                continue
            _settle(batch, None)

    async def _flush_settled(self, batch: list[_Record]) -> None:
        try:
            await self._flush(batch)
        except Exception as error:
            _settle(batch, error)
        else:
            _settle(batch, None)

    async def _flush(self, batch: list[_Record]) -> None:
        async with self._db.session() as session:
            await add_delivered(session, [r.value for r in batch if r.kind == "paper"])
            await set_headers(session, [r.value for r in batch if r.kind == "header"])
            await set_paper_refs(session, [r.value for r in batch if r.kind == "ref"])
            now = self._clock()
            due = now - self._renew_every
            ids = sorted(i for i in {r.delivery_id for r in batch} - self.lost
                         if self._renewed.get(i, due) <= due)  # fmt: skip
            if ids:
                self.lost |= await renew_claims(session, ids, self._replica, now)
                self.claimed(ids, now)


def _settle(batch: list[_Record], error: BaseException | None) -> None:
    for record in batch:
        if record.done.done():
            continue
        if error is None:
            record.done.set_result(None)
        else:
            record.done.set_exception(error)
