"""The delivery job: every channel whose digest is due gets it, once, through its platform."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog

from bot.digest.corpus import CorpusCache
from bot.digest.scheduled import DeliveryOutcome, ScheduledDelivery
from bot.messages import Sender
from bot.models import Channel, Topic
from bot.schedule import due_digest_date, scheduled_at
from bot.store.channels import channels_with_topics
from bot.store.db import Database
from bot.store.fetches import failing_sources

log = structlog.get_logger(__name__)


def due_channels(
    subscribed: list[tuple[Channel, list[Topic]]],
    platforms: Mapping[str, Sender],
    now: datetime,
    catchup: timedelta | None,
    days: Callable[[Channel], str | None] = lambda channel: channel.digest_days,
) -> list[tuple[Channel, list[Topic], date]]:
    """The (channel, topics, date) triples due at `now` on a platform we can post to.

    `days` gives a channel's days for this kind of post (None: it has none, e.g. no weekly).
    """
    due = []
    for channel, topics in subscribed:
        spec = days(channel)
        if channel.paused or not spec or channel.platform not in platforms:
            continue
        day = due_digest_date(now, channel.digest_time, channel.timezone, spec, catchup)
        if day is not None:
            due.append((channel, topics, day))
    return due


@dataclass(frozen=True)
class FetchGate:
    """Whether today's fetch is still running, what failed, and how long a digest waits."""

    pending: bool = False
    missing: tuple[str, ...] = ()
    wait: timedelta = timedelta(0)

    def holds(self, channel: Channel, day: date, now: datetime) -> bool:
        """True while this digest should wait for the fetch (until its deadline)."""
        if not (self.pending or self.missing):
            return False
        deadline = scheduled_at(day, channel.digest_time, channel.timezone) + self.wait
        return now < deadline


async def fetch_gate(db: Database, pending: bool, wait: timedelta) -> FetchGate:
    """The gate from the store's failing sources and whether a fetch is running."""
    async with db.session() as session:
        failing = await failing_sources(session)
    missing = tuple(f"Not fetched yet: {f.url} ({(f.last_error or '')[:120]})" for f in failing)
    return FetchGate(pending, missing, wait)


async def run(
    db: Database,
    delivery: ScheduledDelivery,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    catchup: timedelta | None = None,
    gate: FetchGate | None = None,
    concurrency: int = 20,
) -> list[DeliveryOutcome]:
    """Deliver every due digest (missed ones within the catch-up window too).

    While the day's fetch is running or a source failed, a digest waits until its deadline
    (`gate.wait` after its time); past it, it goes out and its footer names what is missing.
    """
    gate = gate or FetchGate()
    async with db.session() as session:
        subscribed = await channels_with_topics(session)
    due = [d for d in due_channels(subscribed, senders, now, catchup)
           if not gate.holds(d[0], d[2], now)]  # fmt: skip
    limit = asyncio.Semaphore(concurrency)
    corpora = CorpusCache()  # the day's papers, indexed once for every channel of this run

    async def one(channel: Channel, topics: list[Topic], day: date) -> DeliveryOutcome:
        async with limit:
            if delivery.stop_requested:
                return DeliveryOutcome(channel.id or 0, day, "stopped")
            sender = senders[channel.platform]
            return await delivery.deliver(channel, topics, day, sender, gate.missing, corpora)

    outcomes = list(await asyncio.gather(*(one(c, t, d) for c, t, d in due)))
    sent = sum(o.status == "sent" for o in outcomes)
    if due:
        log.info("delivery run", due=len(due), sent=sent, now=now.isoformat())
    return outcomes
