"""Replicas of `paperbot run` started at the same moment on a fresh database all come up."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
REPLICAS = 3
TIMEOUT = 90.0


async def start(url: str, cwd: Path, replica: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": url, "ADAPTERS": "console", "REPLICA_ID": replica,
           "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/", "LOG_FORMAT": "json"}  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env, cwd=cwd,
    )  # fmt: skip


async def came_up(process: asyncio.subprocess.Process) -> str:
    """'' once the process logs that it runs; its whole log if it ends before that."""
    assert process.stderr is not None
    seen = []
    while line := await process.stderr.readline():
        seen.append(line.decode(errors="replace"))
        if "paperbot running" in seen[-1]:
            return ""
    return "".join(seen) or f"exited with {await process.wait()}"


async def start_together(url: str, cwd: Path) -> None:
    bots = await asyncio.gather(*(start(url, cwd, f"replica-{n}") for n in range(REPLICAS)))
    try:
        logs = await asyncio.wait_for(asyncio.gather(*(came_up(b) for b in bots)), TIMEOUT)
        assert logs == [""] * REPLICAS, "\n\n".join(log[-3000:] for log in logs if log)
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
        codes = await asyncio.wait_for(asyncio.gather(*(b.wait() for b in bots)), TIMEOUT)
        assert codes == [0] * REPLICAS
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()


@pytest.mark.postgres
async def test_replicas_start_together_on_a_fresh_postgres(
    tmp_path: Path, fresh_postgres: str
) -> None:
    await start_together(fresh_postgres, tmp_path)


async def test_replicas_start_together_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    await start_together(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}", tmp_path)
