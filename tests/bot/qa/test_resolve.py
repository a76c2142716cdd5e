"""Which paper: a never-fetched arXiv id via the arXiv API, ids in the question text, threads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.messages import IncomingMessage
from bot.qa.resolve import reference_in
from bot.store.db import Database
from bot.store.papers import find_paper, upsert_papers
from tests.bot.qa.helpers import PASA_ID, arxiv_api_body, pasa_pdf, settings_for, store_pasa
from tests.botharness import TestBot, make_testbot
from tests.factories import fetched_paper
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    http_server.route("/api/query", Reply(arxiv_api_body()))
    http_server.route(f"/pdf/{PASA_ID}", Reply(pasa_pdf(), content_type="application/pdf"))
    bot = await make_testbot(db, settings_for(http_server.url))
    try:
        yield bot
    finally:
        await bot.app.aclose()


def test_references_in_question_text() -> None:
    assert reference_in("what about arxiv.org/abs/2501.10120v1?") == "2501.10120"
    assert reference_in("see doi:10.48550/arXiv.2104.12255 please") == "2104.12255"
    url = "https://www.biorxiv.org/content/10.1101/2024.01.02.573123v2.full"
    assert reference_in(f"in {url} what") == "10.1101/2024.01.02.573123"
    assert reference_in("what data do they use?") is None


async def test_never_fetched_arxiv_id_is_looked_up_and_stored(
    testbot: TestBot, http_server: FakeHttpServer, db: Database
) -> None:
    reply = await testbot.exec_command("/ask 2104.12255 what is the main contribution?")
    assert http_server.requests_to("/api/query")[0].query["id_list"] == "2104.12255"
    assert "Extracts from the paper (no LLM configured):" in reply
    assert "https://arxiv.org/abs/2104.12255" in reply
    async with db.session() as session:
        assert await find_paper(session, "2104.12255") is not None


async def test_unknown_id_gets_a_short_explanation(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    http_server.route("/api/query", Reply("<feed xmlns='http://www.w3.org/2005/Atom'/>"))
    reply = await testbot.exec_command("/ask 2401.99999 anything?")
    assert "I can't find the paper `2401.99999`" in reply


async def test_id_in_the_question_beats_the_digest_number(testbot: TestBot, db: Database) -> None:
    await store_pasa(db)
    async with db.session() as session:
        await upsert_papers(session, [fetched_paper(arxiv_id="2104.12255")])
    await testbot.set_numbered({1: "arxiv:2104.12255"})
    reply = await testbot.exec_command(f">1 in arXiv:{PASA_ID}, which GPUs were used?")
    assert "§5.1 Experimental Setting" in reply and "H100" in reply


async def test_plain_thread_question_naming_a_paper(testbot: TestBot, db: Database) -> None:
    await store_pasa(db)
    sent = RecordingSender()
    convo = replace(testbot.conversation, thread="t-unknown")
    message = IncomingMessage(
        convo, f"https://arxiv.org/abs/{PASA_ID} which GPUs?", message_id="q7"
    )
    await testbot.app.bot.handle_question(message, sent)
    assert [(m.kind, m.reply_to) for m in sent.sent] == [("typing", "q7"), ("answer", "q7")]
    assert sent.sent[1].conversation.thread == "t-unknown" and "H100" in sent.sent[1].text


async def test_an_unreachable_source_is_not_blamed_on_the_reference(
    testbot: TestBot, http_server: FakeHttpServer
) -> None:
    http_server.route("/api/query", Reply("busy", status=503))
    reply = await testbot.exec_command("/ask 2401.99999 anything?")
    assert "I could not reach arXiv to look up `2401.99999`" in reply
    assert "ARXIV_API_URL" in reply and "Check the id" not in reply
    review = await testbot.exec_command("/review 2401.99999")
    assert "I could not reach arXiv" in review
