"""Seeding a channel's past digests for weekly-briefing tests, and running the weekly job."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from bot.app import App
from bot.digest.posting import DeliveryOutcome
from bot.messages import Sender
from bot.models import DeliveredPaper, Delivery, Paper
from bot.store.db import Database
from bot.weekly.model import Briefing
from bot.weekly.service import WeeklyService
from jobs import weekly
from tests.jobs.conftest import delivery_for

MONDAY_5_MAY_8_BERLIN = datetime(2025, 5, 5, 6, 0, tzinfo=UTC)  # the week 04-28 … 05-04
WEEK_START = date(2025, 4, 28)


async def paper_ids(db: Database) -> list[int]:
    """The stored papers' ids, in order."""
    async with db.session() as session:
        return [p for p in await session.exec(select(Paper.id).order_by(col(Paper.id))) if p]


async def seed_day(db: Database, channel_id: int, day: date, ids: list[int]) -> None:
    """A sent daily digest of these papers on `day`."""
    async with db.session() as session:
        delivery = Delivery(channel_id=channel_id, digest_date=day, status="sent",
                            claimed_by="seed", papers=len(ids))  # fmt: skip
        session.add(delivery)
        await session.flush()
        for n, paper_id in enumerate(ids, 1):
            session.add(DeliveredPaper(channel_id=channel_id, paper_id=paper_id,
                                       delivery_id=delivery.id, position=n,
                                       message_ref=f"m{paper_id}"))  # fmt: skip


async def seed_weeks(db: Database, channel_id: int) -> dict[date, list[int]]:
    """Mon 4, Tue 2 and Thu 3 papers this week; 3 papers on the Monday before."""
    ids = await paper_ids(db)
    days = {
        WEEK_START: ids[0:4],
        WEEK_START + timedelta(days=1): ids[4:6],
        WEEK_START + timedelta(days=3): ids[6:9],
        WEEK_START - timedelta(days=7): ids[9:12],
    }
    for day, chosen in days.items():
        await seed_day(db, channel_id, day, chosen)
    return days


async def run_weekly(
    app: App,
    senders: Mapping[str, Sender],
    now: datetime = MONDAY_5_MAY_8_BERLIN,
    replica: str = "r1",
) -> list[DeliveryOutcome]:
    """The weekly job at `now` with a fixed clock."""
    briefings = WeeklyService(app.db, app.summaries, app.digests.llm)
    return await weekly.run(app.db, delivery_for(app, replica, lambda: now), briefings, senders,
                            now=now)  # fmt: skip


async def stored_briefing(db: Database, channel_id: int) -> Briefing:
    """The briefing planned for the channel (the weekly delivery's plan)."""
    async with db.session() as session:
        row = (await session.exec(select(Delivery).where(
            Delivery.channel_id == channel_id, Delivery.kind == "weekly"))).one()  # fmt: skip
    assert row.plan is not None
    return Briefing.from_plan(row.plan)
