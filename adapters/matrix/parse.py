"""Matrix events → the core's messages (pure functions over the client-server API's event JSON).

Mapping:
- conversation: platform "matrix", channel = the room id, workspace "", and for a message in a
  thread (an `m.thread` relation) or a reply (`m.in_reply_to`) thread = the event it is about.
- a command is an `m.text` message starting with the prefix (`!papers subscribe cat:cs.CL`);
  the prefix alone reads as `help`. The text after the prefix goes to the core as typed.
- a question is any other `m.text` message in a thread or a reply: the adapter checks that the
  event it is about is the bot's before handing it on (`Question.about`).
- a reaction (`m.reaction`, an `m.annotation`) is a vote when the reacted event is the bot's and
  offers that key (`reaction_action`, with the reacted event).
- ignored: the bot's own events, notices (other bots), edits, and anything without a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.messages import Conversation, IncomingAction, IncomingMessage

PLATFORM = "matrix"
REACTIONS_FIELD = "io.paperbot.reactions"  # on a paper event: reaction key → [action, value]
MARKER_FIELD = "io.paperbot.marker"  # on a scheduled post: its idempotency marker
EMOJI_VARIANTS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")  # variation, skin tone
LEGACY_VERSIONS = frozenset(str(n) for n in range(1, 12))  # creators are not privileged there


@dataclass(frozen=True)
class Command:
    """A `!papers …` message (is_admin still to be decided)."""

    message: IncomingMessage


@dataclass(frozen=True)
class Question:
    """A message in a thread or a reply: a question if `about` (an event id) is the bot's."""

    message: IncomingMessage
    about: str


@dataclass(frozen=True)
class Reaction:
    """A reaction key put on an event (a vote if that event is one of the bot's papers)."""

    conversation: Conversation
    target: str
    key: str
    user: str


Inbound = Command | Question | Reaction


def relates_to(event: dict[str, Any]) -> dict[str, Any]:
    """The event's `m.relates_to` (empty when it has none or a malformed one)."""
    relation = (event.get("content") or {}).get("m.relates_to")
    return relation if isinstance(relation, dict) else {}


def thread_of(event: dict[str, Any]) -> str | None:
    """The event a message is about: its thread's root, else the event it replies to."""
    relation = relates_to(event)
    if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"), str):
        return str(relation["event_id"])
    reply = relation.get("m.in_reply_to")
    if isinstance(reply, dict) and isinstance(reply.get("event_id"), str):
        return str(reply["event_id"])
    return None


def strip_reply_fallback(body: str) -> str:
    """The body without the `> <@user> quoted` lines older clients put before a reply."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> <"):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


def command_text(body: str, prefix: str) -> str | None:
    """The command after the prefix (`help` for the prefix alone), or None for no command."""
    word, _, rest = body.strip().partition(" ")
    if word.lower() != prefix.lower():
        return None
    return rest.strip() or "help"


def parse_event(
    room_id: str, event: dict[str, Any], bot_user: str, prefix: str = "!papers"
) -> Inbound | None:
    """What a timeline event means for the bot, or None when it is not for the bot."""
    sender = event.get("sender")
    if not isinstance(sender, str) or sender == bot_user or "event_id" not in event:
        return None
    if event.get("type") == "m.reaction":
        return _reaction(room_id, event, sender)
    if event.get("type") != "m.room.message":
        return None
    content = event.get("content") or {}
    body = content.get("body")
    if content.get("msgtype") != "m.text" or not isinstance(body, str):
        return None
    if relates_to(event).get("rel_type") == "m.replace":
        return None  # an edit: the original was handled
    thread = thread_of(event)
    text = strip_reply_fallback(body) if thread else body
    conversation = Conversation(PLATFORM, room_id, "", thread)
    command = command_text(text, prefix)
    if command is not None:
        return Command(IncomingMessage(conversation, command, sender, False, event["event_id"]))
    if thread is None or not text.strip():
        return None  # chatter in the room, not for the bot
    return Question(IncomingMessage(conversation, text, sender, False, event["event_id"]), thread)


def _reaction(room_id: str, event: dict[str, Any], sender: str) -> Reaction | None:
    relation = relates_to(event)
    target, key = relation.get("event_id"), relation.get("key")
    if relation.get("rel_type") != "m.annotation" or not isinstance(target, str):
        return None
    if not isinstance(key, str) or not key:
        return None
    return Reaction(Conversation(PLATFORM, room_id, "", target), target, key, sender)


def sent_before(event: dict[str, Any], elapsed_ms: float, slack_ms: float = 2000) -> bool:
    """Was the event sent more than `elapsed_ms` (+ slack) ago, by the server's own clock?

    `unsigned.age` is how long ago the homeserver got the event, so no clock is compared.
    """
    age = (event.get("unsigned") or {}).get("age")
    return isinstance(age, int | float) and age > elapsed_ms + slack_ms


def normal_key(key: str) -> str:
    """A reaction key without variation selectors or skin tones (👍️, 👍🏽 → 👍)."""
    return EMOJI_VARIANTS.sub("", key)


def reaction_action(
    reaction: Reaction, target: dict[str, Any], bot_user: str
) -> IncomingAction | None:
    """The vote a reaction casts on the bot's event `target`, or None (not a vote there)."""
    if target.get("sender") != bot_user:
        return None
    offered = (target.get("content") or {}).get(REACTIONS_FIELD)
    if not isinstance(offered, dict):
        return None
    choice = offered.get(normal_key(reaction.key))
    if not (
        isinstance(choice, list) and len(choice) == 2 and all(isinstance(c, str) for c in choice)
    ):
        return None
    return IncomingAction(reaction.conversation, choice[0], choice[1], reaction.user, False)


def thread_root(target: dict[str, Any]) -> str | None:
    """The thread a bot's event lives in (its root), or None when it is a root itself."""
    relation = relates_to(target)
    if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"), str):
        return str(relation["event_id"])
    return None


def power_level(state: list[dict[str, Any]], user: str) -> float:
    """A user's power level from a room's state (room creators of v12+ rooms rank above all)."""
    by_type = {e.get("type"): e for e in state if e.get("state_key") == ""}
    create = by_type.get("m.room.create") or {}
    version = str((create.get("content") or {}).get("room_version", "1"))
    creators = {create.get("sender"), *((create.get("content") or {}).get("additional_creators")
                                        or [])}  # fmt: skip
    if version not in LEGACY_VERSIONS and user in creators:
        return float("inf")
    levels = (by_type.get("m.room.power_levels") or {}).get("content")
    if not isinstance(levels, dict):  # no power levels: the creator has 100, others 0
        return 100.0 if user == create.get("sender") else 0.0
    users = levels.get("users") if isinstance(levels.get("users"), dict) else {}
    return float(users.get(user, levels.get("users_default", 0)))
