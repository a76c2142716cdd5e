"""Opt-in (`make test-llm`, never in CI): paperbot against a real llama.cpp server running
SmolLM2-135M-Instruct on this CPU, with only LLM_BASE_URL and LLM_MODEL set.

The model is tiny and its output poor, which is the point: whatever it writes, each paper
ends with its own LLM summary or a correct fallback (never another paper's content, never
a copied abstract), the answer about PaSa cites a given section or is shown with its
passages, and the usage paperbot records matches the server's own token counts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.models import LlmUsage, Paper, SummaryRecord
from bot.qa.citations import check_citations
from bot.store.db import Database
from bot.summary.llm_output import SummaryOutput
from bot.summary.ownership import misplaced
from bot.summary.types import PaperText, Summary
from tests.bot.qa.helpers import PASA_ID, pasa_pdf, store_pasa
from tests.botharness import bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.llm.llama_server import llama_server, metrics

pytestmark = [pytest.mark.llm, pytest.mark.timeout(3600)]
QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
UNDER = "Not every claim above cites a passage it was given"


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    with llama_server() as base:
        yield base


def _report(name: str, **facts: object) -> None:
    print(f"\n[real-model] {name}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))


async def _usage(db: Database) -> tuple[int, int, int]:
    async with db.session() as session:
        rows = list(await session.exec(select(LlmUsage)))
    return (sum(r.calls for r in rows), sum(r.prompt_tokens for r in rows),
            sum(r.completion_tokens for r in rows))  # fmt: skip


def _server_tokens(base: str) -> tuple[float, float]:
    m = metrics(base)
    prompt = m.get("llamacpp:prompt_tokens_total", 0) + m.get(
        "llamacpp:prompt_tokens_cached_total", 0
    )
    return prompt, m.get("llamacpp:tokens_predicted_total", 0)


async def test_digest_of_three_papers_gives_own_summaries_or_fallbacks(
    llama: str, db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    settings = bot_settings(
        arxiv_rss_url=f"{http_server.url}/rss/", llm_base_url=f"{llama}/v1", llm_model="smollm2"
    )
    before = _server_tokens(llama)
    bot = await make_testbot(db, settings)
    started = time.monotonic()
    try:
        await bot.exec_command("/subscribe cat:quant-ph")
        await bot.exec_command("/size 3")
        digest = await bot.exec_command("/digest now")
    finally:
        await bot.app.aclose()
    seconds = time.monotonic() - started
    async with db.session() as session:
        records = list(await session.exec(select(SummaryRecord)))
        papers = {p.id: p for p in await session.exec(select(Paper))}
    llm_made = [Summary.from_dict(r.data) for r in records]
    shown = [p for p in papers.values() if " ".join(p.title.split())[:40] in digest]
    calls, prompt, completion = await _usage(db)
    after = _server_tokens(llama)
    server_prompt, server_completion = after[0] - before[0], after[1] - before[1]
    _report(
        "digest", seconds=round(seconds), llm_summaries=len(llm_made), calls=calls,
        recorded=(prompt, completion), server=(server_prompt, server_completion),
    )  # fmt: skip
    print(digest)
    assert len(shown) == 3, digest
    assert {r.paper_id for r in records} <= {p.id for p in shown}
    texts = [PaperText(p.key, p.title, p.abstract) for p in shown]
    for record, summary in zip(records, llm_made, strict=True):
        own = next(i for i, p in enumerate(shown) if p.id == record.paper_id)
        output = SummaryOutput.model_validate(summary.to_dict())
        reasons = misplaced([output] * len(texts), texts)
        assert reasons[own] == "", (summary, reasons[own])  # its own paper's content
    if len(llm_made) < 3:
        assert "summaries are extracts" in digest.lower()
    total, server_total = prompt + completion, server_prompt + server_completion
    assert abs(total - server_total) <= 0.10 * server_total


async def test_question_about_pasa_cites_a_section_or_shows_its_passages(
    llama: str, db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route(f"/pdf/{PASA_ID}", Reply(pasa_pdf(), content_type="application/pdf"))
    settings = bot_settings(
        llm_base_url=f"{llama}/v1", llm_model="smollm2",
        arxiv_pdf_url=f"{http_server.url}/pdf/", arxiv_html_url=f"{http_server.url}/html/",
    )  # fmt: skip
    await store_pasa(db)
    bot = await make_testbot(db, settings)
    started = time.monotonic()
    try:
        answer = await bot.exec_command(f"/ask {PASA_ID} Which datasets were used to train PaSa?")
    finally:
        await bot.app.aclose()
    calls, prompt, completion = await _usage(db)
    _report("question", seconds=round(time.monotonic() - started), calls=calls,
            recorded=(prompt, completion))  # fmt: skip
    print(answer)
    if "Extracts from the paper" in answer:  # the LLM failed: extracts, labelled
        assert "\n§" in answer and "\n> " in answer
        return
    body = answer.split(UNDER)[0]
    labels = re.findall(r"§[\d.]+(?: [A-Z][\w-]*)*", body)
    # the service showed the passages under an answer with an uncited claim, or it cites
    assert UNDER in answer or (labels and check_citations(body, labels).ok)
