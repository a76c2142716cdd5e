"""The LLM summarizer: structured JSON from an OpenAI-compatible model, never raising.

Flow per paper: daily token budget check → reserve the call's tokens (see
`bot.llm.metered`; a reservation refused counts as an exhausted budget) → ask
(json_schema, else JSON mode, else prompt-only; see `LLMClient.complete_json`) →
validate → on invalid output, one repair round → on any failure, timeout or a
still-invalid reply, the fallback summarizer's summary marked `fallback=True` (which
`SummaryService` does not cache).

Flow per batch (`summarize_many`, several papers in one call sharing the instructions and
schema): one budget check → one call → items matched to papers by id → if the reply as a
whole is unusable, one repair round → a paper whose item is missing or invalid is then
summarized alone by the flow above, so a batch of n costs at most 2 + 2n calls. When the
batch call itself fails (HTTP error, timeout, crash) every paper gets the fallback. The
batch call and its repair share one deadline of DEADLINE_FACTOR × LLM_TIMEOUT, like a single
paper's (LLM_TIMEOUT bounds each request, so it must allow for a batch's longer reply); the
papers left for single calls then run concurrently, each within its own deadline, so a
batch takes at most about twice a single paper's deadline.

The digest learns about an exhausted budget from `budget_exhausted` or `notes()`:
after summarizing, it may call `getattr(service.summarizer, "notes", tuple)()` and show
a footer line for each code it knows (currently only "llm_budget_exhausted").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import TypeVar

import structlog

from bot.config import Settings
from bot.llm.client import ChatResult, JsonSchema, LLMClient, LLMError, Message
from bot.llm.metered import BudgetSpent, Metered, UsageLedger
from bot.summary.llm_output import InvalidOutput, SummaryOutput, parse_batch, parse_output
from bot.summary.prompts import (
    BATCH_SCHEMA,
    BATCH_SCHEMA_NAME,
    PROMPT_VERSION,
    SCHEMA_NAME,
    SUMMARY_SCHEMA,
    batch_messages,
    batch_repair_messages,
    repair_messages,
    summary_messages,
)
from bot.summary.types import PaperText, Summarizer, Summary

log = structlog.get_logger(__name__)

LLM_NAME = "llm"
PURPOSE = "summary"
DEADLINE_FACTOR = 3.0  # whole summary (retries + repair) ≤ this × LLM_TIMEOUT
BUDGET_NOTE = "llm_budget_exhausted"
REPLY_TOKENS = 250  # a paper's summary, as reserved against the daily budget before a call
T = TypeVar("T")


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
        self._calls = Metered.for_purpose(client, settings, usage_recorder, PURPOSE)
        self._fallback = fallback
        self._deadline = deadline or DEADLINE_FACTOR * settings.llm_timeout
        self._schema = JsonSchema(SCHEMA_NAME, SUMMARY_SCHEMA)
        self._batch_schema = JsonSchema(BATCH_SCHEMA_NAME, BATCH_SCHEMA)
        self.batch_size = settings.llm_summary_batch
        self.budget_exhausted = False

    def notes(self) -> tuple[str, ...]:
        """Codes for the digest footer: ("llm_budget_exhausted",) once today's budget is spent."""
        return (BUDGET_NOTE,) if self.budget_exhausted else ()

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        """The LLM's summary, or the fallback's marked `fallback=True`; never raises."""
        if await self._over_budget():
            log.info("llm.budget_exhausted", paper=paper.key)
            return await self._fallback_summary(paper, language)
        summary = await self._guarded(self._summarize(paper, language), paper=paper.key)
        return summary or await self._fallback_summary(paper, language)

    async def summarize_many(self, papers: Sequence[PaperText], language: str) -> list[Summary]:
        """A summary per paper (in order) from one shared call where possible; never raises."""
        if len(papers) <= 1:
            return [await self.summarize(paper, language) for paper in papers]
        if await self._over_budget():
            log.info("llm.budget_exhausted", papers=len(papers))
            return await self._fallbacks(papers, language)
        ids = [f"p{n}" for n in range(1, len(papers) + 1)]
        outputs = await self._guarded(self._batch(papers, ids, language), papers=len(papers))
        if outputs is None:
            return await self._fallbacks(papers, language)
        left = [paper for key, paper in zip(ids, papers, strict=True) if key not in outputs]
        if left:
            log.info("llm.batch_partial", papers=len(papers), alone=len(left))
        alone = iter(await asyncio.gather(*(self.summarize(p, language) for p in left)))
        made = {key: self._summary_of(output, language) for key, output in outputs.items()}
        return [made[key] if key in made else next(alone) for key in ids]

    async def _guarded(self, work: Awaitable[T], **context: object) -> T | None:
        """`work`'s result within the deadline, or None (logged) on any failure."""
        try:
            async with asyncio.timeout(self._deadline):
                return await work
        except BudgetSpent:
            self.budget_exhausted = True  # reserved by concurrent calls since the check
        except (LLMError, InvalidOutput) as error:
            log.warning("llm.summary_failed", error=str(error), **context)
        except TimeoutError:
            log.warning("llm.summary_deadline", deadline=self._deadline, **context)
        except Exception:
            log.exception("llm.summary_crashed", **context)
        return None

    async def _summarize(self, paper: PaperText, language: str) -> Summary:
        messages = summary_messages(paper.title, paper.abstract, language)
        reply = await self._ask(messages)
        try:
            output = parse_output(reply.content)
        except InvalidOutput as error:
            log.info("llm.repairing", paper=paper.key, mode=reply.mode, error=str(error))
            reply = await self._ask(repair_messages(messages, reply.content, str(error), language))
            output = parse_output(reply.content)
        return self._summary_of(output, language)

    def _summary_of(self, output: SummaryOutput, language: str) -> Summary:
        return output.to_summary(
            model=self.model, language=language, prompt_version=self.prompt_version
        )

    async def _batch(
        self, papers: Sequence[PaperText], ids: list[str], language: str
    ) -> dict[str, SummaryOutput]:
        """The valid items of one batch reply (repaired once if unusable as a whole)."""
        texts = [(key, p.title, p.abstract) for key, p in zip(ids, papers, strict=True)]
        messages = batch_messages(texts, language)
        reply = await self._ask(messages, self._batch_schema, len(ids))
        try:
            return parse_batch(reply.content, ids)
        except InvalidOutput as error:
            reason = str(error)
        log.info("llm.repairing_batch", papers=len(ids), mode=reply.mode, error=reason)
        fix = batch_repair_messages(messages, reply.content, reason, language)
        reply = await self._ask(fix, self._batch_schema, len(ids))
        try:
            return parse_batch(reply.content, ids)
        except InvalidOutput as error:
            log.warning("llm.batch_unusable", papers=len(ids), error=str(error))
            return {}

    async def _ask(
        self, messages: list[Message], schema: JsonSchema | None = None, papers: int = 1
    ) -> ChatResult:
        """One budgeted, metered call (BudgetSpent when today's budget is spent)."""
        schema = schema or self._schema
        return await self._calls.json(messages, schema, expect=REPLY_TOKENS * papers)

    async def _over_budget(self) -> bool:
        self.budget_exhausted = await self._calls.over_budget()
        return self.budget_exhausted

    async def _fallbacks(self, papers: Sequence[PaperText], language: str) -> list[Summary]:
        return list(await asyncio.gather(*(self._fallback_summary(p, language) for p in papers)))

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
