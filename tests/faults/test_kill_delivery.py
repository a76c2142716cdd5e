"""SIGKILL the real `paperbot run` at random points of a 50-channel delivery, restart it, and
check that every channel got its digest exactly once (Slack fake; SQLite and Postgres)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.models import Channel, Topic
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.conftest import FIXTURES
from tests.fakes.slack_api import FakeSlackApi

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
CHANNELS, PAPERS, KILLS = 50, 3, 20
POSTS = CHANNELS * (1 + PAPERS)  # a header and the papers
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
STEP_TIMEOUT = 60.0


async def seed(url: str, platform: str = "slack", channels: list[str] | None = None) -> None:
    """The recorded quant-ph papers announced today, and channels due since midnight (by
    default 50 Slack channels)."""
    today = datetime.now(UTC).date()
    papers = [
        replace(p, announced_on=today) for p in parse_arxiv_feed(QUANT_PH.read_bytes(), "r").papers
    ]
    db = Database.open(url)
    try:
        await db.migrate()
        async with db.session() as session:
            await upsert_papers(session, papers)
            for name in channels or [f"C{n:03d}" for n in range(CHANNELS)]:
                workspace = "T0TEAM" if platform == "slack" else ""
                channel = Channel(platform=platform, workspace=workspace, channel=name,
                                  timezone="UTC", digest_time="00:00", digest_days="daily",
                                  max_papers=PAPERS)  # fmt: skip
                session.add(channel)
                await session.flush()
                session.add(Topic(channel_id=channel.id, query="cat:quant-ph entanglement"))  # type: ignore[arg-type]
    finally:
        await db.close()


def environment(url: str, slack: FakeSlackApi) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": url, "ADAPTERS": "slack", "SLACK_BOT_TOKEN": "xoxb-fault",
        "SLACK_SIGNING_SECRET": "fault-secret", "SLACK_API_URL": slack.url,
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "DELIVERY_TICK_SECONDS": "1",
        "FETCH_WAIT_MINUTES": "0", "REPLICA_ID": "fault-test", "LOG_LEVEL": "WARNING",
    }  # fmt: skip


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", "--http", "--port", "0",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, env=env, cwd=cwd,
    )  # fmt: skip


def posted(slack: FakeSlackApi) -> int:
    return len(slack.calls_to("chat.postMessage"))


async def kill_after(slack: FakeSlackApi, env: dict[str, str], cwd: Path, target: int) -> None:
    """Run the bot until the fake has `target` posts (or the bot exits), then SIGKILL it."""
    bot = await start_bot(env, cwd)
    await kill_when(bot, slack.wait_until(lambda: posted(slack) >= target, STEP_TIMEOUT))


async def kill_when(bot: asyncio.subprocess.Process, arrived: Coroutine[Any, Any, object]) -> None:
    """SIGKILL the bot once `arrived` is done (mid-send, mid-record, …); it must not exit first."""
    try:
        waiting = asyncio.create_task(arrived)
        exited = asyncio.create_task(bot.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        assert not exited.done(), "paperbot run exited by itself"
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()


async def stop_when(bot: asyncio.subprocess.Process, arrived: Coroutine[Any, Any, object]) -> None:
    """Once `arrived` is done, stop the bot with SIGTERM: it must exit 0 within STEP_TIMEOUT."""
    try:
        await arrived
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), STEP_TIMEOUT) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


def check_exactly_once(slack: FakeSlackApi) -> None:
    markers = [
        c.args["metadata"]["event_payload"]["marker"] for c in slack.calls_to("chat.postMessage")
    ]
    assert len(markers) == len(set(markers)) == POSTS, Counter(markers).most_common(3)
    per_channel = Counter(c.channel for c in slack.calls_to("chat.postMessage"))
    assert set(per_channel.values()) == {1 + PAPERS} and len(per_channel) == CHANNELS


async def run_with_kills(url: str, tmp_path: Path, seed_value: int) -> None:
    slack = await FakeSlackApi().start()
    try:
        await seed(url)
        env, rng, target = environment(url, slack), random.Random(seed_value), 0
        for _ in range(KILLS):
            target = min(POSTS - 1, target + rng.randint(1, 7))
            await kill_after(slack, env, tmp_path, target)
        bot = await start_bot(env, tmp_path)
        await stop_when(bot, slack.wait_until(lambda: posted(slack) >= POSTS, STEP_TIMEOUT * 2))
        check_exactly_once(slack)
    finally:
        await slack.stop()


async def test_sqlite_delivery_survives_twenty_kills(tmp_path: Path) -> None:
    await run_with_kills(f"sqlite+aiosqlite:///{tmp_path / 'fault.db'}", tmp_path, 20261122)


@pytest.mark.postgres
async def test_postgres_delivery_survives_twenty_kills(tmp_path: Path, fresh_postgres: str) -> None:
    await run_with_kills(fresh_postgres, tmp_path, 42)
