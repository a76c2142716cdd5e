"""The core's entry points beyond commands: thread questions map back to their paper."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.messages import IncomingMessage
from bot.posts import PaperPost
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"))
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def test_question_in_a_paper_thread_is_about_that_paper(testbot: TestBot) -> None:
    bot, convo = testbot.app.bot, testbot.conversation
    await testbot.exec_command("/subscribe cat:quant-ph entanglement")
    posts = RecordingSender()
    await bot.handle(IncomingMessage(convo, "/digest now"), posts)
    second = posts.sent[2]  # header, paper 1, paper 2
    assert isinstance(second, PaperPost)

    answers = RecordingSender()
    question = IncomingMessage(replace(convo, thread="m3"), "what is the fidelity?")
    await bot.handle_question(question, answers)
    assert [m.kind for m in answers.sent] == ["typing", "answer"]
    assert second.paper.key.split(":", 1)[1] in answers.sent[1].text
    assert answers.sent[1].conversation.thread == "m3"


async def test_question_in_an_unknown_thread_gets_a_short_explanation(testbot: TestBot) -> None:
    answers = RecordingSender()
    stray = IncomingMessage(replace(testbot.conversation, thread="nope"), "why?")
    await testbot.app.bot.handle_question(stray, answers)
    assert "can't tell which paper this thread is about" in answers.sent[0].text
