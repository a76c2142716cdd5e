"""A channel's seed library: adding, listing, removing and clearing its papers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import LibraryPaper, LibrarySync, Paper, utcnow
from bot.store.db import dialect_insert, insert_new


async def add_to_library(
    session: AsyncSession, channel_id: int, papers: Sequence[Paper], user: str, origin: str
) -> int:
    """Add papers the library lacks; how many were new (safe when two adds race)."""
    have = set(await library_paper_ids(session, channel_id))
    wanted = list(dict.fromkeys(p.id for p in papers if p.id is not None and p.id not in have))
    rows = [
        {
            "channel_id": channel_id,
            "paper_id": paper_id,
            "added_by": user[:100],
            "origin": origin,
            "added_at": utcnow(),
        }
        for paper_id in wanted
    ]
    return len(await insert_new(session, LibraryPaper, rows, "paper_id")) if rows else 0


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


async def libraries_papers(
    session: AsyncSession, channel_ids: Sequence[int]
) -> dict[int, list[Paper]]:
    """`library_papers` for many channels at once (channels with an empty library left out)."""
    found: dict[int, list[Paper]] = {}
    for start in range(0, len(channel_ids), 900):
        part = list(channel_ids[start : start + 900])
        rows = await session.exec(
            select(LibraryPaper.channel_id, Paper)
            .join(LibraryPaper, col(LibraryPaper.paper_id) == col(Paper.id))
            .where(col(LibraryPaper.channel_id).in_(part))
            .order_by(col(LibraryPaper.id))
        )
        for channel_id, paper in rows:
            found.setdefault(channel_id, []).append(paper)
    return found


async def library_size(session: AsyncSession, channel_id: int) -> int:
    """How many papers the library holds."""
    query = (
        select(func.count()).select_from(LibraryPaper).where(LibraryPaper.channel_id == channel_id)
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
    await session.exec(
        delete(LibrarySync).where(col(LibrarySync.channel_id) == channel_id)  # type: ignore[call-overload]
    )  # an emptied library syncs in full next time
    return int(result.rowcount or 0)


async def synced_version(session: AsyncSession, channel_id: int, source: str) -> int | None:
    """The library version the channel last synced in full from `source`, if any."""
    row = await session.get(LibrarySync, (channel_id, source))
    return row.version if row is not None else None


async def set_synced_version(
    session: AsyncSession, channel_id: int, source: str, version: int
) -> None:
    """Remember that the channel holds `source` up to `version` (an upsert)."""
    statement = dialect_insert(session)(LibrarySync).values(
        channel_id=channel_id, source=source, version=version, synced_at=utcnow()
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel_id", "source"],
        set_={"version": statement.excluded.version, "synced_at": statement.excluded.synced_at},
    )
    await session.exec(statement)  # type: ignore[call-overload]
