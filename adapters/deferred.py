"""Acknowledge first, then work: the shape of Slack's slash commands and Discord's deferred
interactions (both must be answered within 3 seconds).

The adapter acknowledges the request before any work (Slack: `ack()`; Discord: a deferred
response), then runs the command in a tracked task; when the work is still going after
`after` seconds, `notify` tells the user it is under way (Slack: `respond` on the response
URL; Discord: a follow-up message). The answer itself is posted by the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

WORKING_AFTER = 2.0  # seconds of work before the user is told it is under way


async def drain_tasks(tasks: set[asyncio.Task[None]], timeout: float) -> None:
    """Wait for the tracked tasks (and any they start); cancel those still running after
    `timeout` seconds."""
    while tasks:
        _done, pending = await asyncio.wait(set(tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


async def notify_when_slow(
    work: asyncio.Future[None], notify: Callable[[], Awaitable[object]], after: float
) -> None:
    """Call `notify` once when `work` is still running after `after` seconds."""
    done, _ = await asyncio.wait({work}, timeout=after)
    if not done:
        await notify()
