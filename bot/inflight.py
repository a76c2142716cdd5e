"""The commands under way, so that stopping the bot answers each one or asks for it again.

On shutdown `drain(grace)` stops taking new commands (their senders are asked to send them
again in a minute, when this or another replica runs), waits up to `grace` seconds for the
ones under way, and cancels the rest: a cancelled command tells its conversation that it was
not finished and should be sent again. Nothing is half-written: each command's changes are
one database transaction, rolled back when it is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog

log = structlog.get_logger(__name__)
NOTICE_TIMEOUT = 5.0  # seconds a "please send it again" reply may take while stopping
RESTARTING = "I'm restarting right now; please send that again in a minute."
NOT_FINISHED = "I was restarting and could not finish `{text}`; please send it again in a minute."
Notify = Callable[[str], Awaitable[None]]


class InFlight:
    """Tracks the tasks handling commands; `drain` finishes or cancels them at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self.stopping = False

    @asynccontextmanager
    async def command(self, text: str, reply: Notify) -> AsyncIterator[bool]:
        """Run one command's block; yields False (and has asked to resend) when stopping."""
        if self.stopping:
            await _notify(reply, RESTARTING)
            yield False
            return
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            yield True
        except asyncio.CancelledError:
            await _notify(reply, NOT_FINISHED.format(text=_short(text)))
            raise
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def drain(self, grace: float) -> int:
        """Take no new commands; wait `grace` seconds for those under way, then cancel them.

        Returns how many were cancelled (each told its conversation to send it again).
        """
        self.stopping = True
        pending = {task for task in self._tasks if not task.done()}
        if pending:
            _done, pending = await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("commands cancelled at shutdown", count=len(pending), grace=grace)
            await asyncio.wait(pending, timeout=NOTICE_TIMEOUT + 1)
        return len(pending)


async def _notify(reply: Notify, text: str) -> None:
    """Best effort: a reply that fails or hangs while stopping is logged and dropped."""
    with contextlib.suppress(Exception):
        try:
            async with asyncio.timeout(NOTICE_TIMEOUT):
                await reply(text)
        except Exception:
            log.warning("shutdown notice not sent", exc_info=True)


def _short(text: str) -> str:
    """The command as echoed back: one line, at most 80 characters, no backticks."""
    line = " ".join(text.split()).replace("`", "'")
    return line if len(line) <= 80 else line[:79] + "…"
