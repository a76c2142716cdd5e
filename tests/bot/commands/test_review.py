"""`review <paper>`: a referee's review from the LLM, or a plain 'needs an LLM' offline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.openai_server import Completion, FakeOpenAIServer, running_openai_server

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
REVIEW = "\n\n".join(
    f"**{name}**\n{name} text."
    for name in ("Summary", "Strengths", "Weaknesses", "Novelty", "Likely impact", "Questions")
)


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        fake.script(Completion(REVIEW))
        yield fake


async def make_bot(db: Database, server: FakeHttpServer, **settings: object) -> TestBot:
    server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    return await make_testbot(db, bot_settings(arxiv_rss_url=f"{server.url}/rss/", **settings))


async def test_review_of_a_digest_paper_comes_from_the_llm(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> None:
    bot = await make_bot(db, http_server, llm_base_url=llm.base_url, llm_api_key="k",
                         llm_model="fake-model")  # fmt: skip
    try:
        await bot.exec_command("/subscribe cat:quant-ph entanglement")
        await bot.exec_command("/size 2")
        await bot.exec_command("/digest now")
        calls_before = llm.calls
        review = await bot.exec_command("/review 1")
    finally:
        await bot.app.aclose()
    assert "Review: " in review and "Strengths" in review and "Questions" in review
    assert llm.calls == calls_before + 1


async def test_review_offline_says_it_needs_an_llm(
    db: Database, http_server: FakeHttpServer
) -> None:
    bot = await make_bot(db, http_server)
    try:
        await bot.exec_command("/subscribe cat:quant-ph entanglement")
        await bot.exec_command("/digest now")
        reply = await bot.exec_command("/review 1")
        unknown = await bot.exec_command("/review 42")
    finally:
        await bot.app.aclose()
    assert "Reviews need an LLM" in reply
    assert "There is no paper 42 in the last digest here." in unknown


async def test_review_with_todays_budget_spent_says_so(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> None:
    bot = await make_bot(db, http_server, llm_base_url=llm.base_url, llm_api_key="k",
                         llm_model="fake-model", llm_daily_token_budget=100)  # fmt: skip
    try:
        await bot.exec_command("/subscribe cat:quant-ph entanglement")
        await bot.exec_command("/digest now")  # summaries spend the day's budget
        calls_before = llm.calls
        reply = await bot.exec_command("/review 1")
    finally:
        await bot.app.aclose()
    assert "Today's LLM budget is spent" in reply and "did not answer" not in reply
    assert llm.calls == calls_before
