"""The fake Discord's REST routes (see tests/fakes/discord_api.py for the rules it keeps)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import (
    Gateway,
    Payload,
    json_response,
    message,
    snowflake,
    thread_channel,
)
from tests.fakes.discord_validate import invalid_message

TOKEN = "fake-discord-bot-token"
APPLICATION_ID = "1300000000000000001"
MISSING_ACCESS = (403, 50001, "Missing Access")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
NONCE_WINDOW = 300.0  # seconds Discord remembers an enforced nonce ("a few minutes")


@dataclass
class Interaction:
    """One interaction the fake dispatched, and what the bot did with it."""

    payload: Payload
    dispatched: float
    callback: int | None = None  # the acknowledged callback type
    acknowledged_after: float | None = None
    original: Payload | None = None
    followups: list[Payload] = field(default_factory=list)
    deleted_original: bool = False


@dataclass(frozen=True)
class Call:
    """What a route handler gets: the JSON body and the query."""

    body: Any
    query: dict[str, str]


def _valid_command(command: Payload) -> bool:
    """A chat-input command Discord would take: its name and description lengths."""
    name_ok = re.fullmatch(r"[-_a-z0-9]{1,32}", str(command.get("name"))) is not None
    return name_ok and 1 <= len(str(command.get("description", ""))) <= 100


def error(status: int, code: int, text: str, **extra: Any) -> web.Response:
    """Discord's error shape."""
    return json_response({"code": code, "message": text} | extra, status=status)


