"""TelegramSender: posts the core's messages with a PTB Bot (HTML parts, typing, error mapping).

A message with an image (the weekly chart) is sent as text, then the image with sendPhoto.

The id returned for a message is its first part's message_id: that part carries the paper's
title, and it is what the core records so replies find the paper. Later parts (rare: a paper
post is far below 4,096 characters) and the bot's own answers are remembered in memory as
aliases of the message they belong to, so a reply to them still reaches the same paper.

A `PostFinder`: a scheduled post's pending record keeps the highest message id known in the chat
and a hash of its text, and after a crash `find_posted` probes the ids after it (see finder).
"""

from __future__ import annotations

import asyncio
import functools
import warnings
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import structlog
from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.callbacks import TokenTable, callback_data
from adapters.telegram.finder import PROBE_LIMIT, Note, PostProbe, Probe, text_digest
from adapters.telegram.html_split import visible_text
from adapters.telegram.render import chat_id, photo_kwargs, render
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import DigestHeader, Image, PaperPost, Post, Typing, WeeklyBriefing

log = structlog.get_logger(__name__)
T = TypeVar("T")
GONE_PHRASES = ("chat not found", "bot was kicked", "bot is not a member", "group chat was")
DIGEST_POSTS = (DigestHeader, PaperPost)  # posts that start a thread of their own
OWN_IDS_KEPT = 100  # per chat: ids this process sent, which a probe never needs to look at


class TelegramSender:
    """Sends Posts through a PTB Bot; raises ChannelUnavailable when it cannot post."""

    def __init__(
        self,
        bot: Bot,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        max_retries: int = 2,
        tokens: TokenTable | None = None,
        alias_capacity: int = 50_000,
        probe_limit: int = PROBE_LIMIT,
        paid_broadcast: bool = False,
    ) -> None:
        self._bot = bot
        self._paid = paid_broadcast  # scheduled posts past 30/s, charged in Telegram Stars
        self._sleep = sleep
        self._max_retries = max_retries
        self.tokens = tokens or TokenTable()
        self._aliases: OrderedDict[str, str] = OrderedDict()
        self._alias_capacity = alias_capacity
        self._probe_limit = probe_limit
        self._latest: dict[str, int] = {}  # per chat: the highest message id seen
        self._own: dict[str, deque[int]] = {}  # per chat: recent ids this process sent

    async def send(self, message: Post) -> str | None:
        """Post the message (all its parts); return the first part's message_id."""
        if isinstance(message, Typing):
            await self._typing(message.conversation)
            return None
        self._remember_tokens(message)
        ids: list[str] = []
        for part in render(message):
            if self._paid and message.marker is not None:  # a scheduled post, not a reply
                part = {**part, "allow_paid_broadcast": True}
            sent = await self._call(message.conversation, self._bot.send_message, **part)
            ids.append(str(sent.message_id))
            self._saw(message.conversation.channel, sent.message_id)
        if isinstance(message, WeeklyBriefing) and message.image is not None:
            await self._photo(message, message.image)
        if not ids:
            return None
        root = ids[0]
        if not isinstance(message, DIGEST_POSTS) and message.conversation.thread:
            root = self.thread_root(message.conversation.thread)
        for other in ids if root != ids[0] else ids[1:]:
            self._alias(other, root)
        return ids[0]

    def pending_note(self, message: Post, after: str | None) -> str:
        """The highest id known in the chat (this process's, or `after`) and the text's hash."""
        parts = render(message)
        if not parts:
            return ""
        known = [self._latest.get(message.conversation.channel, 0)]
        known += [int(after)] if after and after.isdigit() else []
        return str(Note(max(known), text_digest(visible_text(parts[0]["text"]))))

    async def find_posted(self, message: Post, note: str) -> str | None:
        """The id of this post if it went out before a crash: probe the ids after the note's."""
        parsed = Note.parse(note)
        parts = render(message)
        if parsed is None or not parts:
            return None
        channel = message.conversation.channel
        probe = PostProbe(self._bot, functools.partial(self._call, message.conversation),
                          self._probe_limit)  # fmt: skip
        found = await probe.find(
            Probe(parts[0]["chat_id"], parsed, parts[0].get("reply_markup"),
                  frozenset(self._own.get(channel, ()))),
        )  # fmt: skip
        log.info("telegram: looked for an in-flight post", chat=channel, after=parsed.after,
                 probes=probe.calls, found=found)  # fmt: skip
        if found is None:
            return None
        self._saw(channel, found)
        return str(found)

    def _saw(self, channel: str, message_id: int) -> None:
        """Note an id this process sent in the chat (the next pending note starts after it)."""
        self._latest[channel] = max(message_id, self._latest.get(channel, 0))
        self._own.setdefault(channel, deque(maxlen=OWN_IDS_KEPT)).append(message_id)

    async def _photo(self, message: Post, image: Image) -> None:
        """Send the post's image (sendPhoto, multipart) after its text; a failure is logged."""
        try:
            sent = await self._call(
                message.conversation, self._bot.send_photo, **photo_kwargs(message, image)
            )
            self._saw(message.conversation.channel, sent.message_id)
        except TelegramError as exc:  # the text, which carries the table, already went out
            log.warning("photo failed", channel=message.conversation.channel, error=str(exc))

    def thread_root(self, message_id: str) -> str:
        """The message a reply to `message_id` is really about (itself unless an alias)."""
        return self._aliases.get(message_id, message_id)

    def resolve_token(self, token: str) -> str | None:
        """The paper key behind a shortened button's callback token."""
        return self.tokens.resolve(token)

    async def _typing(self, conversation: Conversation) -> None:
        try:
            await self._call(
                conversation,
                self._bot.send_chat_action,
                chat_id=chat_id(conversation.channel),
                action=ChatAction.TYPING,
            )
        except TelegramError as exc:  # only a hint: never worth failing an answer for
            log.warning("typing action failed", channel=conversation.channel, error=str(exc))

    async def _call(
        self, conversation: Conversation, method: Callable[..., Awaitable[T]], **kwargs: Any
    ) -> T:
        for attempt in range(self._max_retries + 1):
            try:
                return await method(**kwargs)
            except RetryAfter as exc:
                if attempt >= self._max_retries:
                    raise
                await self._sleep(_seconds(exc))
            except Forbidden as exc:
                raise ChannelUnavailable(conversation, exc.message) from exc
            except ChatMigrated as exc:
                reason = f"the group became supergroup {exc.new_chat_id}"
                raise ChannelUnavailable(conversation, reason) from exc
            except BadRequest as exc:
                if any(p in exc.message.lower() for p in GONE_PHRASES):
                    raise ChannelUnavailable(conversation, exc.message) from exc
                raise
        raise AssertionError("unreachable")

    def _remember_tokens(self, message: Post) -> None:
        for button in message.buttons:
            if callback_data(button.action, button.value) != f"{button.action}:{button.value}":
                self.tokens.remember(button.value)

    def _alias(self, message_id: str, root: str) -> None:
        self._aliases[message_id] = root
        while len(self._aliases) > self._alias_capacity:
            self._aliases.popitem(last=False)


def _seconds(exc: RetryAfter) -> float:
    """The flood wait in seconds (int or timedelta, depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = exc.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
