"""`digest now` is rate-limited per channel and, in groups, for administrators by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.messages import Conversation, IncomingMessage
from bot.models import DeliveredPaper, Delivery
from bot.posts import DigestHeader, PaperPost
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
GROUP = Conversation("telegram", "-100123", "")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 4, 28, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def testbot(
    db: Database, http_server: FakeHttpServer, clock: Clock
) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(
        db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/", digest_now_interval=60), clock
    )
    try:
        yield bot
    finally:
        await bot.app.http.aclose()


async def say(bot: TestBot, text: str, *, admin: bool = True) -> RecordingSender:
    sender = RecordingSender()
    await bot.app.bot.handle(IncomingMessage(GROUP, text, "u1", is_admin=admin), sender)
    return sender


async def test_digest_now_once_a_minute_per_channel(testbot: TestBot, clock: Clock) -> None:
    await say(testbot, "subscribe cat:quant-ph entanglement")
    first = await say(testbot, "digest now")
    assert len(first.sent) > 2  # header and papers
    clock.now += timedelta(seconds=20)
    again = await say(testbot, "digest now")
    assert [m.kind for m in again.sent] == ["error"] and "40 s" in again.texts[0]
    other = await testbot.exec_command("/subscribe cat:quant-ph")  # another channel is free
    assert "Subscribed" in other
    assert "works again" not in await testbot.exec_command("/digest now")
    clock.now += timedelta(seconds=41)
    later = await say(testbot, "digest now")
    assert all(m.kind != "error" for m in later.sent)


async def test_digest_now_in_a_group_is_for_administrators(testbot: TestBot) -> None:
    await say(testbot, "subscribe cat:quant-ph entanglement")
    refused = await say(testbot, "digest now", admin=False)
    assert [m.kind for m in refused.sent] == ["error"] and "administrator" in refused.texts[0]
    preview = await say(testbot, "digest preview", admin=False)
    assert len(preview.sent) > 2
    testbot.app.settings.digest_now_admin_only = False
    allowed = await say(testbot, "digest now", admin=False)
    assert len(allowed.sent) > 2


async def test_digest_now_is_recorded_as_a_delivery_of_its_own(
    testbot: TestBot, clock: Clock, db: Database
) -> None:
    await say(testbot, "subscribe cat:quant-ph")
    first = await say(testbot, "digest now")
    papers = [m for m in first.sent if isinstance(m, PaperPost)]
    assert isinstance(first.sent[0], DigestHeader) and len(papers) >= 2
    clock.now += timedelta(minutes=5)
    await say(testbot, "subscribe cat:quant-ph entanglement")  # nothing new: already posted
    async with db.session() as session:
        deliveries = list(await session.exec(select(Delivery).order_by(col(Delivery.id))))
        rows = list(await session.exec(select(DeliveredPaper)))
    assert [(d.kind, d.status, d.papers) for d in deliveries] == [("now1", "sent", len(papers))]
    assert deliveries[0].header_ref == "m1" and deliveries[0].digest_date == clock.now.date()
    assert {(r.delivery_id, r.position, r.message_ref) for r in rows} == {
        (deliveries[0].id, p.paper.number, f"m{n}") for n, p in enumerate(papers, 2)
    }
    liked = await say(testbot, "like 2")  # paper 2 of that digest, from the store
    assert f"👍 for “{papers[1].paper.title}”" in liked.texts[0]
