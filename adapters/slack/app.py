"""The Slack adapter: a slack-bolt AsyncApp translating Slack's events to the core and back.

Socket Mode by default (SLACK_APP_TOKEN), or HTTP mode (`start(http=True, port=N)`, signed
requests at /slack/events). Everything runs on the caller's asyncio loop: no threads and no
blocking `start()`. Requests are acknowledged before any work (Bolt's ack-first; see
`adapters.deferred`); the work runs in tracked tasks that `stop()` waits for, and a slash
command still running after `working_after` seconds says so through its response URL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import structlog
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.dedupe import MemoryKeys, SeenKeys
from adapters.deferred import WORKING_AFTER, drain_tasks, notify_when_slow
from adapters.slack import parse
from adapters.slack.http import SlackHttpServer
from adapters.slack.oauth import OAuthStores
from adapters.slack.sender import ChannelPacer, RetryAfterHandler, SlackSender, Sleep
from adapters.slack.settings import SlackSettings
from adapters.slack.workspaces import WorkspaceClients
from bot.adapter import AdapterContext
from bot.core import PaperBot
from bot.messages import ChannelUnavailable, IncomingMessage

log = structlog.get_logger(__name__)
WORKING = "Working on it…"
NOT_A_MEMBER = "I can't post in this channel yet: add me first with `/invite @paperbot`."
MEMBERSHIP_EVENTS = ("member_joined_channel", "channel_left", "group_left")
EVENT_TTL = timedelta(hours=1)  # Slack retries an event three times within about five minutes


def make_client(
    settings: SlackSettings,
    sleep: Sleep = asyncio.sleep,
    on_rate_limited: Callable[[], None] | None = None,
) -> AsyncWebClient:
    """An AsyncWebClient on SLACK_API_URL with the bot token, retrying 429s after Retry-After."""
    retry = RetryAfterHandler(sleep=sleep, on_rate_limited=on_rate_limited)
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(), retry],
    )


def counting(bot: PaperBot, platform: str) -> Callable[[], None] | None:
    """A callback counting the platform's 429s in the bot's metrics (None: not measured)."""
    metrics = bot.deps.metrics if bot is not None else None  # a send-only adapter (bench)
    return (lambda: metrics.rate_limited(platform)) if metrics is not None else None


class SlackAdapter:
    """Connects a PaperBot to Slack: one workspace (a bot token), or many by OAuth install.

    OAuth (multi-workspace) needs HTTP mode, SLACK_CLIENT_ID/SECRET and `engine` (our
    database, where the installations are kept); otherwise the single bot token is used.
    `keys` remembers events and signed requests already taken; give it the store's
    `RequestKeys` so that replicas share them (the default remembers in this process only).
    """

    def __init__(
        self,
        settings: SlackSettings,
        bot: PaperBot,
        *,
        client: AsyncWebClient | None = None,
        per_channel_per_second: float | None = 1.0,
        working_after: float = WORKING_AFTER,
        http_mode: bool = False,
        host: str = "0.0.0.0",
        port: int = 3000,
        engine: AsyncEngine | None = None,
        keys: SeenKeys | None = None,
        routes: Sequence[web.RouteDef] = (),
    ) -> None:
        self.settings = settings
        self._routes = routes  # every route of the port (complete by start()), served here too
        self._listen = (http_mode, host, port)
        self.bot = bot
        self.client = client or make_client(settings, on_rate_limited=counting(bot, "slack"))
        oauth = settings.oauth_enabled and http_mode and engine is not None
        self.oauth = OAuthStores(settings, engine) if oauth and engine is not None else None
        single = self.oauth is None and bool(self.client.token)
        self.app = AsyncApp(  # the client carries the bot token (if any) and the API base URL
            signing_secret=settings.signing_secret,
            client=self.client,
            oauth_settings=self.oauth.oauth_settings(settings) if self.oauth else None,
            authorize=self._authorizer() if single else None,
            # listeners ack and hand their work to tasks: running them inline answers Slack
            # the moment they ack (bolt's default polls for the ack every 10 ms, behind the
            # spawned work of every other request on the loop)
            process_before_response=True,
        )
        self._identity: AsyncSlackResponse | None = None
        self._identity_lock = asyncio.Lock()
        clients = WorkspaceClients(self.client, self.oauth.installations if self.oauth else None)
        pacer = ChannelPacer(per_channel_per_second)
        self._sender = SlackSender(self.client, pacer, clients=clients)
        self._working_after = working_after
        self._keys = keys or MemoryKeys()
        self._tasks: set[asyncio.Task[None]] = set()
        self._socket: AsyncSocketModeHandler | None = None
        self._http: SlackHttpServer | None = None
        self.bot_user_id = ""
        self.team_id = ""  # the workspace of the single bot token (auth.test)
        self._register()

    @property
    def sender(self) -> SlackSender:
        """A sender for scheduled posts (digests): no user, so nothing is ephemeral."""
        return self._sender

    @property
    def serves_http(self) -> bool:
        """In HTTP mode it serves the core's routes on its port (see `bot.adapter`)."""
        return self._listen[0]

    @property
    def port(self) -> int | None:
        """The HTTP-mode port once started (None in Socket Mode)."""
        return self._http.port if self._http is not None else None

    async def start(
        self, *, http: bool | None = None, host: str | None = None, port: int | None = None
    ) -> None:
        """Check the token (auth.test), then connect by Socket Mode, or serve HTTP when `http`.

        Unset arguments fall back to the constructor's `http_mode`, `host` and `port`; port 0
        picks a free port (see `.port`).
        """
        http_mode, default_host, default_port = self._listen
        http = http_mode if http is None else http
        if self.oauth is not None:
            await self.oauth.create_tables()
        if self.client.token:
            identity = await self._bot_identity()
            self.bot_user_id = str(identity.get("user_id", ""))
            self.team_id = str(identity.get("team_id") or "")
        if http:
            if not self.settings.signing_secret:
                raise ValueError("Slack HTTP mode needs SLACK_SIGNING_SECRET")
            secret = self.settings.signing_secret
            self._http = SlackHttpServer(
                self.app, signing_secret=secret, keys=self._keys, routes=self._routes
            )
            await self._http.start(host or default_host, default_port if port is None else port)
            return
        if not self.settings.app_token:
            raise ValueError("Slack Socket Mode needs SLACK_APP_TOKEN (an xapp-… app token)")
        self._socket = AsyncSocketModeHandler(
            self.app, self.settings.app_token, web_client=self.client
        )
        await self._socket.connect_async()

    async def _bot_identity(self) -> AsyncSlackResponse:
        """The bot token's auth.test, asked once (a burst of first requests shares it)."""
        async with self._identity_lock:
            if self._identity is None:
                self._identity = await self.client.auth_test()
            return self._identity

    def _authorizer(self) -> Callable[[], Awaitable[AuthorizeResult]]:
        """Bolt's `authorize` for the single bot token, from the one auth.test (bolt's own
        calls auth.test for every request until its first answer is in)."""

        async def authorize() -> AuthorizeResult:
            return AuthorizeResult.from_auth_test_response(
                auth_test_response=await self._bot_identity(),
                bot_token=self.client.token,
                user_token=None,
            )

        return authorize

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking requests, then let work in progress finish (cancelled after `timeout`)."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._http is not None:
            await self._http.stop()
            self._http = None
        await self.drain(timeout)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the work started by requests so far (tests use it too)."""
        await drain_tasks(self._tasks, timeout)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _logged(self, work: Awaitable[None]) -> None:
        try:
            await work
        except ChannelUnavailable as error:
            log.warning(
                "slack channel unavailable", channel=error.conversation.channel, reason=error.reason
            )
        except Exception:
            log.exception("slack handler failed")

    async def installed(self, team: str) -> bool:
        """Is `team` a workspace this bot is installed in (its token's, or an OAuth install)?"""
        if not team:
            return False
        if self.oauth is not None:
            bot = await self.oauth.installations.async_find_bot(enterprise_id=None, team_id=team)
            return bot is not None
        return team == self.team_id

    async def _only_installed(self, context: Any, next: Any) -> Any:
        """Bolt middleware: requests from other workspaces are acknowledged and dropped."""
        team = str(context.team_id or "")
        if await self.installed(team):
            return await next()
        log.warning("slack request from a workspace not installed", team=team[:40])
        return BoltResponse(status=200, body="")

    def _register(self) -> None:
        self.app.use(self._only_installed)
        self.app.command(self.settings.command)(self._on_command)
        self.app.action(re.compile(".+"))(self._on_action)
        self.app.event("app_mention")(self._on_message)
        self.app.event("message")(self._on_message)
        for name in MEMBERSHIP_EVENTS:
            self.app.event(name)(self._on_membership)

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """Ack at once, then run the command; a slow one says "Working on it…" meanwhile."""
        await ack()
        message = parse.parse_slash_command(command)
        work = self._spawn(self._command(message, respond))

        async def working() -> None:
            await respond(text=WORKING, response_type="ephemeral")

        self._spawn(notify_when_slow(work, working, self._working_after))

    async def _command(self, message: IncomingMessage, respond: Any) -> None:
        try:
            await self.bot.handle(message, self._sender.for_user(message.user))
        except ChannelUnavailable:
            await respond(text=NOT_A_MEMBER, response_type="ephemeral")

    async def _on_action(self, ack: Any, body: dict[str, Any]) -> None:
        """Ack at once; each pressed button goes to the core as an IncomingAction."""
        await ack()
        for action in parse.parse_block_actions(body):
            self._spawn(self.bot.handle_action(action, self._sender.for_user(action.user)))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        """A question in a thread, or a command by mention/DM: once per event and per message.

        Slack retries (X-Slack-Retry-Num) carry the first delivery's event_id, so they are
        dropped here, whichever replica they reach (the keys are in the store); the same
        message arriving as `app_mention` and as `message` shares (channel, ts) and is
        answered once. Messages not meant for the bot are not remembered.
        """
        team = parse.event_team(body, event)
        bot_user = context.get("bot_user_id") or self.bot_user_id
        question = parse.parse_question(event, team, bot_user)
        command = None if question else parse.parse_direct_command(event, team, bot_user)
        if (question or command) is None:
            return  # not for the bot: nothing to remember
        event_id = str(body.get("event_id") or "")
        if event_id and not await self._keys.first("slack_event", event_id, EVENT_TTL):
            return
        if not await self._first_message(team, event):
            return
        sender = self._sender.for_user(str(event.get("user", "")))
        if question is not None:
            self._spawn(self.bot.handle_question(question, sender))
        elif command is not None:
            self._spawn(self.bot.handle(command, sender))

    async def _first_message(self, team: str, event: dict[str, Any]) -> bool:
        channel, ts = parse.message_key(event)
        return await self._keys.first("slack_message", f"{team}:{channel}:{ts}", EVENT_TTL)

    async def _on_membership(
        self, body: dict[str, Any], event: dict[str, Any], context: Any
    ) -> None:
        """The bot joined or left a channel: tell the core."""
        bot_user = context.get("bot_user_id") or self.bot_user_id
        change = parse.membership_change(event, parse.event_team(body, event), bot_user)
        if change is not None:
            self._spawn(self.bot.channel_membership(*change))


def build(context: AdapterContext) -> SlackAdapter:
    """The Slack adapter for `paperbot run`, from SLACK_*: Socket Mode, or HTTP with `--http`
    (then it serves the core's routes on its port too)."""
    settings = SlackSettings()
    settings.check(http=context.http)
    return SlackAdapter(
        settings, context.bot, http_mode=context.http, port=context.port,
        engine=context.db.engine, keys=context.keys, routes=context.routes,
    )  # fmt: skip
