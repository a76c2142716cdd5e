"""The daily token budget under concurrency: calls reserve in the store before they are sent."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlmodel import select

from bot.llm.metered import estimate_tokens
from bot.models import LlmUsage
from bot.store.db import Database
from bot.summary.llm import BUDGET_NOTE, REPLY_TOKENS
from bot.summary.offline import OfflineSummarizer
from bot.summary.prompts import summary_messages
from tests.bot.summary.conftest import Rig
from tests.bot.summary.test_llm import PAPER, good_json
from tests.databases import reopen
from tests.fakes.openai_server import Completion, FakeOpenAIServer

BUDGET = 1000


async def test_twenty_concurrent_summaries_on_two_replicas_keep_to_the_budget(
    server: FakeOpenAIServer, db: Database, offline: OfflineSummarizer
) -> None:
    server.script(Completion(good_json(), prompt_tokens=200, completion_tokens=100, delay=0.05))
    other = await reopen(db)
    rigs = [Rig(server, base, offline, llm_daily_token_budget=BUDGET) for base in (db, other)]
    papers = [replace(PAPER, key=f"arxiv:2501.{n:05d}") for n in range(20)]
    try:
        made = await asyncio.gather(
            *(rigs[n % 2].summarizer.summarize(paper, "en") for n, paper in enumerate(papers))
        )
    finally:
        for rig in rigs:
            await rig.client.close()
        await other.close()
    async with db.session() as session:
        rows = await session.exec(select(LlmUsage))
        spent = sum(r.prompt_tokens + r.completion_tokens for r in rows)
    reservation = estimate_tokens(summary_messages(PAPER.title, PAPER.abstract, "en"), REPLY_TOKENS)
    assert 0 < spent <= BUDGET + reservation, (spent, reservation, server.calls)
    assert spent == 300 * server.calls
    assert sum(not s.fallback for s in made) == server.calls < 20
    assert any(rig.summarizer.notes() == (BUDGET_NOTE,) for rig in rigs)
    assert await rigs[0].usage.tokens_today() == spent  # every reservation settled
