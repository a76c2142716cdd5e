"""What each channel has already received, and recording what it receives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import DeliveredPaper, Delivery, utcnow
from bot.store.db import insert_ignoring_duplicates

CHUNK = 500
DAILY = col(Delivery.kind) == "daily"  # the digests (weekly briefings don't move their window)


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
        Delivery.channel_id == channel_id, col(Delivery.digest_date) < before, DAILY
    )
    return (await session.exec(query)).one()


@dataclass(frozen=True)
class PreviousDigest:
    """A channel's most recent scheduled digest: its date and when its papers were chosen."""

    digest_date: date
    selected_at: datetime | None  # aware, UTC; None for a digest from before it was recorded
    claimed_at: datetime


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite gives them back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _previous(delivery: Delivery) -> PreviousDigest:
    chosen = (delivery.plan or {}).get("selected_at")
    try:
        at = as_utc(datetime.fromisoformat(chosen)) if isinstance(chosen, str) else None
    except ValueError:
        at = None
    return PreviousDigest(delivery.digest_date, at, as_utc(delivery.claimed_at))


async def previous_digests(
    session: AsyncSession, channel_ids: Sequence[int], before: date
) -> dict[int, PreviousDigest]:
    """Each channel's most recent scheduled digest before `before` (channels with none left out).

    A digest takes what was first seen since this one's papers were chosen.
    """
    dates = await last_digest_dates(session, channel_ids, before)
    found: dict[int, PreviousDigest] = {}
    ids = list(dates)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = await session.exec(
            select(Delivery).where(col(Delivery.channel_id).in_(chunk), DAILY)
            .where(col(Delivery.digest_date).in_(sorted({dates[c] for c in chunk})))
        )  # fmt: skip
        for row in rows:
            if dates.get(row.channel_id) == row.digest_date:
                found[row.channel_id] = _previous(row)
    return found


async def paper_for_message(session: AsyncSession, channel_id: int, message_ref: str) -> int | None:
    """The paper a posted message carries (so a thread maps back to it, even after a restart)."""
    query = select(DeliveredPaper.paper_id).where(
        DeliveredPaper.channel_id == channel_id, DeliveredPaper.message_ref == message_ref
    )
    return (await session.exec(query)).first()


NOW = "now"  # `digest now` deliveries are kinds "now1", "now2", … (several may fall on a day)


async def open_delivery(
    session: AsyncSession, channel_id: int, day: date, replica: str, now: datetime
) -> Delivery:
    """A new delivery for a `digest now` on `day`, held by this replica (under its lease)."""
    taken = await session.exec(
        select(func.count()).where(
            Delivery.channel_id == channel_id, Delivery.digest_date == day,
            col(Delivery.kind).startswith(NOW),
        )
    )  # fmt: skip
    row = Delivery(channel_id=channel_id, digest_date=day, kind=f"{NOW}{taken.one() + 1}",
                   claimed_by=replica, claimed_at=now)  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def claim_delivery(
    session: AsyncSession,
    channel_id: int,
    digest_date: date,
    replica: str,
    now: datetime,
    lease: timedelta,
    kind: str = "daily",
) -> Delivery | None:
    """Claim a channel's digest (or other `kind`) for a date; None when done or held elsewhere.

    The unique (channel, date, kind) constraint makes the first claim atomic on SQLite and
    Postgres.
    A claim held by this replica (a restart) or whose lease ran out (a crashed replica) is
    taken over with a conditional update, so two replicas never both win.
    """
    row = {"channel_id": channel_id, "digest_date": digest_date, "kind": kind,
           "status": "claimed", "claimed_by": replica, "claimed_at": now, "papers": 0}  # fmt: skip
    await insert_ignoring_duplicates(session, Delivery, [row])
    query = select(Delivery).where(
        Delivery.channel_id == channel_id, Delivery.digest_date == digest_date,
        Delivery.kind == kind,
    )  # fmt: skip
    delivery = (await session.exec(query.execution_options(populate_existing=True))).one()
    if delivery.status != "claimed":
        return None
    if delivery.claimed_by == replica and delivery.claimed_at == now:
        return delivery
    if delivery.claimed_by != replica and now - delivery.claimed_at < lease:
        return None
    taken = await session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(
            col(Delivery.id) == delivery.id,
            col(Delivery.claimed_by) == delivery.claimed_by,
            col(Delivery.claimed_at) == delivery.claimed_at,
            col(Delivery.status) == "claimed",
        )
        .values(claimed_by=replica, claimed_at=now)
    )
    if taken.rowcount != 1:
        return None
    await session.refresh(delivery)
    return delivery


async def renew_claim(session: AsyncSession, delivery_id: int, replica: str, now: datetime) -> bool:
    """Extend this replica's lease on a delivery; False when it lost the claim."""
    result = await session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(col(Delivery.id) == delivery_id, col(Delivery.claimed_by) == replica)
        .values(claimed_at=now)
    )
    return bool(result.rowcount == 1)


