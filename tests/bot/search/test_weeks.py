"""Postgres's week rings: newest weeks first, cut at `since:`, the week lexeme in the index."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from bot.search.weeks import Ring, rings, sparse, week_of, week_start
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.factories import fetched_paper

TODAY = date(2025, 4, 30)  # a Wednesday
NOW = week_of(TODAY)


def test_weeks_count_from_a_monday() -> None:
    assert week_start(NOW) == date(2025, 4, 28)
    assert week_of(date(2025, 4, 27)) == NOW - 1 and week_of(date(2025, 5, 4)) == NOW
    assert week_of(week_start(NOW + 3)) == NOW + 3


def test_rings_go_back_1_4_13_52_weeks_then_everything_older() -> None:
    assert list(rings(TODAY, None)) == [
        Ring(NOW, NOW + 1),  # this week, and the next for clock skew
        Ring(NOW - 3, NOW - 1),
        Ring(NOW - 12, NOW - 4),
        Ring(NOW - 51, NOW - 13),
        Ring(NOW - 51, NOW + 1, older=True),
    ]
    assert Ring(NOW - 3, NOW - 1).tsquery() == " | ".join(
        f"'~w{week}'" for week in (NOW - 3, NOW - 2, NOW - 1)
    )


def test_since_drops_the_rings_entirely_before_it() -> None:
    assert list(rings(TODAY, TODAY - timedelta(days=10))) == [
        Ring(NOW, NOW + 1),
        Ring(NOW - 3, NOW - 1),
    ]
    assert len(list(rings(TODAY, TODAY - timedelta(days=400)))) == 5


def test_sparse_matches_skip_to_the_rest() -> None:
    assert sparse(found=0, weeks=2, limit=300)
    assert sparse(found=5, weeks=5, limit=300)  # ~52 a year: well under 300
    assert not sparse(found=40, weeks=5, limit=300)  # ~416 a year


async def test_postgres_indexes_the_announcement_week(db: Database) -> None:
    paper = fetched_paper(title="Entanglement witnesses", announced_on=date(2025, 4, 29))
    async with db.session() as session:
        await upsert_papers(session, [paper])
        if session.bind.dialect.name != "postgresql":
            rows = await session.exec(text("SELECT count(*) FROM papers_fts"))  # type: ignore[call-overload]
            assert rows.one()[0] == 1  # SQLite's FTS5 orders by rowid: no week needed
            return
        rows = await session.exec(text("SELECT fts_vector::text FROM papers"))  # type: ignore[call-overload]
        assert f"'~w{NOW}'" in rows.one()[0]
