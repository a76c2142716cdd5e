"""Delivering 1,000 channels x 10 papers against platform fakes that enforce their limits.

Telegram's fake answers 429 above 30 messages a second overall; Slack's above 1 a second per
channel. The bot's own limiters (AIORateLimiter, a per-channel aiolimiter) should keep it just
under both: the table shows the rate achieved against each limit (goal >= 90 %), the 429s
received after the first second (goal 0) and the wall time. BENCH_DELIVERY_CHANNELS and
BENCH_DELIVERY_PAPERS make it smaller.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.slack.app import make_client
from adapters.slack.sender import ChannelPacer, SlackSender
from adapters.slack.settings import SlackSettings
from adapters.telegram.app import TelegramAdapter
from adapters.telegram.settings import TelegramSettings
from bot.app import create_app
from bot.config import Settings
from bot.digest.posting import DigestPoster
from bot.messages import Sender
from bot.models import Channel, Topic
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from jobs import deliver
from tests.conftest import FIXTURES
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
NOW = datetime(2025, 4, 28, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Run:
    """One platform's delivery: messages, rate achieved against the limit, 429s, wall time."""

    platform: str
    messages: int
    rate: float
    limit: float
    late_429s: int
    seconds: float

    def row(self) -> str:
        """A table row."""
        unit = "msg/s overall" if self.platform == "telegram" else "msg/s per channel"
        share = 100 * self.rate / self.limit
        return (
            f"{self.platform:9} | {self.messages:8} | {self.rate:6.2f} {unit:17} | "
            f"{self.limit:5.1f} | {share:5.1f} % | {self.late_429s:9} | {self.seconds:7.1f} s"
        )


class TimedTelegram(FakeTelegramApi):
    """The Telegram fake, noting when each message was accepted and each 429 sent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted: list[float] = []
        self.refused: list[float] = []

    def _refuse(self, chat_id: int) -> tuple[int, dict[str, Any]] | None:
        refused = super()._refuse(chat_id)
        (self.refused if refused else self.accepted).append(time.monotonic())
        return refused


async def seed(db: Database, platform: str, channels: int, papers: int) -> None:
    """The recorded quant-ph day and `channels` channels due at NOW, `papers` papers each."""
    day = NOW.date()
    found = parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded").papers
    async with db.session() as session:
        await upsert_papers(session, [replace(p, announced_on=day) for p in found])
        for n in range(channels):
            name = str(100_000 + n) if platform == "telegram" else f"C{n:05d}"
            channel = Channel(platform=platform, channel=name, timezone="UTC",
                              digest_time="08:00", max_papers=papers)  # fmt: skip
            session.add(channel)
            await session.flush()
            session.add(Topic(channel_id=channel.id, query="cat:quant-ph"))  # type: ignore[arg-type]


async def deliver_all(folder: Path, platform: str, sender: Sender, settings: Settings,
                      channels: int, papers: int) -> float:  # fmt: skip
    """Seed a store and deliver every channel at once; return the wall time."""
    db = Database.open(f"sqlite+aiosqlite:///{folder / f'{platform}.db'}")
    await db.migrate()
    app = await create_app(settings, db=db)
    try:
        await seed(db, platform, channels, papers)
        delivery = DigestPoster(db, app.digests, "bench", timedelta(minutes=30), lambda: NOW)
        started = time.monotonic()
        outcomes = await deliver.run(db, delivery, {platform: sender}, now=NOW,
                                     concurrency=settings.delivery_concurrency)  # fmt: skip
        seconds = time.monotonic() - started
        assert all(o.status == "sent" for o in outcomes), {o.status for o in outcomes}
    finally:
        await app.aclose()
    return seconds


async def telegram_run(folder: Path, channels: int, papers: int) -> Run:
    """Telegram: one global limit of 30 messages a second."""
    fake = await TimedTelegram(per_second=30).start()
    settings = Settings(_env_file=None)
    telegram = TelegramSettings(_env_file=None, bot_token=fake.token, api_url=fake.api_url)
    adapter = TelegramAdapter(telegram, None)  # type: ignore[arg-type]  # sending only
    await adapter.application.initialize()
    try:
        seconds = await deliver_all(folder, "telegram", adapter.sender, settings, channels, papers)
    finally:
        await adapter.application.shutdown()
        await fake.stop()
    times = fake.accepted
    rate = (len(times) - 1) / max(times[-1] - times[0], 1e-9)
    late = sum(t > times[0] + 1 for t in fake.refused)
    return Run("telegram", len(times), rate, 30.0, late, seconds)


async def slack_run(folder: Path, channels: int, papers: int) -> Run:
    """Slack: 1 message a second in each channel."""
    fake = await FakeSlackApi(per_channel_per_second=1.0).start()
    settings = Settings(_env_file=None)
    slack = SlackSettings(_env_file=None, bot_token="xoxb-bench", api_url=fake.url)
    sender = SlackSender(make_client(slack), ChannelPacer(1.0))
    try:
        seconds = await deliver_all(folder, "slack", sender, settings, channels, papers)
    finally:
        await fake.stop()
    per_channel: dict[str, list[float]] = {}
    for call in fake.calls_to("chat.postMessage"):
        per_channel.setdefault(call.channel, []).append(call.at)
    rates = [(len(t) - 1) / max(t[-1] - t[0], 1e-9) for t in per_channel.values() if len(t) > 1]
    first = min(t[0] for t in per_channel.values())
    late = sum(call.at > first + 1 for call in fake.throttled)
    posts = sum(len(t) for t in per_channel.values())
    return Run("slack", posts, sum(rates) / len(rates), 1.0, late, seconds)


async def run(channels: int, papers: int) -> list[Run]:
    """Both platforms, one after the other."""
    with tempfile.TemporaryDirectory() as folder:
        return [await slack_run(Path(folder), channels, papers),
                await telegram_run(Path(folder), channels, papers)]  # fmt: skip


def main() -> None:
    """Print the delivery benchmark's table."""
    channels = int(os.environ.get("BENCH_DELIVERY_CHANNELS", "1000"))
    papers = int(os.environ.get("BENCH_DELIVERY_PAPERS", "10"))
    runs = asyncio.run(run(channels, papers))
    print(f"{channels} channels x {papers} papers (+ a header each)")
    print("platform  | messages | achieved                 | limit | share   | 429s > 1s | wall")
    for result in runs:
        print(result.row())
