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

from bot.digest.posting import DeliveryOutcome, DigestPoster
from bot.messages import Conversation, Sender
from bot.models import Channel, Topic
from bot.posts import Post
from bot.store.channels import channels_with_topics
from bot.store.db import Database
from bot.weekly.model import Briefing
from bot.weekly.render import briefing_post
from bot.weekly.service import WeeklyService
from jobs.deliver import due_channels

log = structlog.get_logger(__name__)
KIND = "weekly"


async def run(
    db: Database,
    delivery: DigestPoster,
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
    due = due_channels(subscribed, senders, now, catchup, days=lambda c: c.weekly_day)
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
    delivery: DigestPoster,
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

    async def compose(stored: dict[str, Any]) -> Post:
        return briefing_post(Briefing.from_plan(stored), conversation)

    return await delivery.deliver_one(channel, day, KIND, sender, plan, compose)
