"""The sender against the fake's REST API: limits, rate limits, threads, channels gone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from adapters.discord.rest import open_rest
from adapters.discord.sender import DiscordSender
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import Answer, FollowupPost, Image, Reply, Typing, WeeklyBriefing
from tests.fakes.discord_api import CHANNEL_ID, MISSING_ACCESS, UNKNOWN_CHANNEL, FakeDiscord

HERE = Conversation("discord", CHANNEL_ID, "guild")


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def sender(api: FakeDiscord) -> AsyncIterator[DiscordSender]:
    rest, bot_id = await open_rest(api.token, api.base_url)
    try:
        yield DiscordSender(rest, bot_id)
    finally:
        await rest.http.close()


async def test_a_long_reply_is_split_under_2000_characters(
    api: FakeDiscord, sender: DiscordSender
) -> None:
    text = "\n".join(f"line {n}: " + "x" * 90 for n in range(60))
    first = await sender.send(Reply(HERE, text))
    sent = api.bot_messages()
    assert first == sent[0]["id"] and len(sent) >= 3
    assert all(len(m["content"]) <= 2000 for m in sent)
    assert "\n".join(m["content"] for m in sent) == text


@pytest.mark.parametrize("is_global", [False, True])
async def test_a_429_is_waited_out_and_nothing_is_lost(
    api: FakeDiscord, sender: DiscordSender, is_global: bool
) -> None:
    api.rate_limit("POST", "/channels/{}/messages", 0.3, is_global=is_global)
    for n in range(3):
        await sender.send(Reply(HERE, f"post {n}"))
    assert [m["content"] for m in api.bot_messages()] == ["post 0", "post 1", "post 2"]
    posts = api.requests_to("POST", "/channels/{}/messages")
    assert [r.status for r in posts] == [429, 200, 200, 200]
    assert posts[1].at - posts[0].at >= 0.3  # it waited as long as it was told
    assert api.premature == 0


async def test_a_global_429_holds_every_route(api: FakeDiscord, sender: DiscordSender) -> None:
    api.rate_limit("POST", "/channels/{}/messages", 0.3, is_global=True)
    await sender.send(Reply(HERE, "first"))
    await sender.send(Typing(HERE))
    [typing] = api.requests_to("POST", "/channels/{}/typing")
    [limited] = [r for r in api.requests if r.status == 429]
    assert typing.at - limited.at >= 0.3 and typing.status == 204 and api.premature == 0


@pytest.mark.parametrize("failure", [MISSING_ACCESS, UNKNOWN_CHANNEL])
async def test_a_channel_gone_raises_channel_unavailable(
    api: FakeDiscord, sender: DiscordSender, failure: tuple[int, int, str]
) -> None:
    api.revoke(CHANNEL_ID, failure)
    with pytest.raises(ChannelUnavailable) as raised:
        await sender.send(Reply(HERE, "hello"))
    assert str(failure[1]) in raised.value.reason


async def test_a_follow_up_starts_the_papers_thread_when_there_is_none(
    api: FakeDiscord, sender: DiscordSender
) -> None:
    paper = await sender.send(Reply(HERE, "a paper"))
    assert paper is not None
    await sender.send(FollowupPost(HERE.in_thread(paper), "v2 is out"))
    [news] = api.bot_messages(paper)  # the thread has the paper message's id
    assert news["content"] == "v2 is out"
    await sender.send(Answer(HERE.in_thread(paper), "and an answer"))
    assert len(api.requests_to("POST", "/channels/{}/messages/{}/threads")) == 1
    await sender.send(Answer(HERE.in_thread("1"), "about a message long gone"))
    assert api.bot_messages()[-1]["message_reference"]["message_id"] == "1"


async def test_a_marker_is_a_nonce_discord_enforces(
    api: FakeDiscord, sender: DiscordSender
) -> None:
    post = Reply(HERE, "scheduled", marker="digest:1:2025-04-28:0")
    assert await sender.send(post) == await sender.send(post)
    assert len(api.bot_messages()) == 1
    [body, _] = [r.body for r in api.requests_to("POST", "/channels/{}/messages")]
    assert body["enforce_nonce"] is True and len(body["nonce"]) <= 25


async def test_the_fake_is_strict(api: FakeDiscord, sender: DiscordSender) -> None:
    rest = sender.rest
    with pytest.raises(discord.NotFound) as unknown:
        await rest.call("GET", "/no/such/route")
    assert unknown.value.code == 0 and "404" in unknown.value.text
    too_long = {"content": "x" * 2001}
    with pytest.raises(discord.HTTPException) as refused:
        await rest.call("POST", "/channels/{channel_id}/messages", json=too_long,
                        channel_id=CHANNEL_ID)  # fmt: skip
    assert refused.value.code == 50035
    row = {"type": 1, "components": [{"type": 2, "style": 2, "label": "x", "custom_id": "a"}]}
    rows = [{"type": 1, "components": [dict(row["components"][0], custom_id=str(n))]}
            for n in range(6)]  # fmt: skip
    with pytest.raises(discord.HTTPException) as six_rows:
        body = {"content": "x", "components": rows}
        await rest.call("POST", "/channels/{channel_id}/messages", json=body, channel_id=CHANNEL_ID)
    assert six_rows.value.code == 50035
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{api.base_url}/users/@me") as response,
    ):
        assert response.status == 401 and (await response.json())["code"] == 0


async def test_the_fake_refuses_a_client_that_does_not_wait(api: FakeDiscord) -> None:
    api.rate_limit("GET", "/users/@me", 5.0)
    headers = {"Authorization": f"Bot {api.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(2):
            async with session.get(f"{api.base_url}/users/@me") as response:
                body = await response.json()
                assert response.status == 429 and body["global"] is False
                assert response.headers["X-RateLimit-Remaining"] == "0"
                assert float(response.headers["Retry-After"]) >= 1
    assert api.premature == 1


async def test_the_weekly_chart_follows_its_text_as_an_attachment(
    api: FakeDiscord, sender: DiscordSender
) -> None:
    chart = Image(b"\x89PNG fake", name="week.png", alt="Papers per day")
    await sender.send(WeeklyBriefing(HERE, "**This week**\n| day | n |", image=chart))
    text, upload = api.bot_messages()
    assert text["content"].startswith("**This week**")
    [attachment] = upload["attachments"]
    assert attachment["filename"] == "week.png" and attachment["size"] == len(chart.data)
