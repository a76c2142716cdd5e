"""The fake Bot API's chats: per-chat increasing message ids, other users' messages in between,
and editMessageReplyMarkup as strict as Telegram's (only the bot's own messages, real errors).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FIRST_ID = 1  # a new chat: its first message is 1
NOT_FOUND = "Bad Request: message to edit not found"
CANT_EDIT = "Bad Request: message can't be edited"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass
class ChatMessage:
    """One message in a chat: who sent it, what it shows, its inline keyboard."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    keyboard: list[list[dict[str, Any]]] | None = None


def keyboard_of(reply_markup: Any) -> list[list[dict[str, Any]]] | None:
    """An inline keyboard's rows, None for no keyboard (an empty one is no keyboard)."""
    if not isinstance(reply_markup, dict):
        return None
    rows = [row for row in reply_markup.get("inline_keyboard") or [] if row]
    return rows or None


class Chats:
    """Every chat's messages; ids count up per chat, other users' messages interleave.

    `chatter(chat_id)` says how many messages other users post before each of the bot's;
    `no_edit_rights` holds chats (channels) where the bot may post but not edit.
    """

    def __init__(self, chatter: Callable[[int], int] | None = None) -> None:
        self.chatter = chatter
        self.messages: dict[tuple[int, int], ChatMessage] = {}
        self.no_edit_rights: set[int] = set()
        self._next: dict[int, int] = {}

    def _take_id(self, chat_id: int) -> int:
        message_id = self._next.get(chat_id, FIRST_ID)
        self._next[chat_id] = message_id + 1
        return message_id

    def add(self, chat_id: int, *, from_bot: bool, **fields: Any) -> ChatMessage:
        """Store a new message with the chat's next id."""
        message = ChatMessage(chat_id, self._take_id(chat_id), from_bot, **fields)
        self.messages[(chat_id, message.message_id)] = message
        return message

    def add_from_bot(self, chat_id: int, **fields: Any) -> ChatMessage:
        """The bot's message, after whatever other users said meanwhile (`chatter`)."""
        self.users_say(chat_id, self.chatter(chat_id) if self.chatter else 0)
        return self.add(chat_id, from_bot=True, **fields)

    def users_say(self, chat_id: int, count: int = 1) -> list[int]:
        """`count` messages from other users in the chat; their ids."""
        return [
            self.add(chat_id, from_bot=False, text=f"user message {n}").message_id
            for n in range(count)
        ]

    def delete(self, chat_id: int, message_id: int) -> None:
        """The message is gone (its id stays used)."""
        self.messages.pop((chat_id, message_id), None)

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages in the chat, in order."""
        found = [m for (c, _), m in self.messages.items() if c == chat_id and m.from_bot]
        return sorted(found, key=lambda m: m.message_id)

    def edit_markup(self, chat_id: int, message_id: int, reply_markup: Any) -> ChatMessage | str:
        """Set a message's keyboard as Telegram would; the edited message, or the error."""
        message = self.messages.get((chat_id, message_id))
        if message is None:
            return NOT_FOUND
        if not message.from_bot or chat_id in self.no_edit_rights:
            return CANT_EDIT
        keyboard = keyboard_of(reply_markup)
        if keyboard == message.keyboard:
            return NOT_MODIFIED
        message.keyboard = keyboard
        return message


def random_chatter(rng: random.Random, most: int = 3) -> Callable[[int], int]:
    """Between 0 and `most` other users' messages before each of the bot's."""
    return lambda _chat_id: rng.randint(0, most)