async def posted_papers(session: AsyncSession, delivery_id: int) -> dict[int, str | None]:
    """The papers of a delivery recorded so far, with their message refs (for resuming)."""
    rows = await session.exec(
        select(DeliveredPaper.paper_id, DeliveredPaper.message_ref).where(
            DeliveredPaper.delivery_id == delivery_id
        )
    )
    return dict(rows.all())


async def last_message_ref(session: AsyncSession, channel_id: int) -> str | None:
    """The platform id of the channel's most recent recorded post (a paper, or a header)."""
    paper = (
        await session.exec(
            select(DeliveredPaper.delivery_id, DeliveredPaper.message_ref)
            .where(DeliveredPaper.channel_id == channel_id, posted_ref(DeliveredPaper.message_ref))
            .order_by(col(DeliveredPaper.id).desc())
            .limit(1)
        )
    ).first()
    header = (
        await session.exec(
            select(Delivery.id, Delivery.header_ref)
            .where(Delivery.channel_id == channel_id, posted_ref(Delivery.header_ref))
            .order_by(col(Delivery.id).desc())
            .limit(1)
        )
    ).first()
    if header is not None and (paper is None or (paper[0] or 0) < (header[0] or 0)):
        return header[1]
    return paper[1] if paper is not None else None


def posted_ref(ref: Any) -> Any:
    """A ref that is a platform id (not missing, not pending)."""
    return col(ref).is_not(None) & ~col(ref).startswith("pending")


async def set_message_ref(
    session: AsyncSession, delivery_id: int, paper_id: int, message_ref: str
) -> None:
    """Record the platform id of a paper's post once the platform has accepted it."""
    await session.exec(  # type: ignore[call-overload]
        update(DeliveredPaper)
        .where(
            col(DeliveredPaper.delivery_id) == delivery_id,
            col(DeliveredPaper.paper_id) == paper_id,
        )
        .values(message_ref=message_ref, sent_at=utcnow())
    )


async def delivery_summary(session: AsyncSession) -> dict[int, tuple[int, Delivery | None]]:
    """Per channel: papers delivered so far, and its most recent scheduled delivery."""
    counts = await session.exec(
        select(DeliveredPaper.channel_id, func.count()).group_by(DeliveredPaper.channel_id)
    )
    summary: dict[int, tuple[int, Delivery | None]] = {cid: (n, None) for cid, n in counts}
    query = select(Delivery).where(DAILY).order_by(col(Delivery.digest_date))
    deliveries = await session.exec(query)
    for delivery in deliveries:
        count, _ = summary.get(delivery.channel_id, (0, None))
        summary[delivery.channel_id] = (count, delivery)
    return summary


async def last_digest_dates(
    session: AsyncSession, channel_ids: Sequence[int], before: date
) -> dict[int, date]:
    """`last_digest_date` for many channels in a few queries (channels with none left out)."""
    found: dict[int, date] = {}
    for start in range(0, len(channel_ids), CHUNK):
        chunk = list(channel_ids[start : start + CHUNK])
        rows = await session.exec(
            select(Delivery.channel_id, func.max(Delivery.digest_date))
            .where(col(Delivery.channel_id).in_(chunk), col(Delivery.digest_date) < before)
            .where(DAILY)
            .group_by(Delivery.channel_id)
        )
        found.update({channel_id: day for channel_id, day in rows if day is not None})
    return found


async def delivered_versions_many(
    session: AsyncSession,
    channel_ids: Sequence[int],
    paper_ids: Sequence[int],
    from_id: int | None = None,
) -> dict[int, dict[int, int]]:
    """`delivered_versions` for many channels: channel id -> paper id -> highest version got.

    With `from_id`, the papers with ids from it up are read as one index range per channel
    (new papers: a channel's recent rows), and only the older ones as a list; a list of
    every paper would make the store probe each (channel, paper) pair.
    """
    got: dict[int, dict[int, int]] = {}
    wanted = set(paper_ids)
    listed = sorted(p for p in wanted if from_id is None or p < from_id)
    found = select(DeliveredPaper.channel_id, DeliveredPaper.paper_id, DeliveredPaper.version)
    for start in range(0, len(channel_ids), CHUNK):
        channels = col(DeliveredPaper.channel_id).in_(list(channel_ids[start : start + CHUNK]))
        papers = col(DeliveredPaper.paper_id)
        queries = [found.where(channels, papers.in_(listed[at : at + CHUNK * 4]))
                   for at in range(0, len(listed), CHUNK * 4)]  # fmt: skip
        if from_id is not None:
            queries.append(found.where(channels, col(DeliveredPaper.paper_id) >= from_id))
        for query in queries:
            for channel_id, paper_id, version in await session.exec(query):
                if paper_id in wanted:
                    seen = got.setdefault(channel_id, {})
                    seen[paper_id] = max(version, seen.get(paper_id, 0))
    return got


async def was_posted(session: AsyncSession, channel_id: int, paper_id: int) -> bool:
    """Whether the paper was ever posted in the channel (a vote on it there counts)."""
    query = select(DeliveredPaper.id).where(
        DeliveredPaper.channel_id == channel_id, DeliveredPaper.paper_id == paper_id
    )
    return (await session.exec(query.limit(1))).first() is not None
