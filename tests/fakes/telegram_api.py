"""A fake Telegram Bot API on loopback: `/bot<TOKEN>/<method>` for a real PTB Application.

Serves getMe, getUpdates (a queue of scripted updates, then a brief long poll), sendMessage
(responses shaped like the recorded one, HTML checked and measured as Telegram does),
sendChatAction, answerCallbackQuery, setMyCommands, getChatMember (scripted statuses),
setWebhook/deleteWebhook, sendPhoto (multipart; `.photos` keeps each photo's bytes) and
editMessageReplyMarkup (see telegram_chats: per-chat increasing ids, other users' messages in
between, only the bot's own messages editable, Telegram's errors). Failures can be injected per
chat or per call (`fail_next`); the n-th send can fail before Telegram accepts it or after
(`fail_call`: carried out, then the answer is lost as a 502). Flood limits can be enforced
(`per_second` overall, `per_chat_per_minute`; an edit counts as a send), answering 429 with
retry_after.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import time
from collections import deque
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.http_server import FakeHttpServer
from tests.fakes.telegram_chats import ChatMessage, Chats, keyboard_of
from tests.fakes.telegram_html import check_html

RECORDED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "telegram"
JSON_FIELDS = {"reply_markup", "reply_parameters", "commands", "allowed_updates"}
SEND_METHODS = {"sendMessage", "sendChatAction", "sendPhoto", "editMessageReplyMarkup"}
STORING_METHODS = {"sendMessage", "sendPhoto"}


def recorded(name: str) -> dict[str, Any]:
    """A recorded Bot API JSON document from the shared fixtures."""
    return json.loads((RECORDED / name).read_text())


def error(status: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    """An error body in the recorded shape (the 429 one carries parameters.retry_after)."""
    if retry_after is not None:
        body = recorded("telegram_error_429_retry_after.json")
        body["parameters"]["retry_after"] = retry_after
    else:
        body = recorded("telegram_error_400_message_too_long.json")
    body.update(error_code=status, description=description)
    return body


KICKED = (403, "Forbidden: bot was kicked from the group chat")
BLOCKED = (403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = (400, "Bad Request: chat not found")


class FakeTelegramApi:
    """The Bot API as far as paperbot uses it, with a log of every call."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 7000001,
        username: str = "paperbot_test_bot",
        per_second: float | None = None,
        per_chat_per_minute: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll_wait: float = 0.5,
        chatter: Callable[[int], int] | None = None,
    ) -> None:
        self.token, self.bot_id, self.username = token, bot_id, username
        self.per_second, self.per_chat_per_minute = per_second, per_chat_per_minute
        self._clock, self._poll_wait = clock, poll_wait
        self.server = FakeHttpServer()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.members: dict[tuple[int, int], str] = {}
        self.chat_failures: dict[int, tuple[int, str]] = {}
        self.scripted: dict[str, list[dict[str, Any]]] = {}
        self.rate_limited = 0
        self.photos: list[dict[str, Any]] = []  # sendPhoto params, the photo as bytes
        self.chats = Chats(chatter)
        self.webhook_url = ""  # setWebhook/deleteWebhook; getWebhookInfo reports it
        self.reads_all_messages = False  # BotFather privacy mode on (the default)
        self._faults: list[list[Any]] = []  # [method, calls to go, accepted]
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._chats: dict[int, dict[str, Any]] = {}
        self._recent: deque[float] = deque()
        self._recent_per_chat: dict[int, deque[float]] = {}
        self._changed = asyncio.Event()

    @property
    def api_url(self) -> str:
        """What TELEGRAM_API_URL should be (the token is appended by PTB)."""
        return f"{self.server.url}/bot"

    async def start(self) -> FakeTelegramApi:
        """Start serving on an ephemeral loopback port."""
        for method in ("POST", "GET"):
            self.server.route_prefix(f"/bot{self.token}/", self._handle, method=method)
        await self.server.start()
        return self

    async def stop(self) -> None:
        """Stop serving."""
        await self.server.stop()

    async def __aenter__(self) -> FakeTelegramApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # scripting -------------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (its update_id is renumbered); return the id."""
        update = copy.deepcopy(update)
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        for chat in _chats_in(update):
            self._chats.setdefault(chat["id"], chat)
        self._updates.append(update)
        self._notify()
        return update["update_id"]

    def fail_chat(self, chat_id: int, failure: tuple[int, str] = KICKED) -> None:
        """Every send to this chat fails with (status, description) from now on."""
        self.chat_failures[chat_id] = failure

    def fail_next(self, method: str, status: int, description: str, **extra: Any) -> None:
        """The next call of `method` fails this way (retry_after=… for a 429)."""
        self.scripted.setdefault(method, []).append(error(status, description, **extra))

    def channel_without_edit_rights(self, chat_id: int) -> None:
        """The chat is a channel where the bot is an admin that may post but not edit."""
        self._chats[chat_id] = {"id": chat_id, "type": "channel", "title": f"channel {chat_id}"}
        self.members[(chat_id, self.bot_id)] = "administrator"
        self.chats.no_edit_rights.add(chat_id)

    def fail_call(self, method: str = "sendMessage", nth: int = 1, *, accepted: bool) -> None:
        """The `nth` call of `method` from now fails with a 502: before Telegram accepts it
        (nothing happens) or, with `accepted`, after (carried out, but the answer is lost)."""
        self._faults.append([method, nth, accepted])

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The sendMessage calls that succeeded (params plus the assigned message_id)."""
        return [
            p
            for m, p in self.calls
            if m == "sendMessage" and "message_id" in p and chat_id in (None, int(p["chat_id"]))
        ]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The params of every call of `method`."""
        return [p for m, p in self.calls if m == method]

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (event-driven) until the predicate holds; TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    # serving ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.path.rsplit("/", 1)[-1]
        params = await _params(request)
        self.calls.append((method, params))
        try:
            status, body = await self._answer(method, params)
        finally:
            self._notify()
        return web.json_response(body, status=status)

    async def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.scripted.get(method):
            body = self.scripted[method].pop(0)
            return body["error_code"], body
        if method in SEND_METHODS:
            refused = self._refuse(int(params["chat_id"]))
            if refused is not None:
                return refused
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        fault = self._fault(method)
        if fault is False:
            return 502, error(502, "Bad Gateway")
        status, body = await handler(params)
        return (502, error(502, "Bad Gateway")) if fault and status == 200 else (status, body)

    def _fault(self, method: str) -> bool | None:
        """None: no fault for this call; else whether it is lost after acceptance."""
        fired = None
        for fault in [f for f in self._faults if f[0] == method]:
            fault[1] -= 1
            if fault[1] == 0 and fired is None:
                self._faults.remove(fault)
                fired = bool(fault[2])
        return fired

    def _refuse(self, chat_id: int) -> tuple[int, dict[str, Any]] | None:
        if chat_id in self.chat_failures:
            status, description = self.chat_failures[chat_id]
            return status, error(status, description)
        wait = self._flood_wait(chat_id)
        if wait is None:
            return None
        self.rate_limited += 1
        return 429, error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _flood_wait(self, chat_id: int) -> int | None:
        """Seconds to wait when a limit is exceeded, else record the send and return None."""
        now = self._clock()
        per_chat = self._recent_per_chat.setdefault(chat_id, deque())
        for window, limit, period in (
            (self._recent, self.per_second, 1.0),
            (per_chat, self.per_chat_per_minute, 60.0),
        ):
            while window and window[0] <= now - period:
                window.popleft()
            if limit is not None and len(window) >= limit:
                return max(1, math.ceil(window[0] + period - now))
        self._recent.append(now)
        per_chat.append(now)
        return None

    def _notify(self) -> None:
        self._changed.set()

    # methods ---------------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "paperbot",
            "username": self.username,
        }

    async def _m_getMe(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        user = self._bot_user() | {"can_join_groups": True,
                                   "can_read_all_group_messages": self.reads_all_messages}
        return 200, {"ok": True, "result": user | {"supports_inline_queries": False}}

    async def _m_getUpdates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(params.get("offset", 0))
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and float(params.get("timeout", 0)) > 0:
            self._changed.clear()
            wait = min(float(params["timeout"]), self._poll_wait)
            try:
                async with asyncio.timeout(wait):
                    while not self._updates:
                        await self._changed.wait()
                        self._changed.clear()
            except TimeoutError:
                pass
        return 200, {"ok": True, "result": list(self._updates)}

    async def _m_sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        problem, visible = check_html(params["text"], params.get("parse_mode"))
        if problem:
            return 400, error(400, f"Bad Request: can't parse entities: {problem}")
        if len(visible.encode("utf-16-le")) // 2 > 4096:
            return 400, recorded("telegram_error_400_message_too_long.json")
        chat_id = int(params["chat_id"])
        stored = self.chats.add_from_bot(
            chat_id, text=visible, keyboard=keyboard_of(params.get("reply_markup"))
        )
        params["message_id"] = stored.message_id
        return 200, {"ok": True, "result": self._message(stored)}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        default = {"id": chat_id, "type": kind, "title": f"chat {chat_id}"}
        if chat_id > 0:
            default = {"id": chat_id, "type": "private", "first_name": "T"}
        return self._chats.get(chat_id, default)

    def _message(self, stored: ChatMessage) -> dict[str, Any]:
        """A bot message as the Bot API returns it (the recorded sendMessage result's shape)."""
        result = recorded("telegram_sendMessage_response.json")["result"]
        result.pop("text", None)
        result.update(message_id=stored.message_id, chat=self._chat(stored.chat_id))
        result.update({"from": self._bot_user(), "date": int(time.time())})
        if stored.text is not None:
            result["text"] = stored.text
        if stored.caption is not None:
            result["caption"] = stored.caption
        if stored.keyboard:
            result["reply_markup"] = {"inline_keyboard": stored.keyboard}
        return result

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if "message_id" not in params:
            return 400, error(400, "Bad Request: message identifier is not specified")
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        edited = self.chats.edit_markup(chat_id, message_id, params.get("reply_markup"))
        if isinstance(edited, str):
            return 400, error(400, edited)
        result = self._message(edited)
        if edited.caption is not None:
            result["photo"] = [_photo_size(message_id)]
        return 200, {"ok": True, "result": result}

    async def _m_sendPhoto(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not isinstance(params.get("photo"), bytes):
            return 400, error(400, "Bad Request: there is no photo in the request")
        chat_id = int(params["chat_id"])
        stored = self.chats.add_from_bot(chat_id, caption=params.get("caption") or None)
        params["message_id"] = stored.message_id
        self.photos.append(params)
        result = {"message_id": stored.message_id, "chat": self._chat(chat_id),
                  "date": int(time.time()), "from": self._bot_user(),
                  "photo": [_photo_size(stored.message_id)]}  # fmt: skip
        if stored.caption:
            result["caption"] = stored.caption
        return 200, {"ok": True, "result": result}

    async def _m_getChatMember(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        user_id, chat_id = int(params["user_id"]), int(params["chat_id"])
        status = self.members.get((chat_id, user_id), "member")
        member = chat_member(user_id, status)
        if status == "administrator" and self._chat(chat_id)["type"] == "channel":
            can_edit = chat_id not in self.chats.no_edit_rights
            member.update(can_post_messages=True, can_edit_messages=can_edit)
        return 200, {"ok": True, "result": member}

    async def _ok(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": True}

    async def _m_setWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.webhook_url = str(params.get("url", ""))
        return 200, {"ok": True, "result": True}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.webhook_url = ""
        return 200, {"ok": True, "result": True}

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        info = {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": 0}  # fmt: skip
        return 200, {"ok": True, "result": info}

    _m_sendChatAction = _m_answerCallbackQuery = _m_setMyCommands = _ok


def _photo_size(message_id: int) -> dict[str, Any]:
    return {"file_id": f"photo{message_id}", "file_unique_id": "u", "width": 700, "height": 340}


def chat_member(user_id: int, status: str) -> dict[str, Any]:
    """A ChatMember object with the fields PTB requires for each status."""
    user = {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                  "can_restrict_members", "can_promote_members", "can_change_info",
                  "can_invite_users", "can_post_stories", "can_edit_stories",
                  "can_delete_stories")  # fmt: skip
        member.update(dict.fromkeys(rights, True), can_be_edited=False, is_anonymous=False)
    elif status == "kicked":
        member["until_date"] = 0
    return member


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        raw: dict[str, Any] = await request.json()
    elif request.content_type == "multipart/form-data":
        raw = _multipart(request.headers["Content-Type"], await request.read())
    else:
        raw = dict(await request.post()) | dict(request.query)
    return {
        k: json.loads(v) if k in JSON_FIELDS and isinstance(v, str) else v for k, v in raw.items()
    }


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """A multipart/form-data body (already read by the server) as name → text, or bytes for a
    file part."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        fields[str(name)] = data if part.get_filename() else data.decode()
    return fields


def _chats_in(update: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for value in update.values():
        if isinstance(value, dict):
            if isinstance(value.get("chat"), dict):
                found.append(value["chat"])
            found.extend(_chats_in({k: v for k, v in value.items() if k != "chat"}))
    return found
