"""The webhook receiver: an aiohttp server on 127.0.0.1 feeding updates to the PTB Application.

Listens on TELEGRAM_WEBHOOK_PORT at the path of TELEGRAM_WEBHOOK_URL (put a TLS reverse proxy
in front), refuses requests without the right X-Telegram-Bot-Api-Secret-Token, and registers
the URL and secret with setWebhook. (PTB's own webhook server needs tornado; this does not.)
Behind a load balancer, each update_id is taken by one replica only (`keys`, in the store);
Telegram's redelivery of an update some replica already took is answered 200 and dropped.
"""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlparse

import structlog
from aiohttp import web
from telegram import Update
from telegram.ext import Application

from adapters.telegram.settings import TelegramSettings

log = structlog.get_logger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATE_TTL = timedelta(days=1)  # Telegram gives up redelivering an update well within this


class SeenKeys(Protocol):
    """Says whether a key was seen before by any replica (`bot.store.keys.RequestKeys`)."""

    async def first(self, scope: str, key: str, ttl: timedelta) -> bool:
        """True the first time (scope, key) is seen within `ttl`; False after that."""
        ...


def webhook_path(url: str) -> str:
    """The local path the webhook is served at: the public URL's path."""
    return urlparse(url).path or "/"


class WebhookServer:
    """Receives Telegram's POSTs and queues them as updates."""

    def __init__(
        self,
        application: Application,
        settings: TelegramSettings,
        allowed: list[str],
        *,
        keys: SeenKeys | None = None,
    ) -> None:
        self._application = application
        self._keys = keys
        self._settings = settings
        self._allowed = allowed
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen, then tell Telegram where to POST."""
        app = web.Application()
        app.router.add_post(webhook_path(self._settings.webhook_url), self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._settings.webhook_port)
        await site.start()
        await self._application.bot.set_webhook(
            self._settings.webhook_url,
            secret_token=self._settings.webhook_secret,
            allowed_updates=self._allowed,
        )

    async def stop(self) -> None:
        """Stop listening (the webhook stays registered, so Telegram queues updates meanwhile)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(secret, self._settings.webhook_secret.encode()):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, self._application.bot)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return web.Response(status=400)
        if update is not None and await self._first(update):
            await self._application.update_queue.put(update)
        return web.Response()

    async def _first(self, update: Update) -> bool:
        """Has no replica taken this update yet? (always, without shared keys)"""
        if self._keys is None:
            return True
        key = f"{self._application.bot.id}:{update.update_id}"
        return await self._keys.first("telegram_update", key, UPDATE_TTL)
