"""What each channel has already received, and recording what it receives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import DeliveredPaper, Delivery

CHUNK = 500


async def delivered_versions(
    session: AsyncSession, channel_id: int, paper_ids: Sequence[int]
) -> dict[int, int]:
    """For each of these papers the channel already got, the highest version it got."""
    got: dict[int, int] = {}
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        rows = await session.exec(
            select(DeliveredPaper.paper_id, DeliveredPaper.version).where(
                DeliveredPaper.channel_id == channel_id, col(DeliveredPaper.paper_id).in_(chunk)
            )
        )
        for paper_id, version in rows:
            got[paper_id] = max(version, got.get(paper_id, 0))
    return got


async def record_delivered(
    session: AsyncSession,
    channel_id: int,
    paper_id: int,
    version: int | None,
    *,
    delivery_id: int | None = None,
    position: int = 0,
    message_ref: str | None = None,
) -> DeliveredPaper:
    """Record that a paper (this version) went to a channel, as which message."""
    row = DeliveredPaper(
        channel_id=channel_id,
        paper_id=paper_id,
        version=version or 0,
        delivery_id=delivery_id,
        position=position,
        message_ref=message_ref,
    )
    session.add(row)
    await session.flush()
    return row


async def last_digest_date(session: AsyncSession, channel_id: int, before: date) -> date | None:
    """The date of the channel's most recent scheduled digest before `before`."""
    query = select(func.max(Delivery.digest_date)).where(
        Delivery.channel_id == channel_id, col(Delivery.digest_date) < before
    )
    return (await session.exec(query)).one()


async def paper_for_message(
    session: AsyncSession, channel_id: int, message_ref: str
) -> int | None:
    """The paper a posted message carries (so a thread maps back to it, even after a restart)."""
    query = select(DeliveredPaper.paper_id).where(
        DeliveredPaper.channel_id == channel_id, DeliveredPaper.message_ref == message_ref
    )
    return (await session.exec(query)).first()
