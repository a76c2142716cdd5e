"""MatrixSender: posts the core's messages with a matrix-nio client (HTML notices, typing, images).

Sends go through `PUT /rooms/{room}/send/m.room.message/{txnId}`. A scheduled post's txnId is
made from its channel and `marker`, so sending it again (a retry, or a resumed delivery) is the
same transaction: the homeserver answers with the event it already has instead of posting
twice. `M_LIMIT_EXCEEDED` is waited out (`retry_after_ms`, bounded) and the send repeated with
the same txnId. `M_FORBIDDEN` (the bot left or was kicked) raises `ChannelUnavailable`.

A `PostFinder`: the pending record keeps the txnId, and after a crash `find_posted` looks
through the bot's recent events in the room for the one carrying the post's marker.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from nio import (
    AsyncClient,
    ErrorResponse,
    MessageDirection,
    RoomMessagesResponse,
    RoomSendResponse,
    UploadResponse,
)

from adapters.matrix.parse import MARKER_FIELD
from adapters.matrix.render import relation, render
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import Image, Post, Typing, WeeklyBriefing

log = structlog.get_logger(__name__)
GONE = frozenset({"M_FORBIDDEN", "M_UNKNOWN_TOKEN_ROOM", "M_NOT_FOUND"})
LOOKBACK = 100  # the bot's recent events searched for an in-flight post
TYPING_MS = 30_000


class MatrixSendError(RuntimeError):
    """The homeserver refused a send (and it was not a rate limit that passed)."""


def transaction_id(conversation: Conversation, marker: str | None) -> str:
    """The send's txnId: stable for a scheduled post (its room and marker), else random."""
    if not marker:
        return f"paperbot.{uuid.uuid4().hex}"
    digest = hashlib.sha256(f"{conversation.channel}\n{marker}".encode()).hexdigest()[:32]
    return f"paperbot.m.{digest}"


class MatrixSender:
    """Sends Posts to Matrix rooms; raises ChannelUnavailable when the bot cannot post there."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        max_retries: int = 3,
        max_wait: float = 60.0,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._max_retries = max_retries
        self._max_wait = max_wait
        self.rate_limited = 0  # sends the homeserver asked to wait (for logs and tests)
        self._typing_in: set[str] = set()  # rooms with a typing notice on

    async def send(self, message: Post) -> str | None:
        """Post the message; return its event id (None for a typing notice)."""
        if isinstance(message, Typing):
            await self._typing(message.conversation)
            return None
        content = render(message)
        txn = transaction_id(message.conversation, message.marker)
        event_id = await self._send(message.conversation, "m.room.message", content, txn)
        if message.conversation.channel in self._typing_in:  # the answer is here: stop typing
            await self._typing(message.conversation, False)
        if isinstance(message, WeeklyBriefing) and message.image is not None:
            await self._image(message, message.image)
        return event_id

    def pending_note(self, message: Post, after: str | None) -> str:
        """The txnId the post goes out with ("" without a marker: nothing to find it by)."""
        return transaction_id(message.conversation, message.marker) if message.marker else ""

    async def find_posted(self, message: Post, note: str) -> str | None:
        """The event id of this post if it went out before a crash: the bot's recent event
        in the room that carries its marker."""
        if not message.marker:
            return None
        found = await self._client.room_messages(
            message.conversation.channel, direction=MessageDirection.back, limit=LOOKBACK,
            message_filter={"senders": [self._client.user_id], "types": ["m.room.message"]},
        )  # fmt: skip
        if not isinstance(found, RoomMessagesResponse):
            log.warning("matrix: could not look for an in-flight post", error=str(found))
            return None
        for event in found.chunk:
            content = event.source.get("content") or {}
            if content.get(MARKER_FIELD) == message.marker:
                log.info("matrix: found an in-flight post", txn=note, event_id=event.event_id)
                return str(event.event_id)
        return None

    async def _send(
        self, conversation: Conversation, event_type: str, content: dict[str, Any], txn: str
    ) -> str:
        """One send, repeated (same txnId) after each M_LIMIT_EXCEEDED up to max_retries."""
        for attempt in range(self._max_retries + 1):
            sent = await self._client.room_send(conversation.channel, event_type, content, txn)
            if isinstance(sent, RoomSendResponse):
                return str(sent.event_id)
            assert isinstance(sent, ErrorResponse)
            if sent.status_code == "M_LIMIT_EXCEEDED" and attempt < self._max_retries:
                self.rate_limited += 1
                wait = min((sent.retry_after_ms or 1000) / 1000, self._max_wait)
                log.info("matrix: rate limited", room=conversation.channel, wait=wait)
                await self._sleep(wait)
                continue
            if sent.status_code in GONE:
                raise ChannelUnavailable(conversation, sent.message or str(sent.status_code))
            raise MatrixSendError(f"{sent.status_code}: {sent.message}")
        raise AssertionError("unreachable")

    async def _typing(self, conversation: Conversation, typing: bool = True) -> None:
        room = conversation.channel
        (self._typing_in.add if typing else self._typing_in.discard)(room)
        answer = await self._client.room_typing(room, typing, TYPING_MS)
        if isinstance(answer, ErrorResponse):  # only a hint: never worth failing an answer for
            log.warning("matrix: typing notice failed", room=conversation.channel,
                        error=str(answer))  # fmt: skip

    async def _image(self, message: Post, image: Image) -> None:
        """Upload the post's image and send it as `m.image`; a failure is only logged."""
        uploaded, _keys = await self._client.upload(
            lambda *_: image.data, content_type="image/png", filename=image.name,
            filesize=len(image.data),
        )  # fmt: skip
        if not isinstance(uploaded, UploadResponse):
            log.warning("matrix: image upload failed", error=str(uploaded))
            return
        content: dict[str, Any] = {
            "msgtype": "m.image", "body": image.alt or image.name, "url": uploaded.content_uri,
            "info": {"mimetype": "image/png", "size": len(image.data)},
        }  # fmt: skip
        if relation(message):
            content["m.relates_to"] = relation(message)
        txn = transaction_id(message.conversation, f"{message.marker}:image" if message.marker
                             else None)  # fmt: skip
        try:
            await self._send(message.conversation, "m.room.message", content, txn)
        except MatrixSendError as exc:  # the text, which carries the table, already went out
            log.warning("matrix: image send failed", error=str(exc))
