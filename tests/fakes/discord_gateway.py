"""The fake Discord's gateway (one websocket per client) and its recorded payload shapes.

Shapes follow Discord's documentation (Message, Channel, User, Guild Member, Interaction,
READY, GUILD_CREATE). The gateway says HELLO, takes IDENTIFY (the token and intents are
checked: a wrong token closes with 4004), answers heartbeats, and dispatches READY, then
GUILD_CREATE for each guild; after that `dispatch` sends any event to every identified client.
It speaks `compress=zlib-stream` when asked (one zlib context per connection, each payload
ending in Z_SYNC_FLUSH), as discord.py asks by default.
"""

from __future__ import annotations

import itertools
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

Payload = dict[str, Any]
HEARTBEAT_MS = 41250
_ids = itertools.count(1_310_000_000_000_000_000)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON as Discord sends it: `Content-Type: application/json` exactly (no charset)."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"} | (headers or {}))  # fmt: skip


def snowflake() -> str:
    """A fresh id, increasing like Discord's."""
    return str(next(_ids))


def timestamp() -> str:
    """An ISO8601 timestamp, as Discord writes them."""
    return datetime.now(UTC).isoformat()


def user(user_id: str, name: str, *, bot: bool = False) -> Payload:
    """A User object."""
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "system": False, "public_flags": 0, "flags": 0}  # fmt: skip


def member(person: Payload, permissions: int) -> Payload:
    """A Guild Member object as interactions carry it (with `permissions` in the channel)."""
    return {"user": person, "nick": None, "avatar": None, "roles": [], "joined_at": timestamp(),
            "premium_since": None, "deaf": False, "mute": False, "flags": 0, "pending": False,
            "permissions": str(permissions)}  # fmt: skip


def text_channel(channel_id: str, guild_id: str, name: str) -> Payload:
    """A guild text channel (type 0)."""
    return {"id": channel_id, "type": 0, "guild_id": guild_id, "name": name, "position": 0,
            "permission_overwrites": [], "nsfw": False, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0, "parent_id": None, "flags": 0}  # fmt: skip


def thread_channel(thread_id: str, parent: Payload, name: str, owner: str) -> Payload:
    """A public thread (type 11) started from the message with the same id."""
    return {"id": thread_id, "type": 11, "guild_id": parent["guild_id"], "parent_id": parent["id"],
            "name": name, "owner_id": owner, "last_message_id": None, "rate_limit_per_user": 0,
            "message_count": 0, "member_count": 1, "flags": 0, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 10080,
                                "archive_timestamp": timestamp(), "locked": False}}  # fmt: skip


def message(channel: Payload, author: Payload, **fields: Any) -> Payload:
    """A Message object (type 0, or 19 when it replies)."""
    made: Payload = {
        "id": snowflake(), "channel_id": channel["id"], "author": author, "content": "",
        "timestamp": timestamp(), "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "components": [], "pinned": False, "type": 0, "flags": 0,
    }  # fmt: skip
    if channel.get("guild_id"):
        made["guild_id"] = channel["guild_id"]
    made.update(fields)
    if made.get("message_reference"):
        made["type"] = 19
    return made


def guild(guild_id: str, name: str, channels: list[Payload], owner: str) -> Payload:
    """A GUILD_CREATE payload (an available guild with its channels and active threads)."""
    return {"id": guild_id, "name": name, "icon": None, "owner_id": owner, "unavailable": False,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "preferred_locale": "en-US", "features": [], "roles": [], "emojis": [],
            "stickers": [], "member_count": 2, "large": False, "joined_at": timestamp(),
            "members": [], "channels": channels, "threads": [], "presences": [],
            "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [], "system_channel_flags": 0}  # fmt: skip


@dataclass
class Connection:
    """One client's websocket: its zlib context and sequence."""

    ws: web.WebSocketResponse
    deflate: Any = None  # zlib.compressobj when the client asked for zlib-stream
    seq: int = 0
    identified: bool = False
    intents: int = 0
    sent: list[Payload] = field(default_factory=list)

    async def send(self, payload: Payload) -> None:
        """Send one payload (compressed when asked)."""
        if payload.get("op") == 0:
            self.seq += 1
            payload = payload | {"s": self.seq}
        self.sent.append(payload)
        data = json.dumps(payload)
        if self.ws.closed:
            return
        if self.deflate is not None:
            blob = self.deflate.compress(data.encode()) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(blob)
        else:
            await self.ws.send_str(data)


class Gateway:
    """The websocket side of the fake (see the module's docstring)."""

    def __init__(self, token: str, ready: Any, guilds: Any, on_change: Any) -> None:
        self._token = token
        self._ready = ready  # () -> READY payload
        self._guilds = guilds  # () -> GUILD_CREATE payloads
        self._on_change = on_change
        self.connections: list[Connection] = []
        self.allowed_intents = (1 << 25) - 1  # the Developer Portal's switches: all enabled

    @property
    def identified(self) -> list[Connection]:
        """The connections that identified."""
        return [c for c in self.connections if c.identified and not c.ws.closed]

    async def dispatch(self, kind: str, data: Payload) -> None:
        """Send an event to every identified client."""
        for connection in self.identified:
            await connection.send({"op": 0, "t": kind, "d": data})

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        zlib_stream = request.query.get("compress") == "zlib-stream"
        connection = Connection(ws, zlib.compressobj() if zlib_stream else None)
        self.connections.append(connection)
        await connection.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS},
                               "s": None, "t": None})  # fmt: skip
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            await self._received(connection, json.loads(frame.data))
        self._on_change()
        return ws

    async def _received(self, connection: Connection, payload: Payload) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == 1:
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            if data.get("token") != self._token:
                await connection.ws.close(code=4004, message=b"Authentication failed.")
                return
            connection.intents = int(data.get("intents", 0))
            if connection.intents & ~self.allowed_intents:
                await connection.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            await connection.send({"op": 0, "t": "READY", "d": self._ready()})
            for created in self._guilds():
                await connection.send({"op": 0, "t": "GUILD_CREATE", "d": created})
            connection.identified = True
            self._on_change()
        elif op == 6:
            connection.identified = True
            await connection.send({"op": 0, "t": "RESUMED", "d": {}})
