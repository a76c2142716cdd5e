"""`library`, `min-score` and `profile` through the console, lookups against loopback fakes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, running_testbot
from tests.conftest import FIXTURES
from tests.fakes.crossref import serve_crossref
from tests.fakes.http_server import FakeHttpServer, Reply

TWO = FIXTURES / "arxiv_api" / "arxiv_api_recorded_idlist-0808.05394-and-1707.08567_2026-04-12.json"


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    recorded = json.loads(TWO.read_text())
    http_server.route("/api/query", Reply(recorded["body"], content_type="application/atom+xml"))
    settings = bot_settings(
        arxiv_api_url=f"{http_server.url}/api/query",
        crossref_api_url=serve_crossref(http_server),
    )
    async with running_testbot(db, settings) as bot:
        yield bot


async def test_library_add_looks_up_arxiv_and_crossref_and_lists(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    reply = await testbot.exec_command(
        "/library add arXiv:1707.08567 https://doi.org/10.17705/1CAIS.04607 10.9999/unknown"
    )
    assert "Added 2 papers to this channel's library (now 2)" in reply
    assert "A Knowledge Development Perspective" in reply
    assert "doi:10.9999/unknown (Crossref does not know it)" in reply
    assert http_server.requests_to("/api/query")[0].query["id_list"] == "1707.08567"
    listing = await testbot.exec_command("/library")
    assert "Library**: 2 papers" in listing or "Library: 2 papers" in listing
    again = await testbot.exec_command("/library add 1707.08567")
    assert "Added 0 papers" in again and "1 were in it already" in again
    assert len(http_server.requests_to("/api/query")) == 1  # stored now: not looked up again


async def test_library_remove_clear_and_bad_input(testbot: TestBot) -> None:
    await testbot.exec_command("/library add 1707.08567 10.17705/1cais.04607")
    removed = await testbot.exec_command("/library remove 1")
    assert "Removed" in removed and "(1 left)" in removed
    missing = await testbot.exec_command("/library remove 7")
    assert "not in this channel's library" in missing
    bad = await testbot.exec_command("/library add hello")
    assert "Not an arXiv id, DOI or paper URL: hello" in bad
    assert "Library cleared: 1 papers" in await testbot.exec_command("/library clear")
    assert "library is empty" in await testbot.exec_command("/library")


async def test_min_score_and_profile(testbot: TestBot) -> None:
    assert "Minimum score 60" in await testbot.exec_command("/min-score 60")
    assert "from 0 (off) to 100" in await testbot.exec_command("/min-score 101")
    await testbot.exec_command("/library add 1707.08567")
    profile = await testbot.exec_command("/profile")
    assert "Library: 1 papers · votes: 0 👍, 0 👎" in profile
    assert "Minimum score: 60" in profile
    assert "semantic ranking off (EMBEDDING_MODEL is none)" in profile
    assert "Votes cleared (0)" in await testbot.exec_command("/profile reset")
    assert "relevance" in (await testbot.exec_command("/help")).lower()
