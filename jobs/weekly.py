"""The weekly job: every channel whose weekly briefing is due gets it, once, through its platform.

A briefing is due on the channel's weekly day at its digest time (in its timezone), within
the same catch-up window as the daily digest, and covers the seven days before that date.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import structlog

from bot.digest.scheduled import DeliveryOutcome, ScheduledDelivery
from bot.messages import Conversation, OutgoingMessage, Sender
from bot.models import Channel, Topic
from bot.schedule import due_digest_date
from bot.store.channels import channels_with_topics
from bot.store.db import Database
from bot.weekly.model import Briefing
from bot.weekly.render import briefing_message
from bot.weekly.service import WeeklyService

log = structlog.get_logger(__name__)
KIND = "weekly"


def due_briefings(
    subscribed: list[tuple[Channel, list[Topic]]],
    platforms: Mapping[str, Sender],
    now: datetime,
    catchup: timedelta | None,
) -> list[tuple[Channel, list[Topic], date]]:
    """The (channel, topics, briefing date) triples due at `now` on a platform we post to."""
    due = []
    for channel, topics in subscribed:
        if channel.paused or not channel.weekly_day or channel.platform not in platforms:
            continue
        day = due_digest_date(
            now, channel.digest_time, channel.timezone, channel.weekly_day, catchup
        )
        if day is not None:
            due.append((channel, topics, day))
    return due


async def run(
    db: Database,
    delivery: ScheduledDelivery,
    briefings: WeeklyService,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    catchup: timedelta | None = None,
    concurrency: int = 20,
) -> list[DeliveryOutcome]:
    """Deliver every due weekly briefing (missed ones within the catch-up window too)."""
    async with db.session() as session:
        subscribed = await channels_with_topics(session)
    due = due_briefings(subscribed, senders, now, catchup)
    limit = asyncio.Semaphore(concurrency)

    async def one(channel: Channel, topics: list[Topic], day: date) -> DeliveryOutcome:
        async with limit:
            if delivery.stop_requested:
                return DeliveryOutcome(channel.id or 0, day, "stopped")
            return await deliver_briefing(
                delivery, briefings, channel, topics, day, senders[channel.platform]
            )

    outcomes = list(await asyncio.gather(*(one(c, t, d) for c, t, d in due)))
    if due:
        sent = sum(o.status == "sent" for o in outcomes)
        log.info("weekly run", due=len(due), sent=sent, now=now.isoformat())
    return outcomes


async def deliver_briefing(
    delivery: ScheduledDelivery,
    briefings: WeeklyService,
    channel: Channel,
    topics: list[Topic],
    day: date,
    sender: Sender,
) -> DeliveryOutcome:
    """One channel's briefing for `day`, planned once and posted once."""
    conversation = Conversation(channel.platform, channel.channel, channel.workspace)

    async def plan() -> dict[str, Any] | None:
        briefing = await briefings.compose(channel, topics, day)
        return briefing.to_plan() if briefing is not None else None

    async def compose(stored: dict[str, Any]) -> OutgoingMessage:
        return briefing_message(Briefing.from_plan(stored), conversation)

    return await delivery.deliver_one(channel, day, KIND, sender, plan, compose)
