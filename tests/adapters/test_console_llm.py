"""The whole bot with an LLM configured: summaries come from the (fake) OpenAI server, in the
channel's language, each paper summarized once however many digests show it (the digest's
papers in one batched call)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.openai_server import (
    Completion,
    Failure,
    FakeOpenAIServer,
    fenced_papers,
    running_openai_server,
    summary_responder,
)

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
LLM_SUMMARY = {
    "one_line": "一句话。",
    "tldr": "提出了一种纠缠纯化方案。",
    "motivation": "量子中继需要纠缠纯化。",
    "method": "进行乐观纯化。",
    "result": "保真度提高。",
    "conclusion": "方案可行。",
    "keywords": [],  # each paper's title words (a summary must belong to its paper)
    "score": 77,
    "score_reason": "有定量结果。",
}


def summary_calls(llm: FakeOpenAIServer) -> list[dict[str, object]]:
    """The requests that asked for paper summaries (one or a batch; not themes)."""
    return [b for b in llm.bodies if "paper_summar" in json.dumps(b.get("response_format"))]


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        fake.script(summary_responder(lambda title: {**LLM_SUMMARY, "keywords": title.split()}))
        yield fake


@pytest.fixture
async def llm_bot(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    settings = bot_settings(
        arxiv_rss_url=f"{http_server.url}/rss/",
        llm_base_url=llm.base_url,
        llm_api_key="test-key",
        llm_model="fake-model",
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
    assert "评分 (llm's quality rating): 77/100" in digest
    [batch] = summary_calls(llm)  # the digest's three papers in one call
    assert [i for i, _ in fenced_papers(batch)] == ["p1", "p2", "p3"]
    assert 2 <= len(llm.bodies) <= 4  # and one themes call per category of the three papers
    assert all("Chinese" in json.dumps(body, ensure_ascii=False) for body in llm.bodies)

    again = await llm_bot.exec_command("/digest now")
    assert len(summary_calls(llm)) == 1  # cached per (paper, language, model, prompt version)
    assert re.findall(r"^\[\d\] ", again, re.MULTILINE) == ["[1] ", "[2] ", "[3] "]


def favour_the_last_candidate(body: dict[str, object]) -> Completion:
    """An LLM that answers a rerank with 10 for the last paper listed and 0 for the others,
    and a summary for anything else."""
    messages: list[dict[str, str]] = body.get("messages")  # type: ignore[assignment]
    prompt = "\n".join(m["content"] for m in messages)
    ids = [int(i) for i in re.findall(r'<paper id="(\d+)">', prompt)]
    if "paper_relevance" not in json.dumps(body.get("response_format")) or not ids:
        return summary_responder(lambda _title: LLM_SUMMARY)(body)
    scores = [{"id": i, "relevance": 10 if i == ids[-1] else 0, "reason": "r"} for i in ids]
    return Completion(json.dumps({"scores": scores}))


async def test_rerank_changes_the_order_when_enabled(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> None:
    llm.script(favour_the_last_candidate)
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    plain, reranked = [], []
    for rerank, titles in ((False, plain), (True, reranked)):
        settings = bot_settings(
            arxiv_rss_url=f"{http_server.url}/rss/", llm_base_url=llm.base_url,
            llm_api_key="k", llm_model="fake-model", llm_rerank=rerank,
        )  # fmt: skip
        bot = await make_testbot(db, settings)
        try:
            await bot.exec_command("/subscribe cat:quant-ph entanglement")
            titles.extend(re.findall(r"^\[\d+\] (.+)$", await bot.exec_command("/digest preview"),
                                     re.MULTILINE))  # fmt: skip
        finally:
            await bot.app.aclose()
    assert len(plain) == len(reranked) == 10
    assert reranked[0] != plain[0] and reranked[0] not in plain  # from beyond the top ten
    assert any("paper_relevance" in json.dumps(b.get("response_format")) for b in llm.bodies)


async def test_footer_says_all_summaries_are_extracts_when_the_llm_gave_none(
    llm_bot: TestBot, llm: FakeOpenAIServer
) -> None:
    llm.script(Failure(400, "context length exceeded"))  # every call, batch and single
    await llm_bot.exec_command("/subscribe cat:quant-ph entanglement")
    await llm_bot.exec_command("/size 3")
    digest = await llm_bot.exec_command("/digest preview")
    assert "All summaries are extracts from the abstracts: the LLM did not answer." in digest
    assert "Some summaries are extracts" not in digest


async def test_footer_says_some_when_only_some_are_extracts(
    llm_bot: TestBot, llm: FakeOpenAIServer
) -> None:
    good = summary_responder(lambda title: {**LLM_SUMMARY, "keywords": title.split()})
    llm.script(Failure(400, "context length exceeded"), Failure(400, "no"), good)
    await llm_bot.exec_command("/subscribe cat:quant-ph entanglement")
    await llm_bot.exec_command("/size 3")
    digest = await llm_bot.exec_command("/digest preview")
    assert "Some summaries are extracts from the abstracts: the LLM did not answer." in digest
    assert "All summaries are extracts" not in digest
