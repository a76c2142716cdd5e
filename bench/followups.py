"""Re-checking 50,000 posted papers: requests per source, their wall time at the polite rates,
and the time spent on our side (`make bench`, "Follow-ups").

The papers are real 2025 arXiv records from the reference corpus, posted to one channel. A
loopback arXiv API answers every `id_list` request with Atom entries built from the same
records (1 % of them one version up, with a GitHub link in their comment), so the run finds
real work to do. BENCH_FOLLOWUP_PAPERS makes it smaller.
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.models import Channel, DeliveredPaper, Paper
from bot.posts import Post
from bot.sources.http import HttpFetcher
from bot.store.db import Database, insert_new
from jobs import followups
from tests.fakes.arxiv_entries import atom_entry, atom_feed, corpus_records
from tests.fakes.http_server import FakeHttpServer

NOW = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
ARXIV_INTERVAL = 3.0  # seconds between arXiv API requests (its published polite rate)
BUMPED = 100  # every 100th paper has a new version


class InstantSender:
    """A platform that accepts every post at once (the platforms' limits are measured apart)."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, message: Post) -> str | None:
        """Accept the post."""
        self.sent += 1
        return f"f{self.sent}"


def arxiv_api(by_id: dict[str, str]) -> Any:
    """The fake `api/query` handler: the entries for the ids asked, as one feed."""

    async def query(request: web.Request) -> web.Response:
        ids = [i for i in request.query.get("id_list", "").split(",") if i]
        feed = atom_feed(by_id[i] for i in ids if i in by_id)
        return web.Response(text=feed, content_type="application/atom+xml")

    return query


async def seed(db: Database, rows: list[dict[str, Any]]) -> None:
    """The papers at v1, one channel, and one post of each paper a week ago."""
    async with db.session() as session:
        channel = Channel(platform="bench", channel="lab")
        session.add(channel)
        await session.flush()
        papers = [Paper(key=f"arxiv:{r['id']}", source="arxiv", arxiv_id=r["id"], version=1,
                        title=r["title"], title_raw=r["title"], abstract=r["abstract"],
                        abstract_raw=r["abstract"], primary_category=r["primary_category"],
                        first_announced_on=date.fromisoformat(r["announced_date"]),
                        last_announced_on=date.fromisoformat(r["announced_date"]))
                  for r in rows]  # fmt: skip
        ids = await insert_new(session, Paper, [p.model_dump(exclude={"id"}) for p in papers], "id")
        sent = NOW - timedelta(days=7)
        posts = [{"channel_id": channel.id, "paper_id": i, "version": 1, "position": 1,
                  "sent_at": sent, "message_ref": f"m{i}"} for i in sorted(ids)]  # fmt: skip
        await insert_new(session, DeliveredPaper, posts, "id")


async def measure(count: int) -> dict[str, float]:
    """Seed, run the re-check once, and report requests, wall times and what it found."""
    rows = list(corpus_records(limit=count))
    bumped = "Code: https://github.com/example/paper"
    by_id = {r["id"]: atom_entry(r, 2, bumped) if n % BUMPED == 0 else atom_entry(r, 1, "")
             for n, r in enumerate(rows)}  # fmt: skip
    server = FakeHttpServer()
    server.route("/api/query", arxiv_api(by_id))
    await server.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await db.migrate()
        await seed(db, rows)
        settings = Settings(_env_file=None, arxiv_api_url=f"{server.url}/api/query",
                            arxiv_api_min_interval=0, http_retries=1)  # fmt: skip
        sender = InstantSender()
        started = time.perf_counter()
        async with HttpFetcher(settings) as http:
            report = await followups.run(db, http, settings, {"bench": sender}, now=NOW)
        ours = time.perf_counter() - started
        await db.close()
    await server.stop()
    requests = len(server.requests_to("/api/query"))
    return {"papers": count, "arxiv": requests, "ours": ours, "posted": sender.sent,
            "checked": report.checked, "events": report.events}  # fmt: skip


def main() -> None:
    """Print the table."""
    count = int(os.environ.get("BENCH_FOLLOWUP_PAPERS", "50000"))
    got = asyncio.run(measure(count))
    goal = math.ceil(count / 100)
    print(f"posted papers re-checked: {got['papers']:,} (found {got['checked']:,}; "
          f"{got['events']:,} follow-ups, {got['posted']:,} posted)")  # fmt: skip
    print("source      requests   wall at the polite rate")
    print(f"arXiv API   {got['arxiv']:>8,}   {got['arxiv'] * ARXIV_INTERVAL / 60:,.1f} min "
          f"(1 request / {ARXIV_INTERVAL:.0f} s)")  # fmt: skip
    print("bioRxiv            0   (no bioRxiv papers in this set: one `details` call each)")
    print(f"Crossref    {0:>8}   (only for a DOI that just appeared: none here)")
    print(f"time on our side (requests answered at once): {got['ours']:.1f} s")
    verdict = "met" if got["arxiv"] <= goal else "MISSED"
    print(f"goal: one id_list request per 100 arXiv papers ({goal:,}): {verdict}")
