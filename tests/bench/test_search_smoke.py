"""A small run of the search benchmark, so that it cannot rot."""

from __future__ import annotations

from bench.search import QUERIES, Timing, run, synthetic_rows


def test_synthetic_papers_are_unique_and_dated_within_a_year() -> None:
    rows = list(synthetic_rows(300))
    assert len({row[0] for row in rows}) == 300
    days = {row[14] for row in rows}
    assert (max(days) - min(days)).days < 365  # type: ignore[operator]


async def test_a_small_store_answers_every_query() -> None:
    timings = await run(count=2_000, postgres=False)
    search, similar = timings
    assert isinstance(search, Timing) and search.operation == "search"
    assert len(search.samples) == len(QUERIES) * 5 and search.results > 0
    assert similar.operation == "more-like-this" and similar.results > 0
    assert "median" in search.line() and "p95" in search.line()
