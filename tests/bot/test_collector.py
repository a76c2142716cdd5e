"""The bot's process runs the cyclic collector at its own thresholds."""

from __future__ import annotations

import gc
import subprocess
import sys

from bot.collector import THRESHOLDS, tune_collector


def test_tune_collector_sets_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == THRESHOLDS != before
    finally:
        gc.set_threshold(*before)


def test_paperbot_tunes_the_collector_before_it_runs_a_command() -> None:
    probe = (
        "import gc, sys\n"
        "from paperbot import cli, commands\n"
        "async def status(settings, args):\n"
        "    print(gc.get_threshold())\n"
        "    return 0\n"
        "commands.status = status\n"
        "sys.exit(cli.main(['status']))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite+aiosqlite://"},
                         timeout=60, check=True)  # fmt: skip
    assert out.stdout.strip() == str(THRESHOLDS)
