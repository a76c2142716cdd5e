"""TelegramSender.find_posted: probing the ids after the last known one for an in-flight post."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import structlog
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter

from adapters.telegram.sender import TelegramSender
from bot.messages import Button, Conversation
from bot.posts import DigestHeader, Post, Reply
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_chats import CANT_EDIT, NOT_FOUND, NOT_MODIFIED, random_chatter

GROUP = -1001234567890
CHAT = Conversation("telegram", str(GROUP))
BUTTONS = (Button("like", "👍", "arxiv:2504.00001"), Button("dislike", "👎", "arxiv:2504.00001"))


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramApi]:
    fake = await FakeTelegramApi(chatter=random_chatter(random.Random(7))).start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def bot(api: FakeTelegramApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.api_url) as client:
        yield client


def post(text: str, buttons: tuple[Button, ...] = BUTTONS) -> Post:
    return Reply(CHAT, text, buttons=buttons, marker="paperbot:1:2")


def edits(api: FakeTelegramApi) -> int:
    return len(api.calls_to("editMessageReplyMarkup"))


async def test_the_fake_edits_only_the_bots_messages_with_telegrams_errors(
    api: FakeTelegramApi, bot: Bot
) -> None:
    mine = await bot.send_message(GROUP, "mine")
    [theirs] = api.chats.users_say(GROUP)
    for message_id, reason in ((theirs, CANT_EDIT), (theirs + 50, NOT_FOUND)):
        with pytest.raises(BadRequest) as caught:
            await bot.edit_message_reply_markup(GROUP, message_id)
        assert caught.value.message.lower() == reason.removeprefix("Bad Request: ")  # PTB's form
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(GROUP, mine.message_id)  # no keyboard to remove
    assert NOT_MODIFIED.startswith("Bad Request: message is not modified")
    ids = [m.message_id for m in api.chats.bot_messages(GROUP)]
    assert ids == sorted(ids) and theirs > mine.message_id


async def test_a_post_that_landed_unrecorded_is_found_and_keeps_its_keyboard(
    api: FakeTelegramApi, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    before = await sender.send(post("**1. An earlier paper**"))
    in_flight = post("**2. The paper in flight** & <more>")
    note = sender.pending_note(in_flight, before)
    api.fail_call("sendMessage", accepted=True)
    with pytest.raises(NetworkError):
        await sender.send(in_flight)  # Telegram has it; the bot never learnt its id
    api.chats.users_say(GROUP, 4)  # the group goes on talking while the bot is down
    restarted = TelegramSender(bot)
    found = await restarted.find_posted(in_flight, note)
    landed = api.chats.bot_messages(GROUP)[-1]
    assert found == str(landed.message_id) and landed.text is not None
    assert "The paper in flight & <more>" in landed.text
    sent_keyboard = api.sent(GROUP)[-1]["reply_markup"]["inline_keyboard"]
    assert landed.keyboard == sent_keyboard  # taken off to read the text, then put back
    assert edits(api) <= (landed.message_id - int(before or 0)) + 1


async def test_a_post_that_never_landed_is_not_found_and_the_probe_stops_at_the_end(
    api: FakeTelegramApi, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    before = await sender.send(post("**1. An earlier paper**"))
    in_flight = post("**2. Lost on the way**")
    note = sender.pending_note(in_flight, before)
    api.fail_call("sendMessage", accepted=False)
    with pytest.raises(NetworkError):
        await sender.send(in_flight)
    api.chats.users_say(GROUP, 2)
    assert await TelegramSender(bot).find_posted(in_flight, note) is None
    assert edits(api) == 2 + 3  # the users' two messages, then three ids with no message
    assert all(m.keyboard for m in api.chats.bot_messages(GROUP))  # nothing lost its buttons


async def test_a_keyboard_free_header_is_told_apart_from_the_bots_other_messages(
    api: FakeTelegramApi, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    header = DigestHeader(CHAT, note="**Digest for today**")
    note = sender.pending_note(header, None)
    await bot.send_message(GROUP, "an answer someone got meanwhile")  # another process's
    api.fail_call("sendMessage", accepted=True)
    with pytest.raises(NetworkError):
        await sender.send(header)
    found = await TelegramSender(bot).find_posted(header, note)
    answer, landed = api.chats.bot_messages(GROUP)
    assert found == str(landed.message_id)
    assert answer.keyboard is None and landed.keyboard is None  # both read, both put back


async def test_a_channel_without_edit_rights_falls_back_to_sending_and_says_so(
    api: FakeTelegramApi, bot: Bot
) -> None:
    api.channel_without_edit_rights(GROUP)
    sender = TelegramSender(bot)
    in_flight = post("**2. In a channel**")
    note = sender.pending_note(in_flight, None)
    await sender.send(in_flight)
    with structlog.testing.capture_logs() as logs:
        assert await TelegramSender(bot).find_posted(in_flight, note) is None
    assert edits(api) == 0
    assert any("no right to edit" in entry["event"] for entry in logs)


async def test_probes_count_against_the_flood_limits() -> None:
    waits: list[float] = []
    async with FakeTelegramApi(per_chat_per_minute=2) as limited:
        client = Bot(limited.token, base_url=limited.api_url)
        async with client:
            sender = TelegramSender(client, sleep=_recording(waits))
            before = await sender.send(post("**1. First**"))
            note = sender.pending_note(post("**2. Second**"), before)
            await sender.send(post("**2. Second**"))
            probing = TelegramSender(client, sleep=_recording(waits))
            with pytest.raises(RetryAfter):
                await probing.find_posted(post("**2. Second**"), note)
    assert limited.rate_limited >= 1 and waits  # the probe waited its turn like a send


def _recording(waits: list[float]) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return sleep


async def test_a_post_left_without_its_keyboard_by_a_cut_probe_is_found_and_mended(
    api: FakeTelegramApi, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    in_flight = post("**3. Probed when the bot died**")
    note = sender.pending_note(in_flight, None)
    api.fail_call("sendMessage", accepted=True)
    with pytest.raises(NetworkError):
        await sender.send(in_flight)
    landed = api.chats.bot_messages(GROUP)[-1]
    keyboard = landed.keyboard
    await bot.edit_message_reply_markup(GROUP, landed.message_id)  # the probe's first step
    assert landed.keyboard is None
    assert await TelegramSender(bot).find_posted(in_flight, note) == str(landed.message_id)
    assert landed.keyboard == keyboard
