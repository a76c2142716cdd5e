"""Themes per (category, language, papers): one call shared by every channel, composed per
digest with the digest's own numbers; no call grows with the number of channels."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

import pytest

from bot.digest.category_themes import CategoryPaper, Theme, compose_themes, parse_themes
from bot.digest.corpus import Corpus
from bot.digest.llm_extras import category_papers
from bot.digest.service import with_keyword_themes
from bot.digest.theme_board import ThemeBoard
from bot.messages import Conversation
from bot.models import Announcement, Paper
from bot.store.db import Database
from tests.bot.digest.test_render import digest_paper
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.clock import RecordingSleep
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.openai_server import (
    Completion,
    FakeOpenAIServer,
    running_openai_server,
    summary_responder,
)

DAY = date(2025, 4, 28)
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
SUMMARY = {
    "one_line": "One line.", "tldr": "A tl;dr.", "motivation": "Why.", "method": "How.",
    "result": "What.", "conclusion": "So.", "keywords": ["entanglement", "qubits", "noise"],
    "score": 70, "score_reason": "Clear.",
}  # fmt: skip
PAPERS = [CategoryPaper(10, "Sparse attention"), CategoryPaper(20, "Long context"),
          CategoryPaper(30, "Protein folding")]  # fmt: skip


def themes_schema(body: dict[str, Any]) -> bool:
    return '"category_themes"' in json.dumps(body.get("response_format"))


def themes_responder(body: dict[str, Any]) -> Completion:
    """Category themes naming every paper listed (by number), else summaries."""
    if not themes_schema(body):
        return summary_responder(lambda _title: SUMMARY)(body)
    user = body["messages"][-1]["content"]
    count = len(re.findall(r"^\d+\. ", user, re.MULTILINE))
    every, even = list(range(1, count + 1)), list(range(2, count + 1, 2))
    themes = [
        {"text": "Entanglement distribution over networks (#1, #2)", "papers": every},
        {"text": "Noise in qubit control", "papers": even},
    ]
    return Completion(json.dumps({"themes": themes}))


def test_parse_maps_numbers_to_ids_and_strips_numbers_from_the_text() -> None:
    reply = {"themes": [
        {"text": "- Sparse attention (#1, #2) meets long context", "papers": [1, 2, 9, True]},
        {"text": "Only out of range", "papers": [7]},
        {"text": "Folding #3", "papers": [3]},
    ]}  # fmt: skip
    themes = parse_themes(json.dumps(reply), PAPERS)
    assert themes == (
        Theme("Sparse attention meets long context", frozenset({10, 20})),
        Theme("Folding", frozenset({30})),
    )


def test_compose_keeps_the_digests_papers_renumbered_most_cited_first() -> None:
    papers = [digest_paper(number=1, paper_id=30), digest_paper(number=2, paper_id=20)]
    themes = [Theme("Attention", frozenset({10, 20})), Theme("Folding and context",
              frozenset({20, 30})), Theme("Elsewhere", frozenset({99}))]  # fmt: skip
    assert compose_themes(papers, themes) == ("Folding and context (#1, #2)", "Attention (#2)")


async def test_board_asks_once_for_concurrent_callers_and_retries_failure_later() -> None:
    calls: list[str] = []
    gate = asyncio.Event()
    answers: list[tuple[Theme, ...] | None] = [None, (Theme("T", frozenset({10})),), None]

    async def write(category: str, papers: Sequence[CategoryPaper], language: str) -> Any:
        calls.append(category)
        await gate.wait()
        return answers.pop(0)

    time = RecordingSleep()
    board = ThemeBoard(write, "m:v1", retry_after=60, clock=time.clock)
    waiting = [asyncio.create_task(board.themes("cs.CL", PAPERS, "en")) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [None] * 5 and calls == ["cs.CL"]
    assert await board.themes("cs.CL", PAPERS[::-1], "en") is None  # same set, failure kept
    await time(61)
    assert await board.themes("cs.CL", PAPERS, "en") is not None and len(calls) == 2
    assert await board.themes("cs.CL", PAPERS, "zh") is None and len(calls) == 3  # new key


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with running_openai_server() as fake:
        fake.script(themes_responder)
        yield fake


@pytest.fixture
async def llm_bot(
    db: Database, http_server: FakeHttpServer, llm: FakeOpenAIServer
) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    settings = bot_settings(
        arxiv_rss_url=f"{http_server.url}/rss/", llm_base_url=llm.base_url,
        llm_api_key="test-key", llm_model="fake-model",
    )  # fmt: skip
    bot = await make_testbot(db, settings)
    try:
        yield bot
    finally:
        await bot.app.aclose()


def themes_asked(llm: FakeOpenAIServer) -> Counter[tuple[str, str]]:
    """(category, language code) of each themes request."""
    asked: Counter[tuple[str, str]] = Counter()
    for body in filter(themes_schema, llm.bodies):
        system, user = (m["content"] for m in body["messages"])
        language = re.search(r'language code "([^"]+)"', system)
        category = re.search(r"^Category (\S+):", user, re.MULTILINE)
        assert language and category
        asked[(category[1], language[1])] += 1
    return asked


async def test_channels_sharing_a_category_share_its_one_themes_call(
    llm_bot: TestBot, llm: FakeOpenAIServer
) -> None:
    chats = [Conversation("console", f"lab-{n}") for n in range(4)]
    queries = ["entanglement", "qubit", "quantum", "entanglement OR noise"]
    for chat, query in zip(chats, queries, strict=True):
        await llm_bot.exec_command(f"/subscribe cat:quant-ph {query}", conversation=chat)
    await llm_bot.exec_command("/language zh", conversation=chats[3])
    digests = [await llm_bot.exec_command("/digest now", conversation=chat) for chat in chats]
    asked = themes_asked(llm)
    assert asked and set(asked.values()) == {1}  # each (category, language) once
    assert {language for _, language in asked} == {"en", "zh"}
    assert "Entanglement distribution over networks (#1, #2, #3" in digests[0]
    assert "(#1, #2)" not in digests[0].replace("(#1, #2, ", "")  # the model's own numbers go
    later = Conversation("console", "lab-later")
    await llm_bot.exec_command("/subscribe cat:quant-ph entanglement", conversation=later)
    again = await llm_bot.exec_command("/digest now", conversation=later)
    assert themes_asked(llm) == asked and "Entanglement distribution" in again


def test_category_papers_read_the_whole_category_or_a_resumed_digests_own() -> None:
    papers = [digest_paper(number=1, paper_id=20, title="Long context", primary_category="cs.CL"),
              digest_paper(number=2, paper_id=30, title="Folding", primary_category="q-bio")]
    rows = [(Paper(id=i, key=f"k{i}", source="arxiv", title=t, abstract="", primary_category=c,
                   abs_url=""), Announcement(paper_id=i, announced_on=DAY))
            for i, t, c in ((10, "Sparse attention", "cs.CL"), (20, "Long context", "cs.CL"),
                            (30, "Folding", "q-bio"))]  # fmt: skip
    corpus = Corpus.of(DAY, DAY, rows)
    assert category_papers(papers, corpus) == {
        "cs.CL": [CategoryPaper(10, "Sparse attention"), CategoryPaper(20, "Long context")],
        "q-bio": [CategoryPaper(30, "Folding")],
    }
    assert category_papers(papers, None) == {
        "cs.CL": [CategoryPaper(20, "Long context")], "q-bio": [CategoryPaper(30, "Folding")]
    }


def test_fewer_than_two_llm_lines_are_topped_up_with_keyword_themes() -> None:
    keyword = ("3 papers on agents", "2 papers on retrieval")
    written = ("One (#1, #2)", "Two (#3)")
    assert with_keyword_themes(written, keyword) == written
    assert with_keyword_themes(("One (#1, #2)",), keyword) == ("One (#1, #2)", *keyword)
    assert with_keyword_themes((), keyword) == keyword
