"""arXiv API parsing (current and legacy formats) and batched `id_list` lookups over loopback."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from bot.sources.arxiv_api import fetch_arxiv_ids, parse_arxiv_api
from bot.sources.http import HttpFetcher
from tests.bot.sources.conftest import RecordingSleep
from tests.bot.sources.recorded import ARXIV_API, api_body, api_status
from tests.fakes.http_server import FakeHttpServer, Reply

COUNTS = {
    "arxiv_api_legacy_search-deep-dream_start0_max10_2017-05-14.atom.xml": (10, 0, 24617),
    "arxiv_api_legacy_search-deep-dream_start10_max10_2017-05-14.atom.xml": (10, 0, 24617),
    "arxiv_api_recorded_idlist-0000.0000_empty_2026-04-12.json": (0, 0, 0),
    "arxiv_api_recorded_idlist-0808.05394-and-1707.08567_2026-04-12.json": (1, 0, 1),
    "arxiv_api_recorded_idlist-2104.12255v1_2026-04-12.json": (1, 0, 1),
    "arxiv_api_recorded_idlist-abc_error400_2026-04-12.json": (0, 1, 1),
    "arxiv_api_recorded_search-testing_start0_max10_2026-04-12.json": (10, 0, 214881),
    "arxiv_api_recorded_search-testing_start10_max10_2026-04-12.json": (10, 0, 214881),
}


def test_every_recorded_response_is_covered():
    assert sorted(p.name for p in ARXIV_API.iterdir()) == sorted(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_recorded_counts(name: str):
    papers, errors, total = parse_arxiv_api(api_body(name))
    assert (len(papers), len(errors), total) == COUNTS[name]
    for paper in papers:
        assert paper.key == f"arxiv:{paper.arxiv_id}"
        assert paper.version is not None and paper.version >= 1
        assert paper.title and paper.abstract and paper.authors
        assert paper.primary_category
        assert paper.pdf_url and paper.pdf_url.endswith(f"{paper.arxiv_id}v{paper.version}")
        assert paper.announce_type == "new"


def test_single_id_fields():
    [paper], errors, _ = parse_arxiv_api(api_body(_name("2104.12255v1")))
    assert errors == []
    assert paper.key == "arxiv:2104.12255"
    assert (paper.arxiv_id, paper.version) == ("2104.12255", 1)
    assert paper.title == "0"
    assert paper.authors == ("Quan Thoi Minh Nguyen",)
    assert paper.announced_on == date(2021, 4, 20)
    assert paper.categories == ("cs.CR",)
    assert paper.primary_category == "cs.CR"
    assert paper.pdf_url == "https://arxiv.org/pdf/2104.12255v1"
    assert paper.abs_url == "https://arxiv.org/abs/2104.12255"
    assert paper.abstract.startswith("What is the funniest number in cryptography?")
    assert paper.doi is None


def test_doi_and_primary_category_in_current_format():
    papers, _, _ = parse_arxiv_api(api_body(_name("search-testing_start0")))
    first = papers[0]
    assert first.arxiv_id == "2202.12139"
    assert first.doi == "10.1109/icstw55395.2022.00035"
    assert first.primary_category == "cs.SE"
    assert first.categories == ("cs.SE", "cs.LG")
    assert sum(1 for p in papers if p.doi) == 6


def test_legacy_format():
    papers, _, _ = parse_arxiv_api(api_body(_name("deep-dream_start0")))
    first = papers[0]
    assert first.key == "arxiv:1611.09520"
    assert first.version == 2
    assert first.announced_on == date(2016, 11, 29)
    assert first.primary_category == "q-bio.NC"
    assert first.pdf_url == "http://arxiv.org/pdf/1611.09520v2"
    assert first.authors == ("Tomoyasu Horikawa", "Yukiyasu Kamitani")
    assert first.abstract.startswith("Dreaming is generally thought")  # 2-space indent dropped
    assert first.title.startswith("Hierarchical Neural Representation of Dreamed Objects Revealed")


def test_error_feed_is_an_error_not_a_paper():
    name = _name("abc_error400")
    assert api_status(name) == 400
    papers, errors, _ = parse_arxiv_api(api_body(name))
    assert papers == []
    assert errors == ["arXiv API error: incorrect id format for abc"]


@pytest.mark.parametrize("body", [b"", b"<html>busy</html>", b"{"])
def test_garbage_is_an_error(body: bytes):
    papers, errors, total = parse_arxiv_api(body)
    assert papers == [] and errors and total is None


def test_truncated_response_keeps_complete_entries():
    body = api_body(_name("search-testing_start0"))
    papers, errors, total = parse_arxiv_api(body[: len(body) // 2])
    assert 0 < len(papers) < 10
    assert any("not well-formed" in e for e in errors)
    assert total == 214881


def _name(fragment: str) -> str:
    [name] = [n for n in COUNTS if fragment in n]
    return name


def _recorded_by_id_list() -> dict[str, tuple[int, bytes]]:
    """Recorded API replies keyed by the `id_list` they were recorded for."""
    replies = {}
    for name in COUNTS:
        if not name.endswith(".json"):
            continue
        data = json.loads((ARXIV_API / name).read_text(encoding="utf-8"))
        id_list = parse_qs(urlsplit(data["url"]).query, keep_blank_values=True)["id_list"][0]
        if id_list:
            replies[id_list] = (data["status_code"], data["body"].encode())
    return replies


@pytest.fixture
def arxiv_api(http_server: FakeHttpServer) -> str:
    """The loopback API URL; answers each `id_list` with its recorded reply (else "empty")."""
    replies = _recorded_by_id_list()

    async def handler(request: web.Request) -> web.Response:
        status, body = replies.get(request.query.get("id_list", ""), replies["0000.0000"])
        return web.Response(status=status, body=body, content_type="application/atom+xml")

    http_server.route("/api/query", handler)
    return f"{http_server.url}/api/query"


async def test_fetch_in_polite_batches(
    arxiv_api: str, http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    ids = ["0808.05394", "https://arxiv.org/abs/1707.08567", "arXiv:2104.12255v1"]
    outcome = await fetch_arxiv_ids(fetcher, arxiv_api, ids, batch_size=2)
    assert outcome.status == "ok"
    assert outcome.errors == ()
    assert sorted(p.key for p in outcome.papers) == ["arxiv:1707.08567", "arxiv:2104.12255"]
    assert outcome.extra == {"missing": "0808.05394"}
    queries = [r.query for r in http_server.requests]
    assert [q["id_list"] for q in queries] == ["0808.05394,1707.08567", "2104.12255v1"]
    assert all(q["max_results"] == "2" for q in queries)
    assert sleeps.calls == [3.0]  # the second batch waited the minimum interval


async def test_fetch_http_400_reports_the_api_error(
    http_server: FakeHttpServer, fetcher: HttpFetcher
):
    name = _name("abc_error400")
    http_server.route("/api/query", Reply(api_body(name), status=api_status(name)))
    api = f"{http_server.url}/api/query"
    outcome = await fetch_arxiv_ids(fetcher, api, ["2504.17830"], batch_size=50)
    assert outcome.status == "failed"
    assert outcome.papers == ()
    assert outcome.errors[0].startswith("HTTP 400 from ")
    assert outcome.errors[1] == "arXiv API error: incorrect id format for abc"


async def test_fetch_rejects_non_ids_locally(
    arxiv_api: str, http_server: FakeHttpServer, fetcher: HttpFetcher
):
    outcome = await fetch_arxiv_ids(fetcher, arxiv_api, ["abc", "2104.12255v1"], batch_size=5)
    assert outcome.status == "partial"
    assert [p.key for p in outcome.papers] == ["arxiv:2104.12255"]
    assert outcome.errors == ("not an arXiv id: 'abc'",)
    assert len(http_server.requests) == 1


async def test_fetch_empty_result(arxiv_api: str, fetcher: HttpFetcher):
    outcome = await fetch_arxiv_ids(fetcher, arxiv_api, ["2504.99999"], batch_size=5)
    assert outcome.status == "ok"
    assert outcome.papers == ()
    assert outcome.extra == {"missing": "2504.99999"}


async def test_fetch_no_ids_makes_no_request(
    arxiv_api: str, http_server: FakeHttpServer, fetcher: HttpFetcher
):
    outcome = await fetch_arxiv_ids(fetcher, arxiv_api, [], batch_size=5)
    assert outcome.status == "ok"
    assert http_server.requests == []


async def test_fetch_unavailable_fails_after_retries(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    http_server.route("/api/query", Reply("down", status=503, headers={"Retry-After": "2"}))
    outcome = await fetch_arxiv_ids(
        fetcher, f"{http_server.url}/api/query", ["2104.12255"], batch_size=5
    )
    assert outcome.status == "failed"
    assert "HTTP 503" in outcome.errors[0] and "after 4 attempts" in outcome.errors[0]
    # Retry-After (2 s) and then the rest of the 3 s politeness interval, before each retry
    assert sleeps.calls == [2.0, 1.0, 2.0, 1.0, 2.0, 1.0]
