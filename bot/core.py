"""The platform-neutral bot: takes an incoming message, runs the command, answers via a Sender."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from bot.commands import info
from bot.commands.context import BotDeps, Context
from bot.commands.grammar import CommandError
from bot.commands.papers import numbered_papers
from bot.commands.registry import BUTTONS, BY_NAME, parse
from bot.inbound import MAX_TEXT, clean_action, clean_conversation, clean_message
from bot.inflight import InFlight, Notify
from bot.messages import (
    ChannelUnavailable,
    Conversation,
    IncomingAction,
    IncomingMessage,
    Sender,
)
from bot.models import Paper
from bot.posts import Reply
from bot.store.channels import find_channel, set_channel_active
from bot.store.deliveries import paper_for_message, was_posted
from bot.store.papers import find_paper
from bot.store.positions import positions

log = structlog.get_logger(__name__)
Handler = Callable[..., Awaitable[None]]
QUESTION_RE = re.compile(r"^>\s*(\d{1,6})(?!\d)\s*(.*)$", re.DOTALL)
TOO_LONG = f"That message is too long: commands and questions take up to {MAX_TEXT:,} characters."


class PaperBot:
    """Handles what people say to the bot on any platform."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self.inflight = InFlight()  # drained at shutdown: commands answered or to be resent

    async def handle(self, message: IncomingMessage, sender: Sender) -> None:
        """Run one command (or digest question) and send the answers."""
        message = clean_message(message)
        ctx = Context(self.deps, message, sender)
        started = time.perf_counter()
        async with self.inflight.command(message.text, _error_reply(ctx)) as taken:
            if taken:
                await self._handle(ctx)
        if self.deps.metrics is not None:
            self.deps.metrics.observe(command_label(message.text), time.perf_counter() - started)

    async def _handle(self, ctx: Context) -> None:
        message = ctx.message
        await self._check_present(message.conversation)
        text = message.text.strip()
        question = QUESTION_RE.match(text)
        try:
            if len(text) > MAX_TEXT:
                raise CommandError(TOO_LONG)
            if question:
                await self._question(ctx, int(question[1]), question[2].strip())
            else:
                await self._command(ctx, text)
        except CommandError as error:
            await self._reply_error(ctx, str(error))
        except ChannelUnavailable as error:
            await self._retire(message.conversation, error)
            raise
        except Exception:
            log.exception("command failed", text=text[:200])
            await ctx.error("Sorry, something went wrong handling that. It was logged.")

    async def handle_action(self, action: IncomingAction, sender: Sender) -> None:
        """A button press: votes and reviews run as their commands; Ask explains threads."""
        action = clean_action(action)
        if action.action == "ask":
            text = "Reply in this paper's thread with your question, and I'll answer there."
            await sender.send(Reply(action.conversation, text, ephemeral=True))
            return
        if action.action not in BUTTONS:
            log.warning("unknown action", action=action.action)
            return
        if not await self._posted_here(action):
            text = "That button is on a paper I did not post in this channel."
            await sender.send(Reply(action.conversation, text, ephemeral=True))
            return
        command = f"{BUTTONS[action.action].name} {action.value}"
        message = IncomingMessage(action.conversation, command, action.user, action.is_admin)
        await self.handle(message, sender)

    async def channel_membership(self, conversation: Conversation, present: bool) -> None:
        """The bot was added to (present) or removed from a channel: (re)activate or retire it."""
        conversation = clean_conversation(conversation)
        async with self.deps.db.session() as session:
            await set_channel_active(session, conversation, present)
        log.info(
            "channel membership",
            platform=conversation.platform,
            channel=conversation.channel,
            present=present,
        )

    async def handle_question(self, message: IncomingMessage, sender: Sender) -> None:
        """A message in a thread (or a reply): a question about the paper that thread carries."""
        message = clean_message(message)
        ctx = Context(self.deps, message, sender)
        async with self.inflight.command(message.text, _error_reply(ctx)) as taken:
            if taken:
                await self._handle_question(ctx)

    async def _handle_question(self, ctx: Context) -> None:
        message = ctx.message
        try:  # no parent paper: the question itself may name one (arXiv id, DOI)
            await self._check_present(message.conversation)
            if len(message.text) > MAX_TEXT:
                raise CommandError(TOO_LONG)
            thread = message.conversation.thread
            paper_key = await self._thread_paper(message) if thread else None
            await info.ask(
                ctx, paper_key or "", message.text.strip(), from_thread=paper_key is not None
            )
        except CommandError as error:
            await self._reply_error(ctx, str(error))
        except ChannelUnavailable as error:
            await self._retire(message.conversation, error)
            raise
        except Exception:
            log.exception("question failed", text=message.text[:200])
            await ctx.error("Sorry, something went wrong answering that. It was logged.")

    async def _reply_error(self, ctx: Context, text: str) -> None:
        """An error reply; a channel that turns out to be gone is retired, not re-answered."""
        try:
            await ctx.error(text)
        except ChannelUnavailable as error:
            await self._retire(ctx.message.conversation, error)
            raise

    async def _posted_here(self, action: IncomingAction) -> bool:
        """A button counts only in a channel the bot posts in, on a paper it posted there
        (in a recorded digest, or in the last digest or preview there)."""
        async with self.deps.db.session() as session:
            channel = await find_channel(session, action.conversation)
            if channel is None or channel.id is None or not channel.active:
                return False
            paper = await find_paper(session, action.value)
            if paper is None or paper.id is None:
                return False
            if paper.key in (await positions(session, channel.id)).values():
                return True
            return await was_posted(session, channel.id, paper.id)

    async def _check_present(self, conversation: Conversation) -> None:
        """Raise ChannelUnavailable when the bot was removed here: no work is done for it."""
        async with self.deps.db.session() as session:
            channel = await find_channel(session, conversation)
        if channel is not None and not channel.active:
            raise ChannelUnavailable(conversation, "the bot was removed from this channel")

    async def _retire(self, conversation: Conversation, error: ChannelUnavailable) -> None:
        """The platform says the bot can no longer post here: stop working for the channel."""
        async with self.deps.db.session() as session:
            await set_channel_active(session, conversation.in_thread(None), False)
        log.warning("channel unavailable", platform=conversation.platform,
                    channel=conversation.channel, reason=error.reason)  # fmt: skip

    async def _thread_paper(self, message: IncomingMessage) -> str | None:
        conversation = message.conversation
        async with self.deps.db.session() as session:
            channel = await find_channel(session, conversation)
            if channel is None or channel.id is None or conversation.thread is None:
                return None
            paper_id = await paper_for_message(session, channel.id, conversation.thread)
            paper = await session.get(Paper, paper_id) if paper_id is not None else None
        return paper.key if paper is not None else None

    async def _command(self, ctx: Context, text: str) -> None:
        command = parse(text)
        spec = BY_NAME[command.name]
        if spec.admin and not ctx.message.is_admin:
            raise CommandError(
                f"Only an administrator can use `{command.name}` here; "
                "anyone may ask questions and see `topics`."
            )
        args: tuple[Any, ...] = command.args
        await spec.handler(ctx, *args)

    async def _question(self, ctx: Context, number: int, question: str) -> None:
        papers = await numbered_papers(ctx)
        if number not in papers:
            raise CommandError(
                f"There is no paper {number} in the last digest here."
                + (f" It had papers 1–{max(papers)}." if papers else " Run `digest now` first.")
            )
        if not question:
            raise CommandError(f"Ask something after the number, e.g. `>{number} what data?`")
        await info.ask(ctx, papers[number], question)


def command_label(text: str) -> str:
    """The command a message runs, as a metrics label of bounded cardinality."""
    text = text.strip()
    if QUESTION_RE.match(text):
        return "question"
    word = text.lstrip("/").split(maxsplit=1)[0].lower() if text.lstrip("/") else ""
    return word if word in BY_NAME else "other"


def _error_reply(ctx: Context) -> Notify:
    """How a shutdown notice reaches the conversation a command came from."""

    async def reply(text: str) -> None:
        await ctx.error(text)

    return reply
