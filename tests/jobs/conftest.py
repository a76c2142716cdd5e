"""A store holding the recorded quant-ph day, channels to deliver to, and a recording sender."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App, create_app
from bot.digest.posting import DigestPoster
from bot.messages import ChannelUnavailable
from bot.models import Channel, Topic
from bot.posts import PaperPost, Post
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.botharness import bot_settings
from tests.conftest import FIXTURES

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
MONDAY_8_BERLIN = datetime(2025, 4, 28, 6, 0, tzinfo=UTC)


@dataclass
class PlatformRecorder:
    """A Sender that records posts per channel; it can crash or refuse on cue."""

    posts: dict[str, list[Post]] = field(default_factory=dict)
    crash_after: int | None = None  # raise after this many successful posts
    crash_on_accept: int | None = None  # accept this post, then die before answering
    gone: set[str] = field(default_factory=set)
    count: int = 0

    async def send(self, message: Post) -> str | None:
        channel = message.conversation.channel
        if channel in self.gone:
            raise ChannelUnavailable(message.conversation, "not_in_channel")
        if self.crash_after is not None and self.count >= self.crash_after:
            raise asyncio.CancelledError("simulated crash")
        self.count += 1
        self.posts.setdefault(channel, []).append(message)
        if self.count == self.crash_on_accept:
            raise asyncio.CancelledError("crash after the platform accepted the post")
        return f"{channel}-{self.count}"

    def find_in(self, channel: str, marker: str) -> str | None:
        """The id of the post in `channel` carrying `marker` (a platform with history)."""
        for n, message in enumerate(self.posts.get(channel, []), 1):
            if message.marker == marker:
                return f"{channel}-found-{n}"
        return None

    def papers(self, channel: str) -> list[str]:
        """The paper keys posted to a channel, in order."""
        return [m.paper.key for m in self.posts.get(channel, []) if isinstance(m, PaperPost)]


@pytest.fixture
async def app(db: Database) -> AsyncIterator[App]:
    """The core on a store that holds the recorded quant-ph announcement day."""
    application = await create_app(bot_settings(), db=db)
    outcome = parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded")
    async with db.session() as session:
        await upsert_papers(session, outcome.papers)
    try:
        yield application
    finally:
        await application.http.aclose()


async def add_channel(db: Database, name: str, query: str, **settings: object) -> Channel:
    """A channel following one topic (Berlin time, 08:00, Mon–Fri unless overridden)."""
    values: dict[str, object] = {
        "platform": "test", "timezone": "Europe/Berlin", "digest_time": "08:00"
    }  # fmt: skip
    values.update(settings)
    async with db.session() as session:
        channel = Channel(channel=name, **values)  # type: ignore[arg-type]
        session.add(channel)
        await session.flush()
        session.add(Topic(channel_id=channel.id, query=query))  # type: ignore[arg-type]
    return channel


def delivery_for(
    app: App,
    replica: str = "r1",
    clock: Callable[[], datetime] = lambda: MONDAY_8_BERLIN,
    lease: timedelta = timedelta(minutes=2),
) -> DigestPoster:
    """A DigestPoster for a replica with a fixed clock."""
    return DigestPoster(app.db, app.digests, replica, lease, clock)


@dataclass
class PlatformWithHistory(PlatformRecorder):
    """A recorder whose platform can be asked for a post by its marker (as Slack can)."""

    def pending_note(self, message: Post, after: str | None) -> str:
        """Nothing to keep: the platform finds posts by marker."""
        return ""

    async def find_posted(self, message: Post, note: str) -> str | None:
        """The post carrying the message's marker, if it went out."""
        assert message.marker is not None
        return self.find_in(message.conversation.channel, message.marker)
