"""bioRxiv `details` pages: parsing the recorded page and cursor paging over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web

from bot.sources.biorxiv import fetch_biorxiv, normalize_subject, parse_biorxiv_page
from bot.sources.http import HttpFetcher
from tests.bot.sources.recorded import biorxiv_page
from tests.fakes.http_server import FakeHttpServer, Reply

START, END = date(2020, 1, 1), date(2022, 12, 31)
PREFIX = "/details/biorxiv/2020-01-01/2022-12-31/"
UNIQUE_DOIS = 40  # the 50 recorded records hold 10 DOIs twice (two versions each)


def test_recorded_page():
    papers, count, total, errors = parse_biorxiv_page(biorxiv_page())
    assert (len(papers), count, total, errors) == (50, 100, 152918, [])
    first = papers[0]
    assert first.source == "biorxiv"
    assert first.key == "doi:10.1101/001768"
    assert first.doi == "10.1101/001768"
    assert first.version == 2
    assert first.announced_on == date(2022, 6, 24)
    assert first.authors[:2] == ("Durrieu, L.", "Bush, A.")
    assert len(first.authors) == 9
    assert first.categories == ("systems biology",)
    assert first.primary_category == "systems biology"
    assert first.abs_url == "https://www.biorxiv.org/content/10.1101/001768v2"
    assert first.pdf_url == "https://www.biorxiv.org/content/10.1101/001768v2.full.pdf"
    assert first.title.startswith("Characterization of cell-to-cell variation")
    assert first.abstract.startswith("Nuclear transport is an essential part")


def test_string_counts_and_bad_records():
    data = biorxiv_page()
    data["messages"][0]["count"] = "100"
    data["collection"][1] = {"title": "no doi"}
    data["collection"][2] = "not a record"
    papers, count, total, errors = parse_biorxiv_page(data)
    assert (len(papers), count, total) == (48, 100, 152918)
    assert errors == ["record 1: missing doi/title/date (doi None)", "record 2: not an object"]


def test_non_ok_status_is_an_error_and_no_posts_is_not():
    data = biorxiv_page()
    data["messages"][0]["status"] = "interval is invalid"
    data["collection"] = []
    assert parse_biorxiv_page(data)[3] == ["bioRxiv API says: interval is invalid"]
    data["messages"][0]["status"] = "no posts found"
    assert parse_biorxiv_page(data) == ([], 100, 152918, [])


def test_normalize_subject():
    assert normalize_subject(" Cell_Biology ") == "cell biology"
    assert normalize_subject("cell-biology") == "cell biology"
    assert normalize_subject("Cell  biology") == "cell biology"


def _pages(edit: Callable[[dict[str, Any], int], dict[str, Any]]) -> Callable[..., Any]:
    """A handler serving the recorded page at every cursor, edited in memory per cursor."""

    async def handler(request: web.Request) -> web.Response:
        cursor = int(request.path.rsplit("/", 1)[1])
        data = edit(biorxiv_page(), cursor)
        return web.json_response(data)

    return handler


def _total(total: str) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    def edit(data: dict[str, Any], cursor: int) -> dict[str, Any]:
        data["messages"][0].update(total=total, cursor=cursor)
        if cursor > 0:
            data["collection"] = []
        return data

    return edit


async def test_follows_cursor_until_empty_page(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(_total("150")))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=10)
    assert [r.path for r in http_server.requests] == [PREFIX + "0", PREFIX + "100"]
    assert http_server.requests[0].query == {}
    assert outcome.status == "ok"
    assert outcome.source == "biorxiv"
    assert len(outcome.papers) == UNIQUE_DOIS
    assert outcome.errors == ("page at cursor 0: 50 records but count says 100",)


async def test_stops_when_total_is_reached(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(_total("100")))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=10)
    assert len(http_server.requests) == 1
    assert outcome.status == "ok"


async def test_keeps_the_latest_version_per_doi(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(_total("100")))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=1)
    versions = {p.doi: p.version for p in outcome.papers}
    assert versions["10.1101/067736"] == 10  # v9 and v10 recorded: numeric, not string, order
    assert versions["10.1101/008326"] == 4
    assert len({p.key for p in outcome.papers}) == len(outcome.papers) == UNIQUE_DOIS


async def test_max_pages_is_partial(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(lambda data, _cursor: data))  # recorded total 152918
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=3)
    assert [r.path.rsplit("/", 1)[1] for r in http_server.requests] == ["0", "100", "200"]
    assert outcome.status == "partial"
    assert outcome.errors[-1] == "stopped after 3 pages at cursor 300 of 152918"
    assert len(outcome.papers) == UNIQUE_DOIS


async def test_one_subject_is_sent_as_category(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(_total("100")))
    outcome = await fetch_biorxiv(
        fetcher, http_server.url, "biorxiv", START, END, ["Bioinformatics"], max_pages=5
    )
    assert http_server.requests[0].query == {"category": "bioinformatics"}
    assert {p.primary_category for p in outcome.papers} == {"bioinformatics"}
    assert len(outcome.papers) == 7


async def test_several_subjects_filter_locally(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route_prefix(PREFIX, _pages(_total("100")))
    outcome = await fetch_biorxiv(
        fetcher,
        http_server.url,
        "biorxiv",
        START,
        END,
        ["Systems_Biology", "evolutionary-biology"],
        max_pages=5,
    )
    assert http_server.requests[0].query == {}
    assert {p.primary_category for p in outcome.papers} == {
        "systems biology",
        "evolutionary biology",
    }
    assert len(outcome.papers) == 5


async def test_medrxiv_links(http_server: FakeHttpServer, fetcher: HttpFetcher):
    def as_medrxiv(data: dict[str, Any], cursor: int) -> dict[str, Any]:
        for record in data["collection"]:
            record["server"] = "medRxiv"
        return _total("100")(data, cursor)

    http_server.route_prefix("/details/medrxiv/", _pages(as_medrxiv))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "medrxiv", START, END, [], max_pages=5)
    assert http_server.requests[0].path == "/details/medrxiv/2020-01-01/2022-12-31/0"
    first = outcome.papers[0]
    assert first.source == "medrxiv"
    assert first.abs_url == "https://www.medrxiv.org/content/10.1101/001768v2"


async def test_second_page_failure_is_partial(http_server: FakeHttpServer, fetcher: HttpFetcher):
    recorded = biorxiv_page()
    recorded["messages"][0]["total"] = "300"
    http_server.route(PREFIX + "0", Reply(json.dumps(recorded), content_type="application/json"))
    http_server.route(PREFIX + "100", Reply("oops", status=500))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=5)
    assert outcome.status == "partial"
    assert len(outcome.papers) == UNIQUE_DOIS
    assert outcome.errors[-1] == f"HTTP 500 from {http_server.url}{PREFIX}100 after 4 attempts"


async def test_invalid_json_fails(http_server: FakeHttpServer, fetcher: HttpFetcher):
    body = json.dumps(biorxiv_page())[:5000]
    http_server.route(PREFIX + "0", Reply(body, content_type="application/json"))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=5)
    assert outcome.status == "failed"
    assert outcome.papers == ()
    assert outcome.errors[0].startswith("invalid JSON from ")


async def test_bad_record_makes_it_partial(http_server: FakeHttpServer, fetcher: HttpFetcher):
    def break_one(data: dict[str, Any], cursor: int) -> dict[str, Any]:
        data["collection"][0]["doi"] = ""
        return _total("100")(data, cursor)

    http_server.route_prefix(PREFIX, _pages(break_one))
    outcome = await fetch_biorxiv(fetcher, http_server.url, "biorxiv", START, END, [], max_pages=5)
    assert outcome.status == "partial"
    assert len(outcome.papers) == UNIQUE_DOIS - 1
    assert outcome.errors[0] == "record 0: missing doi/title/date (doi '')"
