"""TelegramSender on a plain PTB Bot against the fake API: ids, parts, typing, errors, floods."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from adapters.telegram.sender import TelegramSender
from bot.messages import Button, ChannelUnavailable, Conversation
from bot.posts import Answer, Reply, Typing
from tests.fakes.telegram_api import BLOCKED, FakeTelegramApi

CHAT = Conversation("telegram", "4242")


class Clock:
    """A hand-moved clock for the fake's flood limits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramApi]:
    fake = await FakeTelegramApi().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def bot(api: FakeTelegramApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.api_url) as client:
        yield client


async def test_long_answer_is_sent_in_parts_and_the_first_id_is_returned(
    api: FakeTelegramApi, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    text = "\n\n".join(f"Paragraph {i}. " + "text " * 400 for i in range(5))
    message_id = await sender.send(
        Answer(CHAT.in_thread("77"), text, reply_to="80")
    )
    sent = api.sent(4242)
    assert len(sent) == 3 and message_id == str(sent[0]["message_id"])
    assert all(p["reply_parameters"]["message_id"] == 80 for p in sent)
    assert sender.thread_root(str(sent[2]["message_id"])) == "77"  # replies to it reach the paper


async def test_typing_sends_a_chat_action_and_returns_none(api: FakeTelegramApi, bot: Bot) -> None:
    sender = TelegramSender(bot)
    assert await sender.send(Typing(CHAT, reply_to="5")) is None
    assert api.calls_to("sendChatAction") == [{"chat_id": "4242", "action": "typing"}]


async def test_blocked_user_is_channel_unavailable(api: FakeTelegramApi, bot: Bot) -> None:
    api.fail_chat(4242, BLOCKED)
    with pytest.raises(ChannelUnavailable, match="blocked"):
        await TelegramSender(bot).send(Reply(CHAT, "hi"))


async def test_retry_after_is_waited_out(api: FakeTelegramApi, bot: Bot) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 14", retry_after=14)
    assert await TelegramSender(bot, sleep=sleep).send(Reply(CHAT, "hi")) is not None
    assert waits == [14.0]


async def test_long_keys_are_remembered_for_their_buttons(api: FakeTelegramApi, bot: Bot) -> None:
    key = "url:https://journal.example.org/" + "a" * 80
    sender = TelegramSender(bot)
    await sender.send(Reply(CHAT, "paper", buttons=(Button("like", "👍", key),)))
    data = api.sent(4242)[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert sender.resolve_token(data.split(":", 1)[1]) == key


async def test_fake_enforces_flood_limits() -> None:
    clock = Clock()
    fake = FakeTelegramApi(per_second=2, per_chat_per_minute=3, clock=clock)
    async with fake as api, Bot(api.token, base_url=api.api_url) as limited:
        sender = TelegramSender(limited, max_retries=0)
        for _ in range(2):
            await sender.send(Reply(CHAT, "x"))
        with pytest.raises(RetryAfter):
            await sender.send(Reply(CHAT, "x"))  # 2 per second
        clock.now += 1.0
        await sender.send(Reply(CHAT, "x"))  # a new second: allowed
        clock.now += 1.0
        with pytest.raises(RetryAfter):
            await sender.send(Reply(CHAT, "x"))  # the chat's 3 per minute
        clock.now += 60.0
        await sender.send(Reply(CHAT, "x"))
    assert api.rate_limited == 2


async def test_paid_broadcast_marks_scheduled_posts_only(api: FakeTelegramApi, bot: Bot) -> None:
    paid, free = TelegramSender(bot, paid_broadcast=True), TelegramSender(bot)
    scheduled = Answer(CHAT, "a scheduled post", marker="paperbot:1:header")
    await paid.send(scheduled)
    await paid.send(Answer(CHAT, "a reply to a command"))
    await free.send(scheduled)
    flags = [str(p.get("allow_paid_broadcast", "")).lower() for p in api.calls_to("sendMessage")]
    assert flags == ["true", "", ""]
