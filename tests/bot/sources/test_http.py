"""HttpFetcher over loopback: conditional GET, retries, Retry-After, timeouts, politeness."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from bot.sources.http import HttpFetcher, SourceError, parse_retry_after
from tests.bot.sources.conftest import RecordingSleep, make_settings
from tests.bot.sources.recorded import ARXIV_RSS, read
from tests.fakes.http_server import FakeHttpServer, Reply

FEED = read(ARXIV_RSS)


async def test_get_returns_body_and_validators(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route("/feed", Reply(FEED, headers={"ETag": '"v1"', "Last-Modified": "Mon"}))
    resp = await fetcher.get(f"{http_server.url}/feed", params={"a": "b"})
    assert resp.status == 200
    assert resp.content == FEED
    assert resp.etag == '"v1"'
    assert resp.last_modified == "Mon"
    sent = http_server.requests[0]
    assert sent.query == {"a": "b"}
    assert sent.headers["User-Agent"] == "paperbot/0.1 (+mailto:tests@example.org)"
    assert "If-None-Match" not in sent.headers


async def test_conditional_get_sends_validators_and_accepts_304(
    http_server: FakeHttpServer, fetcher: HttpFetcher
):
    http_server.route("/feed", Reply(b"", status=304, headers={"ETag": '"v1"'}))
    resp = await fetcher.get(f"{http_server.url}/feed", etag='"v1"', last_modified="Mon, 1 Jan")
    assert resp.not_modified
    assert resp.status == 304
    sent = http_server.requests[0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 1 Jan"


async def test_500_then_200_is_retried_with_backoff(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    http_server.route("/feed", Reply("boom", status=500), Reply("boom", status=502), Reply(FEED))
    resp = await fetcher.get(f"{http_server.url}/feed")
    assert resp.content == FEED
    assert len(http_server.requests) == 3
    assert sleeps.calls == [0.5, 1.0]  # http_backoff * 2**(attempt-1)


async def test_429_retry_after_seconds_is_honoured(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    http_server.route(
        "/feed", Reply("slow down", status=429, headers={"Retry-After": "7"}), Reply(FEED)
    )
    resp = await fetcher.get(f"{http_server.url}/feed")
    assert resp.status == 200
    assert sleeps.calls == [7.0]


async def test_retry_after_is_capped(http_server: FakeHttpServer, sleeps: RecordingSleep):
    http_server.route("/feed", Reply("", status=503, headers={"Retry-After": "3600"}), Reply(FEED))
    settings = make_settings(http_backoff_max=12.0)
    async with HttpFetcher(settings, sleep=sleeps, clock=sleeps.clock) as http:
        await http.get(f"{http_server.url}/feed")
    assert sleeps.calls == [12.0]


async def test_always_500_fails_with_clear_error(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    http_server.route("/feed", Reply("boom", status=500))
    url = f"{http_server.url}/feed"
    with pytest.raises(SourceError) as info:
        await fetcher.get(url)
    assert info.value.reason == f"HTTP 500 from {url} after 4 attempts"
    assert info.value.status == 500
    assert len(http_server.requests) == 4
    assert len(sleeps.calls) == 3


async def test_404_is_not_retried(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route("/feed", Reply("nope", status=404))
    with pytest.raises(SourceError, match="HTTP 404 from"):
        await fetcher.get(f"{http_server.url}/feed")
    assert len(http_server.requests) == 1


async def test_400_keeps_the_body(http_server: FakeHttpServer, fetcher: HttpFetcher):
    http_server.route("/q", Reply(b"<feed/>", status=400))
    with pytest.raises(SourceError) as info:
        await fetcher.get(f"{http_server.url}/q")
    assert info.value.body == b"<feed/>"
    assert info.value.status == 400


async def test_timeout_is_retried_then_reported(
    http_server: FakeHttpServer, sleeps: RecordingSleep
):
    http_server.route("/slow", Reply(FEED, delay=1.0))
    settings = make_settings(http_timeout=0.05, http_retries=2)
    async with HttpFetcher(settings, sleep=sleeps, clock=sleeps.clock) as http:
        with pytest.raises(SourceError) as info:
            await http.get(f"{http_server.url}/slow")
    assert info.value.reason.startswith("timeout from ")
    assert info.value.reason.endswith("after 2 attempts")
    assert len(http_server.requests) == 2


async def test_connection_refused_is_a_source_error(sleeps: RecordingSleep):
    server = await FakeHttpServer().start()
    url = f"{server.url}/gone"
    await server.stop()
    settings = make_settings(http_retries=2)
    async with HttpFetcher(settings, sleep=sleeps, clock=sleeps.clock) as http:
        with pytest.raises(SourceError, match="connection error"):
            await http.get(url)
    assert len(sleeps.calls) == 1


async def test_polite_requests_are_spaced(
    http_server: FakeHttpServer, fetcher: HttpFetcher, sleeps: RecordingSleep
):
    http_server.route_prefix("/", Reply(FEED))
    await fetcher.get(f"{http_server.url}/api", polite_key="arxiv-api")
    await fetcher.get(f"{http_server.url}/other")  # no key: not delayed
    await fetcher.get(f"{http_server.url}/api", polite_key="arxiv-api")
    assert sleeps.calls == [3.0]


async def test_polite_requests_are_serialized(http_server: FakeHttpServer, sleeps: RecordingSleep):
    in_flight = 0
    peak = 0

    async def handler(request: object) -> object:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        from aiohttp import web

        return web.Response(body=b"ok")

    http_server.route("/api", handler)
    settings = make_settings(arxiv_api_min_interval=0.0)
    async with HttpFetcher(settings, sleep=sleeps, clock=sleeps.clock) as http:
        await asyncio.gather(
            *(http.get(f"{http_server.url}/api", polite_key="arxiv-api") for _ in range(4))
        )
    assert len(http_server.requests) == 4
    assert peak == 1


async def test_passed_in_client_is_used_and_not_closed(http_server: FakeHttpServer):
    http_server.route("/feed", Reply(FEED))
    client = httpx.AsyncClient(headers={"User-Agent": "custom"})
    async with HttpFetcher(make_settings(), client) as http:
        await http.get(f"{http_server.url}/feed")
    assert not client.is_closed
    await client.aclose()
    assert http_server.requests[0].headers["User-Agent"] == "custom"


def test_parse_retry_after_forms():
    now = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    )
    assert (
        parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0
    )
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
