"""How fast the LLM server is, measured from its own replies: tokens per second.

Each finished call reports its prompt and completion tokens and how long each phase took
(llama.cpp's `timings` when the server sends them, else our clock: the wait for the first
token covers the prompt, the time from first to last token the generation). The median of
the recent calls sizes summary batches, deadlines and the Q&A context. Until a call has
been measured, `None`: callers use their configured defaults.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from statistics import median
from typing import Any

RECENT = 8
MIN_TOKENS = 8  # a reply shorter than this says little about the speed
CHARS_PER_TOKEN = 4
MESSAGE_FRAMING = 4  # tokens a chat template adds per message, roughly


def estimate_tokens(text: str) -> int:
    """A rough token count for text we sent or received: about four characters a token."""
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def estimate_prompt_tokens(messages: list[dict[str, str]]) -> int:
    """A rough token count of a chat prompt (text plus per-message framing)."""
    return sum(estimate_tokens(m.get("content", "")) + MESSAGE_FRAMING for m in messages)


@dataclass(frozen=True)
class Timing:
    """One finished call: tokens and the seconds spent on the prompt and on generating."""

    prompt_tokens: int
    completion_tokens: int
    prompt_seconds: float
    generation_seconds: float

    @classmethod
    def from_llama_cpp(cls, timings: dict[str, Any]) -> Timing | None:
        """llama.cpp's own `timings` object (prompt_n/_ms, predicted_n/_ms), if complete."""
        try:
            return cls(
                int(timings["prompt_n"]), int(timings["predicted_n"]),
                float(timings["prompt_ms"]) / 1000, float(timings["predicted_ms"]) / 1000,
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None


class ServerSpeed:
    """The median prompt and generation speed of the server's last few measured calls."""

    def __init__(self, recent: int = RECENT) -> None:
        self._prompt: deque[float] = deque(maxlen=recent)
        self._generation: deque[float] = deque(maxlen=recent)

    def observe(self, timing: Timing) -> None:
        """Take one finished call into account (too short or instant ones are skipped)."""
        if timing.completion_tokens >= MIN_TOKENS and timing.generation_seconds > 0:
            self._generation.append(timing.completion_tokens / timing.generation_seconds)
        if timing.prompt_tokens >= MIN_TOKENS and timing.prompt_seconds > 0:
            self._prompt.append(timing.prompt_tokens / timing.prompt_seconds)

    @property
    def generation_tps(self) -> float | None:
        """Completion tokens per second, or None before any measured call."""
        return median(self._generation) if self._generation else None

    @property
    def prompt_tps(self) -> float | None:
        """Prompt tokens per second (queueing included when the server gives no timings)."""
        return median(self._prompt) if self._prompt else None

    def seconds_for(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """Expected seconds of a call of this size, or None while unmeasured."""
        generation = self.generation_tps
        if generation is None:
            return None
        prompt = self.prompt_tps
        reading = prompt_tokens / prompt if prompt else 0.0
        return reading + completion_tokens / generation
