"""A strict loopback fake of Discord: the REST API (v10) and the gateway, on 127.0.0.1:0.

Strict like Discord: an unknown route is a 404 `{"message": "404: Not Found", "code": 0}`,
a request without the bot's `Authorization: Bot …` a 401, a message over 2,000 characters,
more than five action rows, a custom_id over 100 or a bad embed a 400 50035 Invalid Form
Body, an empty one 50006; a channel the bot may not see answers 403 50001 Missing Access and
one that does not exist 404 10003 Unknown Channel. An interaction must be acknowledged within
`interaction_deadline` seconds of its dispatch (10062 Unknown interaction after), once (40060),
and followed up through its token only after that. Every answer carries Discord's rate-limit
headers; `rate_limit` scripts a bucket or global 429 (`retry_after`, `Retry-After`,
`X-RateLimit-Global`), and a request the 429 told to wait that comes too soon is refused again
and counted in `premature`. `nonce` with `enforce_nonce` returns the message already created.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import (
    Gateway,
    Payload,
    guild,
    json_response,
    member,
    message,
    snowflake,
    text_channel,
    user,
)
from tests.fakes.discord_routes import (
    APPLICATION_ID,
    MISSING_ACCESS,
    NONCE_WINDOW,
    TOKEN,
    UNKNOWN_CHANNEL,
    Call,
    Interaction,
    Routes,
    error,
)

GUILD_ID, CHANNEL_ID, OWNER_ID = "1300000000000000100", "1300000000000000200", "1300000000000000300"
__all__ = ["APPLICATION_ID", "CHANNEL_ID", "GUILD_ID", "MISSING_ACCESS", "NONCE_WINDOW",
           "UNKNOWN_CHANNEL", "FakeDiscord", "Interaction"]  # fmt: skip
Handler = Callable[..., Awaitable[web.Response]]


@dataclass
class Limit:
    """A scripted 429 for the next request matching (method, route)."""

    method: str
    route: str
    retry_after: float
    is_global: bool = False
    until: float | None = None  # once served: when the client may come back


@dataclass
class Recorded:
    """One request: what was asked, when, and the status it got."""

    method: str
    route: str
    path: str
    body: Any
    at: float
    status: int = 0


class FakeDiscord(Routes):
    """The fake's state (guild, channels, messages, interactions) and its server."""

    def __init__(self, *, interaction_deadline: float = 3.0) -> None:
        self.token, self.application_id = TOKEN, APPLICATION_ID
        self.bot = user(snowflake(), "paperbot", bot=True)
        self.owner = user(OWNER_ID, "owner")
        self.interaction_deadline = interaction_deadline
        self.skew = 0.0  # seconds added to the fake's clock (a late callback, without waiting)
        self.channels: dict[str, Payload] = {
            CHANNEL_ID: text_channel(CHANNEL_ID, GUILD_ID, "papers")
        }
        self.messages: dict[str, list[Payload]] = {CHANNEL_ID: []}
        self.gone: dict[str, tuple[int, int, str]] = {}
        self.commands: list[Payload] = []
        self.interactions: dict[str, Interaction] = {}
        self.requests: list[Recorded] = []
        self.limits: list[Limit] = []
        self.premature = 0
        self.drop_after_accept: list[int] = []  # nth message POSTs from now: created, answer lost
        self._posts_seen = 0
        self._global_until = 0.0
        self._nonces: dict[tuple[str, str], tuple[float, Payload]] = {}
        self._changed = asyncio.Event()
        self.gateway = Gateway(TOKEN, self._ready, self._guilds, self._changed.set)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], str, Handler, bool]] = []
        self._add_routes()

    # the test's side -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What DISCORD_API_BASE_URL should be."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    def now(self) -> float:
        """The fake's clock."""
        return time.monotonic() + self.skew

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        """Wait (event-driven) until the predicate holds; TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def bot_messages(self, channel: str = CHANNEL_ID) -> list[Payload]:
        """The bot's messages in a channel or thread, oldest first."""
        return [m for m in self.messages.get(channel, []) if m["author"]["id"] == self.bot["id"]]

    def requests_to(self, method: str, route: str) -> list[Recorded]:
        """The recorded requests to a route template, e.g. "/channels/{}/messages"."""
        return [r for r in self.requests if r.method == method and r.route == route]

    def rate_limit(
        self, method: str, route: str, retry_after: float, *, is_global: bool = False
    ) -> None:
        """The next request to (method, route) gets a 429 (a global one with `is_global`)."""
        self.limits.append(Limit(method, route, retry_after, is_global))

    def revoke(self, channel: str, failure: tuple[int, int, str] = MISSING_ACCESS) -> None:
        """The bot can no longer see the channel (or it was deleted: UNKNOWN_CHANNEL)."""
        self.gone[channel] = failure

    async def command(self, text: str | None, *, person: Payload, permissions: int = 0,
                      channel: str = CHANNEL_ID, name: str = "papers") -> Interaction:  # fmt: skip
        """Someone uses `/papers text:…` in a channel: INTERACTION_CREATE (type 2)."""
        options = [] if text is None else [{"name": "text", "type": 3, "value": text}]
        data = {"id": self.commands[0]["id"] if self.commands else snowflake(), "name": name,
                "type": 1, "options": options}  # fmt: skip
        return await self._interact(2, data, person, permissions, channel)

    async def click(self, clicked: Payload, custom_id: str, *, person: Payload,
                    permissions: int = 0) -> Interaction:  # fmt: skip
        """Someone clicks a button on a message: INTERACTION_CREATE (type 3)."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, person, permissions, clicked["channel_id"], clicked)

    async def say(self, channel: str, person: Payload, content: str, **fields: Any) -> Payload:
        """Someone writes in a channel or thread: MESSAGE_CREATE."""
        said = message(self.channels[channel], person, content=content, **fields)
        self.messages.setdefault(channel, []).append(said)
        await self.gateway.dispatch("MESSAGE_CREATE", said | {"member": member(person, 0)})
        return said

    async def start_thread_as(self, person: Payload, on: Payload) -> Payload:
        """Someone starts a thread from a message (THREAD_CREATE); its id is the message's."""
        thread = self._thread(on, "Questions", person["id"])
        await self.gateway.dispatch("THREAD_CREATE", thread | {"newly_created": True})
        return thread

    async def start(self) -> FakeDiscord:
        """Listen on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_get("/gateway", self.gateway.serve)
        app.router.add_get("/gateway/", self.gateway.serve)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Close every connection and stop."""
        for connection in self.gateway.connections:
            await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # helpers ---------------------------------------------------------------------------------

    def _ready(self) -> Payload:
        return {"v": 10, "user": self.bot, "guilds": [{"id": GUILD_ID, "unavailable": True}],
                "session_id": snowflake(), "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                "shard": [0, 1], "application": {"id": APPLICATION_ID, "flags": 0},
                "private_channels": [], "relationships": [], "presences": [],
                "guild_join_requests": [], "geo_ordered_rtc_regions": []}  # fmt: skip

    def _guilds(self) -> list[Payload]:
        plain = [c for c in self.channels.values() if c["type"] == 0]
        return [guild(GUILD_ID, "Lab", plain, OWNER_ID)]

    async def _interact(self, kind: int, data: Payload, person: Payload, permissions: int,
                        channel: str, clicked: Payload | None = None) -> Interaction:  # fmt: skip
        payload: Payload = {
            "id": snowflake(), "application_id": APPLICATION_ID, "type": kind, "data": data,
            "guild_id": GUILD_ID, "channel_id": channel, "channel": self.channels[channel],
            "member": member(person, permissions), "token": "itok-" + snowflake(), "version": 1,
            "app_permissions": str((1 << 53) - 1), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID}, "context": 0,
            "attachment_size_limit": 10485760,
        }  # fmt: skip
        if clicked is not None:
            payload["message"] = clicked
        made = Interaction(payload, self.now())
        self.interactions[payload["token"]] = made
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return made

    # serving ---------------------------------------------------------------------------------

    def _add_routes(self) -> None:
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", "/users/@me", self._me, True),
            ("GET", "/oauth2/applications/@me", self._application, True),
            ("GET", "/gateway/bot", self._gateway_bot, True),
            ("PUT", "/applications/{}/commands", self._put_commands, True),
            ("POST", "/interactions/{}/{}/callback", self._callback, False),
            ("PATCH", "/webhooks/{}/{}/messages/@original", self._edit_original, False),
            ("DELETE", "/webhooks/{}/{}/messages/@original", self._delete_original, False),
            ("POST", "/webhooks/{}/{}", self._followup, False),
            ("GET", "/channels/{}", self._get_channel, True),
            ("GET", "/channels/{}/messages", self._history, True),
            ("POST", "/channels/{}/messages", self._create_message, True),
            ("GET", "/channels/{}/messages/{}", self._get_message, True),
            ("POST", "/channels/{}/typing", self._typing, True),
            ("POST", "/channels/{}/messages/{}/threads", self._create_thread, True),
        ]
        for method, route, handler, auth in table:
            pattern = re.compile("^" + re.escape(route).replace(r"\{\}", "([^/]+)") + "$")
            self._routes.append((method, pattern, route, handler, auth))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await _body(request)
        matched = [
            (route, handler, auth, found.groups())
            for method, pattern, route, handler, auth in self._routes
            if method == request.method and (found := pattern.match(path))
        ]
        if not matched:
            self.requests.append(Recorded(request.method, "?", path, body, self.now(), 404))
            return error(404, 0, "404: Not Found")
        route, handler, auth, groups = matched[0]
        recorded = Recorded(request.method, route, path, body, self.now())
        self.requests.append(recorded)
        try:
            response = self._refused(request, route, auth) or await handler(
                Call(body, dict(request.query)), *groups
            )
            if (
                recorded.route == "/channels/{}/messages"
                and request.method == "POST"
                and response.status == 200
            ):
                self._posts_seen += 1
                if self._posts_seen in self.drop_after_accept:
                    request.transport.close()  # type: ignore[union-attr]  # created; answer lost
            recorded.status = response.status
            return self._with_headers(response, request.method, route)
        finally:
            self._changed.set()

    def _refused(self, request: web.Request, route: str, auth: bool) -> web.Response | None:
        """401 without the bot's token; 429 while a (scripted) rate limit holds."""
        if auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return error(401, 0, "401: Unauthorized")
        now = self.now()
        if now < self._global_until:
            self.premature += 1
            return self._too_many(self._global_until - now, True)
        for limit in self.limits:
            if limit.method == request.method and limit.route == route:
                if limit.until is None:
                    limit.until = now + limit.retry_after
                    if limit.is_global:
                        self._global_until = limit.until
                    return self._too_many(limit.retry_after, limit.is_global)
                if now < limit.until:
                    self.premature += 1
                    return self._too_many(limit.until - now, limit.is_global)
        return None

    def _too_many(self, retry_after: float, is_global: bool) -> web.Response:
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3),
                "global": is_global}  # fmt: skip
        headers = {"Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google"}
        if is_global:
            headers |= {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        else:
            headers |= {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                        "X-RateLimit-Scope": "user"}  # fmt: skip
        return json_response(body, status=429, headers=headers)

    def _with_headers(self, response: web.Response, method: str, route: str) -> web.Response:
        if response.status != 429 or "X-RateLimit-Global" not in response.headers:
            bucket = hashlib.sha1(f"{method} {route}".encode()).hexdigest()[:16]
            response.headers.setdefault("X-RateLimit-Limit", "50")
            response.headers.setdefault("X-RateLimit-Remaining", "49")
            response.headers.setdefault("X-RateLimit-Reset-After", "1.000")
            response.headers.setdefault("X-RateLimit-Reset", f"{time.time() + 1:.3f}")
            response.headers["X-RateLimit-Bucket"] = bucket
        return response


async def _body(request: web.Request) -> Any:
    """The JSON body; for multipart (an upload) its `payload_json` with the files as
    attachments (filename and size), as Discord stores them."""
    if not request.can_read_body:
        return None
    if request.content_type == "application/json":
        return await request.json()
    if request.content_type != "multipart/form-data":
        return None
    form = await request.post()
    body: dict[str, Any] = json.loads(str(form.get("payload_json") or "{}"))
    files = [v for k, v in form.items() if k.startswith("files[")]
    body["attachments"] = [{"id": snowflake(), "filename": f.filename, "size": len(f.file.read()),
                            "content_type": f.content_type} for f in files
                           if isinstance(f, web.FileField)]  # fmt: skip
    return body
