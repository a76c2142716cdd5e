"""The `weekly on|off [day]` command: grammar, the stored setting, `topics`, admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.commands.grammar import Command, CommandError
from bot.commands.registry import parse as parse_command
from bot.commands.settings import first_day
from bot.messages import IncomingMessage
from bot.models import Channel
from bot.store.db import Database
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.fakes.senders import RecordingSender


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/weekly on", Command("weekly", ("on", None))),
        ("/weekly ON fri", Command("weekly", ("on", "fri"))),
        ("weekly off", Command("weekly", ("off", None))),
    ],
)
def test_weekly_parses(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["/weekly", "/weekly maybe", "/weekly on friday",
                                  "/weekly off mon", "/weekly on mon tue"])  # fmt: skip
def test_bad_weekly_says_how_to_use_it(text: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(text)
    assert raised.value.usage == "weekly on|off [day]"


@pytest.mark.parametrize(
    ("days", "first"), [("mon-fri", "mon"), ("sun-thu", "sun"), ("wed,fri", "wed"),
                        ("daily", "mon")],
)  # fmt: skip
def test_the_default_day_is_the_first_digest_day(days: str, first: str) -> None:
    assert first_day(days) == first


@pytest.fixture
async def testbot(db: Database) -> AsyncIterator[TestBot]:
    bot = await make_testbot(db, bot_settings())
    try:
        yield bot
    finally:
        await bot.app.aclose()


async def stored_day(testbot: TestBot) -> str | None:
    async with testbot.app.db.session() as session:
        channel = (await session.exec(select(Channel))).first()
    assert channel is not None
    return channel.weekly_day


async def test_weekly_on_off_is_stored_and_shown(testbot: TestBot) -> None:
    await testbot.exec_command("/days sun-thu")
    reply = await testbot.exec_command("/weekly on")
    assert "Weekly briefing on sun at 08:00." in reply and await stored_day(testbot) == "sun"
    await testbot.exec_command("/weekly on fri")
    assert "weekly on (fri)" in await testbot.exec_command("/topics")
    assert "Weekly briefing off." in await testbot.exec_command("/weekly off")
    assert await stored_day(testbot) is None
    assert "weekly off" in await testbot.exec_command("/topics")


async def test_only_admins_change_it(testbot: TestBot) -> None:
    sender = RecordingSender()
    message = IncomingMessage(testbot.conversation, "/weekly on", is_admin=False)
    await testbot.app.bot.handle(message, sender)
    assert sender.texts and "admin" in sender.texts[0].lower()
    await testbot.exec_command("/topics")  # creates the channel if the refusal did not
    assert await stored_day(testbot) is None
