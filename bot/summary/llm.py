"""The LLM summarizer: structured JSON from an OpenAI-compatible model, never raising.

Flow per paper: daily token budget check → ask (json_schema, else JSON mode, else
prompt-only; see `LLMClient.complete_json`) → validate → on invalid output, one repair
round → on any failure, timeout or a still-invalid reply, the fallback summarizer's
summary marked `fallback=True` (which `SummaryService` does not cache).

The digest learns about an exhausted budget from `budget_exhausted` or `notes()`:
after summarizing, it may call `getattr(service.summarizer, "notes", tuple)()` and show
a footer line for each code it knows (currently only "llm_budget_exhausted").
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Protocol

import structlog

from bot.config import Settings
from bot.llm.client import ChatResult, JsonSchema, LLMClient, LLMError, Message
from bot.summary.llm_output import InvalidOutput, parse_output
from bot.summary.prompts import (
    PROMPT_VERSION,
    SCHEMA_NAME,
    SUMMARY_SCHEMA,
    repair_messages,
    summary_messages,
)
from bot.summary.types import PaperText, Summarizer, Summary

log = structlog.get_logger(__name__)

LLM_NAME = "llm"
PURPOSE = "summary"
DEADLINE_FACTOR = 3.0  # whole summary (retries + repair) ≤ this × LLM_TIMEOUT
BUDGET_NOTE = "llm_budget_exhausted"


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


class LLMSummarizer:
    """Summaries written by an LLM in any requested language, with an offline fallback."""

    name = LLM_NAME
    prompt_version = PROMPT_VERSION

    def __init__(
        self,
        client: LLMClient,
        settings: Settings,
        fallback: Summarizer,
        usage_recorder: UsageLedger,
        *,
        deadline: float | None = None,
    ) -> None:
        self.model = settings.llm_model
        self._client = client
        self._fallback = fallback
        self._usage = usage_recorder
        self._budget = settings.llm_daily_token_budget
        self._deadline = deadline or DEADLINE_FACTOR * settings.llm_timeout
        self._schema = JsonSchema(SCHEMA_NAME, SUMMARY_SCHEMA)
        self.budget_exhausted = False

    def notes(self) -> tuple[str, ...]:
        """Codes for the digest footer: ("llm_budget_exhausted",) once today's budget is spent."""
        return (BUDGET_NOTE,) if self.budget_exhausted else ()

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        """The LLM's summary, or the fallback's marked `fallback=True`; never raises."""
        if await self._over_budget():
            log.info("llm.budget_exhausted", paper=paper.key, budget=self._budget)
            return await self._fallback_summary(paper, language)
        try:
            async with asyncio.timeout(self._deadline):
                return await self._summarize(paper, language)
        except (LLMError, InvalidOutput) as error:
            log.warning("llm.summary_failed", paper=paper.key, error=str(error))
        except TimeoutError:
            log.warning("llm.summary_deadline", paper=paper.key, deadline=self._deadline)
        except Exception:
            log.exception("llm.summary_crashed", paper=paper.key)
        return await self._fallback_summary(paper, language)

    async def _summarize(self, paper: PaperText, language: str) -> Summary:
        messages = summary_messages(paper.title, paper.abstract, language)
        reply = await self._ask(messages)
        try:
            output = parse_output(reply.content)
        except InvalidOutput as error:
            log.info("llm.repairing", paper=paper.key, mode=reply.mode, error=str(error))
            reply = await self._ask(repair_messages(messages, reply.content, str(error), language))
            output = parse_output(reply.content)
        return output.to_summary(
            model=self.model, language=language, prompt_version=self.prompt_version
        )

    async def _ask(self, messages: list[Message]) -> ChatResult:
        reply = await self._client.complete_json(messages, model=self.model, schema=self._schema)
        try:
            await self._usage.record(
                model=self.model,
                purpose=PURPOSE,
                prompt_tokens=reply.prompt_tokens,
                completion_tokens=reply.completion_tokens,
            )
        except Exception:
            log.exception("llm.usage_not_recorded", tokens=reply.prompt_tokens)
        return reply

    async def _over_budget(self) -> bool:
        if self._budget <= 0:
            self.budget_exhausted = False
            return False
        try:
            used = await self._usage.tokens_today()
        except Exception:
            log.exception("llm.usage_unreadable")
            return False
        self.budget_exhausted = used >= self._budget
        return self.budget_exhausted

    async def _fallback_summary(self, paper: PaperText, language: str) -> Summary:
        try:
            summary = await self._fallback.summarize(paper, language)
        except Exception:
            log.exception("llm.fallback_crashed", paper=paper.key)
            summary = _blank(paper, language)
        return replace(summary, fallback=True)


def _blank(paper: PaperText, language: str) -> Summary:
    """A last-resort summary: the title as the one line, every other field empty."""
    return Summary(
        one_line=paper.title, tldr="", motivation="", method="", result="", conclusion="",
        keywords=(), score=0, score_reason="", summarizer="none", model="",
        language=language, prompt_version="",
    )  # fmt: skip
