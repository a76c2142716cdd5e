"""Token accounting: the 0002 migration, per-day upserts, daily totals and the usage report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from bot.llm.usage_report import format_usage
from bot.store.db import Database
from bot.store.usage import DailyUsage, UsageRecorder, record_usage, tokens_used_on, usage_by_day

DAY = date(2026, 3, 2)


async def test_migration_creates_the_usage_table(db: Database) -> None:
    async with db.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("llm_usage")}
        )
    assert columns == {
        "id", "day", "model", "purpose", "prompt_tokens", "completion_tokens", "calls",
        "created_at",
    }  # fmt: skip
    async with db.session() as s:
        assert await tokens_used_on(s, DAY) == 0


async def test_migration_matches_the_model(db: Database) -> None:
    def drift(sync: object) -> list[object]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})  # type: ignore[arg-type]
        return [d for d in compare_metadata(context, SQLModel.metadata) if "llm_usage" in repr(d)]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(drift) == []


async def test_calls_on_one_day_add_up_in_one_row(db: Database) -> None:
    async with db.session() as s:
        await record_usage(
            s, day=DAY, model="m", purpose="summary", prompt_tokens=100, completion_tokens=20
        )
    async with db.session() as s:
        await record_usage(
            s, day=DAY, model="m", purpose="summary", prompt_tokens=50, completion_tokens=5
        )
        await record_usage(
            s, day=DAY, model="other", purpose="rerank", prompt_tokens=10, completion_tokens=1
        )
        await record_usage(
            s,
            day=date(2026, 3, 1),
            model="m",
            purpose="summary",
            prompt_tokens=7,
            completion_tokens=3,
        )
    async with db.session() as s:
        assert await tokens_used_on(s, DAY) == 186
        rows = await usage_by_day(s, limit=10)
    assert rows == [
        DailyUsage(DAY, calls=3, prompt_tokens=160, completion_tokens=26),
        DailyUsage(date(2026, 3, 1), calls=1, prompt_tokens=7, completion_tokens=3),
    ]


async def test_usage_by_day_keeps_the_newest_days(db: Database) -> None:
    async with db.session() as s:
        for day in range(1, 6):
            await record_usage(
                s,
                day=date(2026, 3, day),
                model="m",
                purpose="summary",
                prompt_tokens=day,
                completion_tokens=0,
            )
    async with db.session() as s:
        rows = await usage_by_day(s, limit=2)
    assert [r.day.day for r in rows] == [5, 4]


async def test_recorder_counts_by_the_utc_day_of_its_clock(db: Database) -> None:
    now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    recorder = UsageRecorder(db, clock=lambda: now)
    await recorder.record(model="m", purpose="summary", prompt_tokens=30, completion_tokens=12)
    assert await recorder.tokens_today() == 42
    assert recorder.today() == DAY


def test_format_usage_prints_calls_and_tokens_per_day() -> None:
    text = format_usage(
        [
            DailyUsage(DAY, calls=3, prompt_tokens=1600, completion_tokens=26),
            DailyUsage(date(2026, 3, 1), calls=1, prompt_tokens=7, completion_tokens=3),
        ]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["day", "calls", "prompt", "completion", "total"]
    assert lines[1].split() == ["2026-03-02", "3", "1,600", "26", "1,626"]
    assert lines[2].split() == ["2026-03-01", "1", "7", "3", "10"]
    assert lines[3].split() == ["total", "4", "1,607", "29", "1,636"]


def test_format_usage_with_no_rows() -> None:
    assert format_usage([]) == "No LLM usage recorded."
