"""`paperbot console` with piped stdin survives hostile lines and runs the rest."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

TIMEOUT = 60


async def test_a_line_over_64_kib_is_refused_and_the_next_commands_run(tmp_path: Path) -> None:
    lines = [
        "/size 7",
        "/days " + "x" * 70_000,  # over asyncio's 64 KiB line limit
        "/subscribe " + "(" * 245 + "agents" + ")" * 245,  # 496 characters
        "/like " + "1" * 5000,
        "/language \ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "/topics",
    ]
    data = ("\n".join(lines) + "\n").encode() + b"/like \x00\xff\xfe\n/help size\n"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "paperbot", "console", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(data), TIMEOUT)
    text, errors = out.decode(), err.decode()
    assert process.returncode == 0, errors
    assert "Traceback" not in text + errors and "something went wrong" not in text
    assert "too long" in text  # the 70,000-character line
    assert "nested too deeply" in text
    assert "Papers per digest: 7" in text or "7 papers" in text  # /topics ran after them
    assert "`size <n>`" in text  # and so did the last line
    assert max(len(line) for line in text.splitlines()) < 2_000
