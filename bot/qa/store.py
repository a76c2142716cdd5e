"""Stored Q&A data: cached full texts (LRU within a size limit) and the turns of each thread."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Conversation
from bot.models import PaperText, QaTurn
from bot.qa.types import Chunk, FullText
from bot.store.db import dialect_insert


async def load_text(session: AsyncSession, paper_id: int) -> tuple[FullText, datetime] | None:
    """A paper's cached full text and when it was fetched, or None."""
    row = (await session.exec(select(PaperText).where(PaperText.paper_id == paper_id))).first()
    if row is None:
        return None
    chunks = tuple(Chunk(section, text) for section, text in row.chunks)
    return FullText(row.kind, chunks), row.fetched_at


async def touch_text(session: AsyncSession, paper_id: int, now: datetime) -> None:
    """Mark a cached text as just used (for LRU eviction)."""
    statement = update(PaperText).where(col(PaperText.paper_id) == paper_id).values(used_at=now)
    await session.exec(statement)  # type: ignore[call-overload]


async def save_text(session: AsyncSession, paper_id: int, text: FullText, now: datetime) -> None:
    """Store (or replace) a paper's full text: an upsert, so two questions at once never collide."""
    chunks = [[c.section, c.text] for c in text.chunks]
    values = {"paper_id": paper_id, "kind": text.kind, "chunks": chunks, "chars": text.chars,
              "fetched_at": now, "used_at": now}  # fmt: skip
    insert = dialect_insert(session)(PaperText).values(**values)
    replace = {name: insert.excluded[name] for name in values if name != "paper_id"}
    await session.exec(  # type: ignore[call-overload]
        insert.on_conflict_do_update(index_elements=["paper_id"], set_=replace)
    )


async def evict_texts(session: AsyncSession, limit_chars: int, keep: int) -> int:
    """Delete least recently used texts until the total fits `limit_chars`; how many went."""
    total = (await session.exec(select(func.coalesce(func.sum(PaperText.chars), 0)))).one()
    if total <= limit_chars:
        return 0
    rows = await session.exec(
        select(PaperText.id, PaperText.chars, PaperText.paper_id).order_by(col(PaperText.used_at))
    )
    doomed: list[int] = []
    for row_id, chars, paper_id in rows:
        if total <= limit_chars:
            break
        if paper_id != keep and row_id is not None:
            doomed.append(row_id)
            total -= chars
    if doomed:
        await session.exec(delete(PaperText).where(col(PaperText.id).in_(doomed)))  # type: ignore[call-overload]
    return len(doomed)


def _where(conversation: Conversation, paper_id: int) -> list:
    return [
        QaTurn.platform == conversation.platform,
        QaTurn.workspace == conversation.workspace,
        QaTurn.channel == conversation.channel,
        QaTurn.thread == (conversation.thread or ""),
        QaTurn.paper_id == paper_id,
    ]


async def recent_turns(
    session: AsyncSession, conversation: Conversation, paper_id: int, limit: int = 12
) -> list[tuple[str, str]]:
    """The thread's last `limit` (question, answer) pairs about the paper, oldest first."""
    statement = (
        select(QaTurn.question, QaTurn.answer)
        .where(*_where(conversation, paper_id))
        .order_by(col(QaTurn.id).desc())
        .limit(limit)
    )
    rows = list(await session.exec(statement))
    return [(q, a) for q, a in reversed(rows)]


async def add_turn(
    session: AsyncSession, conversation: Conversation, paper_id: int, question: str, answer: str
) -> None:
    """Remember one question and its answer in the thread."""
    turn = QaTurn(
        platform=conversation.platform,
        workspace=conversation.workspace,
        channel=conversation.channel,
        thread=conversation.thread or "",
        paper_id=paper_id,
        question=question,
        answer=answer,
    )
    session.add(turn)
