"""Same-channel commands at once, through the core: they never collide or interleave wrongly."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.messages import Conversation, IncomingMessage
from bot.models import Channel, Topic
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.senders import RecordingSender

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"
GROUP = Conversation("telegram", "-1001234567890")
SORRY = "Sorry, something went wrong"


@pytest.fixture
async def testbot(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TestBot]:
    http_server.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    bot = await make_testbot(db, bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"))
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def at_once(testbot: TestBot, *lines: str) -> list[list[str]]:
    """Run the lines concurrently in GROUP; each one's answers, in the order given."""
    senders = [RecordingSender() for _ in lines]
    await asyncio.gather(
        *(
            testbot.app.bot.handle(IncomingMessage(GROUP, line, "u1"), sender)
            for line, sender in zip(lines, senders, strict=True)
        )
    )
    return [sender.texts for sender in senders]


async def say(testbot: TestBot, line: str) -> list[str]:
    """One command in GROUP, alone; its answers."""
    sender = RecordingSender()
    await testbot.app.bot.handle(IncomingMessage(GROUP, line, "u1"), sender)
    return sender.texts


async def topics_of(db: Database) -> list[str]:
    async with db.session() as session:
        rows = await session.exec(select(Topic).order_by(Topic.id))  # type: ignore[arg-type]
        return [t.query for t in rows]


async def test_a_new_chats_first_commands_all_land(testbot: TestBot) -> None:
    answers = await at_once(
        testbot, "/subscribe cat:quant-ph qubit", "/subscribe cat:quant-ph entanglement",
        "/size 30", "/topics", "/subscribe cat:cs.CL agents",
    )  # fmt: skip
    assert not [a for a in answers if any(SORRY in text for text in a)], answers
    db = testbot.app.db
    async with db.session() as session:
        channels = list(await session.exec(select(Channel)))
    assert len(channels) == 1 and channels[0].max_papers == 30
    assert sorted(await topics_of(db)) == [
        "cat:cs.CL agents", "cat:quant-ph entanglement", "cat:quant-ph qubit",
    ]  # fmt: skip
    numbers = [re.search(r"topic (\d+)", a[0]) for a in (answers[0], answers[1], answers[4])]
    assert sorted(int(n[1]) for n in numbers if n) == [1, 2, 3], answers


async def test_concurrent_subscribes_never_pass_the_topic_limit(testbot: TestBot) -> None:
    for n in range(23):
        await say(testbot, f"/subscribe word{n}")
    lines = [f"/subscribe extra{n}" for n in range(5)]
    answers = await at_once(testbot, *lines)
    assert len(await topics_of(testbot.app.db)) == 25
    assert sum("at most 25 topics" in a[0] for a in answers) == 3, answers


async def test_unsubscribe_and_subscribe_at_once_remove_the_right_topics(
    testbot: TestBot,
) -> None:
    for word in ("alpha", "beta", "gamma"):
        await say(testbot, f"/subscribe {word}")
    for _round in range(3):
        before = await topics_of(testbot.app.db)
        answers = await at_once(testbot, "/unsubscribe 2", "/subscribe delta", "/unsubscribe 2")
        assert not any(SORRY in text for a in answers for text in a), answers
        removed = [m[1] for a in (answers[0], answers[2]) if (m := re.search(r"`(.+)`", a[0]))]
        assert len(removed) == len(set(removed)) == 2, answers  # two different topics went
        after = await topics_of(testbot.app.db)
        expected = [t for t in [*before, "delta"] if t not in removed]
        assert sorted(after) == sorted(expected), (before, answers, after)
        await say(testbot, "/unsubscribe all")
        for word in ("alpha", "beta", "gamma"):
            await say(testbot, f"/subscribe {word}")


async def test_digest_now_twice_at_once_posts_one_digest(testbot: TestBot) -> None:
    bot = testbot.app.bot
    await say(testbot, "/subscribe cat:quant-ph entanglement")
    first, second = RecordingSender(), RecordingSender()
    await asyncio.gather(
        bot.handle(IncomingMessage(GROUP, "/digest now"), first),
        bot.handle(IncomingMessage(GROUP, "/digest now"), second),
    )
    headers = [m for s in (first, second) for m in s.sent if m.kind == "digest_header"]
    busy = [t for s in (first, second) for t in s.texts if "already being posted" in t]
    assert len(headers) == 1 and len(busy) == 1, (first.texts, second.texts)
    assert not any("already being posted" in t for t in await say(testbot, "/digest preview"))
    assert not any("already being posted" in t for t in await say(testbot, "/digest now"))
