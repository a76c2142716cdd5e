"""A channel's feed documents from the store: the papers delivered in the last FEED_DAYS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.archive.load import channel_label, load_period
from bot.feeds.render import atom_feed, json_feed
from bot.models import Channel
from bot.summary.offline import OfflineSummarizer

FEED_DAYS = 30
MAX_ITEMS = 200
FORMATS = {"atom": "application/atom+xml", "json": "application/feed+json"}


@dataclass(frozen=True)
class FeedDocument:
    """A rendered feed: its bytes and content type."""

    body: bytes
    content_type: str


def feed_urls(base: str, token: str) -> dict[str, str]:
    """The Atom and JSON Feed URLs of a token under the server's public `base` URL."""
    root = base.rstrip("/")
    return {fmt: f"{root}/feeds/{token}.{fmt}" for fmt in FORMATS}


def recent(today: date | None = None) -> tuple[date, date]:
    """The period a served feed covers: the last FEED_DAYS days up to today (UTC)."""
    end = today or datetime.now(UTC).date()
    return end - timedelta(days=FEED_DAYS), end


async def channel_feed(
    session: AsyncSession, channel: Channel, fmt: str, feed_url: str, period: tuple[date, date]
) -> FeedDocument:
    """The channel's papers of `period` in `fmt` ("atom" or "json") as served at `feed_url`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown feed format {fmt!r} (atom or json)")
    end = period[1]
    page = await load_period(session, channel, period, OfflineSummarizer())
    papers = page.papers[-MAX_ITEMS:]
    title = f"paperbot: {channel_label(channel)}"
    if fmt == "atom":
        updated = datetime.combine(max((p.digest_date for p in papers), default=end),
                                   datetime.min.time(), UTC)  # fmt: skip
        return FeedDocument(atom_feed(title, feed_url, papers, channel.language, updated),
                            FORMATS[fmt])  # fmt: skip
    data = json_feed(title, feed_url, papers, channel.language)
    return FeedDocument(json.dumps(data, ensure_ascii=False, indent=1).encode(), FORMATS[fmt])
