"""Budgeted, metered LLM calls shared by the LLM features: budget check, call, record tokens.

`Metered` wraps an `LLMClient` for one purpose ("summary", "rerank", "themes", "review",
"qa", "tournament", "briefing"). With a daily budget, each call first reserves its estimated
tokens (prompt plus the `expect`ed reply) in the store, atomically, and raises `BudgetSpent`
when today's budget is spent; after the call the reservation is settled with the call's
tokens: the server's counts for a finished call, an estimate for one that failed, timed out
or was cancelled midway (the server worked on it, and hosted APIs bill it). Concurrent calls
and replicas share the one ledger. Recording is best
effort: a failed write is logged, never raised, so a paid-for answer is not thrown away.
`json_object` pulls one JSON object out of a reply (fences tolerated).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from bot.config import Settings
from bot.llm.client import ChatResult, JsonSchema, LLMClient, LLMError, Message
from bot.llm.stream import Tally

if TYPE_CHECKING:
    from bot.store.usage import Reservation

log = structlog.get_logger(__name__)
EXPECT = 500  # reply tokens a call is assumed to take when its caller gives no estimate
CHARS_PER_TOKEN = 4

_CODE_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


class UsageLedger(Protocol):
    """Where token use is recorded and today's total read (e.g. `bot.store.usage.UsageRecorder`)."""

    async def record(
        self, *, model: str, purpose: str, prompt_tokens: int, completion_tokens: int
    ) -> None:
        """Add one call's tokens to today's total."""
        ...

    async def tokens_today(self) -> int:
        """Tokens spent (and reserved) so far today (UTC)."""
        ...

    async def reserve(self, tokens: int, budget: int) -> Reservation | None:
        """Set tokens aside for a call while today's total is under `budget`; None if spent."""
        ...

    async def settle(
        self,
        reservation: Reservation,
        *,
        model: str,
        purpose: str,
        prompt_tokens: int,
        completion_tokens: int,
    ) -> None:
        """Replace a reservation by the call's real usage."""
        ...


class BudgetSpent(LLMError):
    """Today's LLM token budget is spent: the call was not sent."""


def estimate_tokens(messages: Sequence[Message], expect: int) -> int:
    """A call's tokens, roughly: about four characters a prompt token, plus the reply's."""
    chars = sum(len(str(m.get("content") or "")) + 8 for m in messages)
    return chars // CHARS_PER_TOKEN + max(0, expect)


class InvalidReply(ValueError):
    """An LLM reply that is not what the prompt asked for; the message says why."""


@dataclass(frozen=True)
class Metered:
    """One purpose's calls: the client, the usage ledger, the model and the daily budget."""

    client: LLMClient
    usage: UsageLedger
    model: str
    purpose: str
    budget: int = 0  # tokens per UTC day over all purposes; 0 = unlimited

    @classmethod
    def for_purpose(
        cls, client: LLMClient, settings: Settings, usage: UsageLedger, purpose: str
    ) -> Metered:
        """Metered calls with the configured model and daily token budget."""
        return cls(client, usage, settings.llm_model, purpose, settings.llm_daily_token_budget)

    async def over_budget(self) -> bool:
        """True when today's tokens reached the budget (an unreadable ledger counts as not)."""
        if self.budget <= 0:
            return False
        try:
            used = await self.usage.tokens_today()
        except Exception:
            log.exception("llm.usage_unreadable", purpose=self.purpose)
            return False
        if used >= self.budget:
            log.info("llm.budget_exhausted", purpose=self.purpose, used=used, budget=self.budget)
            return True
        return False

    async def json(
        self,
        messages: Sequence[Message],
        schema: JsonSchema,
        *,
        expect: int | None = None,
        max_tokens: int | None = None,
    ) -> ChatResult:
        """A JSON-mode completion (see `LLMClient.complete_json`) within the budget, metered."""

        def send(tally: Tally) -> Awaitable[ChatResult]:
            return self.client.complete_json(
                messages, model=self.model, schema=schema, max_tokens=max_tokens, tally=tally
            )

        return await self._call(messages, _expected(expect, max_tokens), send)

    async def text(
        self,
        messages: Sequence[Message],
        *,
        expect: int | None = None,
        max_tokens: int | None = None,
    ) -> ChatResult:
        """A free-text completion within the budget, metered."""

        def send(tally: Tally) -> Awaitable[ChatResult]:
            return self.client.chat(messages, model=self.model, max_tokens=max_tokens, tally=tally)

        return await self._call(messages, _expected(expect, max_tokens), send)

    async def _call(
        self,
        messages: Sequence[Message],
        expect: int,
        send: Callable[[Tally], Awaitable[ChatResult]],
    ) -> ChatResult:
        """Reserve, send, settle with the call's tally (also when it fails or is cancelled)."""
        reservation = await self._reserve(estimate_tokens(messages, expect))
        tally = Tally()
        try:
            return await send(tally)
        finally:
            await asyncio.shield(self._settle(reservation, tally))

    async def _reserve(self, tokens: int) -> Reservation | None:
        """Today's reservation (None: no budget, or an unreadable ledger); BudgetSpent if spent."""
        if self.budget <= 0:
            return None
        try:
            reservation = await self.usage.reserve(tokens, self.budget)
        except Exception:
            log.exception("llm.budget_unreadable", purpose=self.purpose)
            return None
        if reservation is None:
            log.info("llm.budget_exhausted", purpose=self.purpose, budget=self.budget)
            raise BudgetSpent(f"today's LLM token budget ({self.budget}) is spent")
        return reservation

    async def _settle(self, reservation: Reservation | None, tally: Tally) -> None:
        if tally.total > 0 and tally.estimated:
            log.info("llm.usage_estimated", purpose=self.purpose, tokens=tally.total)
        tokens = {"model": self.model, "purpose": self.purpose,
                  "prompt_tokens": tally.prompt_tokens,
                  "completion_tokens": tally.completion_tokens}  # fmt: skip
        try:
            if reservation is not None:
                await self.usage.settle(reservation, **tokens)  # type: ignore[arg-type]
            elif tally.total > 0:
                await self.usage.record(**tokens)  # type: ignore[arg-type]
        except Exception:
            log.exception("llm.usage_not_recorded", purpose=self.purpose, tokens=tally.total)


def _expected(expect: int | None, max_tokens: int | None) -> int:
    """The reply tokens to reserve: the caller's estimate, else max_tokens, else EXPECT."""
    if expect is not None:
        return expect
    return max_tokens if max_tokens is not None else EXPECT


async def record_tally(usage: UsageLedger, tally: Tally, *, model: str, purpose: str) -> None:
    """Record a call's tokens outside a budget (even a failed or cancelled one's); never raises."""
    if tally.total <= 0:
        return
    write = usage.record(model=model, purpose=purpose, prompt_tokens=tally.prompt_tokens,
                         completion_tokens=tally.completion_tokens)  # fmt: skip
    try:
        await asyncio.shield(write)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("llm.usage_not_recorded", purpose=purpose)


def json_object(content: str) -> dict[str, Any]:
    """The one JSON object in a reply (```json fences and chatter tolerated); or InvalidReply."""
    text = _CODE_FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        text = text[start : end + 1]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidReply(f"not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise InvalidReply("the reply must be a JSON object")
    return data
