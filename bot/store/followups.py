"""Follow-ups in the store: papers posted lately, what was last seen of them, what was said."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.followups.detect import Snapshot
from bot.models import Channel, DeliveredPaper, Followup, Paper, PaperWatch, utcnow
from bot.pending import PENDING, SENT, is_pending
from bot.store.db import dialect_insert, insert_new

CHUNK = 500


@dataclass(frozen=True)
class PostedPaper:
    """A paper's post in one channel: where its thread is and what version went out."""

    channel: Channel
    paper: Paper
    version: int
    thread: str  # the paper post's message id


async def posted_since(session: AsyncSession, since: datetime) -> list[PostedPaper]:
    """The latest post of each (channel, paper) since `since`, in active channels."""
    rows = await session.exec(
        select(DeliveredPaper, Paper, Channel)
        .join(Paper, col(Paper.id) == col(DeliveredPaper.paper_id))
        .join(Channel, col(Channel.id) == col(DeliveredPaper.channel_id))
        .where(col(DeliveredPaper.sent_at) >= since, col(Channel.active).is_(True))
        .where(col(DeliveredPaper.message_ref).is_not(None))
        .order_by(col(DeliveredPaper.id))
    )
    latest: dict[tuple[int, int], PostedPaper] = {}
    for delivered, paper, channel in rows:
        ref = delivered.message_ref or ""
        if is_pending(ref) or ref == SENT:
            continue  # not (yet) a message with an id: no thread to reply in
        latest[(delivered.channel_id, delivered.paper_id)] = PostedPaper(
            channel, paper, delivered.version, ref
        )
    return list(latest.values())


async def watches(session: AsyncSession, paper_ids: Sequence[int]) -> dict[int, Snapshot]:
    """What follow-ups last saw of these papers."""
    found: dict[int, Snapshot] = {}
    for start in range(0, len(paper_ids), CHUNK):
        part = list(paper_ids[start : start + CHUNK])
        for row in await session.exec(select(PaperWatch).where(col(PaperWatch.paper_id).in_(part))):
            found[row.paper_id] = Snapshot(
                row.version, row.abstract, row.comment, row.journal_ref, row.doi,
                tuple(row.code), row.withdrawn,
            )  # fmt: skip
    return found


async def save_watches(
    session: AsyncSession, seen: Iterable[tuple[int, Snapshot]], now: datetime
) -> None:
    """Remember what was seen (an upsert: two replicas may look at once)."""
    insert = dialect_insert(session)
    for paper_id, snap in seen:
        values = {"version": snap.version, "abstract": snap.abstract, "comment": snap.comment,
                  "journal_ref": snap.journal_ref, "doi": snap.doi, "code": list(snap.code),
                  "withdrawn": snap.withdrawn, "checked_at": now}  # fmt: skip
        statement = insert(PaperWatch).values(paper_id=paper_id, **values)
        statement = statement.on_conflict_do_update(index_elements=["paper_id"], set_=values)
        await session.exec(statement)  # type: ignore[call-overload]


async def claim_followup(
    session: AsyncSession, post: PostedPaper, kind: str, text: str, now: datetime
) -> int | None:
    """Record a follow-up as pending; its id, or None when it was claimed before (anywhere)."""
    row = {"channel_id": post.channel.id, "paper_id": post.paper.id, "kind": kind, "text": text,
           "thread": post.thread, "message_ref": PENDING, "created_at": now}  # fmt: skip
    inserted = await insert_new(session, Followup, [row], "id")
    return next(iter(inserted), None)


async def unsent(session: AsyncSession, claimed_before: datetime) -> list[Followup]:
    """Follow-ups still pending that were claimed before `claimed_before` (a crashed send)."""
    rows = await session.exec(
        select(Followup).where(
            col(Followup.message_ref).startswith(PENDING),
            col(Followup.created_at) < claimed_before,
        )
    )
    return list(rows)


async def set_followup_ref(session: AsyncSession, followup_id: int, ref: str) -> None:
    """Record the follow-up's platform message id (or its pending note)."""
    row = await session.get(Followup, followup_id)
    if row is not None:
        row.message_ref = ref[:200]
        row.sent_at = None if ref.startswith(PENDING) else utcnow()
        session.add(row)
