"""Fetching a source plan: stored once, validators kept, failures recorded and retried later."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.fetching import PaperFetcher
from bot.models import FeedState, FetchRun, Paper
from bot.source_plan import SourcePlan
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from tests.botharness import bot_settings
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

QUANT_PH = (FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml").read_bytes()
DAY = date(2025, 4, 28)


def fetcher_for(db: Database, server: FakeHttpServer) -> tuple[PaperFetcher, HttpFetcher]:
    settings = bot_settings(arxiv_rss_url=f"{server.url}/rss/")
    http = HttpFetcher(settings)
    return PaperFetcher(db, http, settings), http


async def count(db: Database, model: type) -> int:
    async with db.session() as s:
        return len(list(await s.exec(select(model))))


async def test_same_feed_under_two_category_lists_is_stored_once(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH))
    fetcher, http = fetcher_for(db, http_server)
    try:
        first = await fetcher.fetch(SourcePlan(arxiv_categories=frozenset({"quant-ph"})), on=DAY)
        second = await fetcher.fetch(
            SourcePlan(arxiv_categories=frozenset({"quant-ph", "gr-qc"})), on=DAY
        )
    finally:
        await http.aclose()
    assert [(s.papers, s.new) for s in first.sources] == [(81, 81)]
    assert [(s.papers, s.new) for s in second.sources] == [(81, 0)]
    assert second.sources[0].url.endswith("/rss/gr-qc+quant-ph")
    assert await count(db, Paper) == 81
    assert first.sources[0].categories["quant-ph"] > 0


async def test_conditional_get_sends_validators_and_accepts_304(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix(
        "/rss/",
        Reply(QUANT_PH, headers={"ETag": '"v1"'}),
        Reply(b"", status=304),
    )
    fetcher, http = fetcher_for(db, http_server)
    plan = SourcePlan(arxiv_categories=frozenset({"quant-ph"}))
    try:
        await fetcher.fetch(plan, on=DAY)
        again = await fetcher.fetch(plan, on=DAY)
    finally:
        await http.aclose()
    assert http_server.requests[1].headers.get("If-None-Match") == '"v1"'
    assert again.sources[0].status == "not_modified"
    assert await count(db, Paper) == 81


async def test_truncated_feed_keeps_valid_entries_and_is_fetched_in_full_next_time(
    db: Database, http_server: FakeHttpServer
) -> None:
    truncated = QUANT_PH[: len(QUANT_PH) // 2]
    http_server.route_prefix(
        "/rss/",
        Reply(truncated, headers={"ETag": '"half"'}),
        Reply(QUANT_PH, headers={"ETag": '"full"'}),
    )
    fetcher, http = fetcher_for(db, http_server)
    plan = SourcePlan(arxiv_categories=frozenset({"quant-ph"}))
    try:
        partial = await fetcher.fetch(plan, on=DAY)
        kept = await count(db, Paper)
        full = await fetcher.fetch(plan, on=DAY)
    finally:
        await http.aclose()
    assert partial.sources[0].status == "partial"
    assert 0 < kept < 81
    assert "If-None-Match" not in http_server.requests[1].headers  # no validator kept
    assert full.sources[0].status == "ok"
    assert await count(db, Paper) == 81


async def test_not_xml_and_server_errors_are_recorded_not_raised(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route("/rss/cs.CL", Reply("<html>Service Unavailable</html>", status=200))
    http_server.route("/rss/cs.LG", Reply("boom", status=500))
    fetcher, http = fetcher_for(db, http_server)
    try:
        report = await fetcher.fetch(SourcePlan(arxiv_categories=frozenset({"cs.CL"})), on=DAY)
        broken = await fetcher.fetch(SourcePlan(arxiv_categories=frozenset({"cs.LG"})), on=DAY)
    finally:
        await http.aclose()
    assert report.sources[0].status == "failed"
    assert broken.sources[0].status == "failed"
    assert "500" in broken.sources[0].errors[0]
    async with db.session() as s:
        runs = list(await s.exec(select(FetchRun).order_by(col(FetchRun.id))))
        state = await s.get(FeedState, broken.sources[0].url)
    assert [r.status for r in runs] == ["failed", "failed"]
    assert state is not None and state.failures == 1 and state.last_error
