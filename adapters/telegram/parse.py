"""Telegram updates → the core's messages (pure functions over PTB `Update` objects).

Mapping:
- conversation: platform "telegram", channel = str(chat.id), workspace "", and for a message in
  a forum topic thread = str(message_thread_id) (the topic's root message id).
- a command (`/name args`, `/name@thisbot args`) → IncomingMessage with the text as typed; `/start`
  (Telegram's greeting) reads as `/help`. In groups, commands addressed to another bot
  (`/x@otherbot`) and unknown commands without `@thisbot` are ignored: other bots share groups.
- a question → IncomingMessage whose conversation.thread is the message it is about: the bot's
  message it replies to (reply_to_message from the bot → its message_id); otherwise, in a forum
  supergroup, the message's thread (message_thread_id: the topic's root message, or the root of
  the reply chain). Anything else is chat, not for the bot.
- a callback query → IncomingAction (see adapters.telegram.callbacks for the data format); its
  conversation.thread is the pressed message's id, so answers attach to that post.
- my_chat_member → (conversation, present): member/administrator/creator (or restricted but
  still a member) is present; left/kicked is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from adapters.telegram.callbacks import is_token
from bot.commands.registry import BY_NAME
from bot.messages import Conversation, IncomingAction, IncomingMessage

PLATFORM = "telegram"
NUMBERED_QUESTION = re.compile(r">\s*\d")
PRESENT = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
COMMAND_ALIASES = {"start": "help"}
GROUP_TYPES = {ChatType.GROUP, ChatType.SUPERGROUP}


@dataclass(frozen=True)
class Membership:
    """The bot was added to (present) or removed from a chat."""

    conversation: Conversation
    present: bool


def update_from_dict(data: dict[str, Any], bot: Bot | None = None) -> Update:
    """A PTB Update from a raw Bot API update dict."""
    update = Update.de_json(data, bot)
    assert update is not None
    return update


def is_group(chat: Chat) -> bool:
    """True for groups and supergroups (where admin rights matter)."""
    return chat.type in GROUP_TYPES


def conversation_of(message: Message) -> Conversation:
    """The conversation a message lives in (with its forum topic as the thread)."""
    thread = None
    if message.chat.is_forum and message.is_topic_message and message.message_thread_id:
        thread = str(message.message_thread_id)
    return Conversation(PLATFORM, str(message.chat.id), "", thread)


def sender_id(message: Message) -> str:
    """Who sent it: the user's id, or the chat's id for posts on behalf of a chat."""
    if message.sender_chat is not None:
        return str(message.sender_chat.id)
    return str(message.from_user.id) if message.from_user else ""


def is_anonymous_admin(message: Message) -> bool:
    """Sent on behalf of the group itself: only its administrators can do that."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


def command_name(text: str) -> tuple[str, str | None] | None:
    """(name, addressee) of a `/name[@bot] …` line, or None when it is no command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    word = text[1:].split(maxsplit=1)[0] if text[1:].strip() else ""
    name, _, addressee = word.partition("@")
    return (name.lower(), addressee or None) if name else None


def command_message(
    update: Update, bot_username: str | None = None, known: Collection[str] = BY_NAME.keys()
) -> IncomingMessage | None:
    """The command this update carries (is_admin still to be decided), or None."""
    message = update.message or update.channel_post
    if message is None or not message.text:
        return None
    parsed = command_name(message.text)
    if parsed is None:
        return None
    name, addressee = parsed
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    alias = COMMAND_ALIASES.get(name)
    if is_group(message.chat) and (alias or name) not in known and not addressee:
        return None
    text = message.text
    if alias is not None:
        text = f"/{alias}" + text[len(text.split(maxsplit=1)[0]) :]
    return IncomingMessage(
        conversation_of(message), text, sender_id(message), True, str(message.message_id)
    )


def question_thread(message: Message, bot_id: int | None) -> str | None:
    """The message a question is about: the bot's replied-to post, or the forum thread root."""
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    by_bot = author is not None and author.is_bot and (bot_id is None or author.id == bot_id)
    if replied is not None and by_bot:
        return str(replied.message_id)
    if message.chat.is_forum and message.message_thread_id:
        return str(message.message_thread_id)
    return None


def question_message(update: Update, bot_id: int | None = None) -> IncomingMessage | None:
    """The question this update carries (a reply to the bot, a forum-thread message or a
    `>N question` about paper N of the last digest), or None."""
    message = update.message
    if message is None or not message.text or message.text.startswith("/"):
        return None
    thread = question_thread(message, bot_id)
    if thread is None and not NUMBERED_QUESTION.match(message.text):
        return None  # chatter, not for the bot (a `>N question` is, wherever it is typed)
    conversation = Conversation(PLATFORM, str(message.chat.id), "", thread)
    is_admin = not is_group(message.chat) or is_anonymous_admin(message)
    return IncomingMessage(
        conversation, message.text, sender_id(message), is_admin, str(message.message_id)
    )


def callback_action(
    update: Update, resolve: Callable[[str], str | None] = lambda _token: None
) -> IncomingAction | None:
    """The button press this update carries, or None (no data, or an unknown short token)."""
    query = update.callback_query
    if query is None or not query.data or query.message is None:
        return None
    action, sep, value = query.data.partition(":")
    if not sep or not action:
        return None
    if is_token(value):
        resolved = resolve(value)
        if resolved is None:
            return None
        value = resolved
    chat = query.message.chat
    conversation = Conversation(PLATFORM, str(chat.id), "", str(query.message.message_id))
    return IncomingAction(
        conversation, action, value, str(query.from_user.id), chat.type == ChatType.PRIVATE
    )


def membership_change(update: Update) -> Membership | None:
    """The bot's own membership change this update carries, or None."""
    change = update.my_chat_member
    if change is None:
        return None
    member = change.new_chat_member
    present = member.status in PRESENT or (
        member.status == ChatMemberStatus.RESTRICTED and bool(getattr(member, "is_member", False))
    )
    return Membership(Conversation(PLATFORM, str(change.chat.id)), present)
