"""A small run of the scale benchmark, so that it cannot rot."""

from __future__ import annotations

import json
from datetime import date

from bench.scale.harness import Options, RunResult, run
from bench.scale.pool import load_pool
from bench.scale.render import render_day
from bench.scale.synth import make_day
from bench.scale.table import COLUMNS, render
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.store.db import Database


def test_synthetic_day_parses_with_the_real_parsers() -> None:
    day = make_day(load_pool(), arxiv=60, biorxiv=20)
    docs = render_day(day, date(2025, 12, 22))
    arxiv = [parse_arxiv_feed(body, url) for url, body in docs.arxiv_feeds]
    assert all(o.status == "ok" and not o.errors for o in arxiv)
    assert {p.key for o in arxiv for p in o.papers} == {f"arxiv:{p.ident}" for p in day.arxiv}
    assert sum(len(o.papers) for o in arxiv) == sum(len(p.categories) for p in day.arxiv)
    bio = [parse_biorxiv_page(json.loads(page)) for page in docs.biorxiv_pages]
    assert sum(len(papers) for papers, _, _, errors in bio if not errors) == 20


async def test_small_run_fills_the_table(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    result = await run(db, url, Options(channels=50, arxiv=170, biorxiv=30, naive_sample=5))
    assert result.papers == 200 and result.channels == 50
    assert result.matched > 0 and result.digests > 0 and result.digest_papers > 0
    assert result.naive_s > 0 and result.peak_rss_mb > 0 and result.db_mb > 0
    assert RunResult.from_json(result.to_json()) == result
    table = render([result]).splitlines()
    assert table[0].split(" | ")[0].strip() == COLUMNS[0] and len(table[2].split(" | ")) == len(
        COLUMNS
    )
    assert any("naive" in line for line in table)
