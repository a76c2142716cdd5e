"""Posting the core's messages to Slack: chat.postMessage/postEphemeral, 👀 for typing.

A message with an image (the weekly chart) is posted as text, then the image is uploaded to
the same channel with files_upload_v2, its alt text the message's text table; a failed upload
(say, a missing files:write scope) is logged and leaves the text, which carries the table.

Ephemeral messages need a recipient, which an post does not name: a sender made
with `for_user(user)` (the adapter does this for each slash command, button press and
question) posts ephemeral messages with chat.postEphemeral to that user; a sender without a
user (scheduled digests) posts them as ordinary messages. Posts are paced per channel
(Slack allows about one message a second per channel), and HTTP 429 answers are retried
after their Retry-After (see `RetryAfterHandler`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render
from adapters.slack.workspaces import WorkspaceClients
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import Image, Post, Typing, WeeklyBriefing

log = structlog.get_logger(__name__)
UNAVAILABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "account_inactive"})
TYPING_REACTION = "eyes"
MAX_ALT, MAX_TITLE = 1000, 250  # Slack's limits on a file's alt text and title
HISTORY_PAGES = 5  # how far back (x200 messages) a resumed delivery looks for its posts
Sleep = Callable[[float], Awaitable[None]]


class RetryAfterHandler(AsyncRetryHandler):
    """Retries an HTTP 429 after the server's Retry-After seconds (1 s when it gives none)."""

    def __init__(
        self,
        max_retry_count: int = 3,
        sleep: Sleep = asyncio.sleep,
        on_rate_limited: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self._on_rate_limited = on_rate_limited  # counts each 429 (for /metrics)

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as long as Slack asked, then try again."""
        if self._on_rate_limited is not None:
            self._on_rate_limited()
        state.next_attempt_requested = True
        await self._sleep(retry_after(response))
        state.increment_current_attempt()


def retry_after(response: HttpResponse | None) -> float:
    """The Retry-After header in seconds (1 when absent or unreadable)."""
    headers = response.headers if response is not None else {}
    for name, values in headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except ValueError:
                return 1.0
    return 1.0


class ChannelPacer:
    """At most `per_second` posts a second per channel (None: unpaced).

    A channel's next post starts a full interval after its previous post *finished*, so
    posts reach Slack spaced by at least the interval whatever the network jitter (a
    leaky bucket on start times lets two posts land closer than that and earn a 429).
    """

    def __init__(
        self,
        per_second: float | None = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = 1 / per_second if per_second else 0.0
        self._clock, self._sleep = clock, sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    @contextlib.asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Hold the channel's turn: wait for the interval, post, then note the time."""
        if not self._interval:
            yield
            return
        async with self._locks.setdefault(channel, asyncio.Lock()):
            last = self._last.get(channel)
            if last is not None:
                wait = last + self._interval - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            try:
                yield
            finally:
                self._last[channel] = self._clock()


class SlackSender:
    """The Slack `Sender`: returns the posted message's ts (None for reactions)."""

    def __init__(
        self,
        client: AsyncWebClient,
        pacer: ChannelPacer | None = None,
        user: str | None = None,
        clients: WorkspaceClients | None = None,
    ) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()
        self.user = user
        self.clients = clients or WorkspaceClients(client)

    def for_user(self, user: str | None) -> SlackSender:
        """The same sender, with ephemeral messages going to `user`."""
        return SlackSender(self.client, self.pacer, user or None, self.clients)

    async def _client(self, conversation: Conversation) -> AsyncWebClient:
        """The client with the bot token of the conversation's workspace."""
        return await self.clients.client(conversation.workspace)

    async def send(self, message: Post) -> str | None:
        """Post one message; raise ChannelUnavailable when the bot can't post there."""
        if isinstance(message, Typing):
            await self._react(message)
            return None
        kwargs = render(message)
        client = await self._client(message.conversation)
        try:
            async with self.pacer.turn(message.conversation.channel):
                if message.ephemeral and self.user:
                    response = await client.chat_postEphemeral(user=self.user, **kwargs)
                    return _str(response.get("message_ts"))
                response = await client.chat_postMessage(**kwargs)
                if isinstance(message, WeeklyBriefing) and message.image is not None:
                    await self._upload(client, message, message.image)
                return _str(response.get("ts"))
        except SlackApiError as error:
            raise_if_unavailable(error, message)
            raise

    async def _upload(self, client: AsyncWebClient, message: Post, image: Image) -> None:
        """Upload the post's image after its text (get an upload URL, upload, complete)."""
        try:
            await client.files_upload_v2(
                channel=message.conversation.channel,
                file=image.data,
                filename=image.name or "image.png",
                title=image.alt.split("\n", 1)[0][:MAX_TITLE] or None,
                alt_txt=image.alt[:MAX_ALT] or None,
                thread_ts=message.conversation.thread,
            )
        except (SlackApiError, SlackRequestError) as error:  # the text already went out
            if isinstance(error, SlackApiError):
                raise_if_unavailable(error, message)
            log.warning("image upload failed", channel=message.conversation.channel,
                        error=str(error)[:200])  # fmt: skip

    def pending_note(self, message: Post, after: str | None) -> str:
        """Nothing: a Slack post carries its marker in its metadata (see `find_posted`)."""
        return ""

    async def find_posted(self, message: Post, note: str = "") -> str | None:
        """The ts of the bot's recent post carrying the message's marker (message metadata):
        among the thread's replies for a reply in a thread, else in the channel's history."""
        conversation, marker = message.conversation, message.marker
        if marker is None:
            return None
        cursor = None
        client = await self._client(conversation)
        history = (
            functools.partial(client.conversations_replies, ts=conversation.thread)
            if conversation.thread
            else client.conversations_history
        )
        for _page in range(HISTORY_PAGES):
            response = await history(
                channel=conversation.channel, limit=200, include_all_metadata=True, cursor=cursor
            )
            for item in response.get("messages") or []:
                payload = (item.get("metadata") or {}).get("event_payload") or {}
                if payload.get("marker") == marker:
                    return _str(item.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    async def _react(self, message: Post) -> None:
        if not message.reply_to:
            return
        client = await self._client(message.conversation)
        try:
            await client.reactions_add(
                channel=message.conversation.channel,
                timestamp=message.reply_to,
                name=TYPING_REACTION,
            )
        except SlackApiError as error:
            raise_if_unavailable(error, message)
            # already_reacted, no_reaction, missing_scope…: the reaction is a courtesy


def _error_code(error: SlackApiError) -> str:
    data: Any = error.response.data if error.response is not None else {}
    return str(data.get("error", "")) if isinstance(data, dict) else ""


def raise_if_unavailable(error: SlackApiError, message: Post) -> None:
    """Raise ChannelUnavailable for the errors that mean the bot can't post in the channel."""
    code = _error_code(error)
    if code in UNAVAILABLE:
        raise ChannelUnavailable(message.conversation, code) from error


def _str(value: object) -> str | None:
    return str(value) if value else None
