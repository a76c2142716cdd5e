"""The terminal adapter: a REPL for the commands, printing replies and digests as plain text."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator
from typing import TextIO

from adapters.console_preview import Renderer
from adapters.console_render import plain, render_header, render_paper, render_section
from bot import posts
from bot.core import PaperBot
from bot.messages import Conversation, IncomingMessage
from bot.posts import DigestHeader, PaperPost, Post, Typing, render_post

PROMPT = "paperbot> "
MAX_LINE = 1024 * 1024  # bytes of one typed or piped line that reach the core
CHUNK = 64 * 1024
CONSOLE = Conversation(platform="console", channel="console", workspace="local")
HINT = (
    "Commands start with '/', e.g. /help. Ask about paper N of the last digest with '>N question'."
)


class ConsoleSender:
    """Prints what the core sends; numbers each message as its reference.

    With a `renderer` (a platform preview), prints what it returns instead of plain text;
    a message it renders as None prints nothing.
    """

    def __init__(self, out: TextIO, renderer: Renderer | None = None) -> None:
        self._out = out
        self._renderer = renderer
        self._count = 0
        self._section: str | None = None
        self._renderers = {
            posts.Reply: _text, posts.Error: _text, posts.Answer: _text,
            posts.WeeklyBriefing: _text, posts.FollowupPost: _text, Typing: _typing,
            DigestHeader: self._header,
            PaperPost: self._paper,
        }  # fmt: skip

    async def send(self, message: Post) -> str | None:
        """Print one post."""
        text = self._renderer(message) if self._renderer else render_post(self._renderers, message)
        self._count += 1
        if text is not None:
            self._out.write(text + "\n")
            self._out.flush()
        return f"console:{self._count}"

    def _header(self, post: DigestHeader) -> str:
        self._section = None
        return render_header(post.digest) if post.digest is not None else plain(post.text)

    def _paper(self, post: PaperPost) -> str:
        paper, heading = post.paper, ""
        if paper.primary_category != self._section:
            self._section = paper.primary_category
            count = next(s.count for s in post.digest.sections if paper in s.papers)
            heading = render_section(paper.primary_category or "other", count) + "\n"
        return heading + render_paper(paper, post.digest.language)


def _text(post: Post) -> str:
    return plain(post.text)


def _typing(post: Typing) -> str:
    return "… reading the paper"


async def read_lines(stream: TextIO) -> AsyncIterator[str]:
    """Lines from stdin without blocking the loop.

    Pipes, sockets and terminals are read through the event loop; anything else (a regular
    file, /dev/null) never blocks and is read directly.
    """
    mode = os.fstat(stream.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stream.isatty()):
        for line in stream:
            yield line
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), stream
    )
    try:
        async for line in split_lines(reader):
            yield line.decode("utf-8", errors="replace")
    finally:
        transport.close()


async def split_lines(reader: asyncio.StreamReader, limit: int = MAX_LINE) -> AsyncIterator[bytes]:
    """The lines of a stream, however long: a line over `limit` bytes is cut there (the core
    answers that it is too long) and the lines after it are read as usual."""
    pending = bytearray()
    dropping = False
    while chunk := await reader.read(CHUNK):
        parts = chunk.split(b"\n")
        for index, part in enumerate(parts):
            if not dropping:
                pending += part
                if len(pending) > limit:
                    yield bytes(pending[:limit])
                    pending.clear()
                    dropping = True
            if index < len(parts) - 1:  # a newline ends this line
                if not dropping:
                    yield bytes(pending)
                pending.clear()
                dropping = False
    if pending and not dropping:
        yield bytes(pending)


async def run_console(
    bot: PaperBot,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    conversation: Conversation = CONSOLE,
    renderer: Renderer | None = None,
) -> None:
    """Read commands until EOF (or `quit`), answering each before reading the next.

    `renderer` previews a platform's rendering (see adapters.console_preview) instead of
    printing plain text.
    """
    interactive = stdin.isatty() and out.isatty()
    sender = ConsoleSender(out, renderer)
    lines = read_lines(stdin)
    if interactive:
        from adapters.console_prompt import prompt_lines  # a terminal: line editing

        out.write("paperbot console. /help lists the commands (Tab completes); Ctrl-D quits.\n")
        out.flush()
        lines = prompt_lines(PROMPT)
    async for raw in lines:
        line = raw.strip()
        if line in ("quit", "exit", "/quit", "/exit"):
            break
        if line and not line.startswith("#"):
            await handle_line(bot, sender, conversation, line, out)


async def handle_line(
    bot: PaperBot, sender: ConsoleSender, conversation: Conversation, line: str, out: TextIO
) -> None:
    """Pass one typed line to the core."""
    if not line.startswith(("/", ">")):
        out.write(HINT + "\n")
        return
    await bot.handle(IncomingMessage(conversation, line, user="console"), sender)
