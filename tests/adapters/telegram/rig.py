"""A whole bot behind the real PTB Application, polling the fake Telegram Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram.ext import AIORateLimiter

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.settings import TelegramSettings
from bot.store.db import Database
from bot.store.keys import RequestKeys
from tests.adapters.telegram.updates import message_update
from tests.botharness import TestBot, bot_settings, make_testbot
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.fakes.telegram_api import FakeTelegramApi

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"


@dataclass
class TelegramRig:
    """The adapter, the fake Bot API and the bot behind them."""

    adapter: TelegramAdapter
    api: FakeTelegramApi
    testbot: TestBot

    async def say(self, chat: dict[str, Any], text: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Post a message in a chat; return the bot's messages sent there in answer."""
        return await self.push(message_update(chat, text, **kwargs), chat["id"])

    async def push(
        self, update: dict[str, Any], chat_id: int, count: int = 1
    ) -> list[dict[str, Any]]:
        """Queue an update; wait until `count` more messages reach the chat; return them."""
        before = len(self.api.sent(chat_id))
        self.api.push_update(update)
        await self.api.wait_until(lambda: len(self.api.sent(chat_id)) >= before + count)
        return self.api.sent(chat_id)[before:]


@asynccontextmanager
async def telegram_rig(
    db: Database, feeds: FakeHttpServer, **overrides: Any
) -> AsyncIterator[TelegramRig]:
    """Start the fake API and the adapter (polling) over a bot serving the recorded feed."""
    feeds.route_prefix("/rss/", Reply(QUANT_PH.read_bytes()))
    feeds.route_prefix("/html/", Reply("gone", status=404))
    feeds.route_prefix("/pdf/", Reply("gone", status=404))
    api = await FakeTelegramApi().start()
    values: dict[str, Any] = {
        "adapters": "telegram",
        "arxiv_rss_url": f"{feeds.url}/rss/",
        "arxiv_html_url": f"{feeds.url}/html/",
        "arxiv_pdf_url": f"{feeds.url}/pdf/",
    }
    own = {k[len("telegram_"):]: v for k, v in overrides.items() if k.startswith("telegram_")}
    core = {k: v for k, v in overrides.items() if not k.startswith("telegram_")}
    settings = bot_settings(**(values | core))
    telegram = TelegramSettings(_env_file=None, **({"bot_token": api.token,
                                                   "api_url": api.api_url} | own))  # fmt: skip
    testbot = await make_testbot(db, settings)
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=2)
    adapter = TelegramAdapter(telegram, testbot.app.bot, rate_limiter=limiter, poll_timeout=5,
                              keys=RequestKeys(db))  # fmt: skip
    try:
        await adapter.start()
        try:
            yield TelegramRig(adapter, api, testbot)
        finally:
            await adapter.stop()
    finally:
        await testbot.app.http.aclose()
        await api.stop()
