"""Reading a streamed chat completion: an idle timeout between chunks, a runaway guard,
and a running tally of the tokens spent, so a call cut short still says what it cost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.llm.speed import Timing, estimate_tokens

RUNAWAY_FACTOR = 1.25  # a reply past max_tokens × this (server ignoring it) is cut
RUNAWAY_MARGIN = 32


@dataclass
class Tally:
    """Tokens one call has cost so far: the server's counts once reported, else estimates."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = True

    @property
    def total(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


class StreamStalled(Exception):
    """No chunk arrived within the idle timeout."""


class StreamRunaway(Exception):
    """The reply went on well past max_tokens (the server does not enforce it)."""


@dataclass
class StreamReader:
    """Collects one streamed reply's text, finish reason, usage and timing."""

    idle: float
    max_tokens: int | None
    tally: Tally
    started: float = field(default_factory=time.monotonic)
    parts: list[str] = field(default_factory=list)
    finish_reason: str = ""
    model: str = ""
    chunks: int = 0
    first: float | None = None
    last: float | None = None
    timings: dict[str, Any] | None = None
    prompt_tokens: int = 0  # this attempt's, as far as known
    completion_tokens: int = 0
    _base: tuple[int, int] = (0, 0)  # the tally before this attempt (earlier attempts)

    def __post_init__(self) -> None:
        self._base = (self.tally.prompt_tokens, self.tally.completion_tokens)

    def sent(self, prompt_estimate: int) -> None:
        """The request went out: its prompt counts (estimated until the server says)."""
        self._count(prompt_estimate, 0, estimated=True)

    def _count(self, prompt: int, completion: int, *, estimated: bool) -> None:
        self.prompt_tokens, self.completion_tokens = prompt, completion
        self.tally.prompt_tokens = self._base[0] + prompt
        self.tally.completion_tokens = self._base[1] + completion
        self.tally.estimated = estimated

    @property
    def content(self) -> str:
        """The text received so far."""
        return "".join(self.parts)

    async def read(self, stream: AsyncIterator[Any]) -> None:
        """Consume the stream; raises StreamStalled / StreamRunaway (the tally kept up).

        The wait for the first chunk is not bounded here: a one-slot server queues the
        request and then reads the whole prompt before it writes a token (minutes on a
        CPU), so only the caller's total cap applies to it. Between chunks, `idle`.
        """
        iterator = aiter(stream)
        while True:
            try:
                async with asyncio.timeout(self.idle if self.chunks else None):
                    chunk = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError as error:
                raise StreamStalled(f"no token for {self.idle:g} s") from error
            self._take(chunk)

    def _take(self, chunk: Any) -> None:
        self.model = getattr(chunk, "model", "") or self.model
        for choice in getattr(chunk, "choices", None) or ():
            text = getattr(choice.delta, "content", None) if choice.delta else None
            if text:
                self._text(text)
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        extra = getattr(chunk, "model_extra", None) or {}
        if isinstance(extra.get("timings"), dict):
            self.timings = extra["timings"]
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            prompt = usage.prompt_tokens or self.prompt_tokens
            self._count(prompt, usage.completion_tokens or 0, estimated=False)

    def _text(self, text: str) -> None:
        now = time.monotonic()
        self.first = self.first if self.first is not None else now
        self.last = now
        self.parts.append(text)
        self.chunks += 1
        completion = max(self.chunks, estimate_tokens(self.content))
        self._count(self.prompt_tokens, completion, estimated=True)
        if self.max_tokens and completion > self._runaway_at():
            raise StreamRunaway(f"reply ran past {self.max_tokens} tokens")

    def _runaway_at(self) -> float:
        return (self.max_tokens or 0) * RUNAWAY_FACTOR + RUNAWAY_MARGIN

    def timing(self) -> Timing:
        """How long the prompt and the generation took (llama.cpp's own timings if sent)."""
        own = Timing.from_llama_cpp(self.timings) if self.timings else None
        if own is not None:
            return own
        first = self.first if self.first is not None else time.monotonic()
        last = self.last if self.last is not None else first
        return Timing(
            self.prompt_tokens, self.completion_tokens,
            first - self.started, last - first,
        )  # fmt: skip
