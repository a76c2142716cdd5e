"""The delivery job in chunks: what it writes per digest, the order of posts, the numbers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.app import App
from bot.digest.writer import RecordWriter
from bot.models import DeliveredPaper, Delivery, DigestPosition, Paper, SQLModel
from bot.store.db import Database
from bot.store.positions import positions, set_positions
from jobs import deliver
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel, delivery_for


async def rows(db: Database) -> dict[str, int]:
    """Rows per table."""
    counts = {}
    async with db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = (await session.exec(select(func.count()).select_from(table))).one()
    return counts


async def test_a_digest_writes_its_delivery_row_and_one_row_per_paper(
    app: App, db: Database
) -> None:
    for name in ("a", "b", "c"):
        await add_channel(db, name, "cat:quant-ph entanglement")
    before = await rows(db)
    outcomes = await deliver.run(db, delivery_for(app), {"test": PlatformRecorder()},
                                 now=MONDAY_8_BERLIN, chunk_size=2)  # fmt: skip
    after = await rows(db)
    assert [o.status for o in outcomes] == ["sent"] * 3
    grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    # per digest 1 + papers; the summary cache fills once per paper, for every digest
    assert grown == {"deliveries": 3, "delivered_papers": 30, "summaries": 10}
    async with db.session() as session:
        done = list(await session.exec(select(Delivery)))
        refs = list(await session.exec(select(DeliveredPaper.message_ref)))
    assert all(d.status == "sent" and d.papers == 10 and d.header_ref for d in done)
    assert all(r and not r.startswith("pending") for r in refs)


async def test_every_channel_gets_its_header_and_top_paper_before_the_rest(
    app: App, db: Database
) -> None:
    names = [f"c{n}" for n in range(5)]
    for name in names:
        await add_channel(db, name, "cat:quant-ph entanglement")
    order: list[tuple[str, str]] = []

    class Recording(PlatformRecorder):
        async def send(self, message):  # type: ignore[no-untyped-def]
            order.append((message.conversation.channel, message.kind))
            return await super().send(message)

    await deliver.run(db, delivery_for(app), {"test": Recording()}, now=MONDAY_8_BERLIN)
    first = order[: 2 * len(names)]
    assert sorted(first) == sorted((n, k) for n in names for k in ("digest_header", "digest_paper"))
    assert len(order) == 11 * len(names)


async def test_a_delivered_digest_numbers_its_papers_and_replaces_a_previews(
    app: App, db: Database
) -> None:
    channel = await add_channel(db, "lab", "cat:quant-ph entanglement")
    assert channel.id is not None
    async with db.session() as session:
        await set_positions(session, channel.id, {1: 1})  # a preview's numbers
    platform = PlatformRecorder()
    await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    async with db.session() as session:
        numbers = await positions(session, channel.id)
        left = (await session.exec(select(func.count()).select_from(DigestPosition))).one()
    assert left == 0
    assert list(numbers) == list(range(1, 11))
    assert list(numbers.values()) == platform.papers("lab")


async def test_a_record_the_store_refuses_fails_only_its_own_post(app: App, db: Database) -> None:
    channel = await add_channel(db, "lab", "cat:quant-ph entanglement")
    async with db.session() as session:
        delivery = Delivery(channel_id=channel.id, digest_date=MONDAY_8_BERLIN.date(),  # type: ignore[arg-type]
                            claimed_by="r1", claimed_at=MONDAY_8_BERLIN)  # fmt: skip
        session.add(delivery)
        await session.flush()
        paper_ids = list(await session.exec(select(Paper.id).limit(2)))
    writer = RecordWriter(db, "r1", lambda: MONDAY_8_BERLIN, timedelta(seconds=30))

    def row(paper_id: int) -> dict[str, object]:
        return {"channel_id": channel.id, "paper_id": paper_id, "version": 1, "position": 1,
                "delivery_id": delivery.id, "message_ref": "pending",
                "sent_at": MONDAY_8_BERLIN}  # fmt: skip

    await writer.paper(row(paper_ids[0]))
    again, other = await asyncio.gather(
        writer.paper(row(paper_ids[0])), writer.paper(row(paper_ids[1])), return_exceptions=True
    )
    assert isinstance(again, IntegrityError) and other is None
    async with db.session() as session:
        stored = list(await session.exec(select(DeliveredPaper.paper_id)))
    assert sorted(stored) == sorted(paper_ids)


async def test_a_claim_taken_over_mid_chunk_stops_that_channel_only(
    app: App, db: Database
) -> None:
    first = await add_channel(db, "a", "cat:quant-ph entanglement")
    await add_channel(db, "b", "cat:quant-ph entanglement")
    now = [MONDAY_8_BERLIN]
    taken: list[str] = []

    class Overtaken(PlatformRecorder):
        async def send(self, message):  # type: ignore[no-untyped-def]
            ref = await super().send(message)
            if message.conversation.channel == "a" and message.kind == "digest_paper" and not taken:
                taken.append("a")  # another replica takes "a" over; time moves past a renewal
                async with db.session() as session:
                    query = select(Delivery).where(Delivery.channel_id == first.id)
                    row = (await session.exec(query)).one()
                    row.claimed_by = "r2"
                    session.add(row)
                now[0] += timedelta(minutes=1)
            return ref

    platform = Overtaken()
    outcomes = await deliver.run(db, delivery_for(app, clock=lambda: now[0]), {"test": platform},
                                 now=MONDAY_8_BERLIN)  # fmt: skip
    assert [o.status for o in outcomes] == ["lost_claim", "sent"]
    assert len(platform.papers("a")) < 10 and len(platform.papers("b")) == 10


async def test_a_stop_with_the_next_chunk_prepared_keeps_its_plans_and_a_restart_sends_all(
    app: App, db: Database
) -> None:
    ids = [(await add_channel(db, n, "cat:quant-ph entanglement")).id for n in ("a", "b", "c")]
    delivery = delivery_for(app)
    platform = PlatformRecorder()

    class StopAfterTwo:
        async def send(self, message: object) -> str | None:
            ref = await platform.send(message)  # type: ignore[arg-type]
            if platform.count == 2:  # the first channel's header and top paper
                delivery.stop_requested = True
            return ref

    stopped = await deliver.run(db, delivery, {"test": StopAfterTwo()}, now=MONDAY_8_BERLIN,
                                chunk_size=1)  # fmt: skip
    assert [(o.channel_id, o.status) for o in stopped] == [(i, "stopped") for i in ids]
    async with db.session() as session:
        plans = {d.channel_id: d.plan is not None for d in await session.exec(select(Delivery))}
    # Postgres prepares the next chunk while one posts: claimed and planned, nothing posted;
    # SQLite prepares none ahead. Nobody prepared the chunk after that.
    ahead = {ids[1]: True} if db.dialect == "postgresql" else {}
    assert plans == {ids[0]: True, **ahead}
    assert len(platform.papers("a")) == 1 and not platform.papers("b")
    resumed = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN,
                                chunk_size=1)  # fmt: skip
    assert [o.status for o in resumed] == ["sent"] * 3
    for name in ("a", "b", "c"):
        assert len(platform.papers(name)) == 10 == len(set(platform.papers(name)))
