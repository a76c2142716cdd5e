"""The real bolt app in HTTP mode, end to end: signed requests in, the fake Slack API out."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlmodel import select

from adapters.slack.app import NOT_A_MEMBER, WORKING
from bot.messages import Conversation, IncomingMessage
from bot.models import Channel, Feedback, Paper
from bot.store.db import Database
from tests.adapters.slack.rig import (
    CHANNEL,
    QUANT_PH,
    SECRET,
    TEAM,
    USER,
    SlackRig,
    sign,
    slack_rig,
)
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.slack_api import SlackCall

CONVERSATION = Conversation("slack", CHANNEL, TEAM)
LINK = re.compile(r"<([^<>|]*)(?:\|[^<>]*)?>")


@pytest.fixture
async def rig(db: Database, http_server: FakeHttpServer) -> AsyncIterator[SlackRig]:
    """The adapter in HTTP mode on the recorded quant-ph feed."""
    async with slack_rig(db, http_server) as started:
        yield started


async def subscribe_and_post_digest(rig: SlackRig) -> list[SlackCall]:
    """Subscribe by slash command, post a digest through the Slack sender; the paper posts."""
    await rig.command("subscribe cat:quant-ph entanglement")
    await rig.adapter.drain()
    message = IncomingMessage(CONVERSATION, "digest now", user=USER)
    await rig.testbot.app.bot.handle(message, rig.adapter.sender)
    return [c for c in rig.api.calls_to("chat.postMessage") if c.blocks[-1]["type"] == "actions"]


async def test_slash_command_stores_topic_and_replies_ephemerally(rig: SlackRig) -> None:
    response = await rig.command("subscribe cat:quant-ph entanglement")
    assert response.status == 200 and response.body == ""  # acked at once, the reply follows
    await rig.adapter.drain()
    [reply] = rig.api.calls_to("chat.postEphemeral")
    assert reply.args["user"] == USER and reply.channel == CHANNEL
    assert "Subscribed (topic 1)" in reply.text
    await rig.command("topics")
    await rig.adapter.drain()
    listing = rig.api.calls_to("chat.postEphemeral")[-1].text
    assert "1. `cat:quant-ph entanglement`" in listing
    assert not rig.api.calls_to("chat.postMessage")


async def test_empty_command_is_help(rig: SlackRig) -> None:
    await rig.command("")
    await rig.adapter.drain()
    assert "*Commands*" in rig.api.calls_to("chat.postEphemeral")[0].text


async def test_ack_returns_before_the_commands_work_then_working_goes_to_the_response_url(
    db: Database, http_server: FakeHttpServer
) -> None:
    fetching, release = asyncio.Event(), asyncio.Event()

    async def held_feed(_request: web.Request) -> web.Response:
        fetching.set()
        await release.wait()
        return web.Response(body=QUANT_PH.read_bytes(), content_type="application/rss+xml")

    http_server.route("/rss/quant-ph", held_feed)
    async with slack_rig(db, http_server, working_after=0.0) as rig:
        await rig.command("subscribe cat:quant-ph entanglement")
        await rig.adapter.drain()
        rig.api.calls.clear()
        async with asyncio.timeout(5):
            response = await rig.command("digest now")
            assert response.status == 200 and response.body == ""  # acked, nothing done yet
            assert not rig.api.calls_to("chat.postMessage")
            await fetching.wait()  # the command's work is under way, held at its fetch
            await rig.api.wait_until(lambda: bool(rig.api.calls_to("response_url")))
        [working] = rig.api.calls_to("response_url")
        assert working.args == {"text": WORKING, "response_type": "ephemeral"}
        release.set()
        await rig.adapter.drain()
        assert len(rig.api.calls_to("chat.postMessage")) == 11


async def test_forged_stale_and_replayed_requests_are_refused(rig: SlackRig) -> None:
    forged = await rig.command("subscribe cat:cs.CL agents", secret="not-the-secret")
    stale = await rig.command("subscribe cat:cs.CL agents", timestamp=int(time.time()) - 360)
    assert (forged.status, stale.status) == (401, 401)
    body = (FIXTURES / "slack" / "slack_events_api_url_verification.json").read_text()
    headers = {"Content-Type": "application/json", **sign(body, SECRET)}
    first = await rig.post_raw(body, headers)
    assert first.status == 200 and "here-comes-a-challenge" in first.body
    replayed = await rig.post_raw(body, headers)
    assert replayed.status == 401
    await rig.adapter.drain()
    assert not rig.api.posts()


async def test_digest_posts_header_and_one_post_per_paper(rig: SlackRig) -> None:
    papers = await subscribe_and_post_digest(rig)
    posts = rig.api.calls_to("chat.postMessage")
    assert len(posts) == 11 and len(papers) == 10
    assert posts[0].blocks[0]["type"] == "header"
    assert posts[0].blocks[0]["text"]["text"] == "Papers for 2025-04-28"
    for post in posts:
        assert post.channel == CHANNEL and post.thread_ts is None
        for text in [post.text, *(json.dumps(b) for b in post.blocks)]:
            assert "<!" not in text and "<@" not in text and "<#" not in text
    for post in papers:
        [key] = {e["value"] for e in post.blocks[-1]["elements"]}
        actions = [e["action_id"] for e in post.blocks[-1]["elements"]]
        assert actions[:4] == ["like", "dislike", "review", "ask"]
        arxiv_id = key.removeprefix("arxiv:")
        links = set(LINK.findall("\n".join(json.dumps(b) for b in post.blocks)))
        assert links and all(arxiv_id in url for url in links)


async def test_dislike_button_records_a_vote(rig: SlackRig, db: Database) -> None:
    papers = await subscribe_and_post_digest(rig)
    post = papers[0]
    key = post.blocks[-1]["elements"][1]["value"]
    assert post.ts is not None
    response = await rig.press("dislike", key, post.ts)
    assert response.status == 200
    await rig.adapter.drain()
    async with db.session() as session:
        votes = (await session.exec(select(Feedback, Paper).join(Paper))).all()
    assert [(vote.value, vote.user, paper.key) for vote, paper in votes] == [(-1, USER, key)]
    reply = rig.api.calls_to("chat.postEphemeral")[-1]
    assert reply.thread_ts == post.ts and "👎" in reply.text


async def test_thread_question_gets_one_answer(rig: SlackRig) -> None:
    papers = await subscribe_and_post_digest(rig)
    parent = papers[1].ts
    before = len(rig.api.posts())
    message = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": USER,
        "text": "<@U0BOT> what hardware do they use?",
        "ts": "1770700000.000100",
        "thread_ts": parent,
        "parent_user_id": "U0BOT",
        "team": TEAM,
    }
    mention = {**message, "type": "app_mention"}
    del mention["channel_type"], mention["parent_user_id"]
    assert (await rig.event(message, "Ev1")).status == 200
    assert (await rig.event(mention, "Ev2")).status == 200
    assert (await rig.event(message, "Ev1", retry=1)).status == 200
    await rig.adapter.drain()
    answers = rig.api.posts()[before:]
    assert len(answers) == 1
    [answer] = answers
    assert answer.thread_ts == parent and answer.channel == CHANNEL
    reactions = rig.api.calls_to("reactions.add")  # the core's "typing" → 👀 on the question
    assert [r.args["timestamp"] for r in reactions] == [message["ts"]]
    assert "which paper" not in answer.text


async def test_bot_removed_then_added_back(rig: SlackRig, db: Database) -> None:
    await rig.command("subscribe cat:quant-ph entanglement")
    await rig.adapter.drain()  # acked at once: the subscription is stored after the answer
    await rig.event({"type": "channel_left", "channel": CHANNEL, "actor_id": "U9"}, "Ev7")
    await rig.adapter.drain()
    assert not await _active(db)
    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": CHANNEL, "team": TEAM}
    await rig.event(joined, "Ev8")
    await rig.adapter.drain()
    assert await _active(db)


async def _active(db: Database) -> bool:
    async with db.session() as session:
        channel = (await session.exec(select(Channel).where(Channel.channel == CHANNEL))).one()
    return channel.active


async def test_not_in_channel_falls_back_to_response_url(rig: SlackRig) -> None:
    rig.api.fail_channel(CHANNEL, "not_in_channel")
    rig.api.server.route("/response", Reply('{"ok": true}', content_type="application/json"),
                         method="POST")  # fmt: skip
    await rig.command("topics", response_url=f"{rig.api.server.url}/response")
    await rig.adapter.drain()
    [call] = rig.api.server.requests_to("/response")
    assert json.loads(call.body)["text"] == NOT_A_MEMBER
    assert json.loads(call.body)["response_type"] == "ephemeral"
