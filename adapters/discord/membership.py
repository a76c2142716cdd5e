"""The bot joining or leaving servers and channels, from gateway dispatches (no I/O).

READY names the servers the bot is already in; a GUILD_CREATE for any other is the bot being
added (its text channels are present again), a GUILD_DELETE without `unavailable` is the bot
being removed (its channels are gone), and CHANNEL_DELETE one channel gone. An outage
(`unavailable: true`) changes nothing. The core only touches channels it has subscriptions for.
"""

from __future__ import annotations

from typing import Any

from adapters.discord.parse import PLATFORM
from bot.messages import Conversation

TEXT_CHANNELS = frozenset({0, 5, 15})  # text, announcement, forum
Change = tuple[Conversation, bool]


class Membership:
    """Which servers and channels the bot is in, and what a dispatch changes."""

    def __init__(self) -> None:
        self._ready: set[str] = set()
        self._channels: dict[str, set[str]] = {}  # guild → its text channels

    def saw(self, kind: str | None, data: dict[str, Any]) -> list[Change]:
        """The (conversation, present) changes a dispatch means."""
        guild = str(data.get("guild_id") if kind == "CHANNEL_DELETE" else data.get("id") or "")
        if kind == "READY":
            self._ready = {str(g.get("id")) for g in data.get("guilds") or []}
        elif kind == "GUILD_CREATE":
            channels = {str(c["id"]) for c in data.get("channels") or []
                        if c.get("type") in TEXT_CHANNELS}  # fmt: skip
            self._channels[guild] = channels
            if guild not in self._ready:  # added to a server after we connected
                self._ready.add(guild)
                return [(Conversation(PLATFORM, c, guild), True) for c in sorted(channels)]
        elif kind == "GUILD_DELETE" and not data.get("unavailable"):
            self._ready.discard(guild)
            channels = self._channels.pop(guild, set())
            return [(Conversation(PLATFORM, c, guild), False) for c in sorted(channels)]
        elif kind == "CHANNEL_DELETE" and data.get("type") in TEXT_CHANNELS:
            self._channels.get(guild, set()).discard(str(data.get("id")))
            return [(Conversation(PLATFORM, str(data.get("id")), guild), False)]
        return []
