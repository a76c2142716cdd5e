"""An author-only topic watches the author wherever they publish: an arXiv API `au:` search
once a day (batched, one request per 3 s), plus the papers of every other source stored."""

from __future__ import annotations

import json
from datetime import date, timedelta

from aiohttp import web

from bot.fetching import PaperFetcher
from bot.posts import PaperPost
from bot.source_plan import SourcePlan, parse_topics, plan_sources
from bot.sources.http import HttpFetcher
from tests.botharness import TestBot, bot_settings
from tests.conftest import FIXTURES
from tests.fakes.clock import RecordingSleep
from tests.jobs.daily import World, at, biorxiv_records, moved, world

__all__ = ["world"]  # the fixture
API = FIXTURES / "arxiv_api"
SEARCH = API / "arxiv_api_recorded_search-testing_start0_max10_2026-04-12.json"
ERROR = API / "arxiv_api_recorded_idlist-abc_error400_2026-04-12.json"
TUESDAY = date(2025, 6, 3)
STOCCO = date(2025, 2, 11)  # Andrea Stocco's paper in the recorded search


def recorded(path: object, days: int = 0) -> bytes:
    """The Atom body of a recorded API response, dates moved by `days`."""
    body = json.loads(path.read_text(encoding="utf-8"))["body"].encode("utf-8")  # type: ignore[attr-defined]
    return moved(body, days)


def strict_api(body: bytes, queries: list[str]) -> object:
    """The API as strict as arXiv's: `au:` searches newest first, else its HTTP 400 error."""

    async def handler(request: web.Request) -> web.Response:
        query = request.query
        ok = (query.get("search_query", "").startswith("au:")
              and query.get("sortBy") == "submittedDate"
              and query.get("sortOrder") == "descending"
              and 0 < int(query.get("max_results", "0")) <= 2000)  # fmt: skip
        if not ok:
            error = recorded(ERROR)
            return web.Response(status=400, body=error, content_type="application/atom+xml")
        queries.append(query["search_query"])
        return web.Response(body=body, content_type="application/atom+xml")

    return handler


def test_an_author_only_topic_needs_the_author_search_not_the_default_categories() -> None:
    settings = bot_settings(arxiv_default_categories="cs.AI")
    plan = plan_sources(parse_topics(['author:"S. Pan" OR author:"Angaroni, F."']), settings)
    assert plan == SourcePlan(arxiv_authors=frozenset({"S. Pan", "Angaroni, F."}))
    mixed = plan_sources(parse_topics(['author:"S. Pan" graphs']), settings)
    assert mixed.arxiv_categories == {"cs.AI"} and not mixed.arxiv_authors


async def test_an_authors_arxiv_paper_outside_the_default_categories_is_delivered(
    world: World,
) -> None:
    queries: list[str] = []
    shift = (TUESDAY - timedelta(days=1) - STOCCO).days  # published yesterday
    world.server.route("/api/query", strict_api(recorded(SEARCH, shift), queries))  # type: ignore[arg-type]
    monday = TUESDAY - timedelta(days=1)
    world.biorxiv.records = biorxiv_records({monday: 3})
    world.biorxiv.visible_until = monday
    bot = TestBot(world.app)
    reply = await bot.exec_command('/subscribe author:"A. Stocco"')
    assert "arXiv author search (au:stocco_a) once a day, in every category" in reply
    await bot.exec_command("/subscribe source:biorxiv zzyzx")  # stores bioRxiv too
    await world.channel("lab", 'author:"Stocco, Andrea"')
    await world.fetch(at(TUESDAY, 6))
    assert queries == ["au:stocco_a"] and not world.server.requests_to("/rss/")
    outcomes = await world.deliver(at(TUESDAY, 8))
    assert [o.status for o in outcomes] == ["sent"]
    [paper] = [m.paper for m in world.platform.posts["lab"] if isinstance(m, PaperPost)]
    assert "Andrea Stocco" in paper.authors and paper.primary_category == "cs.SE"


async def test_the_author_search_is_batched_and_polite(world: World) -> None:
    queries: list[str] = []
    world.server.route("/api/query", strict_api(recorded(SEARCH), queries))  # type: ignore[arg-type]
    sleeps = RecordingSleep()
    settings = bot_settings(arxiv_api_url=world.url("api/query"), arxiv_api_min_interval=3.0)
    http = HttpFetcher(settings, sleep=sleeps, clock=sleeps.clock)
    try:
        fetcher = PaperFetcher(world.app.db, http, settings)
        names = frozenset(f"A. Author{chr(ord('a') + n)}" for n in range(12))
        report = await fetcher.fetch(SourcePlan(arxiv_authors=names), on=TUESDAY)
    finally:
        await http.aclose()
    assert [s.status for s in report.sources] == ["ok", "ok"]
    assert [q.count("au:") for q in queries] == [10, 2]
    assert sleeps.calls == [3.0]


