"""Two real `paperbot run` replicas on one Postgres deliver 50 channels: no digest twice."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlackApi
from tests.faults.test_kill_delivery import (
    POSTS,
    STEP_TIMEOUT,
    check_exactly_once,
    environment,
    posted,
    seed,
    start_bot,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]


async def test_two_replicas_on_one_postgres_never_double_post(
    tmp_path: Path,
    fresh_postgres: str,
) -> None:
    slack = await FakeSlackApi().start()
    bots: list[asyncio.subprocess.Process] = []
    try:
        await seed(fresh_postgres)
        for replica in ("replica-a", "replica-b"):
            env = {**environment(fresh_postgres, slack), "REPLICA_ID": replica}
            bots.append(await start_bot(env, tmp_path))
        await slack.wait_until(lambda: posted(slack) >= POSTS, STEP_TIMEOUT * 2)
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
        codes = await asyncio.wait_for(asyncio.gather(*(b.wait() for b in bots)), STEP_TIMEOUT)
        assert codes == [0, 0]
        check_exactly_once(slack)
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        await slack.stop()
