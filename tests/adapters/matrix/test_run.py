"""`paperbot run` with ADAPTERS=matrix against the real Synapse: a scheduled digest reaches a room
the bot was invited to while it was down, and a SIGKILL mid-delivery doubles no post."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.adapters.matrix.rig import Person
from tests.fakes.synapse import Account, Synapse
from tests.faults.test_kill_delivery import PAPERS, seed

pytestmark = pytest.mark.timeout(300)
STOP = 30.0


def environment(url: str, synapse: Synapse, bot: Account, store: Path) -> dict[str, str]:
    """`paperbot run`'s settings: Matrix only, logging in with the password."""
    return {
        **os.environ, "DATABASE_URL": url, "ADAPTERS": "matrix",
        "MATRIX_HOMESERVER_URL": synapse.url, "MATRIX_USER_ID": bot.user_id,
        "MATRIX_PASSWORD": bot.password, "MATRIX_STORE_PATH": str(store),
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "DELIVERY_TICK_SECONDS": "1",
        "FETCH_WAIT_MINUTES": "0", "LOG_LEVEL": "WARNING",
    }  # fmt: skip


async def paperbot_run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    with (cwd / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "paperbot", "run", stdin=asyncio.subprocess.DEVNULL,
            stdout=log, stderr=log, env=env, cwd=cwd,
        )  # fmt: skip


async def test_a_killed_run_resumes_its_digest_without_doubling_a_post(
    tmp_path: Path, synapse: Synapse, people: tuple[Account, Account]
) -> None:
    bot = await asyncio.to_thread(synapse.register)
    async with httpx.AsyncClient(base_url=synapse.url, timeout=30) as http:
        alice = Person(people[0], http)
        await alice.mark()
        room = await alice.create_room(bot.user_id)  # invited before the bot runs
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        await seed(url, "matrix", [room])
        env = environment(url, synapse, bot, tmp_path / "sync-token")
        first = await paperbot_run(env, tmp_path)
        try:
            await alice.bot_messages(room, bot.user_id, 2)  # the header and a paper, at least
        finally:
            first.kill()  # mid-delivery, or just after it
            await first.wait()
        second = await paperbot_run(env, tmp_path)
        try:
            await alice.bot_messages(room, bot.user_id, 1 + PAPERS)
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), STOP) == 0
        finally:
            if second.returncode is None:
                second.kill()
                await second.wait()
        posted = await alice.messages(room, bot.user_id)
    log = (tmp_path / "bot.log").read_text()[-3000:]
    bodies = [event["content"]["body"] for event in posted]
    assert len(bodies) == 1 + PAPERS and len(set(bodies)) == len(bodies), log
    assert bodies[0].startswith("Papers for "), log
