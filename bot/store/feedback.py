"""👍/👎 votes per channel: recording one vote per person and paper, reading a channel's votes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Feedback, Paper, utcnow
from bot.store.db import dialect_insert

CHUNK = 500


async def record_vote(
    session: AsyncSession, channel_id: int, paper_id: int, user: str, value: int
) -> None:
    """Store a person's vote (+1 or -1) on a paper; a new vote replaces their earlier one.

    An upsert on (channel, paper, user), so two quick presses never collide.
    """
    if value not in (1, -1):
        raise ValueError(f"a vote is +1 or -1, not {value}")
    insert = dialect_insert(session)(Feedback).values(
        channel_id=channel_id, paper_id=paper_id, user=user, value=value, created_at=utcnow()
    )
    statement = insert.on_conflict_do_update(
        index_elements=["channel_id", "paper_id", "user"],
        set_={"value": insert.excluded.value, "created_at": insert.excluded.created_at},
    )
    await session.exec(statement)  # type: ignore[call-overload]


async def channel_votes(session: AsyncSession, channel_id: int) -> list[tuple[Paper, int]]:
    """Each paper the channel voted on, with the sum of its votes (ties left out)."""
    rows = await session.exec(
        select(Paper, Feedback.value)
        .join(Feedback, col(Feedback.paper_id) == col(Paper.id))
        .where(Feedback.channel_id == channel_id)
    )
    totals: dict[int, tuple[Paper, int]] = {}
    for paper, value in rows:
        assert paper.id is not None
        _, total = totals.get(paper.id, (paper, 0))
        totals[paper.id] = (paper, total + value)
    return [(paper, total) for paper, total in totals.values() if total != 0]


async def channels_votes(
    session: AsyncSession, channel_ids: Sequence[int]
) -> dict[int, list[tuple[Paper, int]]]:
    """`channel_votes` for many channels in a few queries (channels without votes left out)."""
    totals: dict[int, dict[int, tuple[Paper, int]]] = {}
    for start in range(0, len(channel_ids), CHUNK):
        rows = await session.exec(
            select(Feedback.channel_id, Paper, Feedback.value)
            .join(Paper, col(Feedback.paper_id) == col(Paper.id))
            .where(col(Feedback.channel_id).in_(list(channel_ids[start : start + CHUNK])))
        )
        for channel_id, paper, value in rows:
            assert paper.id is not None
            mine = totals.setdefault(channel_id, {})
            _, total = mine.get(paper.id, (paper, 0))
            mine[paper.id] = (paper, total + value)
    return {
        channel_id: [(paper, total) for paper, total in mine.values() if total != 0]
        for channel_id, mine in totals.items()
    }
