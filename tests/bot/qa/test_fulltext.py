"""Full text: arXiv HTML with its sections, 404 → PDF, both failing → abstract; fetched once."""

from __future__ import annotations

import asyncio

from bot.messages import Conversation
from bot.qa.cache import FullTextCache
from bot.qa.fulltext import FullTextFetcher
from bot.qa.pdf_text import parse_pdf
from bot.qa.service import make_qa_service
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from tests.bot.qa.helpers import PASA_ID, pasa_html, pasa_pdf, settings_for, store_pasa
from tests.fakes.http_server import FakeHttpServer, Reply

CONVO = Conversation("console", "console", "local")


def serve_pdf(server: FakeHttpServer) -> None:
    server.route(f"/pdf/{PASA_ID}", Reply(pasa_pdf(), content_type="application/pdf"))


async def test_html_full_text_keeps_numbered_sections(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route(f"/html/{PASA_ID}", Reply(pasa_html(), content_type="text/html"))
    paper = await store_pasa(db)
    async with HttpFetcher(settings_for(http_server.url)) as http:
        text = await FullTextFetcher(http, settings_for(http_server.url)).fetch(paper)
    assert text.kind == "html"
    sections = {c.section for c in text.chunks}
    assert {"§1 Introduction", "§4.2 Crawler", "§5.1 Experimental Setting"} <= sections
    assert not http_server.requests_to("/pdf/")


async def test_html_404_falls_back_to_the_pdf(db: Database, http_server: FakeHttpServer) -> None:
    serve_pdf(http_server)  # /html/ has no route: 404
    paper = await store_pasa(db)
    async with HttpFetcher(settings_for(http_server.url)) as http:
        text = await FullTextFetcher(http, settings_for(http_server.url)).fetch(paper)
    assert text.kind == "pdf"
    assert http_server.requests_to("/html/") and http_server.requests_to("/pdf/")
    by_section: dict[str, str] = {}
    for chunk in text.chunks:
        by_section[chunk.section] = by_section.get(chunk.section, "") + chunk.text
    assert "H100" in by_section["§5.1 Experimental Setting"]
    assert "§A.2 Roll-Out in PPO training" in by_section
    assert not any("claude 3 model family" in t for t in by_section.values())  # no references


async def test_html_without_latexml_structure_falls_back_to_the_pdf(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route(f"/html/{PASA_ID}", Reply("<html><p>No HTML yet</p></html>"))
    serve_pdf(http_server)
    paper = await store_pasa(db)
    async with HttpFetcher(settings_for(http_server.url)) as http:
        text = await FullTextFetcher(http, settings_for(http_server.url)).fetch(paper)
    assert text.kind == "pdf"


async def test_both_failing_leaves_the_abstract(db: Database, http_server: FakeHttpServer) -> None:
    http_server.route(f"/pdf/{PASA_ID}", Reply(b"<html>not a pdf</html>"))
    settings = settings_for(http_server.url)
    paper = await store_pasa(db)
    async with HttpFetcher(settings) as http:
        qa = make_qa_service(db, http, settings, None)
        answer = await qa.answer(paper, "What is PaSa?", CONVO, "en")
    assert answer.source == "abstract"
    assert "abstract only" in answer.text and "We introduce PaSa" in answer.text


async def test_two_questions_fetch_the_full_text_once(
    db: Database, http_server: FakeHttpServer
) -> None:
    serve_pdf(http_server)
    settings = settings_for(http_server.url)
    paper = await store_pasa(db)
    async with HttpFetcher(settings) as http:
        qa = make_qa_service(db, http, settings, None)
        await asyncio.gather(
            qa.answer(paper, "Which GPUs?", CONVO, "en"),
            qa.answer(paper, "What is the Selector?", CONVO, "en"),
        )
        await qa.answer(paper, "What learning rate?", CONVO, "en")
        fresh = make_qa_service(db, http, settings, None)  # a restart: the DB cache serves it
        await fresh.answer(paper, "How many queries?", CONVO, "en")
    assert len(http_server.requests_to("/pdf/")) == 1
    assert len(http_server.requests_to("/html/")) == 1


async def test_cache_keeps_within_its_size_limit(db: Database, http_server: FakeHttpServer) -> None:
    serve_pdf(http_server)
    settings = settings_for(http_server.url)
    paper = await store_pasa(db)
    async with HttpFetcher(settings) as http:
        cache = FullTextCache(db, FullTextFetcher(http, settings), limit_chars=1_000)
        index = await cache.index(paper)
        assert index.chars > 1_000 and cache.memory_chars == index.chars  # the newest stays
        await cache.index(paper)
    assert len(http_server.requests_to("/pdf/")) == 1


async def test_pdf_parse_lets_the_loop_run() -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    chunks = await parse_pdf(pasa_pdf())
    done.set()
    await task
    assert chunks and ticks >= 10  # one turn per page at least (15 pages)