class Routes:
    """The route handlers; FakeDiscord holds the state they read and change."""

    bot: Payload
    owner: Payload
    port: int
    interaction_deadline: float
    channels: dict[str, Payload]
    messages: dict[str, list[Payload]]
    gone: dict[str, tuple[int, int, str]]
    commands: list[Payload]
    interactions: dict[str, Interaction]
    gateway: Gateway
    _nonces: dict[tuple[str, str], tuple[float, Payload]]
    _changed: asyncio.Event
    now: Callable[[], float]

    def _thread(self, on: Payload, name: str, owner: str) -> Payload:
        thread = thread_channel(on["id"], self.channels[on["channel_id"]], name, owner)
        self.channels[thread["id"]] = thread
        self.messages[thread["id"]] = []
        self._changed.set()
        return thread

    def _channel(self, channel_id: str) -> Payload | web.Response:
        """The channel, or Discord's error for one the bot can't reach."""
        parent = self.channels.get(channel_id, {}).get("parent_id")
        for key in (channel_id, parent):
            if key in self.gone:
                return error(*self.gone[key])
        return self.channels.get(channel_id) or error(*UNKNOWN_CHANNEL)

    async def _me(self, _call: Call) -> web.Response:
        return json_response(self.bot)

    async def _application(self, _call: Call) -> web.Response:
        return json_response({
            "id": APPLICATION_ID, "name": "paperbot", "icon": None, "description": "",
            "bot_public": False, "bot_require_code_grant": False, "owner": self.owner,
            "verify_key": "0" * 64, "team": None, "flags": 1 << 19, "bot": self.bot,
            "summary": "", "rpc_origins": [], "interactions_endpoint_url": None,
        })  # fmt: skip

    async def _gateway_bot(self, _call: Call) -> web.Response:
        return json_response({"url": f"ws://127.0.0.1:{self.port}/gateway", "shards": 1,
                                  "session_start_limit": {"total": 1000, "remaining": 999,
                                                          "reset_after": 14400000,
                                                          "max_concurrency": 1}})  # fmt: skip

    async def _put_commands(self, call: Call, application: str) -> web.Response:
        body = call.body
        if application != APPLICATION_ID:
            return error(403, 50001, "Missing Access")
        if not isinstance(body, list) or not all(map(_valid_command, body)):
            return error(
                400, 50035, "Invalid Form Body", errors={"_errors": [{"code": "BASE_TYPE_BAD"}]}
            )
        self.commands = [
            c | {"id": snowflake(), "application_id": APPLICATION_ID, "version": snowflake()}
            for c in body
        ]
        return json_response(self.commands)

    async def _callback(self, call: Call, _id: str, token: str) -> web.Response:
        body = call.body
        made = self.interactions.get(token)
        if made is None or self.now() - made.dispatched > self.interaction_deadline:
            return error(404, 10062, "Unknown interaction")
        if made.callback is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        kind = (body or {}).get("type")
        allowed = {4, 5} if made.payload["type"] == 2 else {4, 5, 6, 7}
        if kind not in allowed:
            return error(
                400,
                50035,
                "Invalid Form Body",
                errors={"type": {"_errors": [{"code": "BASE_TYPE_CHOICES"}]}},
            )
        made.callback, made.acknowledged_after = kind, self.now() - made.dispatched
        flags = (body.get("data") or {}).get("flags") or 0
        if kind == 5:
            made.original = {
                "id": snowflake(),
                "content": "",
                "flags": flags | 128,
                "pending": True,
            }
        return web.Response(status=204)

    def _answered(self, application: str, token: str) -> Interaction | web.Response:
        made = self.interactions.get(token)
        if application != APPLICATION_ID or made is None or made.callback is None:
            return error(404, 10015, "Unknown Webhook")
        return made

    async def _edit_original(self, call: Call, application: str, token: str) -> web.Response:
        body = call.body
        made = self._answered(application, token)
        if isinstance(made, web.Response):
            return made
        if made.original is None:
            return error(404, 10008, "Unknown Message")
        problem = invalid_message(body, edit=True)
        if problem is not None:
            return problem
        channel = self.channels[made.payload["channel_id"]]
        kept = {"id": made.original["id"], "flags": made.original["flags"] & ~128}
        made.original = message(channel, self.bot, **body) | kept
        return json_response(made.original)

    async def _delete_original(self, _call: Call, application: str, token: str) -> web.Response:
        made = self._answered(application, token)
        if isinstance(made, web.Response):
            return made
        made.deleted_original = True
        return web.Response(status=204)

    async def _followup(self, call: Call, application: str, token: str) -> web.Response:
        body = call.body
        made = self._answered(application, token)
        if isinstance(made, web.Response):
            return made
        problem = invalid_message(body)
        if problem is not None:
            return problem
        sent = message(self.channels[made.payload["channel_id"]], self.bot, **body)
        made.followups.append(sent)
        return json_response(sent)

    async def _get_channel(self, _call: Call, channel_id: str) -> web.Response:
        found = self._channel(channel_id)
        return found if isinstance(found, web.Response) else json_response(found)

    async def _history(self, call: Call, channel_id: str) -> web.Response:
        found = self._channel(channel_id)
        if isinstance(found, web.Response):
            return found
        limit = min(max(int(call.query.get("limit", 50)), 1), 100)
        kept = self.messages.get(channel_id, [])
        if "after" in call.query:
            page = [m for m in kept if int(m["id"]) > int(call.query["after"])][:limit]
        else:
            before = int(call.query.get("before", 1 << 63))
            page = [m for m in kept if int(m["id"]) < before][-limit:]
        return json_response(sorted(page, key=lambda m: -int(m["id"])))  # newest first

    async def _get_message(self, _call: Call, channel_id: str, message_id: str) -> web.Response:
        found = self._channel(channel_id)
        if isinstance(found, web.Response):
            return found
        for kept in self.messages.get(channel_id, []):
            if kept["id"] == message_id:
                return json_response(kept)
        return error(404, 10008, "Unknown Message")

    async def _create_message(self, call: Call, channel_id: str) -> web.Response:
        found = self._channel(channel_id)
        if isinstance(found, web.Response):
            return found
        body = call.body or {}
        problem = invalid_message(body)
        if problem is not None:
            return problem
        nonce = body.get("nonce")
        earlier = self._nonces.get((channel_id, str(nonce)))
        if (
            nonce
            and body.get("enforce_nonce")
            and earlier
            and self.now() - earlier[0] < NONCE_WINDOW
        ):
            return json_response(earlier[1])
        reference = body.get("message_reference")
        if (
            reference
            and reference.get("fail_if_not_exists", True)
            and not any(
                m["id"] == reference.get("message_id") for m in self.messages.get(channel_id, [])
            )
        ):
            unknown = {"_errors": [{"code": "REPLIES_UNKNOWN_MESSAGE"}]}
            return error(400, 50035, "Invalid Form Body", errors={"message_reference": unknown})
        fields = {
            k: v for k, v in body.items() if k not in ("nonce", "enforce_nonce", "allowed_mentions")
        }
        sent = message(found, self.bot, **fields)
        self.messages.setdefault(channel_id, []).append(sent)
        if nonce:
            self._nonces[(channel_id, str(nonce))] = (self.now(), sent | {"nonce": nonce})
        return json_response(sent | ({"nonce": nonce} if nonce else {}))

    async def _typing(self, _call: Call, channel_id: str) -> web.Response:
        found = self._channel(channel_id)
        return found if isinstance(found, web.Response) else web.Response(status=204)

    async def _create_thread(self, call: Call, channel_id: str, message_id: str) -> web.Response:
        body = call.body
        found = self._channel(channel_id)
        if isinstance(found, web.Response):
            return found
        name = str((body or {}).get("name") or "")
        if not 1 <= len(name) <= 100:
            return error(
                400,
                50035,
                "Invalid Form Body",
                errors={"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}},
            )
        if message_id in self.channels:
            return error(400, 160004, "A thread has already been created for this message")
        starter = [m for m in self.messages.get(channel_id, []) if m["id"] == message_id]
        if not starter:
            return error(404, 10008, "Unknown Message")
        thread = self._thread(starter[0], name, self.bot["id"])
        await self.gateway.dispatch("THREAD_CREATE", thread | {"newly_created": True})
        return json_response(thread, status=201)
