"""MatrixAdapter: a matrix-nio client that long-polls /sync and hands each event to the core.

`start()` logs in (or takes the access token), runs one quick sync and returns; the sync loop
then runs as a task. The first sync is the backlog: invites and leaves in it are acted on, its
messages are not (they were sent before the bot started). Each later event runs in its own
task, so a slow answer in one room never stalls another; each event id is taken once through
`RequestKeys`, so a redelivered event (a lost sync token, a second replica) is not handled
twice. The sync token is kept in MATRIX_STORE_PATH when set.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import structlog
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    LoginResponse,
    RoomGetEventResponse,
    RoomGetStateEventResponse,
    RoomGetStateResponse,
    SyncResponse,
    WhoamiResponse,
)

from adapters.matrix.parse import (
    PLATFORM,
    Command,
    Question,
    Reaction,
    parse_event,
    power_level,
    reaction_action,
    sent_before,
    thread_root,
)
from adapters.matrix.sender import MatrixSender
from adapters.matrix.settings import MatrixSettings
from bot.adapter import AdapterContext, AdapterSettingsError
from bot.commands.registry import BUTTONS, needs_admin
from bot.core import PaperBot
from bot.messages import ChannelUnavailable, Conversation
from bot.posts import Reply
from bot.store.keys import RequestKeys

log = structlog.get_logger(__name__)
EVENT_TTL = timedelta(days=2)
SYNC_FILTER = {"room": {"state": {"lazy_load_members": True}}, "presence": {"types": []}}
BACKOFF_MAX = 60.0
ENCRYPTED = ("This room is end-to-end encrypted, and I can't read encrypted messages, so "
             "commands here won't reach me. Invite me to an unencrypted room instead.")  # fmt: skip


def first_sync_filter() -> dict[str, Any]:
    """The first sync's filter, unique to this start: Synapse caches a sync response for two
    minutes by its request, filter included, so a quick restart would get the old run's
    initial sync (and its stale token) back. The excluded type never exists."""
    nonce = f"io.paperbot.start.{uuid.uuid4().hex}"
    return {"room": {"timeline": {"limit": 1, "not_types": [nonce]},
                     "state": {"lazy_load_members": True}}}  # fmt: skip


class SyncToken:
    """Where the sync token is kept between runs: a file, or nowhere (empty path)."""

    def __init__(self, path: str) -> None:
        self._path = Path(path) if path else None

    def load(self) -> str | None:
        """The token from the last run, if one was kept."""
        if self._path is None or not self._path.exists():
            return None
        return self._path.read_text().strip() or None

    def save(self, token: str) -> None:
        """Keep the token (written whole, then renamed into place)."""
        if self._path is None:
            return
        partial = self._path.with_suffix(".tmp")
        partial.write_text(token)
        partial.replace(self._path)


class MatrixAdapter:
    """Connects a PaperBot to a Matrix homeserver; `start()` returns once it is syncing."""

    def __init__(self, settings: MatrixSettings, bot: PaperBot, keys: RequestKeys) -> None:
        self.settings = settings
        self._bot = bot
        self._keys = keys
        config = AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2,
                                   encryption_enabled=False)  # fmt: skip
        self.client = AsyncClient(settings.homeserver_url, settings.user_id,
                                  device_id=settings.device_id, config=config)  # fmt: skip
        self._sender = MatrixSender(self.client, max_retries=settings.max_retries,
                                    max_wait=settings.max_retry_wait)  # fmt: skip
        self._token = SyncToken(settings.store_path)
        self._since: str | None = None
        self._started = time.monotonic()
        self._loop: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def sender(self) -> MatrixSender:
        """Posts to any room the bot is in."""
        return self._sender

    async def start(self) -> None:
        """Log in, run the first sync (the backlog: only invites and leaves), start syncing."""
        self._started = time.monotonic()
        try:
            await self._login()
            first = await self.client.sync(timeout=0, sync_filter=first_sync_filter(),
                                           since=self._token.load())  # fmt: skip
            if not isinstance(first, SyncResponse):
                raise ConnectionError(f"matrix: the first sync failed: {first}")
        except BaseException:
            await self.client.close()  # no connection left open by a start that failed
            raise
        await self._process(first, backlog=True)
        self._loop = asyncio.create_task(self._sync_forever(), name="matrix-sync")
        log.info("matrix adapter started", user=self.client.user_id)

    async def stop(self) -> None:
        """Stop syncing, let running handlers finish (briefly), and close the connection."""
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await self.client.close()

    async def _login(self) -> None:
        s = self.settings
        if s.access_token:
            self.client.access_token = s.access_token
            who = await self.client.whoami()
            if not isinstance(who, WhoamiResponse):
                raise AdapterSettingsError(f"MATRIX_ACCESS_TOKEN was refused: {who.status_code}")
            if who.user_id != s.user_id:
                raise AdapterSettingsError("MATRIX_ACCESS_TOKEN belongs to another MATRIX_USER_ID")
            return
        logged = await self.client.login(s.password, device_name="paperbot")
        if not isinstance(logged, LoginResponse):
            raise AdapterSettingsError(f"MATRIX_PASSWORD login failed: {logged.status_code}")

    async def _sync_forever(self) -> None:
        failures = 0
        timeout_ms = int(self.settings.sync_timeout * 1000)
        while True:
            try:
                answer = await self.client.sync(timeout=timeout_ms, since=self._since,
                                                sync_filter=SYNC_FILTER)  # fmt: skip
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:  # nio gave up retrying
                answer = exc
            if isinstance(answer, SyncResponse):
                failures = 0
                await self._process(answer, backlog=False)
                continue
            failures += 1
            wait = min(2.0**failures, BACKOFF_MAX)
            log.warning("matrix: sync failed", error=str(answer), retry_in=wait)
            await asyncio.sleep(wait)

    async def _process(self, answer: SyncResponse, *, backlog: bool) -> None:
        """Membership changes in order, then each new timeline event in a task of its own."""
        if answer.rooms.leave or answer.rooms.invite:
            self._spawn(self._memberships(list(answer.rooms.leave), list(answer.rooms.invite)))
        if not backlog:
            for room_id, room in answer.rooms.join.items():
                for event in room.timeline.events:
                    self._spawn(self._event(room_id, event.source))
        self._since = answer.next_batch
        self._token.save(answer.next_batch)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            if isinstance(error, ChannelUnavailable):
                log.info("matrix room unavailable", room=error.conversation.channel,
                         reason=error.reason)  # fmt: skip
            else:
                log.error("matrix event failed", error=repr(error))

    async def _memberships(self, left: list[str], invited: list[str]) -> None:
        """Rooms left, then rooms to join, in order (kicked, then invited again: present)."""
        for room_id in left:
            await self._bot.channel_membership(Conversation(PLATFORM, room_id), False)
        for room_id in invited:
            await self._join(room_id)

    async def _join(self, room_id: str) -> None:
        joined = await self.client.join(room_id)
        if not isinstance(joined, JoinResponse):
            log.warning("matrix: could not join", room=room_id, error=str(joined))
            return
        conversation = Conversation(PLATFORM, room_id)
        await self._bot.channel_membership(conversation, True)
        encryption = await self.client.room_get_state_event(room_id, "m.room.encryption")
        if isinstance(encryption, RoomGetStateEventResponse):  # no E2EE here: say so, once
            log.warning("matrix: joined an encrypted room", room=room_id)
            await self._sender.send(Reply(conversation, ENCRYPTED))

    async def _event(self, room_id: str, event: dict[str, Any]) -> None:
        if sent_before(event, (time.monotonic() - self._started) * 1000):
            return  # from before the bot started: the backlog
        inbound = parse_event(room_id, event, self.client.user_id,
                              self.settings.command_prefix)  # fmt: skip
        if inbound is None:
            return
        if not await self._keys.first("matrix_event", str(event["event_id"]), EVENT_TTL):
            return  # another replica, or an earlier sync, took it
        if isinstance(inbound, Command):
            await self._command(inbound)
        elif isinstance(inbound, Question):
            await self._question(inbound)
        elif isinstance(inbound, Reaction):
            await self._reaction(inbound)

    async def _command(self, command: Command) -> None:
        message = command.message
        if needs_admin(message.text):
            is_admin = await self._is_admin(message.conversation.channel, message.user)
            message = replace(message, is_admin=is_admin)
        await self._bot.handle(message, self._sender)

    async def _question(self, question: Question) -> None:
        target = await self._own_event(question.message.conversation.channel, question.about)
        if target is None:
            return  # a thread or reply about someone else's message: not for the bot
        root = thread_root(target) or question.about
        message = question.message
        conversation = message.conversation.in_thread(root)
        await self._bot.handle_question(replace(message, conversation=conversation), self._sender)

    async def _reaction(self, reaction: Reaction) -> None:
        target = await self._own_event(reaction.conversation.channel, reaction.target)
        action = reaction_action(reaction, target, self.client.user_id) if target else None
        if action is None:
            return
        spec = BUTTONS.get(action.action)
        if spec is not None and needs_admin(spec.name):
            is_admin = await self._is_admin(action.conversation.channel, action.user)
            action = replace(action, is_admin=is_admin)
        await self._bot.handle_action(action, self._sender)

    async def _own_event(self, room_id: str, event_id: str) -> dict[str, Any] | None:
        """The bot's event `event_id` in the room (None when it is someone else's, or gone)."""
        got = await self.client.room_get_event(room_id, event_id)
        if not isinstance(got, RoomGetEventResponse):
            return None
        source: dict[str, Any] = got.event.source
        return source if source.get("sender") == self.client.user_id else None

    async def _is_admin(self, room_id: str, user: str) -> bool:
        """Has the user the power level to change the room's settings?"""
        state = await self.client.room_get_state(room_id)
        if not isinstance(state, RoomGetStateResponse):
            log.warning("matrix: could not read power levels", room=room_id, error=str(state))
            return False
        return power_level(state.events, user) >= self.settings.admin_power_level


def build(context: AdapterContext) -> MatrixAdapter:
    """The Matrix adapter for `paperbot run`, from MATRIX_* (AdapterSettingsError if unusable)."""
    settings = MatrixSettings()
    settings.check()
    return MatrixAdapter(settings, context.bot, context.keys)
