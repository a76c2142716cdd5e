"""Stopping the scheduler (SIGTERM, every deploy): a delivery the scheduler is running finishes
the post it is sending and records it, instead of being cancelled mid-send."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import select

from bot.app import App
from bot.models import DeliveredPaper
from bot.pending import is_pending
from bot.posts import PaperPost, Post
from bot.store.db import Database
from jobs.scheduler import Jobs
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel

WAIT = 10.0


@dataclass
class HeldSender(PlatformRecorder):
    """Holds the first paper post in flight until `release` is set."""

    sending: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Post) -> str | None:
        if isinstance(message, PaperPost) and not self.sending.is_set():
            self.sending.set()
            await self.release.wait()
        return await super().send(message)


async def test_stop_lets_the_running_delivery_finish_its_post(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = HeldSender()
    jobs = Jobs(app, {"test": platform}, "r1", clock=lambda: MONDAY_8_BERLIN)
    scheduler = jobs.build()
    scheduler.start(paused=True)
    scheduler.remove_all_jobs()  # only the delivery, now, run by the scheduler itself
    scheduler.add_job(jobs.deliver, id="deliver", next_run_time=datetime.now(UTC))
    scheduler.resume()
    await asyncio.wait_for(platform.sending.wait(), WAIT)  # a paper post is in flight
    stopping = asyncio.create_task(jobs.stop(grace=WAIT))
    for _ in range(10):  # let stop() pause the scheduler and start waiting (no timing)
        await asyncio.sleep(0)
    assert not stopping.done(), "stop returned while the delivery was still sending"
    platform.release.set()
    assert await asyncio.wait_for(stopping, WAIT) is True
    async with db.session() as session:
        rows = (await session.exec(select(DeliveredPaper))).all()
    assert [is_pending(row.message_ref) for row in rows] == [False]  # recorded, then stopped
    assert len(platform.papers("lab")) == 1

