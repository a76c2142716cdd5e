"""`paperbot run` as a real process: starts the scheduler, and SIGTERM shuts it down cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

TIMEOUT = 60


async def wait_for_line(stream: asyncio.StreamReader, needle: str) -> str:
    """Read lines until one contains `needle` (bounded by TIMEOUT)."""
    seen = []
    async with asyncio.timeout(TIMEOUT):
        while line := await stream.readline():
            text = line.decode(errors="replace")
            seen.append(text)
            if needle in text:
                return text
    raise AssertionError(f"{needle!r} never logged; got:\n{''.join(seen)}")


async def test_run_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "ADAPTERS": "console",
        "ARXIV_RSS_URL": "http://127.0.0.1:9/rss/",
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "run", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        started = await wait_for_line(process.stderr, "paperbot running")
        assert '"replica"' in started
        process.send_signal(signal.SIGTERM)
        await wait_for_line(process.stderr, "paperbot stopped")
        assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
