"""End to end: discord.py's gateway client on the fake Discord, the whole bot behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from sqlmodel import select

from adapters.discord.app import DiscordAdapter
from bot.messages import Conversation
from bot.models import Channel, Feedback
from bot.store.db import Database
from tests.adapters.discord.rig import MANAGER, MEMBER, DiscordRig, discord_rig, settings_for
from tests.botharness import bot_settings, make_testbot
from tests.fakes.discord_api import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.discord_gateway import user
from tests.fakes.http_server import FakeHttpServer

ALICE = user("1300000000000000401", "alice")
BOB = user("1300000000000000402", "bob")


@pytest.fixture
async def rig(db: Database, http_server: FakeHttpServer) -> AsyncIterator[DiscordRig]:
    """The bot on the fake Discord, serving the recorded quant-ph feed."""
    async with discord_rig(db, http_server) as running:
        yield running


async def test_start_connects_and_registers_papers(rig: DiscordRig) -> None:
    [put] = rig.api.requests_to("PUT", "/applications/{}/commands")
    [command] = put.body
    assert command["name"] == "papers" and command["options"][0]["name"] == "text"
    [connection] = rig.api.gateway.identified
    assert connection.intents & (1 << 15)  # MESSAGE_CONTENT, for questions in threads
    assert connection.deflate is not None  # discord.py asked for zlib-stream


async def test_help_is_deferred_in_time_then_followed_up(rig: DiscordRig) -> None:
    asked = await rig.api.command("help", person=BOB, permissions=MEMBER)
    answer = (await rig.answered(asked))[0]
    assert asked.callback == 5 and asked.acknowledged_after is not None
    assert asked.acknowledged_after < 3.0
    assert "subscribe" in answer["content"]
    await rig.adapter.drain()
    whole = [answer, *asked.followups]  # a long help goes on in ephemeral follow-ups
    assert all(m["flags"] & 64 and len(m["content"]) <= 2000 for m in whole)
    assert "Example: `subscribe" in whole[-1]["content"] and not asked.deleted_original


async def test_subscribe_needs_manage_server_or_manage_channels(rig: DiscordRig) -> None:
    refused = await rig.api.command("subscribe cat:quant-ph", person=BOB, permissions=MEMBER)
    answer = (await rig.answered(refused))[0]
    assert "Only an administrator" in answer["content"]
    assert answer["flags"] & 64  # only Bob sees it
    done = await rig.api.command("subscribe cat:quant-ph entanglement", person=ALICE,
                                 permissions=MANAGER)  # fmt: skip
    confirmed = (await rig.answered(done))[0]
    assert "Subscribed (topic 1)" in confirmed["content"]
    channel_manager = await rig.api.command("subscribe entanglement", person=BOB,
                                            permissions=MEMBER | (1 << 4))  # fmt: skip
    assert "Subscribed (topic 2)" in (await rig.answered(channel_manager))[0]["content"]
    listing = await rig.api.command("topics", person=BOB, permissions=MEMBER)
    assert "cat:quant-ph entanglement" in (await rig.answered(listing))[0]["content"]


async def digest(rig: DiscordRig) -> list[dict[str, Any]]:
    """Subscribe, then `/papers digest now`: the header and the ten paper posts."""
    await rig.answered(await rig.api.command("subscribe cat:quant-ph entanglement",
                                             person=ALICE, permissions=MANAGER))  # fmt: skip
    await rig.api.command("digest now", person=ALICE, permissions=MANAGER)
    await rig.api.wait_until(lambda: len(rig.api.bot_messages()) >= 11)
    return rig.api.bot_messages()


async def test_digest_is_a_header_then_one_message_per_paper_with_buttons(rig: DiscordRig) -> None:
    header, *papers = await digest(rig)
    assert header["content"].startswith("## Papers for 2025") and not header["components"]
    assert "quant-ph (7)" in header["content"]
    assert len(papers) == 10
    for number, post in enumerate(papers, start=1):
        [embed] = post["embeds"]
        assert embed["title"].startswith(f"{number}. ")
        assert embed["url"].startswith("https://arxiv.org/abs/")
        [row] = post["components"]
        labels = [b["label"] for b in row["components"]]
        assert labels == ["👍", "👎", "Review", "Ask", "More like this"]
        assert all(len(b["custom_id"]) <= 100 for b in row["components"])
    assert len(rig.api.bot_messages()) == 11  # nothing twice


async def test_a_thumbs_up_click_records_a_vote(rig: DiscordRig) -> None:
    _header, *papers = await digest(rig)
    like = papers[0]["components"][0]["components"][0]["custom_id"]
    clicked = await rig.api.click(papers[0], like, person=BOB, permissions=MEMBER)
    noted = (await rig.answered(clicked))[0]
    assert clicked.callback == 6  # a deferred update: the paper message stays as it is
    assert "Noted 👍" in noted["content"] and noted["flags"] & 64
    async with rig.testbot.app.db.session() as session:
        votes = (await session.exec(select(Feedback))).all()
    assert [(v.user, v.value) for v in votes] == [(BOB["id"], 1)]


async def test_a_question_in_a_papers_thread_is_answered_there(rig: DiscordRig) -> None:
    _header, *papers = await digest(rig)
    thread = await rig.api.start_thread_as(BOB, papers[1])
    assert thread["id"] == papers[1]["id"]
    question = await rig.api.say(thread["id"], BOB, "What hardware do they use?")
    await rig.api.wait_until(lambda: rig.api.bot_messages(thread["id"]))
    [answer] = rig.api.bot_messages(thread["id"])
    assert answer["message_reference"]["message_id"] == question["id"]
    assert "which paper" not in answer["content"], answer["content"]
    assert rig.api.requests_to("POST", "/channels/{}/typing")
    await rig.api.say(thread["id"], rig.api.bot, "my own words")  # the bot's own: ignored
    await rig.api.say(CHANNEL_ID, BOB, "chatter outside any thread")
    probe = await rig.api.command("topics", person=BOB, permissions=MEMBER)
    await rig.answered(probe)
    await rig.adapter.drain()
    replies = [m for m in rig.api.bot_messages(thread["id"]) if m.get("message_reference")]
    assert replies == [answer] and len(rig.api.bot_messages()) == 11


async def test_ask_starts_the_papers_thread(rig: DiscordRig) -> None:
    _header, *papers = await digest(rig)
    ask = papers[2]["components"][0]["components"][3]["custom_id"]
    clicked = await rig.api.click(papers[2], ask, person=BOB, permissions=MEMBER)
    told = (await rig.answered(clicked))[0]
    assert "thread" in told["content"]
    [started] = rig.api.requests_to("POST", "/channels/{}/messages/{}/threads")
    assert started.path.endswith(f"/{papers[2]['id']}/threads")
    assert started.body["name"] == papers[2]["embeds"][0]["title"][:100]
    await rig.api.say(papers[2]["id"], BOB, "Is the code public?")
    await rig.api.wait_until(lambda: rig.api.bot_messages(papers[2]["id"]))


async def test_an_acknowledgement_too_late_is_refused_and_no_work_is_done(
    rig: DiscordRig,
) -> None:
    rig.api.interaction_deadline = -1.0  # every callback now arrives after Discord's 3 s
    late = await rig.api.command("subscribe cat:quant-ph", person=ALICE, permissions=MANAGER)
    await rig.api.wait_until(lambda: rig.api.requests_to("POST", "/interactions/{}/{}/callback"))
    await rig.adapter.drain()
    [callback] = rig.api.requests_to("POST", "/interactions/{}/{}/callback")
    assert callback.status == 404 and late.callback is None and not late.followups
    rig.api.interaction_deadline = 3.0
    topics = await rig.api.command("topics", person=ALICE, permissions=MANAGER)
    assert "subscribe" in (await rig.answered(topics))[0]["content"].lower()  # none stored


async def test_redelivered_events_are_handled_once(rig: DiscordRig) -> None:
    _header, *papers = await digest(rig)
    thread = await rig.api.start_thread_as(BOB, papers[0])
    question = await rig.api.say(thread["id"], BOB, "What is new here?")
    await rig.api.gateway.dispatch("MESSAGE_CREATE", question)  # replayed after a resume
    await rig.api.wait_until(lambda: rig.api.bot_messages(thread["id"]))
    again = await rig.api.command("help", person=BOB, permissions=MEMBER)
    await rig.api.gateway.dispatch("INTERACTION_CREATE", again.payload)
    await rig.answered(again)
    await rig.adapter.drain()
    assert len(rig.api.bot_messages(thread["id"])) == 1
    token = again.payload["token"]
    edits = [r for r in rig.api.requests_to("PATCH", "/webhooks/{}/{}/messages/@original")
             if token in r.path]  # fmt: skip
    assert len(edits) == 1 and len({m["content"] for m in again.followups}) == len(again.followups)
    statuses = [r.status for r in rig.api.requests_to("POST", "/interactions/{}/{}/callback")]
    assert statuses[-2:] == [204, 400]  # Discord refuses a second acknowledgement (40060)


async def test_a_digest_under_a_429_arrives_whole(rig: DiscordRig) -> None:
    rig.api.rate_limit("POST", "/channels/{}/messages", 0.2)
    papers = await digest(rig)
    assert len(papers) == 11 and rig.api.premature == 0
    assert [r.status for r in rig.api.requests_to("POST", "/channels/{}/messages")].count(429) == 1


async def channel_row(rig: DiscordRig) -> Channel | None:
    async with rig.testbot.app.db.session() as session:
        query = select(Channel).where(Channel.platform == "discord", Channel.channel == CHANNEL_ID)
        return (await session.exec(query)).first()


async def test_a_channel_the_bot_lost_is_retired_and_the_person_told(rig: DiscordRig) -> None:
    await rig.answered(await rig.api.command("subscribe cat:quant-ph entanglement",
                                             person=ALICE, permissions=MANAGER))  # fmt: skip
    rig.api.revoke(CHANNEL_ID)
    asked = await rig.api.command("digest now", person=ALICE, permissions=MANAGER)
    answers = await rig.answered(asked)
    await rig.adapter.drain()
    assert any("can't post in this channel" in m["content"] for m in answers)
    found = await channel_row(rig)
    assert found is not None and not found.active and not rig.api.bot_messages()


async def test_removed_from_the_server_then_added_back(rig: DiscordRig) -> None:
    await rig.answered(await rig.api.command("subscribe cat:quant-ph", person=ALICE,
                                             permissions=MANAGER))  # fmt: skip
    changed = asyncio.Event()
    original = rig.testbot.app.bot.channel_membership

    async def spy(conversation: Conversation, present: bool) -> None:
        await original(conversation, present)
        changed.set()

    rig.testbot.app.bot.channel_membership = spy  # type: ignore[method-assign]
    for kind, active in (("GUILD_DELETE", False), ("GUILD_CREATE", True)):
        changed.clear()
        data = {"id": GUILD_ID} if kind == "GUILD_DELETE" else rig.api._guilds()[0]
        await rig.api.gateway.dispatch(kind, data)
        await asyncio.wait_for(changed.wait(), 10)
        found = await channel_row(rig)
        assert found is not None and found.active is active


async def test_a_bad_token_or_a_privileged_intent_left_off_fails_start(
    db: Database, http_server: FakeHttpServer
) -> None:
    api = await FakeDiscord().start()
    testbot = await make_testbot(db, bot_settings(adapters="discord"))
    try:
        wrong = DiscordAdapter(settings_for(api, bot_token="not-the-token"), testbot.app.bot)
        with pytest.raises(discord.LoginFailure):
            await wrong.start()
        assert wrong.client.is_closed()
        api.gateway.allowed_intents &= ~(1 << 15)  # Message Content Intent switched off
        unprivileged = DiscordAdapter(settings_for(api), testbot.app.bot)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await unprivileged.start()
        assert unprivileged.client.is_closed()
    finally:
        await testbot.app.http.aclose()
        await api.stop()
