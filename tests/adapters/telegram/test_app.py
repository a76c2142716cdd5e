"""End to end: the real PTB Application polling the fake Bot API, the whole bot behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from adapters.telegram.app import bot_commands
from bot.commands.registry import SPECS
from bot.messages import ChannelUnavailable, Conversation
from bot.models import Channel, Feedback
from bot.posts import Reply
from bot.store.db import Database
from tests.adapters.telegram.rig import TelegramRig, telegram_rig
from tests.adapters.telegram.updates import (
    ANONYMOUS_ADMIN_BOT,
    bot_message,
    callback_update,
    group_chat,
    membership_update,
    message_update,
    private_chat,
    user,
)
from tests.fakes.http_server import FakeHttpServer
from tests.fakes.telegram_api import CHAT_NOT_FOUND
from tests.fakes.telegram_html import parse_html

PRIVATE = private_chat(555001)
GROUP = group_chat(-100555002)
ALICE, BOB = 555010, 555011


@pytest.fixture
async def rig(db: Database, http_server: FakeHttpServer) -> AsyncIterator[TelegramRig]:
    """The bot on Telegram (polling the fake API), serving the recorded quant-ph feed."""
    async with telegram_rig(db, http_server) as running:
        yield running


async def channel(rig: TelegramRig, chat_id: int) -> Channel | None:
    async with rig.testbot.app.db.session() as session:
        query = select(Channel).where(
            Channel.platform == "telegram", Channel.channel == str(chat_id)
        )
        return (await session.exec(query)).first()


async def test_start_publishes_the_grammar_as_the_command_menu(rig: TelegramRig) -> None:
    [call] = rig.api.calls_to("setMyCommands")
    assert [c["command"] for c in call["commands"]] == [spec.name for spec in SPECS]
    assert [c.command for c in bot_commands()] == [spec.name for spec in SPECS]
    assert rig.api.calls_to("getMe")


async def test_subscribe_in_a_private_chat_stores_the_topic(rig: TelegramRig) -> None:
    [reply] = await rig.say(PRIVATE, "/subscribe cat:quant-ph entanglement")
    assert "Subscribed (topic 1)" in reply["text"]
    assert reply["parse_mode"] == "HTML"
    [listing] = await rig.say(PRIVATE, "/topics@paperbot_test_bot")
    assert "cat:quant-ph entanglement" in listing["text"]
    assert not rig.api.calls_to("getChatMember")  # a private chat needs no admin check


async def test_group_subscription_needs_an_administrator(rig: TelegramRig) -> None:
    [refused] = await rig.say(GROUP, "/subscribe cat:quant-ph", sender=user(BOB))
    assert "Only an administrator" in refused["text"]
    rig.api.members[(GROUP["id"], ALICE)] = "administrator"
    [done] = await rig.say(GROUP, "/subscribe cat:quant-ph", sender=user(ALICE))
    assert "Subscribed (topic 1)" in done["text"]
    chat_ids = {int(c["chat_id"]) for c in rig.api.calls_to("getChatMember")}
    assert chat_ids == {GROUP["id"]}
    anonymous = await rig.say(
        GROUP, "/subscribe entanglement", sender=ANONYMOUS_ADMIN_BOT, sender_chat=GROUP
    )
    assert "Subscribed (topic 2)" in anonymous[0]["text"]
    [topics] = await rig.say(GROUP, "/topics", sender=user(BOB))  # anyone may look
    assert "entanglement" in topics["text"]


async def digest(rig: TelegramRig, chat: dict[str, Any]) -> list[dict[str, Any]]:
    """Subscribe, then `/digest now`: the header and the ten paper posts."""
    await rig.say(chat, "/subscribe cat:quant-ph entanglement")
    return await rig.push(message_update(chat, "/digest now"), chat["id"], count=11)


async def test_digest_posts_header_and_escaped_papers_with_keyboards(rig: TelegramRig) -> None:
    header, *papers = await digest(rig, PRIVATE)
    assert header["text"].startswith("<b>Papers for 2025-04-28</b>")
    assert "10 new papers" in header["text"] and "quant-ph (7) · gr-qc (1)" in header["text"]
    assert len(papers) == 10 and "reply_markup" not in header
    for number, post in enumerate(papers, start=1):
        problem, visible, links = parse_html(post["text"])
        assert problem == "" and len(visible) <= 4096
        one_line, title = visible.split("\n")[:2]  # the one-liner, then the numbered title
        assert one_line and title.startswith(f"{number}. ")
        assert links and all(link.startswith("https://arxiv.org/") for link in links)
        buttons = post["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["👍", "👎", "Review", "More like this"]
        assert buttons[1]["callback_data"].startswith("dislike:arxiv:2504.")
    assert any("&lt;" in p["text"] or "&gt;" in p["text"] for p in papers)  # LaTeX, escaped


async def test_reply_to_a_paper_post_gets_one_answer(rig: TelegramRig) -> None:
    _header, *papers = await digest(rig, PRIVATE)
    post = papers[1]
    paper_post = bot_message(post["message_id"], rig.api.bot_id, rig.api.username)
    question = message_update(PRIVATE, "What hardware do they use?", reply_to=paper_post)
    [answer] = await rig.push(question, PRIVATE["id"])
    question_id = question["message"]["message_id"]
    assert answer["reply_parameters"]["message_id"] == question_id
    assert "which paper" not in answer["text"], answer["text"]  # the thread led to the paper
    [action] = rig.api.calls_to("sendChatAction")
    assert action["action"] == "typing"
    later = await rig.say(PRIVATE, "/topics")
    assert [
        m for m in later if m.get("reply_parameters", {}).get("message_id") == question_id
    ] == []


async def test_dislike_button_records_a_vote(rig: TelegramRig) -> None:
    _header, *papers = await digest(rig, PRIVATE)
    dislike = papers[0]["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    press = callback_update(PRIVATE, papers[0]["message_id"], dislike, user_id=ALICE)
    [noted] = await rig.push(press, PRIVATE["id"])
    assert "Noted 👎" in noted["text"]
    [answered] = rig.api.calls_to("answerCallbackQuery")
    assert answered["callback_query_id"] == press["callback_query"]["id"]
    async with rig.testbot.app.db.session() as session:
        votes = (await session.exec(select(Feedback))).all()
    assert [(v.user, v.value) for v in votes] == [(str(ALICE), -1)]


async def test_kicked_chat_raises_channel_unavailable(rig: TelegramRig) -> None:
    rig.api.fail_chat(GROUP["id"])
    conversation = Conversation("telegram", str(GROUP["id"]))
    with pytest.raises(ChannelUnavailable) as raised:
        await rig.adapter.sender.send(Reply(conversation, "hello"))
    assert "kicked" in raised.value.reason
    rig.api.fail_chat(PRIVATE["id"], CHAT_NOT_FOUND)
    with pytest.raises(ChannelUnavailable):
        await rig.adapter.sender.send(
            Reply(Conversation("telegram", str(PRIVATE["id"])), "x")
        )


async def test_flood_wait_is_honoured(rig: TelegramRig) -> None:
    rig.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    [reply] = await rig.say(PRIVATE, "/help")
    assert "Commands" in reply["text"]
    assert len(rig.api.calls_to("sendMessage")) == 2  # refused once, then sent


async def test_membership_left_then_member_deactivates_and_reactivates(rig: TelegramRig) -> None:
    rig.api.members[(GROUP["id"], ALICE)] = "creator"
    await rig.say(GROUP, "/subscribe cat:quant-ph", sender=user(ALICE))
    changed = asyncio.Event()
    original = rig.testbot.app.bot.channel_membership

    async def spy(conversation: Conversation, present: bool) -> None:
        await original(conversation, present)
        changed.set()

    rig.testbot.app.bot.channel_membership = spy  # type: ignore[method-assign]
    for old, new, active in (("member", "kicked", False), ("left", "member", True)):
        changed.clear()
        rig.api.push_update(membership_update(GROUP, old, new))
        await asyncio.wait_for(changed.wait(), 10)
        found = await channel(rig, GROUP["id"])
        assert found is not None and found.active is active


async def test_a_chat_that_removed_the_bot_gets_no_work(
    rig: TelegramRig, http_server: FakeHttpServer
) -> None:
    rig.api.members[(GROUP["id"], ALICE)] = "creator"
    await rig.say(GROUP, "/subscribe cat:quant-ph", sender=user(ALICE))
    handled = asyncio.Queue[None]()
    original = rig.testbot.app.bot.handle

    async def spy(*args: Any, **kwargs: Any) -> None:
        try:
            await original(*args, **kwargs)
        finally:
            handled.put_nowait(None)

    rig.testbot.app.bot.handle = spy  # type: ignore[method-assign]
    rig.api.fail_chat(GROUP["id"])  # kicked: every send there is a 403 now

    def to_group() -> int:
        return sum(1 for c in rig.api.calls_to("sendMessage") if int(c["chat_id"]) == GROUP["id"])

    before = to_group()
    rig.api.push_update(message_update(GROUP, "/digest now", sender=user(ALICE)))
    await asyncio.wait_for(handled.get(), 30)
    assert to_group() == before + 1  # one refused post, no error about the error
    fetches = len(http_server.requests)
    for text in ("/digest now", "/help", "/topics"):
        rig.api.push_update(message_update(GROUP, text, sender=user(ALICE)))
        await asyncio.wait_for(handled.get(), 30)
    assert to_group() == before + 1 and len(http_server.requests) == fetches
    found = await channel(rig, GROUP["id"])
    assert found is not None and not found.active
