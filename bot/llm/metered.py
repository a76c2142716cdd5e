"""Budgeted, metered LLM calls shared by the LLM features: budget check, call, record tokens.

`Metered` wraps an `LLMClient` for one purpose ("rerank", "themes", "review"): it answers
whether today's token budget is spent and records each call's tokens under that purpose,
the server's counts for a finished call, an estimate for one that failed, timed out or was
cancelled midway (the server worked on it, and hosted APIs bill it). Recording is best
effort: a failed write is logged, never raised, so a paid-for answer is not thrown away.
`json_object` pulls one JSON object out of a reply (fences tolerated).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from bot.config import Settings
from bot.llm.client import ChatResult, JsonSchema, LLMClient, Message
from bot.llm.stream import Tally

log = structlog.get_logger(__name__)

_CODE_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


class UsageLedger(Protocol):
    """Where token use is recorded and today's total read (e.g. `bot.store.usage.UsageRecorder`)."""

    async def record(
        self, *, model: str, purpose: str, prompt_tokens: int, completion_tokens: int
    ) -> None:
        """Add one call's tokens to today's total."""
        ...

    async def tokens_today(self) -> int:
        """Tokens spent so far today (UTC)."""
        ...


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
        self, messages: Sequence[Message], schema: JsonSchema, *, max_tokens: int | None = None
    ) -> ChatResult:
        """A JSON-mode completion (see `LLMClient.complete_json`), its tokens recorded."""
        tally = Tally()
        try:
            return await self.client.complete_json(
                messages, model=self.model, schema=schema, max_tokens=max_tokens, tally=tally
            )
        finally:
            await record_tally(self.usage, tally, model=self.model, purpose=self.purpose)

    async def text(
        self, messages: Sequence[Message], *, max_tokens: int | None = None
    ) -> ChatResult:
        """A free-text completion, its tokens recorded."""
        tally = Tally()
        try:
            return await self.client.chat(
                messages, model=self.model, max_tokens=max_tokens, tally=tally
            )
        finally:
            await record_tally(self.usage, tally, model=self.model, purpose=self.purpose)


async def record_tally(usage: UsageLedger, tally: Tally, *, model: str, purpose: str) -> None:
    """Record a call's tokens (even a failed or cancelled one's); never raises.

    Shielded, so a call cancelled by a deadline still gets its estimate written.
    """
    if tally.total <= 0:
        return
    if tally.estimated:
        log.info("llm.usage_estimated", purpose=purpose, tokens=tally.total)
    write = usage.record(
        model=model,
        purpose=purpose,
        prompt_tokens=tally.prompt_tokens,
        completion_tokens=tally.completion_tokens,
    )
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
