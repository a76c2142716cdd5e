"""What people send, made safe for the core: no NUL or control characters, no lone
surrogates, bounded length; and `shown()` for echoing input back briefly."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.messages import Conversation, IncomingAction, IncomingMessage

MAX_TEXT = 10_000  # characters of one command or question (chat platforms allow up to 40,000)
MAX_ID = 256  # characters of a channel, workspace, thread or user id
ECHO = 80  # characters of input an error reply may quote
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str, limit: int | None = None) -> str:
    """The text with lone surrogates replaced (U+FFFD) and NUL/control characters dropped."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return _CONTROL.sub("", text)


def shown(text: str, limit: int = ECHO) -> str:
    """At most `limit` characters of user input, on one line, for quoting in a reply."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def clean_conversation(conversation: Conversation) -> Conversation:
    """The conversation with every id cleaned."""
    thread = conversation.thread
    return Conversation(
        clean(conversation.platform, MAX_ID),
        clean(conversation.channel, MAX_ID),
        clean(conversation.workspace, MAX_ID),
        None if thread is None else clean(thread, MAX_ID),
    )


def clean_message(message: IncomingMessage) -> IncomingMessage:
    """The message with its text (cut at MAX_TEXT + 1, so it is seen as too long) and ids."""
    return replace(
        message,
        conversation=clean_conversation(message.conversation),
        text=clean(message.text, MAX_TEXT + 1),
        user=clean(message.user, MAX_ID),
        message_id=None if message.message_id is None else clean(message.message_id, MAX_ID),
    )


def clean_action(action: IncomingAction) -> IncomingAction:
    """The button press with its action, value and ids cleaned."""
    return replace(
        action,
        conversation=clean_conversation(action.conversation),
        action=clean(action.action, MAX_ID),
        value=clean(action.value, MAX_ID),
        user=clean(action.user, MAX_ID),
    )
