"""`search` and `more` through the whole bot: console lines and a "More like this" button."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.messages import IncomingAction, IncomingMessage
from bot.posts import paper_buttons
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
RESULT_LINE = re.compile(
    r"^(\d+)\. \[(.+)\]\((https://\S+)\) — (.+) \((\d{4}-\d\d-\d\d), ([\w.-]+)\)$", re.MULTILINE
)


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    """A bot whose store holds the recorded quant-ph day (fetched by a first digest)."""
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"))
    await bot.exec_command("/subscribe cat:quant-ph")
    await bot.exec_command("/digest preview")
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def test_console_search_lists_ten_ranked_papers_with_one_liners(testbot: TestBot) -> None:
    out = await testbot.exec_command("/search entanglement")
    assert "Search: `entanglement`: top 10 of" in out
    lines = RESULT_LINE.findall(out)
    assert [int(n) for n, *_ in lines] == list(range(1, 11))
    assert all(date == "2025-04-28" and one_line for _, _, _, one_line, date, _ in lines)
    assert "entanglement" in lines[0][1].lower()  # the best hit has it in its title


async def test_search_since_and_errors(testbot: TestBot) -> None:
    assert "top" in await testbot.exec_command("/search entanglement since:7d")
    assert "No stored papers match" in await testbot.exec_command("/search zzyzx since:7d")
    bad = await testbot.exec_command("/search entanglement since:later")
    assert "since:later" in bad and "Usage" in bad
    assert "Usage" in await testbot.exec_command('/search "unclosed')


async def test_search_is_ephemeral(testbot: TestBot) -> None:
    replies = RecordingSender()
    await testbot.app.bot.handle(IncomingMessage(testbot.conversation, "search qubit"), replies)
    assert [m.ephemeral for m in replies.sent] == [True]


async def test_more_like_this_button_answers_in_the_thread_with_five(testbot: TestBot) -> None:
    bot, convo = testbot.app.bot, testbot.conversation
    posts = RecordingSender()
    await bot.handle(IncomingMessage(convo, "/digest now"), posts)
    paper = posts.sent[1].paper
    assert paper is not None
    assert "more" in [b.action for b in paper_buttons(paper)]
    answers = RecordingSender()
    pressed = IncomingAction(replace(convo, thread="m2"), "more", paper.key, user="u1")
    await bot.handle_action(pressed, answers)
    [answer] = answers.sent
    assert answer.conversation.thread == "m2" and not answer.ephemeral
    assert answer.text.startswith("**More like")
    titles = [title for _, title, *_ in RESULT_LINE.findall(answer.text)]
    assert len(titles) == 5 and paper.title not in "".join(titles)


async def test_more_for_an_unknown_paper(testbot: TestBot) -> None:
    assert "I don't know the paper" in await testbot.exec_command("/more 9999.99999")
