"""`paperbot email`: subscribe addresses (a person's, or a mailing list's) from the command line.

`paperbot email subscribe ADDRESS --topics QUERY …` makes the address a channel that follows
those topics; `unsubscribe ADDRESS` stops its digests; `list` shows every address; and
`command ADDRESS TEXT` runs any channel command for it (`time 07:30 Europe/Berlin`, `size 5`,
`weekly on`). Commands run through the core, so they check their input as in a chat.
"""

from __future__ import annotations

import argparse
import re

from sqlmodel import select

from adapters.email.render import plain_text
from bot.app import create_app
from bot.config import Settings
from bot.core import PaperBot
from bot.messages import Conversation, IncomingMessage
from bot.models import Channel
from bot.posts import Error, Post

PLATFORM = "email"
ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `email` subcommand."""
    email = sub.add_parser("email", help="e-mail digests: subscribe and manage addresses")
    actions = email.add_subparsers(dest="action", required=True)
    subscribe = actions.add_parser("subscribe", help="send an address digests of these topics")
    subscribe.add_argument("address")
    subscribe.add_argument(
        "--topics",
        action="append",
        required=True,
        metavar="QUERY",
        help="a topic query, e.g. 'cat:cs.CL agents' (repeat for more)",
    )
    subscribe.add_argument("--time", help="digest time, e.g. '07:30 Europe/Berlin'")
    subscribe.add_argument("--language", help="the summaries' language code, e.g. de")
    subscribe.add_argument("--size", type=int, help="papers a digest shows")
    unsubscribe = actions.add_parser("unsubscribe", help="stop an address's digests")
    unsubscribe.add_argument("address")
    actions.add_parser("list", help="every subscribed address")
    command = actions.add_parser("command", help="run a channel command for an address")
    command.add_argument("address")
    command.add_argument("text", nargs="+", help="e.g. weekly on")


class _Printed:
    """A sender printing the core's answers; remembers whether one was an error."""

    failed = False

    async def send(self, message: Post) -> str | None:
        """Print the post as text."""
        self.failed = self.failed or isinstance(message, Error)
        if message.text:
            print(plain_text(message.text))
        return None


def commands_for(args: argparse.Namespace) -> list[str]:
    """The channel commands a `subscribe` stands for, in order."""
    texts = [f"subscribe {query}" for query in args.topics]
    texts += [f"time {args.time}"] if args.time else []
    texts += [f"language {args.language}"] if args.language else []
    texts += [f"size {args.size}"] if args.size is not None else []
    return texts


async def email_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run `paperbot email …`; 2 when the address or a command is refused."""
    if args.action != "list" and not ADDRESS.match(args.address):
        print(f"Not an e-mail address: {args.address!r}")
        return 2
    app = await create_app(settings)
    try:
        if args.action == "list":
            return await _list(app.bot)
        conversation = Conversation(PLATFORM, args.address.lower())
        if args.action == "unsubscribe":
            await app.bot.channel_membership(conversation, False)
            print(f"{conversation.channel} gets no more digests.")
            return 0
        if args.action == "subscribe":
            await app.bot.channel_membership(conversation, True)
        texts = commands_for(args) if args.action == "subscribe" else [" ".join(args.text)]
        return await _run(app.bot, conversation, texts)
    finally:
        await app.aclose()


async def _run(bot: PaperBot, conversation: Conversation, texts: list[str]) -> int:
    printed = _Printed()
    for text in texts:
        message = IncomingMessage(conversation, text, user=conversation.channel, is_admin=True)
        await bot.handle(message, printed)
        if printed.failed:
            return 2
    return 0


async def _list(bot: PaperBot) -> int:
    async with bot.deps.db.session() as session:
        rows = await session.exec(select(Channel).where(Channel.platform == PLATFORM))
        channels = sorted(rows, key=lambda c: c.channel)
    for channel in channels:
        state = "active" if channel.active else "unsubscribed"
        print(f"{channel.channel}\t{state}\t{channel.digest_time} {channel.timezone}")
    if not channels:
        print("No addresses yet: paperbot email subscribe ADDRESS --topics 'cat:cs.CL agents'")
    return 0
