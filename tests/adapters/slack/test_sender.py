"""SlackSender against the fake Web API: posts, ephemeral replies, 👀, pacing, 429s, errors."""

from __future__ import annotations

import itertools

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.sender import ChannelPacer, SlackSender
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import Reply, Typing
from tests.fakes.clock import RecordingSleep
from tests.fakes.slack_api import FakeSlackApi

CHANNEL = Conversation("slack", "C1", "T0TEAM")


def unpaced(client: AsyncWebClient, user: str | None = None) -> SlackSender:
    return SlackSender(client, ChannelPacer(None), user)


async def test_post_returns_ts_and_threads(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient
) -> None:
    sender = unpaced(slack_client)
    first = await sender.send(Reply(CHANNEL, "**hello**"))
    reply = await sender.send(Reply(CHANNEL.in_thread(first), "in thread"))
    [post, threaded] = slack_api.calls_to("chat.postMessage")
    assert first == "1770661905.000001" and reply == "1770661905.000002"
    assert post.channel == "C1" and post.text == "*hello*" and post.thread_ts is None
    assert post.blocks[0]["text"]["text"] == "*hello*"
    assert threaded.thread_ts == first


async def test_ephemeral_goes_to_the_user_when_known(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient
) -> None:
    message = Reply(CHANNEL, "just for you", ephemeral=True)
    ref = await unpaced(slack_client).for_user("U7").send(message)
    assert ref is not None
    [call] = slack_api.calls_to("chat.postEphemeral")
    assert call.args["user"] == "U7" and call.channel == "C1"
    # no user (a scheduled job): posted normally
    await unpaced(slack_client).send(message)
    assert len(slack_api.calls_to("chat.postMessage")) == 1


async def test_typing_adds_eyes_to_the_question(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient
) -> None:
    sender = unpaced(slack_client)
    typing = Typing(CHANNEL, reply_to="5.5")
    assert await sender.send(typing) is None
    [call] = slack_api.calls_to("reactions.add")
    assert call.args == {"channel": "C1", "timestamp": "5.5", "name": "eyes"}
    assert not slack_api.posts()


@pytest.mark.parametrize(
    "code", ["not_in_channel", "channel_not_found", "is_archived", "account_inactive"]
)
async def test_unavailable_channel_raises(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient, code: str
) -> None:
    slack_api.fail_channel("C1", code)
    with pytest.raises(ChannelUnavailable) as raised:
        await unpaced(slack_client).send(Reply(CHANNEL, "hi"))
    assert raised.value.reason == code and raised.value.conversation == CHANNEL


async def test_other_errors_propagate(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient
) -> None:
    slack_api.fail_channel("C1", "msg_too_long")
    with pytest.raises(SlackApiError):
        await unpaced(slack_client).send(Reply(CHANNEL, "hi"))


async def test_429_is_retried_after_retry_after(
    slack_client: AsyncWebClient, recording_sleep: RecordingSleep
) -> None:
    api = await FakeSlackApi(per_channel_per_second=0.5, clock=recording_sleep.clock).start()
    try:
        client = AsyncWebClient(
            token="xoxb-test", base_url=api.url, retry_handlers=slack_client.retry_handlers
        )
        sender = unpaced(client)
        await sender.send(Reply(CHANNEL, "one"))
        await sender.send(Reply(CHANNEL, "two"))
    finally:
        await api.stop()
    assert [c.text for c in api.posts()] == ["one", "two"]
    assert len(api.throttled) == 1
    assert recording_sleep.calls == [2.0]  # the fake asked for 2 s (0.5 posts/s)


async def test_pacer_spaces_posts_per_channel(
    slack_api: FakeSlackApi, slack_client: AsyncWebClient
) -> None:
    sender = SlackSender(slack_client, ChannelPacer(20.0))
    for n in range(3):
        await sender.send(Reply(CHANNEL, f"m{n}"))
    await sender.send(Reply(Conversation("slack", "C2", "T0TEAM"), "other"))
    times = [c.at for c in slack_api.posts() if c.channel == "C1"]
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(times))
