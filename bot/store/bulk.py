"""The delivery job's writes and reads for a chunk of channels: one statement for many rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import bindparam, func, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Channel, DeliveredPaper, Delivery, DigestPosition, Topic, utcnow
from bot.store.db import insert_ignoring_duplicates
from bot.store.deliveries import DAILY, as_utc, posted_ref

DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]
DELIVERED = DeliveredPaper.__table__  # type: ignore[attr-defined]
IN_LIMIT = 900  # ids per IN (...) list: well under SQLite's bound-parameter limit


async def _run(session: AsyncSession, statement: Any, rows: Any = None) -> Any:
    """A Core statement on the session's connection (executemany with a list of rows)."""
    connection = await session.connection()
    if rows is None:
        return await connection.execute(statement)
    return await connection.execute(statement, rows)


def _slices(items: Sequence[Any], size: int = IN_LIMIT) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


async def due_check_rows(session: AsyncSession) -> list[tuple[int, str, bool, str, str, str]]:
    """(id, platform, paused, days, time, timezone) of every active channel with a topic."""
    has_topic = select(Topic.channel_id).where(col(Topic.channel_id) == col(Channel.id)).exists()
    rows = await session.exec(
        select(Channel.id, Channel.platform, Channel.paused, Channel.digest_days,
               Channel.digest_time, Channel.timezone)
        .where(col(Channel.active).is_(True), has_topic)
        .order_by(col(Channel.id))
    )  # fmt: skip
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def channels_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[Channel, list[Topic]]]:
    """These channels with their topics (in the order they were added)."""
    found: dict[int, tuple[Channel, list[Topic]]] = {}
    for part in _slices(list(ids)):
        for channel in await session.exec(select(Channel).where(col(Channel.id).in_(part))):
            assert channel.id is not None
            found[channel.id] = (channel, [])
        topics = select(Topic).where(col(Topic.channel_id).in_(part)).order_by(col(Topic.id))
        for topic in await session.exec(topics):
            found[topic.channel_id][1].append(topic)
    return found


async def claim_many(
    session: AsyncSession, wanted: Sequence[tuple[int, date]], replica: str, now: datetime
) -> dict[int, Delivery]:
    """Claim these (channel, date) digests in one insert; every one's delivery row by channel.

    A row this call inserted has `claimed_by == replica` and `claimed_at == now`; any other
    was there before (done, held elsewhere, or ours from before a restart).
    """
    claim = {"kind": "daily", "status": "claimed", "claimed_by": replica, "claimed_at": now}
    rows = [{"channel_id": cid, "digest_date": day, "papers": 0, **claim} for cid, day in wanted]
    for part in _slices(rows, 500):
        await insert_ignoring_duplicates(session, Delivery, part)
    found: dict[int, Delivery] = {}
    days = {cid: day for cid, day in wanted}
    for part in _slices(list(days)):
        query = select(Delivery).where(col(Delivery.channel_id).in_(part), DAILY)
        query = query.where(col(Delivery.digest_date).in_(sorted({days[c] for c in part})))
        for row in await session.exec(query.execution_options(populate_existing=True)):
            if days.get(row.channel_id) == row.digest_date:
                found[row.channel_id] = row
    return found


def won_now(delivery: Delivery, replica: str, now: datetime) -> bool:
    """True for a claim made by `claim_many` at `now` (not a resumed or foreign one)."""
    return (delivery.status == "claimed" and delivery.claimed_by == replica
            and delivery.plan is None and as_utc(delivery.claimed_at) == as_utc(now))  # fmt: skip


