"""A fake Slack Web API on loopback: point a real AsyncWebClient at `.url` via base_url.

Implements chat.postMessage, chat.postEphemeral, reactions.add, auth.test, oauth.v2.access,
apps.connections.open (with a tiny Socket Mode WebSocket at /link) and the external file
upload (files.getUploadURLExternal, a POST of the bytes to /upload/<file id>, and
files.completeUploadExternal; `.uploads` holds the bytes by file id), records every call,
answers in the recorded shapes, and can inject failures (an error code per channel) and
enforce a per-channel rate limit (HTTP 429 with Retry-After).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from adapters.slack.oauth import manifest_bot_scopes
from tests.conftest import FIXTURES
from tests.fakes.http_server import FakeHttpServer

SLACK = FIXTURES / "slack"
POST_TEMPLATE = SLACK / "slack_web_chat.postMessage_response.json"
ERROR_TEMPLATE = SLACK / "slack_web_error_response_message_not_found.json"
CONNECTIONS_TEMPLATE = SLACK / "slack_web_apps.connections.open_response.json"
HELLO = SLACK / "slack_socket_mode_hello.json"
POSTING = ("chat.postMessage", "chat.postEphemeral")


@dataclass(frozen=True)
class SlackCall:
    """One Web API call the fake answered (rate-limited calls are in `.throttled`)."""

    method: str
    args: dict[str, Any]
    at: float
    response: dict[str, Any] = field(default_factory=dict)
    token: str = ""  # the bearer token the call carried

    @property
    def ts(self) -> str | None:
        """The ts the fake gave the posted message (message_ts for an ephemeral one)."""
        return self.response.get("ts") or self.response.get("message_ts")

    @property
    def channel(self) -> str:
        """The call's channel."""
        return str(self.args.get("channel", ""))

    @property
    def thread_ts(self) -> str | None:
        """The thread it posted in, if any."""
        return self.args.get("thread_ts")

    @property
    def text(self) -> str:
        """The text fallback."""
        return str(self.args.get("text", ""))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The Block Kit blocks (decoded when they came form-encoded)."""
        blocks = self.args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks


class FakeSlackApi:
    """The fake: `await FakeSlackApi().start()`, then `AsyncWebClient(base_url=fake.url)`."""

    def __init__(
        self,
        *,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        per_channel_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.per_channel_per_second = per_channel_per_second
        self.scopes = manifest_bot_scopes()  # granted to the token (auth.test's x-oauth-scopes)
        self.server = FakeHttpServer()
        self.calls: list[SlackCall] = []
        self.throttled: list[SlackCall] = []
        self.failures: dict[str, str] = {}
        self.socket = FakeSocketMode()
        self._clock = clock
        self._last_post: dict[str, float] = {}
        self._changed = asyncio.Event()
        self._ts = 0
        self.uploads: dict[str, bytes] = {}
        self.installed_token = "xoxb-installed"  # what oauth.v2.access hands out

    @property
    def url(self) -> str:
        """The Web API base URL, with its trailing slash (SLACK_API_URL)."""
        return f"{self.server.url}/api/"

    async def start(self) -> FakeSlackApi:
        """Start listening on 127.0.0.1:0."""
        self.server.route_prefix("/api/", self._api, method="POST")
        self.server.route_prefix("/api/", self._api, method="GET")  # e.g. conversations.history
        self.server.route("/link", self.socket.handler)
        self.server.route_prefix("/upload/", self._upload, method="POST")
        self.server.route_prefix("/response/", self._respond, method="POST")
        await self.server.start()
        return self

    async def stop(self) -> None:
        """Close sockets and stop the server."""
        await self.socket.close()
        await self.server.stop()

    def response_url(self, name: str = "cmd") -> str:
        """A slash command's response URL on this fake (what `respond` posts to)."""
        return f"{self.server.url}/response/{name}"

    async def _respond(self, request: web.Request) -> web.Response:
        """A post to a response URL: recorded as a call to "response_url"; Slack answers ok."""
        try:
            args = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(args, dict) or not (args.get("text") or args.get("blocks")):
            return web.Response(status=400, text="no_text")
        self.calls.append(SlackCall("response_url", args, self._clock()))
        self._changed.set()
        return web.Response(text="ok")

    def fail_channel(self, channel: str, error: str) -> None:
        """Answer every post/reaction in `channel` with `{"ok": false, "error": error}`."""
        self.failures[channel] = error

    def calls_to(self, method: str) -> list[SlackCall]:
        """The answered calls to one method, in order."""
        return [c for c in self.calls if c.method == method]

    def posts(self) -> list[SlackCall]:
        """Every chat.postMessage and chat.postEphemeral, in order."""
        return [c for c in self.calls if c.method in POSTING]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (event-driven, no polling sleeps) until predicate() holds after some call."""
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.path.removeprefix("/api/")
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = SlackCall(method, await _arguments(request), self._clock(), token=token)
        if method in POSTING and self._throttle(call):
            self.throttled.append(call)
            wait = math.ceil(self._wait_needed(call.channel))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        call = replace(call, response=self._answer(call))
        self.calls.append(call)
        self._changed.set()
        headers = {"x-oauth-scopes": ",".join(self.scopes)} if method == "auth.test" else None
        return web.json_response(call.response, headers=headers)

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: keep the posted bytes."""
        file_id = request.path.removeprefix("/upload/")
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        self.uploads[file_id] = await request.read()
        self._changed.set()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    def _upload_url(self, call: SlackCall) -> dict[str, Any]:
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = b""
        return {"ok": True, "upload_url": f"{self.server.url}/upload/{file_id}",
                "file_id": file_id}  # fmt: skip

    def _complete_upload(self, call: SlackCall) -> dict[str, Any]:
        files = json.loads(call.args.get("files") or "[]")
        if any(self.uploads.get(f.get("id"), b"") == b"" for f in files):
            return {"ok": False, "error": "file_upload_not_completed"}
        shared = [{"id": f["id"], "title": f.get("title", ""), "name": f["id"]} for f in files]
        return {"ok": True, "files": shared}

    def _throttle(self, call: SlackCall) -> bool:
        if not self.per_channel_per_second:
            return False
        if self._wait_needed(call.channel) > 0:
            return True
        self._last_post[call.channel] = call.at
        return False

    def _wait_needed(self, channel: str) -> float:
        assert self.per_channel_per_second
        last = self._last_post.get(channel)
        if last is None:
            return 0.0
        return max(0.0, last + 1 / self.per_channel_per_second - self._clock())

    def _answer(self, call: SlackCall) -> dict[str, Any]:
        error = self.failures.get(call.channel)
        if error and call.method in (*POSTING, "reactions.add"):
            return {**json.loads(ERROR_TEMPLATE.read_text()), "error": error}
        if call.method == "chat.postMessage":
            return self._posted(call)
        if call.method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if call.method == "auth.test":
            return self._auth()
        if call.method == "oauth.v2.access":
            return self._oauth_access(call)
        if call.method == "apps.connections.open":
            body = json.loads(CONNECTIONS_TEMPLATE.read_text())
            return {**body, "url": f"ws://127.0.0.1:{self.server.port}/link"}
        if call.method == "reactions.add":
            return {"ok": True}
        if call.method == "conversations.history":
            return self._history(call)
        if call.method == "conversations.replies":
            return self._replies(call)
        if call.method == "files.getUploadURLExternal":
            return self._upload_url(call)
        if call.method == "files.completeUploadExternal":
            return self._complete_upload(call)
        return {"ok": False, "error": "unknown_method"}

    def _history(self, call: SlackCall) -> dict[str, Any]:
        """The channel's top-level posts, newest first, with their metadata (one page)."""
        posted = [
            c.response["message"] for c in self.calls
            if c.method == "chat.postMessage" and c.channel == call.channel
            and c.response.get("ok") and not c.thread_ts
        ]  # fmt: skip
        return {"ok": True, "messages": list(reversed(posted)), "has_more": False}

    def _replies(self, call: SlackCall) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first, with their metadata."""
        parent = call.args.get("ts")
        posted = [
            c.response["message"] for c in self.calls
            if c.method == "chat.postMessage" and c.channel == call.channel
            and c.response.get("ok") and (c.response["message"].get("ts") == parent
                                          or c.thread_ts == parent)
        ]  # fmt: skip
        if not posted:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": posted, "has_more": False}

    def _posted(self, call: SlackCall) -> dict[str, Any]:
        body = json.loads(POST_TEMPLATE.read_text())
        ts = self._next_ts()
        body.update(channel=call.channel, ts=ts)
        body["message"].update(
            ts=ts, text=call.text, blocks=call.blocks, user=self.bot_user_id, bot_id=self.bot_id
        )
        if call.thread_ts:
            body["message"]["thread_ts"] = call.thread_ts
        metadata = call.args.get("metadata")
        if metadata:
            body["message"]["metadata"] = (
                json.loads(metadata) if isinstance(metadata, str) else metadata
            )
        return body

    def _auth(self) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://paperbot-test.slack.com/",
            "team": "paperbot tests",
            "user": "paperbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _oauth_access(self, call: SlackCall) -> dict[str, Any]:
        """oauth.v2.access in Slack's shape: a bot token for this fake's team (any code works)."""
        if not call.args.get("code"):
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "access_token": self.installed_token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": self.bot_user_id,
            "app_id": "A0APP",
            "team": {"name": "paperbot tests", "id": self.team_id},
            "enterprise": None,
            "authed_user": {"id": "U0INSTALLER"},
            "is_enterprise_install": False,
        }

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1770661905.{self._ts:06d}"


class FakeSocketMode:
    """The WebSocket behind apps.connections.open: says hello, relays envelopes, keeps acks."""

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._acked = asyncio.Event()

    async def handler(self, request: web.Request) -> web.StreamResponse:
        """Accept the client's connection and read its acknowledgements."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(HELLO.read_text())
        self._connected.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                ack = json.loads(frame.data)
                self.acks[ack.get("envelope_id", "")] = ack
                self._acked.set()
        return ws

    async def send(self, envelope: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Deliver one envelope to the connected client; return its ack."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        await self._sockets[-1].send_json(envelope)
        async with asyncio.timeout(timeout):
            while envelope["envelope_id"] not in self.acks:
                self._acked.clear()
                await self._acked.wait()
        return self.acks[envelope["envelope_id"]]

    async def close(self) -> None:
        """Close every socket."""
        for ws in self._sockets:
            await ws.close()


async def _arguments(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    args: dict[str, Any] = dict(request.query)  # slack_sdk sends `params=` in the query string
    if request.content_type == "application/json":
        args.update(json.loads(body or b"{}"))
    else:
        args.update(parse_qsl(body.decode(), keep_blank_values=True))
    return args
