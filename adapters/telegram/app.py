"""TelegramAdapter: a PTB Application (polling or webhook) that hands every update to the core.

Shares the running event loop (no threads); updates are handled concurrently, so a slow answer
in one chat never stalls another. The Bot goes through AIORateLimiter (30 messages/s overall,
20/min per group) which also waits out 429 RetryAfter answers.
"""

from __future__ import annotations

from dataclasses import replace

import structlog
from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from adapters.telegram.limiter import CountingRateLimiter
from adapters.telegram.parse import (
    callback_action,
    command_message,
    is_anonymous_admin,
    is_group,
    membership_change,
    question_message,
)
from adapters.telegram.sender import TelegramSender
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.webhook import SeenKeys, WebhookServer
from bot.adapter import AdapterContext
from bot.commands.registry import SPECS, needs_admin
from bot.core import PaperBot
from bot.messages import ChannelUnavailable, IncomingMessage

log = structlog.get_logger(__name__)
ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "my_chat_member"]
EXPIRED = "This button has expired; use /like or /dislike with the paper's id."


def bot_commands() -> list[BotCommand]:
    """The command menu, from the shared grammar."""
    return [BotCommand(spec.name, f"{spec.help} — /{spec.usage}"[:256]) for spec in SPECS]


def file_url(api_url: str) -> str:
    """The file download base matching a Bot API base (…/bot → …/file/bot)."""
    head, sep, _tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot" if sep else api_url


def build_application(
    settings: TelegramSettings, rate_limiter: BaseRateLimiter | None
) -> Application:
    """The PTB Application: token, API base, rate limiter and concurrent updates."""
    builder = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(settings.api_url)
        .base_file_url(file_url(settings.api_url))
        .concurrent_updates(True)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    if settings.webhook_url:
        builder = builder.updater(None)
    return builder.build()


# Telegram allows 30 messages a second overall and 20 a minute per group, counted over any
# sliding window. A leaky bucket as big as the limit sends a burst of that size after every
# pause, which a sliding window punishes; buckets of one message spaced evenly never burst.
OVERALL_INTERVAL = 1 / 29  # one under 30/s, so send-time jitter never earns a 429
PAID_INTERVAL = 1 / 990  # with TELEGRAM_PAID_BROADCAST: Telegram's paid ceiling is 1,000/s
GROUP_INTERVAL = 3.0  # 20 a minute


class TelegramAdapter:
    """Connects a PaperBot to Telegram; `start()` returns once it is receiving updates.

    In webhook mode `keys` (the store's `RequestKeys`) lets one replica take each update_id
    when a load balancer spreads Telegram's (re)deliveries over several.
    """

    def __init__(
        self,
        settings: TelegramSettings,
        bot: PaperBot,
        *,
        rate_limiter: BaseRateLimiter | None = None,
        poll_timeout: int = 10,
        keys: SeenKeys | None = None,
    ) -> None:
        self._settings = settings
        self._bot = bot
        self._poll_timeout = poll_timeout
        metrics = bot.deps.metrics if bot is not None else None  # a send-only adapter (bench)
        limiter = rate_limiter or CountingRateLimiter(
            overall_max_rate=1,
            overall_time_period=PAID_INTERVAL if settings.paid_broadcast else OVERALL_INTERVAL,
            group_max_rate=1, group_time_period=GROUP_INTERVAL, max_retries=3,
            on_rate_limited=(lambda: metrics.rate_limited("telegram")) if metrics else None,
        )  # fmt: skip
        self.application = build_application(settings, limiter)
        self._sender = TelegramSender(self.application.bot, paid_broadcast=settings.paid_broadcast)
        self._webhook: WebhookServer | None = None
        self._keys = keys
        self._add_handlers()

    @property
    def sender(self) -> TelegramSender:
        """The Sender for scheduled digests to Telegram chats."""
        return self._sender

    async def start(self) -> None:
        """Connect (getMe), publish the command menu, and start polling or the webhook."""
        app = self.application
        await app.initialize()
        await app.bot.set_my_commands(bot_commands())
        await app.start()
        if self._settings.webhook_url:
            self._webhook = WebhookServer(app, self._settings, ALLOWED_UPDATES, keys=self._keys)
            await self._webhook.start()
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        log.info("telegram adapter started", username=app.bot.username)

    async def stop(self) -> None:
        """Stop receiving, finish the running handlers, and disconnect."""
        app = self.application
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    def _add_handlers(self) -> None:
        app = self.application
        messages = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
        app.add_handler(MessageHandler(messages & filters.TEXT, self._on_message))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self._on_error)

    async def _on_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self._message(update)
        except ChannelUnavailable as error:  # removed from the chat: no work, no more replies
            log.info("telegram chat unavailable", chat=error.conversation.channel,
                     reason=error.reason)  # fmt: skip

    async def _message(self, update: Update) -> None:
        command = command_message(update, self.application.bot.username)
        if command is not None:
            is_admin = await self._is_admin(update, command)
            await self._bot.handle(replace(command, is_admin=is_admin), self._sender)
            return
        question = question_message(update, self.application.bot.id)
        if question is not None:
            thread = question.conversation.thread
            root = self._sender.thread_root(thread) if thread else thread
            conversation = question.conversation.in_thread(root)
            handle = self._bot.handle if thread is None else self._bot.handle_question
            await handle(replace(question, conversation=conversation), self._sender)

    async def _is_admin(self, update: Update, command: IncomingMessage) -> bool:
        """May this sender change the chat's settings? Asked only for admin commands in groups."""
        message = update.effective_message
        assert message is not None
        if message.chat.type in (ChatType.PRIVATE, ChatType.CHANNEL) or is_anonymous_admin(message):
            return True
        if not is_group(message.chat) or not needs_admin(command.text):
            return False
        if message.from_user is None or message.sender_chat is not None:
            return False
        try:
            member = await message.chat.get_member(message.from_user.id)
        except TelegramError as exc:
            log.warning("getChatMember failed", chat=message.chat.id, error=str(exc))
            return False
        return member.status in ADMIN_STATUSES

    async def _on_callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        action = callback_action(update, self._sender.resolve_token)
        if action is None:
            await query.answer(EXPIRED if query.data and "~" in query.data else None)
            return
        await query.answer()
        try:
            await self._bot.handle_action(action, self._sender)
        except ChannelUnavailable as error:
            log.info("telegram chat unavailable", chat=error.conversation.channel,
                     reason=error.reason)  # fmt: skip

    async def _on_membership(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        change = membership_change(update)
        if change is not None:
            await self._bot.channel_membership(change.conversation, change.present)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed", error=repr(context.error), update=str(update)[:500])


def build(context: AdapterContext) -> TelegramAdapter:
    """The Telegram adapter for `paperbot run`, from TELEGRAM_* (long polling or a webhook)."""
    settings = TelegramSettings()
    settings.check()
    return TelegramAdapter(settings, context.bot, keys=context.keys)
