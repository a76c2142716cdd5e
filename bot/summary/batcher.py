"""Micro-batching summaries across concurrent callers, with in-flight de-duplication.

Concurrent digests ask for overlapping papers at once. Per language the batcher keeps one
open batch: each paper that is neither cached nor already asked for joins it. The batch
closes when it holds `size` papers, and otherwise `window` seconds after its first paper
joined (a loop timer, no polling) it asks for a slot of the shared semaphore, staying open
to later papers until it gets one: while the LLM is busy, batches fill up instead of
queueing half empty. A (paper, language) already queued or in flight is awaited, never
asked for again, and a finished non-fallback summary stays at hand for the next `recent`
requests' worth of papers, so a caller whose cache read raced the store does not ask again.

Each batch runs as its own task and stores its summaries before handing them out, so a
caller that is cancelled loses nothing: the other waiters still get theirs, the cache is
still filled. Callers should await the futures through `asyncio.shield`.

At shutdown (`aclose(grace)`) a batch already sent to the summarizer gets `grace` seconds to
finish and be stored, so the tokens it costs are not spent twice after a restart; a batch not
yet sent (open, or waiting for a slot) is dropped without being sent.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import structlog

from bot.summary.types import PaperText, Summary

log = structlog.get_logger(__name__)

WINDOW = 0.05  # seconds a batch stays open for more papers after its first
RECENT = 2_048  # finished summaries kept at hand (per service, all languages)

Key = tuple[int, str]  # (paper id, language)
Store = Callable[[str, Sequence[tuple[int, Summary]]], Awaitable[None]]


@runtime_checkable
class BatchSummarizer(Protocol):
    """A summarizer that can summarize several papers in one go (e.g. `LLMSummarizer`)."""

    batch_size: int

    async def summarize_many(self, papers: Sequence[PaperText], language: str) -> list[Summary]:
        """One summary per paper, in order; must not raise."""
        ...


@dataclass
class _Batch:
    """Papers waiting to be sent together, and the timer that sends them."""

    ids: list[int] = field(default_factory=list)
    papers: list[PaperText] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    started: bool = False
    sent: bool = False  # handed to the summarizer (its call is under way)


class MicroBatcher:
    """Pools papers from concurrent callers into batches of `size`; one request per paper."""

    def __init__(
        self,
        summarizer: BatchSummarizer,
        store: Store,
        limit: asyncio.Semaphore,
        *,
        size: int,
        window: float = WINDOW,
        recent: int = RECENT,
    ) -> None:
        self._summarizer = summarizer
        self._store = store
        self._limit = limit
        self._size = max(1, size)  # the cap; a summarizer may ask for fewer (`batch_size`)
        self._window = window
        self._recent_size = recent
        self._open: dict[str, _Batch] = {}
        self._pending: dict[Key, asyncio.Future[Summary]] = {}
        self._recent: OrderedDict[Key, asyncio.Future[Summary]] = OrderedDict()
        self._tasks: dict[asyncio.Task[None], _Batch] = {}
        self._closing = False

    async def aclose(self, grace: float = 0.0) -> None:
        """Drop batches not yet sent; give those under way `grace` seconds, then cancel them.

        Waiters of a dropped or cancelled batch see the cancellation.
        """
        self._closing = True
        for language, batch in list(self._open.items()):
            self._close(language, batch)
            if not batch.started:
                batch.started = True
                self._settle(language, batch.ids, None)
        for task, batch in list(self._tasks.items()):
            if not batch.sent:
                task.cancel()
        if self._tasks and grace > 0:
            await asyncio.wait(set(self._tasks), timeout=grace)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def known(self, paper_id: int, language: str) -> asyncio.Future[Summary] | None:
        """The queued, in-flight or recently finished summary of this paper, if any."""
        key = (paper_id, language)
        return self._pending.get(key) or self._recent.get(key)

    def submit(self, paper_id: int, paper: PaperText, language: str) -> asyncio.Future[Summary]:
        """This paper's summary to come: the one already asked for, or a place in a batch."""
        found = self.known(paper_id, language)
        if found is not None:
            return found
        future: asyncio.Future[Summary] = asyncio.get_running_loop().create_future()
        self._pending[(paper_id, language)] = future
        batch = self._open.setdefault(language, _Batch())
        batch.ids.append(paper_id)
        batch.papers.append(paper)
        if len(batch.ids) >= self._batch_size():
            self._close(language, batch)
            self._start(language, batch)
        elif batch.timer is None and not batch.started:
            loop = asyncio.get_running_loop()
            batch.timer = loop.call_later(self._window, self._start, language, batch)
        return future

    def _batch_size(self) -> int:
        """Papers per batch now: the summarizer's current size (it may adapt), at most the cap."""
        return max(1, min(self._size, self._summarizer.batch_size))

    def _close(self, language: str, batch: _Batch) -> None:
        """No more papers join this batch."""
        if self._open.get(language) is batch:
            del self._open[language]
        if batch.timer is not None:
            batch.timer.cancel()

    def _start(self, language: str, batch: _Batch) -> None:
        """Have the batch wait for a slot and then be sent (once)."""
        if batch.started:
            return
        batch.started = True
        task = asyncio.get_running_loop().create_task(self._run(language, batch))
        self._tasks[task] = batch
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    async def _run(self, language: str, batch: _Batch) -> None:
        """Summarize and store one batch, then hand each waiter its summary."""
        outcome: list[tuple[int, Summary]] | Exception | None = None  # None: cancelled
        try:
            outcome = await self._summarize(language, batch)
            if not isinstance(outcome, Exception):
                await self._stored(language, outcome)
        finally:
            self._settle(language, batch.ids, outcome)

    async def _summarize(
        self, language: str, batch: _Batch
    ) -> list[tuple[int, Summary]] | Exception:
        try:
            async with self._limit:
                if self._closing:
                    raise asyncio.CancelledError  # shutting down: never sent
                self._close(language, batch)  # a slot: what has joined by now goes
                batch.sent = True
                made = await self._summarizer.summarize_many(batch.papers, language)
            return list(zip(batch.ids, made, strict=True))
        except Exception as error:
            log.exception("summary.batch_crashed", papers=len(batch.ids))
            return error

    async def _stored(self, language: str, pairs: list[tuple[int, Summary]]) -> None:
        try:
            await self._store(language, pairs)
        except Exception:
            log.exception("summary.batch_not_stored", papers=len(pairs))

    def _settle(
        self,
        language: str,
        ids: list[int],
        outcome: list[tuple[int, Summary]] | Exception | None,
    ) -> None:
        """Resolve the batch's futures (summaries, an error, or cancelled) and forget them."""
        for n, paper_id in enumerate(ids):
            future = self._pending.pop((paper_id, language))
            if future.done():
                continue
            if outcome is None:
                future.cancel()
            elif isinstance(outcome, Exception):
                future.set_exception(outcome)
                future.exception()  # retrieved: no "never retrieved" warning if all left
            else:
                future.set_result(outcome[n][1])
                self._remember((paper_id, language), future)

    def _remember(self, key: Key, future: asyncio.Future[Summary]) -> None:
        """Keep a finished non-fallback summary at hand (the oldest is dropped past `recent`)."""
        if future.result().fallback or self._recent_size <= 0:
            return
        self._recent[key] = future
        while len(self._recent) > self._recent_size:
            self._recent.popitem(last=False)
