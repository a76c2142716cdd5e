"""The numbers of each channel's most recent digest, kept in the store, not in a process."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import DigestPosition, Paper
from bot.store.db import dialect_insert


async def set_positions(session: AsyncSession, channel_id: int, papers: Mapping[int, int]) -> None:
    """Make `papers` (position → paper id) the channel's numbered papers, replacing the last."""
    await session.exec(  # type: ignore[call-overload]
        delete(DigestPosition).where(
            col(DigestPosition.channel_id) == channel_id,
            col(DigestPosition.position).not_in(list(papers) or [0]),
        )
    )
    if not papers:
        return
    insert = dialect_insert(session)
    rows = [
        {"channel_id": channel_id, "position": number, "paper_id": paper_id}
        for number, paper_id in papers.items()
    ]
    statement = insert(DigestPosition).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["channel_id", "position"],
        set_={"paper_id": statement.excluded.paper_id},
    )
    await session.exec(statement)  # type: ignore[call-overload]


async def positions(session: AsyncSession, channel_id: int) -> dict[int, str]:
    """Position → paper key of the channel's most recent digest (empty before the first)."""
    rows = await session.exec(
        select(DigestPosition.position, Paper.key)
        .join(Paper, col(Paper.id) == col(DigestPosition.paper_id))
        .where(DigestPosition.channel_id == channel_id)
    )
    return dict(rows.all())
