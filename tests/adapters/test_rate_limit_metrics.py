"""Each 429 a chat platform answers is counted per platform for /metrics (issue 20)."""

from __future__ import annotations

from telegram.ext import ExtBot

from adapters.slack.app import make_client
from adapters.slack.sender import ChannelPacer, SlackSender
from adapters.telegram.limiter import CountingRateLimiter
from adapters.telegram.sender import TelegramSender
from bot.messages import Conversation
from bot.metrics import CommandMetrics
from bot.posts import Reply
from tests.adapters.slack.rig import slack_settings
from tests.fakes.clock import RecordingSleep
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi


def limited(metrics: CommandMetrics, platform: str) -> float:
    value = metrics.registry.get_sample_value("paperbot_rate_limited_total", {"platform": platform})
    return value or 0.0


async def test_a_slack_429_is_counted_and_the_post_still_goes_out() -> None:
    metrics, sleep = CommandMetrics(), RecordingSleep()
    api = await FakeSlackApi(per_channel_per_second=0.5, clock=sleep.clock).start()
    try:
        client = make_client(slack_settings(api.url), sleep,
                             on_rate_limited=lambda: metrics.rate_limited("slack"))  # fmt: skip
        sender = SlackSender(client, ChannelPacer(None))
        for text in ("one", "two"):
            await sender.send(Reply(Conversation("slack", "C1", "T0TEAM"), text))
    finally:
        await api.stop()
    assert [c.text for c in api.posts()] == ["one", "two"] and len(api.throttled) == 1
    assert limited(metrics, "slack") == 1 and limited(metrics, "telegram") == 0


async def test_a_telegram_429_is_counted_and_the_post_still_goes_out() -> None:
    metrics = CommandMetrics()
    count = lambda: metrics.rate_limited("telegram")  # noqa: E731
    limiter = CountingRateLimiter(
        overall_max_rate=0, group_max_rate=0, max_retries=2, on_rate_limited=count
    )
    async with FakeTelegramApi() as api:
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        async with ExtBot(api.token, base_url=api.api_url, rate_limiter=limiter) as bot:
            await TelegramSender(bot).send(Reply(Conversation("telegram", "4242"), "x"))
    assert len(api.sent(4242)) == 1 and limited(metrics, "telegram") == 1
