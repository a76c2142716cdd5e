"""Telling the person waiting that a source is being retried, without passing them down.

A command sets a listener for the duration of its work (`listening`); the HTTP client calls
`note_retry` before each backoff. The listener is a context variable, so only requests made
on behalf of that command (and tasks it starts) report to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

log = structlog.get_logger(__name__)

RetryListener = Callable[[str, int, int], Awaitable[None]]  # url, next attempt, attempts
_listener: ContextVar[RetryListener | None] = ContextVar("retry_listener", default=None)


@contextmanager
def listening(listener: RetryListener) -> Iterator[None]:
    """Report retries of requests made inside this block to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


async def note_retry(url: str, attempt: int, attempts: int) -> None:
    """Tell the current listener, if any, that `url` is about to be tried again."""
    listener = _listener.get()
    if listener is None:
        return
    try:
        await listener(url, attempt, attempts)
    except Exception as error:  # a note that can't be sent never stops the fetch
        log.info("retry_note_failed", error=str(error))