async def save_plans(session: AsyncSession, plans: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Store each (delivery id, plan) in one executemany."""
    if plans:
        statement = update(DELIVERIES).where(DELIVERIES.c.id == bindparam("b_id"))
        await _run(session, statement.values(plan=bindparam("b_plan")),
                              [{"b_id": d, "b_plan": p} for d, p in plans])  # fmt: skip


async def finish_many(session: AsyncSession, done: Sequence[tuple[int, str, int]]) -> None:
    """Mark each (delivery id, status, papers) finished now."""
    if done:
        statement = (
            update(DELIVERIES)
            .where(DELIVERIES.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"), papers=bindparam("b_papers"), finished_at=utcnow()
            )
        )
        rows = [{"b_id": d, "b_status": s, "b_papers": n} for d, s, n in done]
        await _run(session, statement, rows)


async def set_headers(session: AsyncSession, refs: Sequence[tuple[int, str]]) -> None:
    """Record each (delivery id, header ref): pending before it is sent, its id after."""
    if refs:
        statement = update(DELIVERIES).where(DELIVERIES.c.id == bindparam("b_id"))
        await _run(session, statement.values(header_ref=bindparam("b_ref")),
                              [{"b_id": d, "b_ref": r} for d, r in refs])  # fmt: skip


# A post's records are the hottest writes (two per post, millions a day at scale): they go to
# the driver as written, one statement per batch, without SQLAlchemy's per-row binding.
_DELIVERED_COLUMNS = ("channel_id", "paper_id", "version", "delivery_id", "position",
                      "message_ref", "sent_at")  # fmt: skip
_ADD_SQLITE = (f"INSERT INTO {DELIVERED.name} ({', '.join(_DELIVERED_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(_DELIVERED_COLUMNS))})")  # fmt: skip
_ADD_POSTGRES = text(
    f"INSERT INTO {DELIVERED.name} ({', '.join(_DELIVERED_COLUMNS)}) SELECT * FROM unnest("
    "CAST(:channel_id AS INTEGER[]), CAST(:paper_id AS INTEGER[]), CAST(:version AS INTEGER[]),"
    " CAST(:delivery_id AS INTEGER[]), CAST(:position AS INTEGER[]),"
    " CAST(:message_ref AS VARCHAR[]), CAST(:sent_at AS TIMESTAMPTZ[]))"
)
_REFS_SQLITE = (f"UPDATE {DELIVERED.name} SET message_ref = ?, sent_at = ? "
                "WHERE delivery_id = ? AND paper_id = ?")  # fmt: skip
_REFS_POSTGRES = text(
    f"UPDATE {DELIVERED.name} AS d SET message_ref = v.ref, sent_at = :at FROM unnest("
    "CAST(:delivery AS INTEGER[]), CAST(:paper AS INTEGER[]), CAST(:ref AS VARCHAR[]))"
    " AS v(delivery_id, paper_id, ref) WHERE d.delivery_id = v.delivery_id"
    " AND d.paper_id = v.paper_id"
)


def _sqlite_time(connection: AsyncConnection) -> Callable[[datetime], str]:
    """How SQLAlchemy writes a `sent_at` value on this SQLite connection (its DATETIME text)."""
    sent_at = DELIVERED.c.sent_at.type
    processor = sent_at.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    assert processor is not None
    return cast(Callable[[datetime], str], processor)


async def add_delivered(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Record papers as delivered (their refs pending) in one statement."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(
            _ADD_POSTGRES, {c: [row[c] for row in rows] for c in _DELIVERED_COLUMNS}
        )
        return
    at = _sqlite_time(connection)
    values = [(r["channel_id"], r["paper_id"], r["version"], r["delivery_id"], r["position"],
               r["message_ref"], at(r["sent_at"])) for r in rows]  # fmt: skip
    await connection.exec_driver_sql(_ADD_SQLITE, values)


async def set_paper_refs(session: AsyncSession, refs: Sequence[tuple[int, int, str]]) -> None:
    """Record each (delivery id, paper id, message ref) once the platform accepted it."""
    if not refs:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        columns = {"delivery": [d for d, _, _ in refs], "paper": [p for _, p, _ in refs],
                   "ref": [r for _, _, r in refs], "at": utcnow()}  # fmt: skip
        await connection.execute(_REFS_POSTGRES, columns)
        return
    at = _sqlite_time(connection)(utcnow())
    await connection.exec_driver_sql(_REFS_SQLITE, [(r, at, d, p) for d, p, r in refs])


async def renew_claims(
    session: AsyncSession, ids: Sequence[int], replica: str, now: datetime
) -> set[int]:
    """Extend this replica's leases on these deliveries; the ids whose claim it lost."""
    renewed = 0
    for part in _slices(list(ids)):
        statement = update(DELIVERIES).where(
            DELIVERIES.c.id.in_(part), DELIVERIES.c.claimed_by == replica
        )
        renewed += (await _run(session, statement.values(claimed_at=now))).rowcount
    if renewed == len(ids):
        return set()
    lost: set[int] = set()
    for part in _slices(list(ids)):
        query = select(Delivery.id).where(col(Delivery.id).in_(part))
        query = query.where(Delivery.claimed_by != replica)
        lost.update(i for i in await session.exec(query) if i is not None)
    return lost


async def clear_positions(session: AsyncSession, channel_ids: Sequence[int]) -> None:
    """Forget previews' numbers: these channels' latest digests number their papers now."""
    for part in _slices(list(channel_ids)):
        await _run(
            session,
            DigestPosition.__table__.delete().where(  # type: ignore[attr-defined]
                DigestPosition.__table__.c.channel_id.in_(part)  # type: ignore[attr-defined]
            ),
        )


async def last_message_refs(session: AsyncSession, channel_ids: Sequence[int]) -> dict[int, str]:
    """`last_message_ref` for many channels: the newest recorded post's platform id."""
    papers: dict[int, tuple[int, str]] = {}
    headers: dict[int, tuple[int, str]] = {}
    for part in _slices(list(channel_ids)):
        dp = DeliveredPaper
        papers.update(await _newest(session, dp, dp.delivery_id, dp.message_ref, part))
        headers.update(await _newest(session, Delivery, Delivery.id, Delivery.header_ref, part))
    found = {c: ref for c, (_, ref) in papers.items()}
    for channel_id, (delivery_id, ref) in headers.items():
        if channel_id not in papers or papers[channel_id][0] < delivery_id:
            found[channel_id] = ref
    return found


async def _newest(
    session: AsyncSession, model: Any, delivery: Any, ref: Any, channel_ids: list[int]
) -> dict[int, tuple[int, str]]:
    """Per channel: (delivery id, ref) of `model`'s newest row whose ref is a platform id."""
    top = (select(model.channel_id, func.max(model.id).label("top"))
           .where(col(model.channel_id).in_(channel_ids), posted_ref(ref))
           .group_by(col(model.channel_id)).subquery())  # fmt: skip
    rows = await session.exec(
        select(model.channel_id, delivery, ref).join(top, top.c.top == col(model.id))
    )
    return {c: (d or 0, r) for c, d, r in rows if r}
