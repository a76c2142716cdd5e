"""Telegram updates for tests, built on the recorded payloads in shared/fixtures/telegram."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

from tests.conftest import FIXTURES

TELEGRAM = FIXTURES / "telegram"
ANONYMOUS_ADMIN_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                       "username": "GroupAnonymousBot"}  # fmt: skip
_message_ids = itertools.count(1)


def recorded(name: str) -> Any:
    """A recorded Telegram payload."""
    return json.loads((TELEGRAM / name).read_text())


def private_chat(user_id: int = 10081232) -> dict[str, Any]:
    """A private chat with a user (the recorded one's shape)."""
    return recorded("telegram_update_command_private.json")["message"]["chat"] | {"id": user_id}


def group_chat(chat_id: int = -1001234567890, *, forum: bool = False) -> dict[str, Any]:
    """A supergroup (optionally a forum)."""
    chat = {"id": chat_id, "title": "Test Group", "type": "supergroup"}
    return chat | {"is_forum": True} if forum else chat


def user(user_id: int = 10081232) -> dict[str, Any]:
    """A human user (the recorded one, renumbered)."""
    return recorded("telegram_update_command_private.json")["message"]["from"] | {"id": user_id}


def message_update(chat: dict[str, Any], text: str, *, sender: dict[str, Any] | None = None,
                   sender_chat: dict[str, Any] | None = None,
                   reply_to: dict[str, Any] | None = None,
                   thread: int | None = None) -> dict[str, Any]:  # fmt: skip
    """A text message update (a `bot_command` entity when it starts with /)."""
    update = recorded("telegram_update_command_private.json")
    message = update["message"]
    message.update(message_id=next(_message_ids), chat=chat, text=text)
    message["from"] = sender or user(chat["id"] if chat["type"] == "private" else 10081232)
    length = len(text.split()[0]) if text.startswith("/") else 0
    message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}] if length else []
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    if reply_to is not None:
        message["reply_to_message"] = reply_to | {"chat": chat}
    if thread is not None:
        message.update(message_thread_id=thread, is_topic_message=True)
    return update


def bot_message(message_id: int, bot_id: int, username: str) -> dict[str, Any]:
    """One of the bot's own messages, as it appears in reply_to_message."""
    author = {"id": bot_id, "is_bot": True, "first_name": "paperbot", "username": username}
    return {"message_id": message_id, "from": author, "date": 1714837875, "text": "paper"}


def callback_update(chat: dict[str, Any], message_id: int, data: str,
                    user_id: int = 222222222) -> dict[str, Any]:  # fmt: skip
    """A button press on one of the bot's messages (the recorded callback_query, re-aimed)."""
    update = copy.deepcopy(recorded("telegram_update_callback_query.json"))
    query = update["callback_query"]
    query["from"]["id"] = user_id
    query["message"].update(message_id=message_id, chat=chat)
    query["data"] = data
    return update


def membership_update(chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The bot's own membership changing (the recorded group join, re-aimed)."""
    update = recorded("telegram_getUpdates_group_bot_added_my_chat_member_REAL.json")["result"][0]
    change = update["my_chat_member"]
    change["chat"] = chat
    change["old_chat_member"]["status"] = old
    change["new_chat_member"]["status"] = new
    if new == "kicked":
        change["new_chat_member"]["until_date"] = 0
    return update
