"""`paperbot usage`, run as a process: per day, per purpose, and the month's estimated cost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.store.db import Database
from bot.store.usage import record_usage
from tests.paperbot.test_cli import run_paperbot


async def test_usage_shows_each_purpose_and_the_month_s_cost(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    db = Database.open(url)
    await db.migrate()
    today = datetime.now(UTC).date()
    async with db.session() as session:
        for purpose, calls, tokens in (("summary", 30, 90_000), ("tournament", 80, 40_000),
                                       ("qa", 3, 9_000), ("review", 1, 2_500)):  # fmt: skip
            await record_usage(session, day=today, model="m", purpose=purpose,
                               prompt_tokens=tokens, completion_tokens=tokens // 10,
                               calls=calls)  # fmt: skip
    await db.close()
    env = {"DATABASE_URL": url, "LLM_PRICE_PER_MTOK_IN": "1", "LLM_PRICE_PER_MTOK_OUT": "m=4"}
    code, out, err = await run_paperbot(["usage"], env, cwd=tmp_path)
    assert code == 0, err
    assert "By purpose, the last 30 days:" in out and "By purpose, this month" in out
    tournament = next(line for line in out.splitlines() if line.startswith("tournament"))
    assert tournament.split()[1] == "80" and tournament.endswith("$0.06")
    *_, month, projection = out.rstrip().splitlines()
    assert month == f"Estimated cost this month (since {today.replace(day=1)}): $0.20"
    assert projection.startswith("At this rate, about $") and projection.endswith(
        "for the whole month."
    )
