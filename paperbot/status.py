"""`paperbot status`: per channel, the last and next digest, papers delivered, failures."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.models import Channel, Delivery
from bot.schedule import next_digest_at
from bot.store.db import Database
from bot.store.deliveries import delivery_summary
from bot.store.fetches import failing_sources, partial_sources, stale_feeds

HEADER = ("channel", "state", "last digest", "next digest", "papers", "problem")


async def status_table(db: Database, now: datetime, stale_days: int = 30) -> str:
    """The status table as text: channels, failing sources (raw errors), stopped feeds."""
    async with db.session() as session:
        channels = list(await session.exec(select(Channel).order_by(col(Channel.id))))
        summary = await delivery_summary(session)
        failing = await failing_sources(session)
        partial = await partial_sources(session)
        stale = await stale_feeds(session, now.date(), stale_days)
    rows = [HEADER] + [_row(c, summary.get(c.id or 0, (0, None)), now) for c in channels]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    if not channels:
        lines.append("(no channels yet)")
    lines.extend(f"source failing: {f.url} ({f.failures}x): {f.last_error}" for f in failing)
    lines.extend(f"source partial: {f.url}: {f.last_error}" for f in partial)
    lines.extend(f"feed not publishing: {url}: this feed has not published since {newest}."
                 for url, newest in stale)  # fmt: skip
    return "\n".join(line.rstrip() for line in lines)


def _row(channel: Channel, summary: tuple[int, Delivery | None], now: datetime) -> tuple[str, ...]:
    delivered, last = summary
    name = f"{channel.platform}:{channel.channel}"
    state = "inactive" if not channel.active else "paused" if channel.paused else "active"
    last_text = f"{last.digest_date} {last.status}" if last is not None else "-"
    upcoming = "-"
    if channel.active and not channel.paused:
        at = next_digest_at(now, channel.digest_time, channel.timezone, channel.digest_days)
        upcoming = at.strftime("%Y-%m-%d %H:%M %Z")
    problem = (last.error or "") if last is not None else ""
    return (name, state, last_text, upcoming, str(delivered), problem[:60])
