"""Discord's REST API through discord.py's HTTPClient, on a base URL of our own.

discord.py builds every URL from the class attribute `Route.BASE` and connects to the fixed
gateway `DiscordWebSocket.DEFAULT_GATEWAY`; changing those would change every client in the
process. Instead `rebase` wraps *one* client's `request` (the URL of each route is rebuilt on
DISCORD_API_BASE_URL) and `ws_connect` (the default gateway is replaced by the URL that
`GET /gateway/bot` gave, as Discord asks bots to do). Both are instance attributes: nothing
global changes. The HTTPClient keeps its own rate limiting: it waits out an exhausted bucket
(`X-RateLimit-Remaining: 0` and `Reset-After`), retries a 429 after its `retry_after`, and
holds every request while a global 429 lasts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

# JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes)
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, UNKNOWN_INTERACTION = 10003, 10008, 10062
MISSING_ACCESS, MISSING_PERMISSIONS, ALREADY_ACKNOWLEDGED = 50001, 50013, 40060
GONE = frozenset({UNKNOWN_CHANNEL, MISSING_ACCESS, MISSING_PERMISSIONS})


def rebase(http: HTTPClient, base: str, on_rate_limited: Callable[[], None] | None = None) -> None:
    """Send this client's requests to `base` and its gateway to the one Discord names."""
    original_request = http.request
    original_connect = http.ws_connect
    default_base = Route.BASE
    gateway: dict[str, str] = {}

    async def request(route: Route, **kwargs: Any) -> Any:
        if route.url.startswith(default_base):
            route.url = base + route.url[len(default_base) :]
        return await original_request(route, **kwargs)

    async def ws_connect(url: str, *, compress: int = 0) -> Any:
        default = str(DiscordWebSocket.DEFAULT_GATEWAY).rstrip("/")
        if url.startswith(default):
            if "url" not in gateway:
                _shards, gateway["url"], _limit = await http.get_bot_gateway()
            url = gateway["url"].rstrip("/") + url[len(default) :]
        return await original_connect(url, compress=compress)

    setattr(http, "request", request)  # noqa: B010 — an instance attribute, this client only
    setattr(http, "ws_connect", ws_connect)  # noqa: B010
    if on_rate_limited is not None:
        http.http_trace = rate_limit_trace(on_rate_limited)


def rate_limit_trace(on_rate_limited: Callable[[], None]) -> aiohttp.TraceConfig:
    """An aiohttp trace calling `on_rate_limited` for every 429 answer (for /metrics)."""
    trace = aiohttp.TraceConfig()

    async def on_end(_session: Any, _context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            on_rate_limited()

    trace.on_request_end.append(on_end)
    return trace


class Rest:
    """REST calls by method and path template, e.g. `call("POST", "/channels/{channel_id}/
    messages", json=…, channel_id=…)`; errors are discord.HTTPException (`.status`, `.code`)."""

    def __init__(self, http: HTTPClient) -> None:
        self.http = http

    async def call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
        form: list[dict[str, Any]] | None = None, **ids: Any,
    ) -> Any:  # fmt: skip
        """One request; the answer's JSON (None for 204)."""
        kwargs: dict[str, Any] = {}
        if json is not None:
            kwargs["json"] = json
        if params:
            kwargs["params"] = params
        if form is not None:
            kwargs["form"] = form
        return await self.http.request(Route(method, path, **ids), **kwargs)


def error_code(error: discord.HTTPException) -> int:
    """Discord's JSON error code of a failed request (0 when it gave none)."""
    return int(getattr(error, "code", 0) or 0)


async def open_rest(token: str, base: str) -> tuple[Rest, str]:
    """A logged-in REST client without the gateway (to send only) and the bot's user id;
    close it with `await rest.http.close()`."""
    http = HTTPClient(asyncio.get_running_loop())
    rebase(http, base)
    me = await http.static_login(token)
    return Rest(http), str(me["id"])
