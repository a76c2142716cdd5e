"""`library sync` through the console: a Zotero library (loopback fake) into a channel's library."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bot.messages import IncomingMessage
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, running_testbot
from tests.fakes.crossref import serve_crossref
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender
from tests.fakes.zotero import (
    ARXIV_TWO,
    COLLECTION,
    KEY,
    USER_ID,
    FakeZotero,
    recorded_library,
    serve_zotero,
)


@pytest.fixture
def zotero() -> FakeZotero:
    return recorded_library(FakeZotero())


@pytest.fixture
async def testbot(
    db: Database, http_server: FakeHttpServer, zotero: FakeZotero
) -> AsyncIterator[TestBot]:
    recorded = json.loads(ARXIV_TWO.read_text())
    http_server.route("/api/query", Reply(recorded["body"], content_type="application/atom+xml"))
    settings = bot_settings(
        arxiv_api_url=f"{http_server.url}/api/query",
        crossref_api_url=serve_crossref(http_server),
        zotero_api_url=serve_zotero(http_server, zotero),
        zotero_api_key=KEY,
        zotero_user_id=USER_ID,
    )
    async with running_testbot(db, settings) as bot:
        yield bot


async def test_sync_adds_what_it_finds_and_names_what_it_cannot(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    reply = await testbot.exec_command("/library sync")
    assert "Zotero users/475425: read 5 items (version 6)" in reply
    assert "1 without an arXiv id or DOI were skipped: “Deep Learning”" in reply
    assert "Added 3 papers to this channel's library (now 3)" in reply
    assert "Nuclear transport rates" in reply or "nuclear transport rates" in reply
    assert "Not found: arXiv:0808.05394" in reply
    assert len(http_server.requests_to("/crossref/")) == 1  # bioRxiv came with its abstract
    again = await testbot.exec_command("/library sync")  # one was missing: read in full again
    assert "Added 0 papers" in again and "3 were in it already" in again
    assert "since" not in http_server.requests_to("/zotero/")[-1].query


async def test_a_synced_collection_is_asked_only_for_changes(
    testbot: TestBot, http_server: FakeHttpServer, zotero: FakeZotero
) -> None:
    first = await testbot.exec_command(f"/library sync {COLLECTION.lower()}")
    assert f"users/475425/collections/{COLLECTION}: read 2 items" in first
    assert "Added 2 papers" in first and "Not found" not in first
    unchanged = await testbot.exec_command(f"/library sync {COLLECTION}")
    assert "has not changed since the last sync (version 6)" in unchanged
    assert "library has 2 papers" in unchanged
    zotero.add(
        {"itemType": "journalArticle", "title": "Typology", "DOI": "10.17705/1CAIS.04607"},
        collection=True,
    )
    changed = await testbot.exec_command(f"/library sync {COLLECTION}")
    assert "read 1 items (version 7)" in changed and "(now 3)" in changed
    assert http_server.requests_to("/zotero/")[-1].query["since"] == "6"
    assert "Library cleared: 3 papers" in await testbot.exec_command("/library clear")
    full = await testbot.exec_command(f"/library sync {COLLECTION}")  # cleared: read in full
    assert "read 3 items" in full and "(now 3)" in full


async def test_two_syncs_at_once_add_each_paper_once(testbot: TestBot) -> None:
    replies = await asyncio.gather(
        testbot.exec_command(f"/library sync {COLLECTION}"),
        testbot.exec_command(f"/library sync {COLLECTION.lower()}"),  # not a redelivery
    )
    assert all("read 2 items" in r for r in replies), replies
    assert sum(int(r.split("Added ")[1].split()[0]) for r in replies) == 2
    assert "Library: 2 papers" in await testbot.exec_command("/library")


async def test_sync_needs_an_admin_a_key_shape_and_settings(testbot: TestBot, db: Database) -> None:
    sender = RecordingSender()
    message = IncomingMessage(testbot.conversation, "/library sync", is_admin=False)
    await testbot.app.bot.handle(message, sender)
    assert "Only an administrator can sync the library here" in sender.texts[0]
    bad = await testbot.exec_command("/library sync my-papers")
    assert "sync takes a Zotero collection key (8 letters or digits), got 'my-papers'" in bad
    async with running_testbot(db, bot_settings()) as plain:
        reply = await plain.exec_command("/library sync")
    assert "Zotero is not set up here" in reply and "ZOTERO_API_KEY" in reply


async def test_a_refused_key_is_said_and_nothing_changes(
    db: Database, http_server: FakeHttpServer, zotero: FakeZotero
) -> None:
    settings = bot_settings(
        zotero_api_url=serve_zotero(http_server, zotero), zotero_api_key="revoked",
        zotero_user_id=USER_ID,
    )  # fmt: skip
    async with running_testbot(db, settings) as bot:
        reply = await bot.exec_command("/library sync")
        listing = await bot.exec_command("/library")
    assert "Zotero refused the key for users/475425 (Invalid key)" in reply
    assert "revoked" not in reply and "library is empty" in listing
