"""Discord payloads (gateway dispatches, interactions) → the core's incoming messages (pure).

An application command (`/papers text:…`) becomes a command line in the shared grammar; a
button click becomes an IncomingAction whose thread is the clicked message; a message in a
thread becomes a question there (the thread started from a paper post has that post's id), as
does a reply to one of the bot's posts. The bot's own messages, other bots', webhooks' and
system messages parse to None, and so does anything not meant for the bot.
"""

from __future__ import annotations

from typing import Any

from bot.messages import Conversation, IncomingAction, IncomingMessage

PLATFORM = "discord"
ADMINISTRATOR, MANAGE_CHANNELS, MANAGE_GUILD = 1 << 3, 1 << 4, 1 << 5
ADMIN_BITS = ADMINISTRATOR | MANAGE_CHANNELS | MANAGE_GUILD
APPLICATION_COMMAND, MESSAGE_COMPONENT = 2, 3  # interaction types
BUTTON = 2  # component type
THREAD_TYPES = frozenset({10, 11, 12})  # announcement, public and private threads
PERSON_MESSAGE_TYPES = frozenset({0, 19})  # DEFAULT and REPLY; the rest are system messages
CUSTOM_ID_PREFIX = "pb"
MAX_CUSTOM_ID = 100
Payload = dict[str, Any]


def is_admin(permissions: str | int | None) -> bool:
    """May a member with this permission bitfield change settings (Manage Server, the
    channel's Manage Channels, or Administrator)?"""
    try:
        bits = int(permissions or 0)
    except (TypeError, ValueError):
        return False
    return bool(bits & ADMIN_BITS)


def custom_id(action: str, value: str) -> str | None:
    """A button's custom_id, `pb:<action>:<value>`; None when it would not fit 100 chars."""
    encoded = f"{CUSTOM_ID_PREFIX}:{action}:{value}"
    return encoded if len(encoded) <= MAX_CUSTOM_ID and ":" not in action else None


def decode_custom_id(encoded: str) -> tuple[str, str] | None:
    """(action, value) from a custom_id this adapter made; None for anyone else's."""
    prefix, _, rest = encoded.partition(":")
    action, sep, value = rest.partition(":")
    if prefix != CUSTOM_ID_PREFIX or not sep or not action:
        return None
    return action, value


def _user(interaction: Payload) -> Payload:
    return (interaction.get("member") or {}).get("user") or interaction.get("user") or {}


def _interaction_admin(interaction: Payload) -> bool:
    """Guild: from the member's permissions in the channel; a DM is the person's own."""
    member = interaction.get("member")
    if member is None:
        return not interaction.get("guild_id")
    return is_admin(member.get("permissions"))


def channel_conversation(
    channel_id: str, guild_id: str, channel: Payload | None, thread: str | None = None
) -> Conversation:
    """The conversation of a channel: a thread channel is its parent, in that thread."""
    if channel and channel.get("type") in THREAD_TYPES and channel.get("parent_id"):
        return Conversation(PLATFORM, str(channel["parent_id"]), guild_id, channel_id)
    return Conversation(PLATFORM, channel_id, guild_id, thread)


def command_text(data: Payload, command: str) -> str | None:
    """The command line of `/papers text:…` ("help" when empty); None for other commands."""
    if data.get("name") != command or data.get("type", 1) != 1:
        return None
    options = {o.get("name"): o.get("value") for o in data.get("options") or []}
    text = str(options.get("text") or "").strip()
    return text or "help"


def parse_interaction(
    interaction: Payload, command: str = "papers"
) -> IncomingMessage | IncomingAction | None:
    """An INTERACTION_CREATE → a command line, a button press, or None (not ours)."""
    kind = interaction.get("type")
    guild = str(interaction.get("guild_id") or "")
    channel_id = str(interaction.get("channel_id") or (interaction.get("channel") or {}).get("id")
                     or "")  # fmt: skip
    user = str(_user(interaction).get("id", ""))
    admin = _interaction_admin(interaction)
    data = interaction.get("data") or {}
    if kind == APPLICATION_COMMAND:
        text = command_text(data, command)
        if text is None or not channel_id:
            return None
        conversation = channel_conversation(channel_id, guild, interaction.get("channel"))
        return IncomingMessage(conversation, text, user=user, is_admin=admin)
    if kind == MESSAGE_COMPONENT and data.get("component_type") == BUTTON:
        decoded = decode_custom_id(str(data.get("custom_id", "")))
        message = interaction.get("message") or {}
        if decoded is None or not message.get("id"):
            return None
        conversation = channel_conversation(
            str(message.get("channel_id") or channel_id), guild, interaction.get("channel"),
            str(message["id"]),
        )  # fmt: skip
        return IncomingAction(conversation, decoded[0], decoded[1], user=user, is_admin=admin)
    return None


def is_from_bot(message: Payload, bot_user_id: str) -> bool:
    """The bot's own messages, other bots', webhooks' and system messages."""
    author = message.get("author") or {}
    if author.get("bot") or author.get("system") or message.get("webhook_id"):
        return True
    if message.get("type", 0) not in PERSON_MESSAGE_TYPES:
        return True
    return str(author.get("id", "")) == bot_user_id or not author.get("id")


def replied_to_bot(message: Payload, bot_user_id: str) -> str | None:
    """The id of the bot's message this one replies to, if it is a reply to the bot."""
    reference = message.get("referenced_message") or {}
    if str((reference.get("author") or {}).get("id", "")) != bot_user_id:
        return None
    return str(reference.get("id") or (message.get("message_reference") or {}).get("message_id"))


def parse_question(
    message: Payload, bot_user_id: str, thread_parent: str | None
) -> IncomingMessage | None:
    """A MESSAGE_CREATE → a question in a paper's thread, or None.

    `thread_parent` is the parent channel when the message's channel is a thread (the
    adapter knows its threads); a reply to one of the bot's posts counts too.
    """
    if is_from_bot(message, bot_user_id):
        return None
    text = str(message.get("content") or "").strip()
    channel = str(message.get("channel_id", ""))
    guild = str(message.get("guild_id") or "")
    if thread_parent is not None:
        conversation = Conversation(PLATFORM, thread_parent, guild, channel)
    else:
        replied = replied_to_bot(message, bot_user_id)
        if replied is None:
            return None
        conversation = Conversation(PLATFORM, channel, guild, replied)
    if not text:
        return None
    user = str((message.get("author") or {}).get("id", ""))
    return IncomingMessage(conversation, text, user=user, is_admin=False,
                           message_id=str(message.get("id", "")) or None)  # fmt: skip


def thread_parents(guild: Payload) -> dict[str, str | None]:
    """From a GUILD_CREATE: channel id → parent for threads, None for other channels."""
    known: dict[str, str | None] = {}
    for channel in guild.get("channels") or []:
        known[str(channel.get("id"))] = None
    for thread in guild.get("threads") or []:
        known[str(thread.get("id"))] = str(thread.get("parent_id") or "") or None
    return known


def thread_parent(channel: Payload) -> str | None:
    """A channel object's parent if it is a thread (THREAD_CREATE, GET /channels/{id})."""
    if channel.get("type") in THREAD_TYPES and channel.get("parent_id"):
        return str(channel["parent_id"])
    return None


def thread_name(interaction: Payload) -> str:
    """A name for the thread on a clicked message: its embed's title, or "Questions"."""
    embeds = (interaction.get("message") or {}).get("embeds") or []
    title = str((embeds[0] if embeds else {}).get("title") or "").strip()
    return title[:100] or "Questions"
