"""What a weekly briefing reads from the store: the papers a channel got, and their votes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import DeliveredPaper, Delivery, Feedback, Paper

CHUNK = 500


async def delivered_between(
    session: AsyncSession, channel_id: int, first: date, last: date
) -> list[tuple[Paper, date]]:
    """Each paper the channel got on a day in [first, last], with that day (first one kept).

    A scheduled digest counts on its digest date; a `digest now` on its UTC send date (the
    date of its delivery, or of its post for one recorded before those were deliveries).
    """
    scheduled = (
        select(Paper, Delivery.digest_date)
        .join(DeliveredPaper, col(DeliveredPaper.paper_id) == col(Paper.id))
        .join(Delivery, col(Delivery.id) == col(DeliveredPaper.delivery_id))
        .where(DeliveredPaper.channel_id == channel_id, Delivery.kind != "weekly")
        .where(col(Delivery.digest_date) >= first, col(Delivery.digest_date) <= last)
    )
    start = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), UTC)
    manual = (
        select(Paper, DeliveredPaper.sent_at)
        .join(DeliveredPaper, col(DeliveredPaper.paper_id) == col(Paper.id))
        .where(DeliveredPaper.channel_id == channel_id, col(DeliveredPaper.delivery_id).is_(None))
        .where(col(DeliveredPaper.sent_at) >= start, col(DeliveredPaper.sent_at) < end)
    )
    found: dict[int, tuple[Paper, date]] = {}
    rows = [*await session.exec(scheduled)]
    rows += [(paper, sent.date()) for paper, sent in await session.exec(manual)]
    for paper, day in sorted(rows, key=lambda r: (r[1], r[0].id or 0)):
        assert paper.id is not None
        found.setdefault(paper.id, (paper, day))
    return list(found.values())


async def net_votes(
    session: AsyncSession, channel_id: int, paper_ids: Sequence[int]
) -> dict[int, int]:
    """Paper id → 👍 minus 👎 in this channel (papers without votes left out)."""
    votes: dict[int, int] = {}
    for begin in range(0, len(paper_ids), CHUNK):
        rows = await session.exec(
            select(Feedback.paper_id, func.sum(Feedback.value))
            .where(Feedback.channel_id == channel_id)
            .where(col(Feedback.paper_id).in_(list(paper_ids[begin : begin + CHUNK])))
            .group_by(Feedback.paper_id)
        )
        votes.update({paper_id: int(total or 0) for paper_id, total in rows})
    return votes
