"""The numbers of each channel's most recent digest, kept in the store, not in a process.

A delivered digest keeps its numbers in its delivery row (`plan["positions"]`), so numbering
costs no row of its own; a preview (not a delivery) writes `DigestPosition` rows, which the
next delivered digest clears.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Delivery, DigestPosition, Paper
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


DIGESTS = col(Delivery.kind).in_(("daily",)) | col(Delivery.kind).startswith("now")
LOOK_BACK = 20  # deliveries looked at for the newest with numbers (quiet ones have none)


async def positions(session: AsyncSession, channel_id: int) -> dict[int, str]:
    """Position → paper key of the channel's most recent digest (empty before the first)."""
    rows = await session.exec(
        select(DigestPosition.position, Paper.key)
        .join(Paper, col(Paper.id) == col(DigestPosition.paper_id))
        .where(DigestPosition.channel_id == channel_id)
    )
    previewed = dict(rows.all())
    if previewed:
        return previewed
    numbers = await delivered_positions(session, channel_id)
    if not numbers:
        return {}
    wanted = list(numbers.values())
    keys = await session.exec(select(Paper.id, Paper.key).where(col(Paper.id).in_(wanted)))
    by_id = dict(keys.all())
    return {n: by_id[pid] for n, pid in numbers.items() if pid in by_id}


async def delivered_positions(session: AsyncSession, channel_id: int) -> dict[int, int]:
    """Position → paper id of the channel's newest delivered digest that numbered papers."""
    plans = await session.exec(
        select(Delivery.plan)
        .where(Delivery.channel_id == channel_id, col(Delivery.header_ref).is_not(None), DIGESTS)
        .order_by(col(Delivery.id).desc())
        .limit(LOOK_BACK)
    )
    for plan in plans:
        numbered = (plan or {}).get("positions")
        if numbered:
            return {int(n): int(pid) for n, pid in numbered.items()}
    return {}


def numbered(papers: Mapping[int, int]) -> dict[str, int]:
    """Position → paper id as a plan stores it (JSON keys are strings)."""
    return {str(n): pid for n, pid in papers.items()}
