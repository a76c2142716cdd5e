"""The Discord adapter: discord.py's gateway client for events, REST for answers and posts.

discord.py keeps the gateway connection (identify, heartbeats, resume, reconnect) and the
HTTP client with Discord's rate limits; this adapter reads the raw dispatches it receives
(`on_socket_raw_receive`) with the pure parsers of `parse`, so it works on Discord's
documented payloads rather than discord.py's object model. Interactions are acknowledged
before any other work (see `interactions`); redelivered events are dropped with the shared
`RequestKeys`. The `/papers` command is registered at start (a bulk overwrite).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import discord
import structlog

from adapters.dedupe import MemoryKeys, SeenKeys
from adapters.deferred import drain_tasks
from adapters.discord import parse
from adapters.discord.interactions import (
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    InteractionSender,
    acknowledge,
)
from adapters.discord.membership import Membership
from adapters.discord.rest import Rest, rebase
from adapters.discord.sender import DiscordSender
from adapters.discord.settings import DiscordSettings
from adapters.discord.threads import ThreadDirectory
from bot.adapter import AdapterContext
from bot.core import PaperBot
from bot.messages import ChannelUnavailable, IncomingAction, IncomingMessage

log = structlog.get_logger(__name__)
EVENT_TTL = timedelta(hours=1)
NOT_HERE = "I can't post in this channel: give me View Channel and Send Messages here."
READY_TIMEOUT = 30.0
THREAD_ACTIONS = frozenset({"ask", "review"})  # buttons whose answer goes to the thread


def intents() -> discord.Intents:
    """Guilds (channels, threads), guild and DM messages, and message content (privileged:
    the questions asked in paper threads)."""
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.dm_messages = wanted.message_content = True
    return wanted


def command_spec(name: str) -> dict[str, Any]:
    """The one slash command: its `text` option carries the shared command grammar."""
    return {
        "name": name, "type": 1,
        "description": "Research-paper digests: subscribe, digest now, topics… (text: help)",
        "options": [{"type": 3, "name": "text", "required": False, "max_length": 2000,
                     "description": "A command, e.g. `subscribe cat:cs.CL agents` or `help`"}],
        "contexts": [0, 1], "integration_types": [0],
    }  # fmt: skip


def counting(bot: PaperBot | None) -> Callable[[], None] | None:
    """A callback counting Discord's 429s in the bot's metrics (None: not measured)."""
    metrics = bot.deps.metrics if bot is not None else None
    return (lambda: metrics.rate_limited("discord")) if metrics is not None else None


class DiscordAdapter:
    """Connects a PaperBot to Discord; `start()` returns once the gateway is READY."""

    def __init__(
        self, settings: DiscordSettings, bot: PaperBot, *, keys: SeenKeys | None = None
    ) -> None:
        self.settings = settings
        self.bot = bot
        self.client = discord.Client(
            intents=intents(), enable_debug_events=True, chunk_guilds_at_startup=False,
            max_messages=None,
        )  # fmt: skip
        rebase(self.client.http, settings.base_url, counting(bot))
        self.rest = Rest(self.client.http)
        self._sender = DiscordSender(self.rest)
        self.threads = ThreadDirectory(self.rest)
        self.membership = Membership()
        self._keys = keys or MemoryKeys()
        self._ready = asyncio.Event()
        self._connection: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        setattr(self.client, "on_socket_raw_receive", self._on_raw)  # noqa: B010

    @property
    def sender(self) -> DiscordSender:
        """The Sender for scheduled posts to Discord channels."""
        return self._sender

    async def start(self) -> None:
        """Log in (REST), register `/papers`, connect the gateway and wait for READY; on a
        failure (a bad token, a privileged intent not enabled) close and raise it."""
        try:
            await self._start()
        except BaseException:
            await self.stop(timeout=1.0)
            raise
        log.info("discord adapter started", user=self._sender.bot_user_id)

    async def _start(self) -> None:
        await self.client.login(self.settings.bot_token.strip())
        assert self.client.user is not None
        self._sender.bot_user_id = self.threads.bot_user_id = str(self.client.user.id)
        await self.rest.call(
            "PUT", "/applications/{application_id}/commands",
            json=[command_spec(self.settings.command_name)],
            application_id=self.settings.application_id.strip(),
        )  # fmt: skip
        self._connection = asyncio.create_task(self.client.connect(reconnect=True))
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._connection}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        if ready in done:
            self._connection.add_done_callback(_connection_ended)
            return
        ready.cancel()
        failure = self._connection.exception() if self._connection in done else None
        raise failure or RuntimeError("discord: the gateway did not become ready")

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking events, let work in progress finish (cancelled after `timeout`), then
        close the gateway and the REST session."""
        self._stopping = True
        await self.drain(timeout)
        await self.client.close()
        if self._connection is not None:
            await asyncio.gather(self._connection, return_exceptions=True)
            self._connection = None
        await self.drain(timeout)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the work started by events so far (tests use it too)."""
        await drain_tasks(self._tasks, timeout)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except ChannelUnavailable as error:
            log.warning("discord channel unavailable", channel=error.conversation.channel,
                        reason=error.reason)  # fmt: skip
        except Exception:
            log.exception("discord handler failed")

    async def _on_raw(self, raw: str | bytes) -> None:
        """Every gateway payload: the dispatches the bot needs are handled here."""
        if self._stopping:
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            return
        if payload.get("op") != 0 or not isinstance(payload.get("d"), dict):
            return
        kind, data = payload.get("t"), payload["d"]
        if kind == "INTERACTION_CREATE":
            await self._interaction(data)  # acknowledged here, within Discord's 3 seconds
        elif kind == "MESSAGE_CREATE":
            self._spawn(self._message(data))
        else:
            self.threads.saw(kind, data)
            for conversation, present in self.membership.saw(kind, data):
                self._spawn(self.bot.channel_membership(conversation, present))
            if kind == "READY":
                self._ready.set()

    async def _interaction(self, interaction: dict[str, Any]) -> None:
        """Acknowledge at once (deferred), then hand the work to a tracked task."""
        incoming = parse.parse_interaction(interaction, self.settings.command_name)
        if incoming is None:
            return
        command = isinstance(incoming, IncomingMessage)
        try:
            kind = DEFERRED_MESSAGE if command else DEFERRED_UPDATE
            await acknowledge(self.rest, interaction, kind)
        except discord.HTTPException as error:  # too late, or taken by another replica
            log.warning("discord interaction not acknowledged", code=getattr(error, "code", 0))
            return
        if not await self._keys.first("discord_interaction", str(interaction["id"]), EVENT_TTL):
            return
        application = self.settings.application_id.strip()
        sender = InteractionSender(
            self._sender, application, str(interaction["token"]), replaces_original=command
        )
        self._spawn(self._answer(incoming, interaction, sender))

    async def _answer(
        self, incoming: IncomingMessage | IncomingAction, interaction: dict[str, Any],
        sender: InteractionSender,
    ) -> None:  # fmt: skip
        try:
            if isinstance(incoming, IncomingMessage):
                await self.bot.handle(incoming, sender)
            else:
                if incoming.action in THREAD_ACTIONS:  # answered in the paper's thread
                    await self.threads.open(self._sender, incoming.conversation,
                                            parse.thread_name(interaction))  # fmt: skip
                await self.bot.handle_action(incoming, sender)
        except ChannelUnavailable:
            await sender.send_note(NOT_HERE)
        finally:
            await sender.finish()

    async def _message(self, message: dict[str, Any]) -> None:
        """A message in one of the bot's paper threads (or a reply to a post): a question."""
        if parse.is_from_bot(message, self._sender.bot_user_id):
            return
        parent = await self.threads.parent_of(message)
        question = parse.parse_question(message, self._sender.bot_user_id, parent)
        if question is None:
            return
        if not await self._keys.first("discord_message", str(message.get("id")), EVENT_TTL):
            return
        await self.bot.handle_question(question, self._sender)


def _connection_ended(task: asyncio.Task[None]) -> None:
    """The gateway loop ended: say why when it was not a clean stop."""
    if not task.cancelled() and task.exception() is not None:
        log.error("discord gateway connection ended", error=repr(task.exception()))


def build(context: AdapterContext) -> DiscordAdapter:
    """The Discord adapter for `paperbot run`, from DISCORD_*."""
    settings = DiscordSettings()
    settings.check()
    return DiscordAdapter(settings, context.bot, keys=context.keys)
