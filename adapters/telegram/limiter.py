"""PTB's AIORateLimiter, counting each RetryAfter (429) Telegram answers, for /metrics."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]


class CountingRateLimiter(AIORateLimiter):
    """AIORateLimiter (which waits out 429s) that also reports each one to `on_rate_limited`."""

    def __init__(self, *, on_rate_limited: Callable[[], None] | None = None, **limits: Any):
        super().__init__(**limits)
        self._on_rate_limited = on_rate_limited

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send through the limiter, counting every RetryAfter on the way."""

        async def counted(*call_args: Any, **call_kwargs: Any) -> Result:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter:
                if self._on_rate_limited is not None:
                    self._on_rate_limited()
                raise

        return await super().process_request(
            counted, args, kwargs, endpoint, data, rate_limit_args
        )
