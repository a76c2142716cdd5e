"""SIGKILL the real `paperbot run` at 20 random points of a Telegram delivery to busy groups,
restart it, and check that every post landed exactly once (the in-flight post is found by
probing message ids); prints the probe calls per resume."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import time
from collections import Counter
from pathlib import Path

import pytest

from adapters.telegram.finder import PROBE_LIMIT
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_chats import random_chatter
from tests.faults.test_kill_delivery import KILLS, PAPERS, STEP_TIMEOUT, seed, start_bot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
GROUPS = [f"-100{7000000000 + n}" for n in range(12)]  # supergroups: ids count per chat
POSTS = len(GROUPS) * (1 + PAPERS)


def environment(url: str, api: FakeTelegramApi) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": url, "ADAPTERS": "telegram",
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.api_url,
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "DELIVERY_TICK_SECONDS": "1",
        "FETCH_WAIT_MINUTES": "0", "REPLICA_ID": "fault-test", "LOG_LEVEL": "WARNING",
    }  # fmt: skip


def landed(api: FakeTelegramApi) -> int:
    return len(api.sent())


async def run_until(api: FakeTelegramApi, env: dict[str, str], cwd: Path, target: int) -> None:
    """Run the bot until `target` posts landed, then SIGKILL it (mid-send, mid-record, …)."""
    bot = await start_bot(env, cwd)
    try:
        waiting = asyncio.create_task(api.wait_until(lambda: landed(api) >= target, STEP_TIMEOUT))
        exited = asyncio.create_task(bot.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        assert not exited.done(), "paperbot run exited by itself"
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()


def probes_per_resume(calls: list[tuple[str, dict[str, object]]]) -> list[int]:
    """editMessageReplyMarkup calls per chat in one process's run (a chat probed = a resume)."""
    chats = Counter(str(p["chat_id"]) for m, p in calls if m == "editMessageReplyMarkup")
    return list(chats.values())


def check_exactly_once(api: FakeTelegramApi) -> None:
    counts = {g: Counter(m.text for m in api.chats.bot_messages(int(g))) for g in GROUPS}
    doubled = {g: [t[:40] for t, n in c.items() if n > 1] for g, c in counts.items()}
    assert not any(doubled.values()), doubled
    assert all(len(c) == 1 + PAPERS for c in counts.values()), counts
    for group in GROUPS:
        keyboards = [m.keyboard for m in api.chats.bot_messages(int(group))]
        assert keyboards[0] is None and all(keyboards[1:]), group  # buttons all put back


async def run_with_kills(url: str, tmp_path: Path, seed_value: int) -> list[list[int]]:
    """Kill the bot 20 times, let it finish; the probe calls per resume of each restart."""
    rng = random.Random(seed_value)
    api = await FakeTelegramApi(chatter=random_chatter(rng, 3)).start()
    try:
        await seed(url, "telegram", GROUPS)
        env, target, starts = environment(url, api), 0, []
        for _ in range(KILLS):
            target = min(POSTS - 1, target + rng.randint(1, 4))
            starts.append(len(api.calls))
            began = time.monotonic()
            await run_until(api, env, tmp_path, target)
            print(f"kill at {target} posts after {time.monotonic() - began:.1f} s")
        starts.append(len(api.calls))
        await finish(api, env, tmp_path)
        check_exactly_once(api)
        ends = [*starts[1:], len(api.calls)]
        return [probes_per_resume(api.calls[a:b]) for a, b in zip(starts, ends, strict=True)][1:]
    finally:
        await api.stop()


async def finish(api: FakeTelegramApi, env: dict[str, str], cwd: Path) -> None:
    """Run the bot until every post landed, then stop it gracefully."""
    bot = await start_bot(env, cwd)
    try:
        await api.wait_until(lambda: landed(api) >= POSTS, STEP_TIMEOUT * 2)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), STEP_TIMEOUT) == 0
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


def report(per_kill: list[list[int]]) -> None:
    resumes = [n for run in per_kill for n in run]
    totals = [sum(run) for run in per_kill]
    assert resumes and max(resumes) <= 3 * PROBE_LIMIT
    print(f"\nprobe calls per resume over {len(resumes)} resumes: median "
          f"{statistics.median(resumes)}, max {max(resumes)}; per restart (20 kills): median "
          f"{statistics.median(totals)}, max {max(totals)}")  # fmt: skip


async def test_sqlite_telegram_delivery_survives_twenty_kills(tmp_path: Path) -> None:
    report(await run_with_kills(f"sqlite+aiosqlite:///{tmp_path / 'fault.db'}", tmp_path, 25))


@pytest.mark.postgres
async def test_postgres_telegram_delivery_survives_twenty_kills(
    tmp_path: Path, fresh_postgres: str
) -> None:
    report(await run_with_kills(fresh_postgres, tmp_path, 2025))
