"""A channel's seed library: adding, listing, removing and clearing its papers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import LibraryPaper, Paper


async def add_to_library(
    session: AsyncSession, channel_id: int, papers: Sequence[Paper], user: str, origin: str
) -> int:
    """Add papers the library lacks; how many were new."""
    have = set(await library_paper_ids(session, channel_id))
    added = 0
    for paper in papers:
        if paper.id is None or paper.id in have:
            continue
        have.add(paper.id)
        session.add(LibraryPaper(channel_id=channel_id, paper_id=paper.id, added_by=user,
                                 origin=origin))
        added += 1
    await session.flush()
    return added


async def library_paper_ids(session: AsyncSession, channel_id: int) -> list[int]:
    """The library's paper ids, oldest first."""
    query = (
        select(LibraryPaper.paper_id)
        .where(LibraryPaper.channel_id == channel_id)
        .order_by(col(LibraryPaper.id))
    )
    return list(await session.exec(query))


async def library_papers(session: AsyncSession, channel_id: int) -> list[Paper]:
    """The library's papers, in the order they were added (1 is the first)."""
    query = (
        select(Paper)
        .join(LibraryPaper, col(LibraryPaper.paper_id) == col(Paper.id))
        .where(LibraryPaper.channel_id == channel_id)
        .order_by(col(LibraryPaper.id))
    )
    return list(await session.exec(query))


async def library_size(session: AsyncSession, channel_id: int) -> int:
    """How many papers the library holds."""
    query = select(func.count()).select_from(LibraryPaper).where(
        LibraryPaper.channel_id == channel_id
    )
    return int((await session.exec(query)).one())


async def remove_from_library(session: AsyncSession, channel_id: int, paper_id: int) -> bool:
    """Take one paper out; False when it was not in the library."""
    result = await session.exec(
        delete(LibraryPaper).where(
            col(LibraryPaper.channel_id) == channel_id, col(LibraryPaper.paper_id) == paper_id
        )  # type: ignore[call-overload]
    )
    return bool(result.rowcount)


async def clear_library(session: AsyncSession, channel_id: int) -> int:
    """Empty the library; how many papers it held."""
    result = await session.exec(
        delete(LibraryPaper).where(col(LibraryPaper.channel_id) == channel_id)  # type: ignore[call-overload]
    )
    return int(result.rowcount or 0)
