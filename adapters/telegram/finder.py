"""Finding a scheduled post that went out just before a crash, though bots have no history API.

Message ids in a chat only grow, and editMessageReplyMarkup succeeds only on the bot's own
messages, returning the edited Message with its text. So the pending record keeps a `Note`:
the highest message id known in the chat before the post was sent, and a hash of the text its
first part shows. On resume, `PostProbe` edits the keyboards of the ids after that one, in
order and at most `limit` of them, and a message whose text has that hash is the post.

Each probe first removes the keyboard, which changes nothing on a message without one
("message is not modified": the bot's, keyboard-free) and fails on other users' messages
("message can't be edited") and on ids with no message ("message to edit not found"; three in a
row past the last message end the probe in chats whose ids are their own: supergroups and
channels). A keyboard-free message of the bot is read by giving it a probe button and taking
that away again. A found post gets its own keyboard back (also when a probe cut short by a
crash left it without). Probes are Bot API calls like sends, so they go through the same rate
limiter.

A channel where the bot may post but not edit can't be probed: the post is sent again, as
before, and that is logged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

import structlog
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

log = structlog.get_logger(__name__)
PROBE_LIMIT = 20  # ids probed after the last known one
FRONTIER_MISSES = 3  # ids in a row with no message: past the chat's last message
PROBE_KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("…", callback_data="probe")]])
WHITESPACE = re.compile(r"\s+")
Call = Callable[..., Awaitable[Any]]  # TelegramSender._call bound to a conversation


@dataclass(frozen=True)
class Note:
    """What a pending Telegram post keeps: the id to probe after and its text's hash."""

    after: int
    digest: str

    def __str__(self) -> str:
        return f"{self.after}:{self.digest}"

    @classmethod
    def parse(cls, note: str) -> Note | None:
        """The note as stored; None for an empty or unreadable one (an older record)."""
        after, _, digest = note.partition(":")
        return cls(int(after), digest) if after.isdigit() and digest else None


def text_digest(text: str | None) -> str:
    """A short hash of a message's visible text, whitespace ignored (Telegram trims it)."""
    return hashlib.sha256(WHITESPACE.sub("", text or "").encode()).hexdigest()[:16]


def own_ids_per_chat(chat: str) -> bool:
    """Do this chat's message ids count for it alone (supergroups and channels)?

    Private chats and basic groups share one sequence per bot, so gaps there mean nothing.
    """
    return chat.startswith("-100") or chat.startswith("@")


@dataclass(frozen=True)
class Probe:
    """One pending post to look for: where, after which id, and how to recognise it."""

    chat_id: int | str
    note: Note
    keyboard: InlineKeyboardMarkup | None  # the keyboard the post's first part carries
    skip: Collection[int] = ()  # ids this process sent itself (not the post from before)


class PostProbe:
    """Looks for a pending post by editing keyboards after the last known message id."""

    def __init__(self, bot: Bot, call: Call, limit: int = PROBE_LIMIT) -> None:
        self._bot, self._call, self._limit = bot, call, limit
        self.calls = 0  # probe edits made (for logs and tests)

    async def find(self, probe: Probe) -> int | None:
        """The id of the pending post if it went out, else None (or when it can't tell)."""
        if not await self._can_edit(probe.chat_id):
            log.warning("telegram: no right to edit messages here, so an in-flight post can't "
                        "be looked for and is sent again", chat=probe.chat_id)  # fmt: skip
            return None
        misses, stop_at_end = 0, own_ids_per_chat(str(probe.chat_id))
        for message_id in range(probe.note.after + 1, probe.note.after + 1 + self._limit):
            if message_id in probe.skip:
                continue
            outcome = await self._probe(probe, message_id)
            if outcome == "found":
                return message_id
            misses = misses + 1 if outcome == "missing" else 0
            if stop_at_end and misses >= FRONTIER_MISSES:
                break
        return None

    async def _can_edit(self, chat_id: int | str) -> bool:
        """False only for a channel where the bot is an admin without can_edit_messages."""
        if not own_ids_per_chat(str(chat_id)):
            return True  # a private chat or basic group: the bot may edit its own messages
        try:
            member = await self._call(self._bot.get_chat_member, chat_id=chat_id,
                                      user_id=self._bot.id)  # fmt: skip
        except TelegramError as exc:
            log.warning("telegram: getChatMember failed before probing", chat=chat_id,
                        error=str(exc))  # fmt: skip
            return True  # the probes themselves will tell
        return getattr(member, "can_edit_messages", None) is not False

    async def _probe(self, probe: Probe, message_id: int) -> str:
        """found | mine (the bot's, another message) | foreign (someone else's) | missing."""
        try:
            edited = await self._edit(probe.chat_id, message_id, None)
        except BadRequest as exc:
            reason = exc.message.lower()
            if "not modified" in reason:  # the bot's, without a keyboard: unchanged
                return await self._read(probe, message_id)  # (the post's may have been left off)
            if "not found" in reason:
                return "missing"
            if "can't be edited" not in reason:
                log.warning("telegram: unexpected probe answer", chat=probe.chat_id,
                            message_id=message_id, error=exc.message)  # fmt: skip
            return "foreign"
        if _matches(edited, probe.note):  # the post: its keyboard goes back
            if probe.keyboard is not None:
                await self._edit(probe.chat_id, message_id, probe.keyboard)
            return "found"
        log.warning("telegram: a probe took the keyboard off another of the bot's messages",
                    chat=probe.chat_id, message_id=message_id)  # fmt: skip
        return "mine"

    async def _read(self, probe: Probe, message_id: int) -> str:
        """Read a keyboard-free message of the bot: a probe button on, then off again (or the
        post's own keyboard, when it is the post and a probe cut short left it without)."""
        edited = await self._edit(probe.chat_id, message_id, PROBE_KEYBOARD)
        found = _matches(edited, probe.note)
        await self._edit(probe.chat_id, message_id, probe.keyboard if found else None)
        return "found" if found else "mine"

    async def _edit(
        self, chat_id: int | str, message_id: int, keyboard: InlineKeyboardMarkup | None
    ) -> Message | bool:
        self.calls += 1
        edited: Message | bool = await self._call(
            self._bot.edit_message_reply_markup,
            chat_id=chat_id, message_id=message_id, reply_markup=keyboard,
        )  # fmt: skip
        return edited


def _matches(edited: Message | bool, note: Note) -> bool:
    return isinstance(edited, Message) and text_digest(edited.text) == note.digest
