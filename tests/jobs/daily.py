"""The daily loop over days: recorded feeds with their dates moved, served from loopback, the
fetch and delivery jobs called with one fixed clock that the test moves from day to day."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import App, create_app
from bot.config import Settings
from bot.digest.posting import DeliveryOutcome
from bot.fetching import FetchReport
from bot.models import Channel, Topic
from bot.store.db import Database
from jobs import deliver, fetch
from jobs.scheduler import Jobs
from paperbot.demo import moved  # noqa: F401  (the day tests move recorded dates with it)
from tests.botharness import bot_settings
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.jobs.conftest import PlatformRecorder, delivery_for

JOURNALS = FIXTURES / "journal_rss"
BMC = JOURNALS / "bmc-bioinformatics_rss2_2025-04-13.xml"
PLOS = JOURNALS / "plos-compbiol_atom_2025-04-13.xml"
SCIENCE = JOURNALS / "science-twis_rss1-rdf_2017-06.xml"
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
BIORXIV = FIXTURES / "biorxiv" / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"
_BLOCK = re.compile(rb"<(item|entry)[\s>].*?</\1>", re.DOTALL)


def blocks(content: bytes) -> list[bytes]:
    """The feed's <item>/<entry> elements, in order."""
    return [m.group(0) for m in _BLOCK.finditer(content)]


def without(content: bytes, dropped: Sequence[bytes]) -> bytes:
    """The feed with these items taken out (as if not published yet)."""
    for block in dropped:
        content = content.replace(block, b"", 1)
    return content


def biorxiv_records(dated: dict[date, int]) -> list[dict[str, Any]]:
    """Recorded bioRxiv records, distinct DOIs, `n` of them posted on each date."""
    seen: dict[str, dict[str, Any]] = {}
    for record in json.loads(BIORXIV.read_text(encoding="utf-8"))["collection"]:
        seen.setdefault(record["doi"], record)
    pool = list(seen.values())
    chosen = []
    for day, count in dated.items():
        for record in pool[len(chosen) : len(chosen) + count]:
            chosen.append({**record, "date": day.isoformat()})
    return chosen


@dataclass
class Biorxiv:
    """The bioRxiv `details` API as strict as the real one: an interval, a cursor, pages of
    what was posted in the interval and is visible by now (a day's posts show the next day)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    visible_until: date = date.min

    async def __call__(self, request: web.Request) -> web.Response:
        parts = request.path.removeprefix("/biorxiv").split("/")  # /details/server/from/to/n
        if len(parts) != 6 or not parts[5].isdigit():
            return web.json_response({"messages": [{"status": "invalid path"}]}, status=400)
        first, last = date.fromisoformat(parts[3]), date.fromisoformat(parts[4])
        cursor = int(parts[5])
        last = min(last, self.visible_until)
        hits = [r for r in self.records if first <= date.fromisoformat(r["date"]) <= last]
        page = hits[cursor : cursor + 100]
        status = "ok" if hits else "no posts found"
        message = {"status": status, "interval": f"{first}:{last}", "cursor": cursor,
                   "count": len(page), "total": str(len(hits))}  # fmt: skip
        return web.json_response({"messages": [message], "collection": page})


@dataclass
class World:
    """One store, one loopback server with the day's feeds, and the jobs on one clock."""

    app: App
    server: FakeHttpServer
    biorxiv: Biorxiv
    platform: PlatformRecorder = field(default_factory=PlatformRecorder)
    now: datetime = datetime(2025, 4, 9, 4, 0, tzinfo=UTC)
    jobs: Jobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = Jobs(self.app, {"test": self.platform}, "r1", clock=lambda: self.now)

    @property
    def settings(self) -> Settings:
        """The app's settings."""
        return self.app.settings

    def url(self, name: str) -> str:
        """A feed URL on the loopback server."""
        return f"{self.server.url}/{name}"

    def serve(self, name: str, body: bytes, status: int = 200) -> None:
        """From now on, serve `body` at /name."""
        self.server.route(f"/{name}", Reply(body, status=status))

    async def fetch(self, at: datetime, on: date | None = None) -> FetchReport:
        """The fetch job at `at` (for the date `on`, default that UTC date)."""
        self.now = at
        return await fetch.run(self.app.db, self.app.fetcher, self.settings,
                               on=on or at.date())  # fmt: skip

    async def deliver(
        self, at: datetime, gate: deliver.FetchGate | None = None
    ) -> list[DeliveryOutcome]:
        """The delivery job at `at`."""
        self.now = at
        return await deliver.run(self.app.db, delivery_for(self.app, clock=lambda: at),
                                 {"test": self.platform}, now=at, gate=gate)  # fmt: skip

    async def tick(self, at: datetime) -> None:
        """The scheduler's delivery tick at `at` (it computes the fetch gate itself)."""
        self.now = at
        await self.jobs.deliver()

    async def fetch_job(self, at: datetime) -> None:
        """The scheduler's fetch job at `at` (retries are not scheduled: no scheduler)."""
        self.now = at
        await self.jobs.fetch("all")

    async def channel(self, name: str, *queries: str, **values: Any) -> Channel:
        """A channel (UTC, 08:00, every day unless overridden) following `queries`, added now."""
        settings: dict[str, Any] = {"platform": "test", "timezone": "UTC",
                                    "digest_time": "08:00", "digest_days": "mon-sun"}  # fmt: skip
        settings.update(values)
        async with self.app.db.session() as session:
            channel = Channel(channel=name, **settings)
            session.add(channel)
            await session.flush()
            for query in queries:
                session.add(Topic(channel_id=channel.id or 0, query=query, created_at=self.now))
        return channel

    def papers(self, name: str) -> list[str]:
        """The paper keys posted to a channel so far."""
        return self.platform.papers(name)

    def headers(self, name: str) -> list[str]:
        """The header texts posted to a channel so far."""
        return [m.text for m in self.platform.posts.get(name, []) if m.kind == "digest_header"]


@pytest.fixture
async def world(db: Database) -> AsyncIterator[World]:
    """An empty store and a loopback server for the feeds; no papers until a fetch."""
    server = await FakeHttpServer().start()
    biorxiv = Biorxiv()
    server.route_prefix("/biorxiv/details/", biorxiv)
    settings = bot_settings(arxiv_rss_url=f"{server.url}/rss/",
                            feed_allowed_hosts=f"127.0.0.1:{server.port}",  # loopback feeds
                            biorxiv_api_url=f"{server.url}/biorxiv",
                            arxiv_api_url=f"{server.url}/api/query",
                            arxiv_default_categories="quant-ph",
                            fetch_wait_minutes=60)  # fmt: skip
    state: dict[str, World] = {}
    app = await create_app(settings, db=db, clock=lambda: state["world"].now)
    state["world"] = World(app, server, biorxiv)
    try:
        yield state["world"]
    finally:
        await app.http.aclose()
        await server.stop()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC time on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def read(path: Path) -> bytes:
    """A recorded file's bytes."""
    return path.read_bytes()
