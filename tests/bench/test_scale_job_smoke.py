"""A small run of the delivery-job benchmark, so that it cannot rot."""

from __future__ import annotations

from bench.scale.job import JobResult, bench_settings, run, seed
from bench.scale.jobtable import COLUMNS, render
from bot.store.db import Database


async def test_small_job_run_fills_the_table(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    settings = bench_settings(url, embedding_model="none")
    await seed(db, settings, channels=30, naive=5, papers=(170, 30))
    result = await run(db, settings, concurrency=10, chunk=8)
    assert result.channels == 30 and 0 < result.digests <= 30
    assert result.posts > result.digests and result.peak_rss_mb > 0 and result.db_mb > 0
    assert result.rows <= result.digests * 2 + result.posts  # the goal the table checks
    assert result.naive_channels == 5 and result.naive_s > 0
    assert JobResult.from_json(result.to_json()) == result
    table = render([result]).splitlines()
    assert len(table[2].split(" | ")) == len(COLUMNS)
    assert any("naive" in line for line in table)
