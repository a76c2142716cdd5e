"""SIGKILL the real `paperbot run` at 20 random points of a Telegram delivery to busy groups,
restart it, and check that every post landed exactly once (the in-flight post is found by
probing message ids); prints the probe calls per resume. SQLite only: the probe is the
sender's, and the Slack fault test and the Telegram resume tests run on Postgres too."""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.telegram.finder import PROBE_LIMIT
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_chats import random_chatter
from tests.faults.test_kill_delivery import KILLS, PAPERS, STEP_TIMEOUT, kill_when, seed, stop_when

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
GROUPS = [f"-100{7000000000 + n}" for n in range(12)]  # supergroups: ids count per chat
POSTS = len(GROUPS) * (1 + PAPERS)
LOOKED = "telegram: looked for an in-flight post"  # the sender's log line after each probe


def environment(url: str, api: FakeTelegramApi) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": url, "ADAPTERS": "telegram",
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.api_url,
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "DELIVERY_TICK_SECONDS": "1",
        "FETCH_WAIT_MINUTES": "0", "REPLICA_ID": "fault-test", "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
    }  # fmt: skip


def landed(api: FakeTelegramApi) -> int:
    return len(api.sent())


def events(api: FakeTelegramApi) -> int:
    """Posts landed and probe edits made: a kill may fall between any two."""
    return landed(api) + len(api.calls_to("editMessageReplyMarkup"))


async def start_logged(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """`paperbot run` with its log (JSON lines on stderr) appended to cwd/bot.log."""
    with (cwd / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paperbot", "run", "--http", "--port", "0",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=log, env=env, cwd=cwd,
        )  # fmt: skip


async def run_until(
    api: FakeTelegramApi, env: dict[str, str], cwd: Path, steps: int, count: Callable[..., int]
) -> None:
    """Run the bot for `steps` more posts (or probe edits), then SIGKILL it (mid-send,
    mid-record, mid-probe, …)."""
    target = count(api) + steps
    bot = await start_logged(env, cwd)
    await kill_when(bot, api.wait_until(lambda: count(api) >= target, STEP_TIMEOUT))


def probes_per_resume(log: Path) -> list[int]:
    """The probe edits of each look for an in-flight post that ran to its end (from the log)."""
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [e["probes"] for e in entries if e.get("event") == LOOKED]


def check_exactly_once(api: FakeTelegramApi) -> None:
    counts = {g: Counter(m.text for m in api.chats.bot_messages(int(g))) for g in GROUPS}
    doubled = {g: [t[:40] for t, n in c.items() if n > 1] for g, c in counts.items()}
    assert not any(doubled.values()), doubled
    assert all(len(c) == 1 + PAPERS for c in counts.values()), counts
    for group in GROUPS:
        keyboards = [m.keyboard for m in api.chats.bot_messages(int(group))]
        assert keyboards[0] is None and all(keyboards[1:]), group  # buttons all put back


async def run_with_kills(url: str, tmp_path: Path, seed_value: int) -> tuple[list[int], int]:
    """Kill the bot 20 times, let it finish; the probe calls per resume, and in all."""
    rng = random.Random(seed_value)
    api = await FakeTelegramApi(chatter=random_chatter(rng, 3)).start()
    try:
        await seed(url, "telegram", GROUPS)
        env = environment(url, api)
        for _ in range(KILLS):
            count = rng.choice((landed, events))  # kill after some posts, or maybe mid-probe
            await run_until(api, env, tmp_path, rng.randint(1, 4), count)
            assert landed(api) < POSTS, "the kills should all fall within the delivery"
        await finish(api, env, tmp_path)
        check_exactly_once(api)
        edits = len(api.calls_to("editMessageReplyMarkup"))
        return probes_per_resume(tmp_path / "bot.log"), edits
    finally:
        await api.stop()


async def finish(api: FakeTelegramApi, env: dict[str, str], cwd: Path) -> None:
    """Run the bot until every post landed, then stop it gracefully."""
    bot = await start_logged(env, cwd)
    await stop_when(bot, api.wait_until(lambda: landed(api) >= POSTS, STEP_TIMEOUT * 2))


def report(resumes: list[int], edits: int) -> None:
    assert resumes and max(resumes) <= 3 * PROBE_LIMIT
    print(f"\nprobe calls per completed resume over {KILLS} kills ({len(resumes)} resumes): "
          f"median {statistics.median(resumes)}, max {max(resumes)}; "
          f"{edits} probe edits in all")  # fmt: skip


async def test_sqlite_telegram_delivery_survives_twenty_kills(tmp_path: Path) -> None:
    report(*await run_with_kills(f"sqlite+aiosqlite:///{tmp_path / 'fault.db'}", tmp_path, 25))
