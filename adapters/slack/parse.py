"""Slack payloads → the core's incoming messages and actions (pure functions, no I/O).

Slash commands become command lines in the shared grammar; `block_actions` become
IncomingActions whose thread is the pressed message's ts; `app_mention`/`message` events in a
thread become questions in that thread. What is not for the bot (other bots, edits, its own
posts, chatter outside the bot's threads) parses to None.
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Conversation, IncomingAction, IncomingMessage

PLATFORM = "slack"
# message subtypes that are a person writing; edits, deletions, joins, bot_message… are not
ALLOWED_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def unescape(text: str) -> str:
    """Slack's `&lt;`, `&gt;`, `&amp;` back to the characters people typed."""
    for entity, char in ENTITIES:
        text = text.replace(entity, char)
    return text


def strip_mention(text: str, bot_user_id: str) -> str:
    """The text without the bot's own `<@BOTID>` (or `<@BOTID|name>`) mentions."""
    if not bot_user_id:
        return text.strip()
    return re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text).strip()


def command_text(text: str | None) -> str:
    """The core command line after `/papers`; an empty command asks for help."""
    line = unescape(text or "").strip()
    return line or "help"


def parse_slash_command(payload: dict[str, Any]) -> IncomingMessage:
    """A slash-command payload (form fields) → a command line for `PaperBot.handle`."""
    conversation = Conversation(
        PLATFORM, str(payload.get("channel_id", "")), str(payload.get("team_id", ""))
    )
    return IncomingMessage(
        conversation,
        command_text(payload.get("text")),
        user=str(payload.get("user_id", "")),
    )  # no message_id: a slash command is not a message anyone can react to or reply under


def parse_block_actions(body: dict[str, Any]) -> list[IncomingAction]:
    """A `block_actions` payload → one IncomingAction per pressed button (selects are skipped)."""
    if body.get("type") != "block_actions":
        return []
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")
    thread = container.get("message_ts") or message.get("ts")
    conversation = Conversation(PLATFORM, str(channel), str(team or ""), thread)
    user = str((body.get("user") or {}).get("id", ""))
    return [
        IncomingAction(conversation, str(a.get("action_id", "")), str(a.get("value", "")), user)
        for a in body.get("actions") or []
        if a.get("type") == "button"
    ]


def is_from_bot(event: dict[str, Any], bot_user_id: str = "") -> bool:
    """True for messages by bots (this one included), edits and other non-human subtypes."""
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return True
    if (event.get("subtype") or "") not in ALLOWED_SUBTYPES:
        return True
    return event.get("user") == bot_user_id


def thread_of(event: dict[str, Any]) -> str | None:
    """The parent's ts when the event is a reply in a thread (thread_ts differs from ts)."""
    thread, ts = event.get("thread_ts"), event.get("ts")
    return thread if thread and thread != ts else None


def parse_question(event: dict[str, Any], team_id: str, bot_user_id: str) -> IncomingMessage | None:
    """An `app_mention`/`message` event in a thread → a question there; None if not for us.

    A `message` counts only when it replies in a thread the bot started (`parent_user_id`
    is the bot); an `app_mention` counts in any thread. Top-level messages are not questions.
    """
    if event.get("type") not in ("app_mention", "message") or is_from_bot(event, bot_user_id):
        return None
    thread = thread_of(event)
    if thread is None:
        return None
    if event["type"] == "message" and event.get("parent_user_id") != bot_user_id:
        return None
    return _message(event, team_id, bot_user_id, thread)


def parse_direct_command(
    event: dict[str, Any], team_id: str, bot_user_id: str
) -> IncomingMessage | None:
    """A top-level `app_mention`, or a direct message, → a command line; None otherwise."""
    if event.get("type") not in ("app_mention", "message") or is_from_bot(event, bot_user_id):
        return None
    if thread_of(event) is not None:
        return None
    if event["type"] == "message" and event.get("channel_type") != "im":
        return None
    message = _message(event, team_id, bot_user_id, None)
    return message if message.text else None


def event_team(body: dict[str, Any], event: dict[str, Any]) -> str:
    """The workspace an event belongs to."""
    return str(body.get("team_id") or event.get("team") or event.get("user_team") or "")


def message_key(event: dict[str, Any]) -> tuple[str, str]:
    """(channel, ts): the same message seen as `app_mention` and as `message` shares it."""
    return (str(event.get("channel", "")), str(event.get("ts", "")))


def membership_change(
    event: dict[str, Any], team_id: str, bot_user_id: str
) -> tuple[Conversation, bool] | None:
    """The bot joined (True) or left (False) a channel; None for other people's changes."""
    kind = event.get("type")
    if kind == "member_joined_channel" and event.get("user") == bot_user_id:
        channel, present = event.get("channel", ""), True
    elif kind in ("channel_left", "group_left"):
        channel, present = event.get("channel", ""), False
    else:
        return None
    team = str(event.get("team") or team_id)
    return Conversation(PLATFORM, str(channel), team), present


def _message(
    event: dict[str, Any], team_id: str, bot_user_id: str, thread: str | None
) -> IncomingMessage:
    conversation = Conversation(PLATFORM, str(event.get("channel", "")), team_id, thread)
    text = unescape(strip_mention(str(event.get("text", "")), bot_user_id))
    return IncomingMessage(
        conversation, text, user=str(event.get("user", "")), message_id=event.get("ts")
    )
