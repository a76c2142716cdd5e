"""The summarizer against the fake's real-model failure modes, on three recorded quant-ph
papers: a batch that swaps papers or copies abstracts, a reply cut at max_tokens, a stream
that never ends or stalls, a one-slot server with a queue, a server that ignores
response_format. Every failure ends in the paper's own summary or the fallback."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.summary.types import PaperText
from tests.bot.sources.recorded import ARXIV_RSS
from tests.fakes.openai_server import (
    Completion,
    FakeOpenAIServer,
    fenced_papers,
    running_openai_server,
    summary_responder,
)

_FEED = parse_arxiv_feed(ARXIV_RSS.read_bytes(), "https://rss.arxiv.org/rss/quant-ph").papers
PAPERS = [PaperText(p.key, " ".join(p.title.split()), p.abstract) for p in _FEED[:3]]
BY_TITLE = {p.title: p for p in PAPERS}


def words(text: str, start: int, count: int) -> str:
    return " ".join(re.findall(r"[^\W_][\w-]*", text)[start : start + count])


def own_fields(title: str, **overrides: Any) -> dict[str, Any]:
    """Fields a faithful model writes for this paper: phrases of its own abstract."""
    abstract = BY_TITLE[" ".join(title.split())].abstract
    return {
        "one_line": words(title, 0, 10), "tldr": words(abstract, 0, 20),
        "motivation": words(abstract, 20, 12), "method": words(abstract, 32, 12),
        "result": words(abstract, 44, 12), "conclusion": words(abstract, 56, 12),
        "keywords": title.split()[:4], "score": 70, "score_reason": "clear result",
        **overrides,
    }  # fmt: skip


def batch_of(items: list[dict[str, Any]], **usage: Any) -> Completion:
    return Completion(json.dumps({"summaries": items}), **usage)


def sent_alone(fake: FakeOpenAIServer) -> list[str]:
    return sorted(title for b in fake.bodies for i, title in fenced_papers(b) if not i)


async def test_batch_that_swaps_papers_is_caught_and_they_are_asked_alone(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    p1, p2, p3 = (own_fields(p.title) for p in PAPERS)
    swapped = {**p1, **{k: p3[k] for k in ("method", "result", "conclusion")}}
    server.script(
        batch_of([{"id": "p1", **swapped}, {"id": "p2", **p2}, {"id": "p3", **p3}]),
        summary_responder(own_fields),
    )
    made = await rig_factory().summarizer.summarize_many(PAPERS, "en")
    assert sent_alone(server) == [PAPERS[0].title]  # only the paper that got another's fields
    assert [s.method for s in made] == [own_fields(p.title)["method"] for p in PAPERS]
    assert not any(s.fallback for s in made)


async def test_tldr_copying_the_abstract_is_asked_alone_then_falls_back(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    items = [{"id": f"p{n}", **own_fields(p.title)} for n, p in enumerate(PAPERS, 1)]
    items[1]["tldr"] = PAPERS[1].abstract
    copying = summary_responder(lambda title: own_fields(title, tldr=BY_TITLE[title].abstract))
    server.script(batch_of(items), copying)
    made = await rig_factory().summarizer.summarize_many(PAPERS, "en")
    assert server.calls == 3  # the batch, the paper alone, its repair round
    assert "copies the abstract" in server.bodies[2]["messages"][-1]["content"]
    assert [s.fallback for s in made] == [False, True, False]
    assert made[1].summarizer == "offline"


async def test_reply_cut_at_max_tokens_goes_to_single_calls_without_repair(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    items = [{"id": f"p{n}", **own_fields(p.title)} for n, p in enumerate(PAPERS, 1)]
    server.script(batch_of(items, completion_tokens=5_000), summary_responder(own_fields))
    made = await rig_factory(llm_max_tokens=300).summarizer.summarize_many(PAPERS, "en")
    assert server.bodies[0]["max_tokens"] == 3 * 300 + 40
    assert sent_alone(server) == sorted(p.title for p in PAPERS)  # no batch repair round
    assert [s.one_line for s in made] == [own_fields(p.title)["one_line"] for p in PAPERS]


async def test_never_ending_batch_is_cut_resent_alone_and_its_tokens_counted(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    server.script(
        Completion('{"summaries": [{"id": "p1", "keywords": ["', endless=True),
        summary_responder(own_fields, prompt_tokens=200, completion_tokens=60),
    )
    rig = rig_factory(llm_max_tokens=300)
    made = await rig.summarizer.summarize_many(PAPERS, "en")
    assert not any(s.fallback for s in made) and server.disconnects == 1
    # the cut call's estimate (prompt + more than its max_tokens) plus three finished calls
    assert await rig.usage.tokens_today() > 3 * 260 + 3 * 300 + 40


async def test_stalled_call_counts_against_the_budget(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    server.script(Completion(json.dumps(own_fields(PAPERS[0].title)), stall_after=30))
    rig = rig_factory(llm_timeout=0.2, llm_daily_token_budget=100)
    first = await rig.summarizer.summarize(PAPERS[0], "en")
    spent = await rig.usage.tokens_today()
    assert first.fallback and spent >= 100  # prompt estimate + 30 streamed tokens
    second = await rig.summarizer.summarize(PAPERS[1], "en")
    assert second.fallback and server.calls == 1 and rig.summarizer.budget_exhausted


async def test_server_ignoring_response_format_gets_bounded_output_anyway(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    title = PAPERS[0].title
    rambling = own_fields(
        title,
        method=" ".join(reversed(words(PAPERS[0].abstract, 10, 60).split())),  # > 180 chars
        keywords=[f"{w} term" for w in title.split()] * 3,
    )
    server.script(Completion("Here is the summary:\n```json\n" + json.dumps(rambling) + "\n```"))
    summary = await rig_factory().summarizer.summarize(PAPERS[0], "en")
    assert not summary.fallback and len(summary.keywords) <= 8
    assert len(summary.method) <= 181 and summary.method.endswith("…")
    assert summary.method[:-1] in rambling["method"]  # cut after a whole word
    assert rambling["method"][len(summary.method) - 1] == " "


async def test_request_carries_the_bounds_temperature_and_max_tokens(
    server: FakeOpenAIServer, rig_factory: Any
) -> None:
    server.script(summary_responder(own_fields))
    await rig_factory(llm_temperature=0.0).summarizer.summarize(PAPERS[0], "en")
    body = server.bodies[0]
    schema = body["response_format"]["json_schema"]["schema"]["properties"]
    assert body["temperature"] == 0.0 and body["max_tokens"] == 400 and body["stream"]
    assert schema["tldr"]["maxLength"] == 240 and schema["keywords"]["maxItems"] == 8
    assert (schema["score"]["minimum"], schema["score"]["maximum"]) == (0, 100)


async def test_one_slot_server_with_a_queue_answers_every_single_call(
    db: Database, rig_factory: Any
) -> None:
    async with running_openai_server(slots=1) as fake:
        fake.script(summary_responder(own_fields, completion_tokens=40))
        rig = rig_factory(fake, llm_timeout=0.3, llm_concurrency=4)
        fake.script(
            lambda body: replace_pace(summary_responder(own_fields, completion_tokens=40)(body))
        )
        made = await asyncio.gather(*(rig.summarizer.summarize(p, "en") for p in PAPERS))
    assert not any(s.fallback for s in made) and fake.max_in_flight == 1


def replace_pace(step: Completion) -> Completion:
    from dataclasses import replace

    return replace(step, tokens_per_second=150)  # ~0.3 s each: the 3rd waits ~0.6 s queued


@pytest.mark.parametrize(("tps", "expected"), [(30.0, 1), (5.0, 1), (200.0, 3), (10_000.0, 8)])
async def test_batch_size_follows_the_measured_speed(
    server: FakeOpenAIServer, rig_factory: Any, tps: float, expected: int
) -> None:
    rig = rig_factory(llm_call_seconds=5.0)
    assert rig.summarizer.batch_size == 8  # unmeasured: LLM_SUMMARY_BATCH
    server.script(Completion("x" * 160, completion_tokens=40, timings=tps))
    await rig.client.chat([{"role": "user", "content": "warm up " * 20}], model="m")
    # 5 s × tps / 300 tokens a paper, within 1..8
    assert rig.summarizer.batch_size == expected
