"""Which channels are threads on the bot's posts (so messages there are questions).

A thread started from a message has that message's id, so a thread on one of the bot's
paper posts is a question thread for that paper. The directory learns plain channels from
GUILD_CREATE and CHANNEL_CREATE, threads the bot starts itself (the Ask button), and asks
Discord once about any other channel a message arrives in (`GET /channels/{id}`, then the
thread's starter message); what it learns is kept, a bounded number of channels.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import discord
import structlog

from adapters.discord import parse
from adapters.discord.rest import Rest
from adapters.discord.sender import DiscordSender
from bot.messages import Conversation

log = structlog.get_logger(__name__)
Payload = dict[str, Any]


class ThreadDirectory:
    """channel id → the parent channel for threads on the bot's posts, None for the rest."""

    def __init__(self, rest: Rest, capacity: int = 20_000) -> None:
        self.rest = rest
        self.bot_user_id = ""
        self._known: OrderedDict[str, str | None] = OrderedDict()
        self._capacity = capacity

    def remember(self, channel: str, parent: str | None) -> None:
        """Note what a channel is."""
        self._known[channel] = parent
        self._known.move_to_end(channel)
        while len(self._known) > self._capacity:
            self._known.popitem(last=False)

    def saw(self, kind: str | None, data: Payload) -> None:
        """Learn from a gateway dispatch: plain channels, deleted threads."""
        if kind == "GUILD_CREATE":  # its threads may be anyone's: those are asked about
            for channel, parent in parse.thread_parents(data).items():
                if parent is None:
                    self.remember(channel, None)
        elif kind == "CHANNEL_CREATE":
            self.remember(str(data.get("id")), None)
        elif kind == "THREAD_DELETE":
            self._known.pop(str(data.get("id")), None)

    async def parent_of(self, message: Payload) -> str | None:
        """The parent channel if the message is in a thread on one of the bot's posts."""
        channel = str(message.get("channel_id", ""))
        if not message.get("guild_id") or not channel:
            return None  # a DM
        if channel in self._known:
            return self._known[channel]
        parent = await self._lookup(channel)
        self.remember(channel, parent)
        return parent

    async def _lookup(self, channel: str) -> str | None:
        try:
            found = await self.rest.call("GET", "/channels/{channel_id}", channel_id=channel)
            parent = parse.thread_parent(found)
            if parent is None:
                return None
            starter = await self.rest.call(
                "GET", "/channels/{channel_id}/messages/{message_id}",
                channel_id=parent, message_id=channel,
            )  # fmt: skip
        except discord.HTTPException as error:  # no starter message: not a thread on a post
            log.info("discord channel lookup failed", channel=channel, status=error.status)
            return None
        return parent if str((starter.get("author") or {}).get("id")) == self.bot_user_id else None

    async def open(self, sender: DiscordSender, conversation: Conversation, name: str) -> None:
        """Start the thread on the paper post a button was clicked on (if none is there)."""
        if not conversation.thread:
            return
        thread = await sender.start_thread(conversation, conversation.thread, name)
        if thread is not None:
            self.remember(thread, conversation.channel)
