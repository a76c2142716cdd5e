"""Stored full texts: two writers saving one paper's text at once (two replicas) both succeed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import select

from bot.models import PaperText
from bot.qa.store import load_text, save_text
from bot.qa.types import Chunk, FullText
from bot.store.db import Database
from tests.bot.qa.helpers import store_pasa
from tests.databases import reopen

NOW = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)


async def test_two_replicas_saving_a_papers_text_at_once_both_succeed(db: Database) -> None:
    paper = await store_pasa(db)
    assert paper.id is not None
    other = await reopen(db)
    first = FullText("html", (Chunk("§1 Introduction", "first"),))
    second = FullText("pdf", (Chunk("§1 Introduction", "second"),))
    try:
        async with db.session() as session:
            await save_text(session, paper.id, first, NOW)
            await session.flush()  # the first writer's row exists, not yet committed
            racing = asyncio.create_task(_save(other, paper.id, second))
            # let the second writer reach its insert while the first holds its row (the
            # outcome must be the same whether it got there or not)
            await asyncio.wait({racing}, timeout=0.5)
        await asyncio.wait_for(racing, 30)
    finally:
        await other.close()
    async with db.session() as session:
        rows = list(await session.exec(select(PaperText)))
        found = await load_text(session, paper.id)
    assert len(rows) == 1 and found is not None and found[0].kind == "pdf"


async def _save(db: Database, paper_id: int, text: FullText) -> None:
    async with db.session() as session:
        await save_text(session, paper_id, text, NOW)
