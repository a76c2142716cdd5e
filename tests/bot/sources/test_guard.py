"""Hostile URLs and servers: no SSRF (loopback, redirect chains, metadata), bounded bodies,
a total deadline; one bad source fails alone and is recorded."""

from __future__ import annotations

import asyncio
import gzip
from datetime import date

import pytest
from aiohttp import web
from sqlmodel import select

from bot.commands.digest import fetch_notes
from bot.fetching import FetchReport, PaperFetcher, SourceReport
from bot.models import FetchRun
from bot.source_plan import SourcePlan
from bot.sources.guard import AddressPolicy, RefusedAddress
from bot.sources.http import HttpFetcher, SourceError
from bot.store.db import Database
from tests.bot.sources.conftest import make_settings
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

PLOS = (FIXTURES / "journal_rss" / "plos-compbiol_atom_2025-04-13.xml").read_bytes()


def guarded(**overrides: object) -> HttpFetcher:
    """A fetcher with the default policy (no allowance) unless overridden."""
    values: dict[str, object] = {"http_retries": 1, "feed_allowed_hosts": "", **overrides}
    return HttpFetcher(make_settings(**values))


async def test_loopback_feed_is_refused_and_never_requested(http_server: FakeHttpServer) -> None:
    http_server.route("/internal/admin", Reply("secret admin page"))
    async with guarded() as http:
        with pytest.raises(SourceError, match="refused"):
            await http.get(f"{http_server.url}/internal/admin?token=abc")
        with pytest.raises(SourceError, match="refused"):  # port 80, but a name for loopback
            await http.get("http://localhost/internal/admin")
    assert http_server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.1/feed.xml",
        "http://192.168.1.1/feed.xml",
        "http://[::1]/feed.xml",
        "http://[::ffff:127.0.0.1]/feed.xml",
        "http://224.0.0.1/feed.xml",  # multicast
        "http://100.100.100.200/latest/meta-data/",  # shared address space (Alibaba metadata)
        "http://0.0.0.0/",
        "https://example.org:8443/feed.xml",  # not 80/443
        "ftp://example.org/feed.xml",
        "file:///etc/passwd",
    ],
)
def test_policy_refuses_non_public_urls(url: str) -> None:
    with pytest.raises(RefusedAddress):
        AddressPolicy().check_url(url)


def test_policy_exempts_configured_sources_and_allowed_hosts() -> None:
    policy = AddressPolicy(["http://127.0.0.1:8080/rss/"], ["feeds.internal:8443", "10.1.2.3"])
    assert policy.check_url("http://127.0.0.1:8080/rss/cs.CL")
    assert policy.check_url("https://feeds.internal:8443/x.xml")
    assert policy.check_url("http://10.1.2.3:9999/x.xml")
    with pytest.raises(RefusedAddress):
        policy.check_url("http://127.0.0.1:8080/internal/admin")  # not under the source URL
    assert AddressPolicy(allowed_hosts=["*"]).check_url("http://127.0.0.1:1/")


async def test_every_redirect_hop_is_checked(http_server: FakeHttpServer) -> None:
    inner = await FakeHttpServer().start()
    try:
        inner.route("/internal/admin", Reply("secret"))
        hops = [
            f"{inner.url}/internal/admin",  # another loopback port, not allowed
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost/internal/admin",  # resolves to loopback
        ]
        for n, target in enumerate(hops):
            http_server.route(f"/start{n}", Reply(status=302, headers={"Location": f"/hop{n}"}))
            http_server.route(f"/hop{n}", Reply(status=301, headers={"Location": target}))
        allowed = f"127.0.0.1:{http_server.port}"
        async with guarded(feed_allowed_hosts=allowed) as http:
            for n in range(len(hops)):
                with pytest.raises(SourceError, match="refused"):
                    await http.get(f"{http_server.url}/start{n}")
        assert [r.path for r in http_server.requests][:2] == ["/start0", "/hop0"]
        assert inner.requests == []
    finally:
        await inner.stop()


