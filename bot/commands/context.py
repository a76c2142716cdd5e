"""What a command handler gets: the bot's dependencies, the message, its channel and a sender."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.digest.service import DigestService
from bot.messages import IncomingMessage, Sender
from bot.posts import Error, Reply
from bot.store.db import Database

if TYPE_CHECKING:
    from bot.llm.client import LLMClient
    from bot.metrics import CommandMetrics
    from bot.qa.service import QAService
    from bot.rank.semantic import Relevance
    from bot.sources.http import HttpFetcher
    from bot.store.keys import Leases
    from bot.store.usage import UsageRecorder


@dataclass
class BotDeps:
    """Everything the core's handlers need, passed in explicitly."""

    settings: Settings
    db: Database
    digests: DigestService
    clock: Callable[[], datetime]
    digest_now_at: dict[tuple[str, str, str], datetime] = field(default_factory=dict)
    qa: QAService | None = None  # questions about papers; None: not wired
    llm: LLMClient | None = None  # reviews and other LLM-only features; None: offline
    usage: UsageRecorder | None = None  # token accounting for those calls
    http: HttpFetcher | None = None  # looking up library papers; None: stored papers only
    relevance: Relevance | None = None  # semantic ranking (embeds library papers)
    leases: Leases | None = None  # work held across replicas (digest now); None: made per use
    metrics: CommandMetrics | None = None  # command latency for /metrics; None: not measured


@dataclass
class Context:
    """One command being handled."""

    deps: BotDeps
    message: IncomingMessage
    sender: Sender

    async def reply(self, text: str, *, ephemeral: bool = True) -> None:
        """Answer in the conversation the message came from."""
        await self.sender.send(Reply(self.message.conversation, text, ephemeral=ephemeral))

    async def error(self, text: str) -> None:
        """Refuse or report a failure in the conversation the message came from."""
        await self.sender.send(Error(self.message.conversation, text, ephemeral=True))

    @property
    def channel_key(self) -> tuple[str, str, str]:
        """The conversation's channel address."""
        c = self.message.conversation
        return (c.platform, c.workspace, c.channel)
