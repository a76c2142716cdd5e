"""The whole bot with an LLM configured: summaries come from the (fake) OpenAI server, in the
channel's language, each paper summarized once however many digests show it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.openai_server import Completion, FakeOpenAIServer, running_openai_server

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
LLM_SUMMARY = {
    "one_line": "一句话。",
    "tldr": "提出了一种纠缠纯化方案。",
    "motivation": "量子中继需要纠缠纯化。",
    "method": "在半 RGS 上进行乐观纯化。",
    "result": "保真度提高。",
    "conclusion": "方案可行。",
    "keywords": ["entanglement purification", "RGS", "quantum repeater"],
    "score": 77,
    "score_reason": "有定量结果。",
}


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        fake.script(Completion(json.dumps(LLM_SUMMARY, ensure_ascii=False)))
        yield fake


@pytest.fixture
async def llm_bot(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    settings = bot_settings(
        arxiv_rss_url=f"{http_server.url}/rss/", llm_base_url=llm.base_url,
        llm_api_key="test-key", llm_model="fake-model",
    )
    bot = await make_testbot(db, settings)
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def test_digest_uses_llm_summaries_in_the_channel_language(
    llm_bot: TestBot, llm: FakeOpenAIServer
) -> None:
    await llm_bot.exec_command("/subscribe cat:quant-ph entanglement")
    await llm_bot.exec_command("/language zh")
    await llm_bot.exec_command("/size 3")
    digest = await llm_bot.exec_command("/digest preview")
    assert "=== 2025-04-28 论文速递 ===" in digest
    assert "要点: 提出了一种纠缠纯化方案。" in digest
    assert "评分 77/100" in digest
    assert llm.calls == 3
    assert all("Chinese" in json.dumps(body, ensure_ascii=False) for body in llm.bodies)

    again = await llm_bot.exec_command("/digest now")
    assert llm.calls == 3  # cached per (paper, language, model, prompt version)
    assert re.findall(r"^\[\d\] ", again, re.MULTILINE) == ["[1] ", "[2] ", "[3] "]
