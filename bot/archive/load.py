"""Loading a channel's delivered digests from the store: by date, by ISO week, or all of them.

A scheduled digest's papers carry their delivery's digest date; papers posted by `digest
now` (no delivery row) count on the UTC day they were sent. Papers keep their delivered
order (date, then position in that digest).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.archive.model import ArchivePage, ArchivePaper, group_sections
from bot.archive.summaries import summaries_for
from bot.models import Channel, DeliveredPaper, Delivery, Paper
from bot.summary.types import Summarizer, Summary

WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
CHUNK = 500


@dataclass(frozen=True)
class Delivered:
    """One delivered paper: the digest date it belongs to and its position there."""

    digest_date: date
    position: int
    paper_id: int


def parse_day(text: str) -> tuple[date, date]:
    """A YYYY-MM-DD date as a one-day period; ValueError otherwise."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return day, day


def parse_week(text: str) -> tuple[date, date]:
    """An ISO week (2025-W18) as its Monday and Sunday; ValueError otherwise."""
    match = WEEK_RE.match(text.strip())
    try:
        if match is None:
            raise ValueError
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO week (YYYY-Www, e.g. 2025-W18)") from None
    return monday, monday + timedelta(days=6)


async def find_channel_ref(session: AsyncSession, ref: str) -> Channel | None:
    """A channel by database id or `platform:channel` (first match across workspaces)."""
    text = ref.strip()
    if text.isdigit():
        return await session.get(Channel, int(text))
    platform, sep, name = text.partition(":")
    if not sep:
        return None
    query = select(Channel).where(Channel.platform == platform, Channel.channel == name)
    return (await session.exec(query.order_by(col(Channel.id)))).first()


def channel_label(channel: Channel) -> str:
    """How a page names its channel."""
    return f"{channel.platform}:{channel.channel}"


async def delivered(
    session: AsyncSession, channel_id: int, first: date | None = None, last: date | None = None
) -> list[Delivered]:
    """The channel's delivered papers in [first, last] (all without bounds), in order."""
    lo, hi = first or date.min, last or date.max
    scheduled = select(Delivery.digest_date, DeliveredPaper.position, DeliveredPaper.paper_id)
    scheduled = scheduled.join(Delivery, col(Delivery.id) == col(DeliveredPaper.delivery_id))
    rows = await session.exec(
        scheduled.where(DeliveredPaper.channel_id == channel_id,
                        col(Delivery.digest_date) >= lo, col(Delivery.digest_date) <= hi)
    )  # fmt: skip
    found = [Delivered(day, pos, pid) for day, pos, pid in rows]
    adhoc = select(DeliveredPaper.sent_at, DeliveredPaper.position, DeliveredPaper.paper_id).where(
        DeliveredPaper.channel_id == channel_id, col(DeliveredPaper.delivery_id).is_(None)
    )
    if first is not None:
        adhoc = adhoc.where(col(DeliveredPaper.sent_at) >= datetime.combine(lo, time(), UTC))
    if last is not None:
        end = datetime.combine(hi + timedelta(days=1), time(), UTC)
        adhoc = adhoc.where(col(DeliveredPaper.sent_at) < end)
    for sent_at, pos, pid in await session.exec(adhoc):
        found.append(Delivered(_utc(sent_at).date(), pos, pid))
    return sorted(found, key=lambda d: (d.digest_date, d.position, d.paper_id))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _papers(session: AsyncSession, ids: Sequence[int]) -> dict[int, Paper]:
    found: dict[int, Paper] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = await session.exec(select(Paper).where(col(Paper.id).in_(chunk)))
        found.update({p.id: p for p in rows if p.id is not None})
    return found


async def load_page(
    session: AsyncSession,
    channel: Channel,
    rows: Sequence[Delivered],
    period: tuple[date, date],
    summarizer: Summarizer,
) -> ArchivePage:
    """The page for these delivered rows: papers with summaries, grouped by category."""
    papers = await _papers(session, list(dict.fromkeys(r.paper_id for r in rows)))
    summaries = await summaries_for(session, list(papers.values()), channel.language, summarizer)
    shown: list[ArchivePaper] = []
    seen: set[int] = set()
    for row in rows:
        paper = papers.get(row.paper_id)
        if paper is None or row.paper_id in seen:
            continue
        seen.add(row.paper_id)
        shown.append(_archive_paper(paper, row.digest_date, summaries[row.paper_id]))
    label = channel_label(channel)
    return ArchivePage(label, period[0], period[1], channel.language, group_sections(shown))


def _archive_paper(paper: Paper, day: date, summary: Summary) -> ArchivePaper:
    return ArchivePaper.of(paper, summary, number=0, digest_date=day, abstract=paper.abstract)


async def load_period(
    session: AsyncSession, channel: Channel, period: tuple[date, date], summarizer: Summarizer
) -> ArchivePage:
    """A channel's page for a date or a week."""
    assert channel.id is not None
    rows = await delivered(session, channel.id, *period)
    return await load_page(session, channel, rows, period, summarizer)


async def load_days(
    session: AsyncSession, channel: Channel, summarizer: Summarizer
) -> list[ArchivePage]:
    """One page per day the channel received papers, oldest first."""
    assert channel.id is not None
    by_day: dict[date, list[Delivered]] = defaultdict(list)
    for row in await delivered(session, channel.id):
        by_day[row.digest_date].append(row)
    return [
        await load_page(session, channel, rows, (day, day), summarizer)
        for day, rows in sorted(by_day.items())
    ]
