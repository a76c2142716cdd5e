"""`rank impact` and `briefing now` through the console, offline and with the fake LLM judge."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import create_app
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from bot.summary.offline import OfflineSummarizer
from tests.botharness import TestBot, bot_settings
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.impact_judge import HiddenOrderJudge, judged_pair
from tests.fakes.openai_server import Completion, FakeOpenAIServer, running_openai_server

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"


async def make_bot(db: Database, server: FakeHttpServer, **settings: Any) -> TestBot:
    """A console bot whose clock is the real one (`digest now` stamps papers with it)."""
    server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    config = bot_settings(arxiv_rss_url=f"{server.url}/rss/", **settings)
    app = await create_app(config, clock=lambda: datetime.now(UTC), http=HttpFetcher(config),
                           db=db, summarizer=OfflineSummarizer())  # fmt: skip
    return TestBot(app)


async def test_offline_rank_impact_says_it_needs_an_llm_and_ranks_by_score(
    db: Database, http_server: FakeHttpServer
) -> None:
    bot = await make_bot(db, http_server)
    try:
        empty = await bot.exec_command("/rank impact")
        await bot.exec_command("/subscribe cat:quant-ph")
        await bot.exec_command("/size 8")
        await bot.exec_command("/digest now")
        ranked = await bot.exec_command("/rank impact today")
        wrong = await bot.exec_command("/rank citations")
        briefing = await bot.exec_command("/briefing now")
    finally:
        await bot.app.aclose()
    assert "No papers were delivered here in the last 7 days" in empty
    assert "needs an LLM" in ranked and "5. [" in ranked and "6. [" not in ranked
    assert "expects impact" in wrong and "rank impact [week|today]" in wrong
    assert "Weekly briefing" in briefing and "8 papers this week" in briefing


def router(judge: HiddenOrderJudge) -> Any:
    """Judgments from the hidden order; themes and briefings as small valid replies."""

    def respond(body: dict[str, Any]) -> Completion:
        if judged_pair(body) is not None:
            return judge(body)
        name = body.get("response_format", {}).get("json_schema", {}).get("name", "")
        if name == "digest_themes":
            return Completion(json.dumps({"themes": ["Qubits (#1).", "Noise (#2)."]}))
        return Completion("{}")

    return respond


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        yield fake


async def test_rank_impact_with_an_llm_shows_the_top_five_with_records_and_reasons(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> None:
    judge = HiddenOrderJudge([], noise=0.0)
    llm.script(router(judge))
    bot = await make_bot(db, http_server, llm_base_url=llm.base_url, llm_api_key="k",
                         llm_model="fake-model", impact_candidates=8)  # fmt: skip
    try:
        await bot.exec_command("/subscribe cat:quant-ph")
        await bot.exec_command("/size 8")
        await bot.exec_command("/digest now")
        ranked = await bot.exec_command("/rank impact")
        asked = len(judge.pairs)
        again = await bot.exec_command("/rank impact week")
    finally:
        await bot.app.aclose()
    assert "Impact ranking" in ranked and "8 papers" in ranked
    lines = [line for line in ranked.splitlines() if line[:3] in {f"{n}. " for n in range(1, 6)}]
    assert len(lines) == 5 and all("–" in line for line in lines)
    titles = {title for pair in judge.pairs for title in pair}
    best = min(titles, key=judge.place)
    assert len(titles) == 8 and best.split()[0] in lines[0], "noise-free: the true best first"
    assert "opens a broader line of work" in ranked
    assert 8 <= asked <= 2 * 5 * 8 // 2 + 20 and len(judge.pairs) == asked, "cached the 2nd time"
    assert again.split("\n", 1)[1] == ranked.split("\n", 1)[1]
