"""Webhook mode: setWebhook with the secret, forged posts refused, real ones answered."""

from __future__ import annotations

import socket
from contextlib import AsyncExitStack

import aiohttp
import pytest

from adapters.telegram.settings import TelegramSettings
from adapters.telegram.webhook import SECRET_HEADER
from bot.store.db import Database
from tests.adapters.telegram.rig import telegram_rig
from tests.adapters.telegram.updates import message_update, private_chat
from tests.databases import reopen
from tests.fakes.http_server import FakeHttpServer

SECRET = "s3cret_Token-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_registers_and_checks_the_secret(
    db: Database, http_server: FakeHttpServer
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    overrides = {"telegram_webhook_url": url, "telegram_webhook_secret": SECRET,
                 "telegram_webhook_port": port}  # fmt: skip
    async with telegram_rig(db, http_server, **overrides) as rig, aiohttp.ClientSession() as web:
        [registered] = rig.api.calls_to("setWebhook")
        assert registered["url"] == url and registered["secret_token"] == SECRET
        assert not rig.api.calls_to("getUpdates")
        chat = private_chat(777001)
        update = rig.api.push_update(message_update(chat, "/help")) and message_update(
            chat, "/help"
        )
        forged = await web.post(url, json=update, headers={SECRET_HEADER: "wrong"})
        assert forged.status == 403
        ok = await web.post(url, json=update, headers={SECRET_HEADER: SECRET})
        assert ok.status == 200
        await rig.api.wait_until(lambda: len(rig.api.sent(777001)) == 1)
        assert "Commands" in rig.api.sent(777001)[0]["text"]


async def test_an_update_posted_to_two_replicas_is_answered_once(
    db: Database, http_server: FakeHttpServer
) -> None:
    other = await reopen(db)
    update = message_update(private_chat(777002), "/help")
    answers = 0
    try:
        async with AsyncExitStack() as stack:
            web = await stack.enter_async_context(aiohttp.ClientSession())
            rigs, urls = [], []
            for database in (db, other):
                port = free_port()
                urls.append(f"http://127.0.0.1:{port}/telegram/hook")
                overrides = {"telegram_webhook_url": urls[-1], "telegram_webhook_port": port,
                             "telegram_webhook_secret": SECRET}  # fmt: skip
                rigs.append(await stack.enter_async_context(
                    telegram_rig(database, http_server, **overrides)
                ))  # fmt: skip
            for url in (urls[0], urls[1], urls[1]):  # Telegram redelivers; a balancer spreads
                posted = await web.post(url, json=update, headers={SECRET_HEADER: SECRET})
                assert posted.status == 200
            await rigs[0].api.wait_until(
                lambda: any(rig.api.sent(777002) for rig in rigs), timeout=30
            )
        answers = sum(len(rig.api.sent(777002)) for rig in rigs)  # after both stopped
    finally:
        await other.close()
    assert answers == 1


def test_settings_need_a_token_and_a_webhook_secret() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        TelegramSettings(_env_file=None).check()
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramSettings(_env_file=None, bot_token="1:x",
                         webhook_url="https://bot.example.org/tg").check()  # fmt: skip
    settings = TelegramSettings(_env_file=None, bot_token="1:x")
    settings.check()
    assert settings.api_url == "https://api.telegram.org/bot"
    assert not settings.webhook_url
