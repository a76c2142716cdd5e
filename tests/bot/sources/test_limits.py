"""A feed item with a 100 KB title and a huge abstract is stored capped, with a note."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.fetching import PaperFetcher
from bot.models import Paper
from bot.source_plan import SourcePlan
from bot.sources.http import HttpFetcher
from bot.sources.limits import MAX_ABSTRACT, MAX_TITLE
from bot.store.db import Database
from tests.bot.sources.conftest import make_settings
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply

PLOS = (FIXTURES / "journal_rss" / "plos-compbiol_atom_2025-04-13.xml").read_bytes()
TITLE = b"<title>Dynamic brain connectivity predicts emotional arousal during"


async def test_huge_title_and_abstract_are_capped_at_ingestion(
    db: Database, http_server: FakeHttpServer
) -> None:
    assert TITLE in PLOS
    hostile = PLOS.replace(TITLE, TITLE + b" spam" * 20_000, 1)  # a 100 KB title
    start = hostile.index(b"<content", hostile.index(TITLE))
    body = hostile.index(b">", start) + 1
    hostile = hostile[:body] + b"word " * 12_000 + hostile[body:]  # and a 60 KB abstract
    http_server.route("/feed.xml", Reply(hostile))
    settings = make_settings(http_retries=1)
    async with HttpFetcher(settings) as http:
        plan = SourcePlan(feeds=frozenset({f"{http_server.url}/feed.xml"}))
        report = await PaperFetcher(db, http, settings).fetch(plan, on=date(2025, 4, 13))
    assert report.sources[0].status == "ok"
    async with db.session() as session:
        papers = list(await session.exec(select(Paper)))
    capped = [p for p in papers if p.title.startswith("Dynamic brain connectivity")]
    assert len(capped) == 1 and len(capped[0].title) <= MAX_TITLE
    assert len(capped[0].abstract) < MAX_ABSTRACT + 200
    assert "title cut from" in capped[0].abstract and "abstract cut from" in capped[0].abstract
    assert all(len(p.title) <= MAX_TITLE for p in papers)
