"""The weekly briefing on the Slack and Telegram fakes (the chart uploaded) and the console."""

from __future__ import annotations

import io
import json

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from adapters.console import ConsoleSender
from adapters.slack.sender import ChannelPacer, SlackSender
from adapters.telegram.sender import TelegramSender
from bot.app import App
from bot.models import Channel
from bot.store.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi
from tests.jobs.conftest import add_channel
from tests.jobs.weekly_seed import run_weekly, seed_weeks

PNG = b"\x89PNG"


async def weekly_channel(db: Database, platform: str, name: str) -> Channel:
    channel = await add_channel(db, name, "cat:quant-ph", platform=platform, weekly_day="mon",
                                workspace="T0TEAM" if platform == "slack" else "")  # fmt: skip
    assert channel.id is not None
    await seed_weeks(db, channel.id)
    return channel


async def test_slack_posts_the_text_then_uploads_the_chart(app: App, db: Database) -> None:
    await weekly_channel(db, "slack", "C1")
    api = await FakeSlackApi().start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=api.url)
        sender = SlackSender(client, ChannelPacer(None))
        outcome = await run_weekly(app, {"slack": sender})
    finally:
        await api.stop()
    assert [o.status for o in outcome] == ["sent"]
    [post] = api.calls_to("chat.postMessage")
    assert "Weekly briefing: 2025-04-28 to 2025-05-04" in post.text
    assert "paperbot:" in json.dumps(post.args.get("metadata"))  # found again on a resume
    [asked] = api.calls_to("files.getUploadURLExternal")
    [done] = api.calls_to("files.completeUploadExternal")
    [(file_id, data)] = api.uploads.items()
    assert data.startswith(PNG) and int(asked.args["length"]) == len(data)
    assert asked.args["filename"] == "paperbot-week-2025-04-28.png"
    assert "cat:quant-ph" in asked.args["alt_txt"]  # the text table as alt text
    assert done.args["channel_id"] == "C1"
    assert [f["id"] for f in json.loads(done.args["files"])] == [file_id]
    assert [c.method for c in api.calls if c.method != "auth.test"] == [
        "chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal",
    ]  # fmt: skip


async def test_telegram_sends_the_text_then_the_photo(app: App, db: Database) -> None:
    await weekly_channel(db, "telegram", "4242")
    async with FakeTelegramApi() as api, Bot(api.token, base_url=api.api_url) as bot:
        outcome = await run_weekly(app, {"telegram": TelegramSender(bot)})
    assert [o.status for o in outcome] == ["sent"]
    [text] = api.sent(4242)
    assert "Weekly briefing: 2025-04-28 to 2025-05-04" in text["text"]
    assert "<pre>" in text["text"] and "cat:quant-ph" in text["text"]  # the table
    [photo] = api.photos
    assert photo["photo"].startswith(PNG) and photo["chat_id"] == "4242"
    assert photo["caption"] == "Papers per topic per day"
    assert [m for m, _ in api.calls if m.startswith("send")] == ["sendMessage", "sendPhoto"]


async def test_the_console_prints_the_text_table(app: App, db: Database) -> None:
    await weekly_channel(db, "console", "console")
    out = io.StringIO()
    await run_weekly(app, {"console": ConsoleSender(out)})
    printed = out.getvalue()
    assert "Weekly briefing: 2025-04-28 to 2025-05-04" in printed and "**" not in printed
    row = next(line for line in printed.splitlines() if line.startswith("cat:quant-ph"))
    assert row.split()[1:] == ["4", "2", "0", "3", "0", "0", "0", "9"]