async def test_allowed_loopback_feed_and_redirects_within_it_work(
    http_server: FakeHttpServer,
) -> None:
    http_server.route("/old.xml", Reply(status=301, headers={"Location": "/feed.xml"}))
    http_server.route("/feed.xml", Reply(PLOS))
    async with guarded(feed_allowed_hosts=f"127.0.0.1:{http_server.port}") as http:
        response = await http.get(f"{http_server.url}/old.xml")
    assert response.content == PLOS


async def test_a_gzip_bomb_is_cut_at_the_limit(http_server: FakeHttpServer) -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))  # 8 MB decoded from ~8 KB
    http_server.route("/bomb.xml", Reply(bomb, headers={"Content-Encoding": "gzip"}))
    async with guarded(feed_allowed_hosts="127.0.0.1", http_max_feed_mb=2) as http:
        with pytest.raises(SourceError, match="over 2 MB"):
            await http.get(f"{http_server.url}/bomb.xml")
        big = await http.get(f"{http_server.url}/bomb.xml", max_bytes=16 * 1024 * 1024)
    assert len(big.content) == 8 * 1024 * 1024


async def drip(request: web.Request) -> web.StreamResponse:
    """One byte at a time, forever, each well within the read timeout."""
    response = web.StreamResponse()
    await response.prepare(request)
    while True:
        await response.write(b"<")
        await asyncio.sleep(0.05)


async def test_a_dripping_server_hits_the_total_deadline(http_server: FakeHttpServer) -> None:
    http_server.route("/slow.xml", drip)
    settings = {"feed_allowed_hosts": "127.0.0.1", "http_timeout": 5.0, "http_deadline": 1.0}
    async with guarded(**settings) as http, asyncio.timeout(30):
        with pytest.raises(SourceError, match="within 1 s"):
            await http.get(f"{http_server.url}/slow.xml")


async def test_an_oversized_feed_fails_alone_and_is_recorded(
    db: Database, http_server: FakeHttpServer
) -> None:
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))
    http_server.route("/bomb.xml", Reply(bomb, headers={"Content-Encoding": "gzip"}))
    http_server.route("/plos.xml", Reply(PLOS))
    settings = make_settings(http_retries=1, feed_allowed_hosts="127.0.0.1", http_max_feed_mb=1)
    plan = SourcePlan(
        feeds=frozenset({f"{http_server.url}/bomb.xml", f"{http_server.url}/plos.xml"})
    )
    async with HttpFetcher(settings) as http:
        report = await PaperFetcher(db, http, settings).fetch(plan, on=date(2025, 4, 13))
    status = {s.url.rsplit("/", 1)[-1]: s.status for s in report.sources}
    assert status == {"bomb.xml": "failed", "plos.xml": "ok"}
    async with db.session() as session:
        runs = {r.url.rsplit("/", 1)[-1]: r for r in await session.exec(select(FetchRun))}
    assert runs["bomb.xml"].status == "failed" and "over 1 MB" in runs["bomb.xml"].errors[0]


def test_feed_notes_do_not_tell_refused_from_unreachable() -> None:
    def failed(url: str, error: str) -> SourceReport:
        return SourceReport("journal", url, "failed", 0, 0, errors=(error,))

    report = FetchReport((
        failed("http://a.example/f", "refused to fetch http://a.example/f: not a public one"),
        failed("http://b.example/f", "connection error (ConnectError: Connection refused)"),
        failed("http://c.example/f", "timeout from http://c.example/f (ReadTimeout)"),
    ))  # fmt: skip
    plan = SourcePlan(feeds=frozenset(s.url for s in report.sources))
    notes = fetch_notes(report, plan, make_settings())
    assert len(notes) == 3 and len({n[n.rindex("(") :] for n in notes}) == 1
    assert not any(word in " ".join(notes) for word in ("refused", "connection", "timeout"))
