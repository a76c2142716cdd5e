"""The delivery job: every channel whose digest is due gets it, once, through its platform."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import structlog

from bot.digest.scheduled import DeliveryOutcome, ScheduledDelivery
from bot.messages import Sender
from bot.models import Channel, Topic
from bot.schedule import due_digest_date
from bot.store.channels import channels_with_topics
from bot.store.db import Database

log = structlog.get_logger(__name__)


def due_channels(
    subscribed: list[tuple[Channel, list[Topic]]],
    platforms: Mapping[str, Sender],
    now: datetime,
    catchup: timedelta | None,
) -> list[tuple[Channel, list[Topic], date]]:
    """The (channel, topics, digest date) triples due at `now` on a platform we can post to."""
    due = []
    for channel, topics in subscribed:
        if channel.paused or channel.platform not in platforms:
            continue
        day = due_digest_date(
            now, channel.digest_time, channel.timezone, channel.digest_days, catchup
        )
        if day is not None:
            due.append((channel, topics, day))
    return due


async def run(
    db: Database,
    delivery: ScheduledDelivery,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    catchup: timedelta | None = None,
    concurrency: int = 20,
) -> list[DeliveryOutcome]:
    """Deliver every due digest (missed ones within the catch-up window too)."""
    async with db.session() as session:
        subscribed = await channels_with_topics(session)
    due = due_channels(subscribed, senders, now, catchup)
    limit = asyncio.Semaphore(concurrency)

    async def one(channel: Channel, topics: list[Topic], day: date) -> DeliveryOutcome:
        async with limit:
            return await delivery.deliver(channel, topics, day, senders[channel.platform])

    outcomes = list(await asyncio.gather(*(one(c, t, d) for c, t, d in due)))
    sent = sum(o.status == "sent" for o in outcomes)
    if due:
        log.info("delivery run", due=len(due), sent=sent, now=now.isoformat())
    return outcomes
