"""The LLM summarizer: structured JSON from an OpenAI-compatible model, never raising.

Flow per paper: daily token budget check → reserve the call's tokens (see
`bot.llm.metered`; a reservation refused counts as an exhausted budget) → ask (json_schema
with hard bounds, else JSON mode, else prompt-only; see `LLMClient.complete_json`;
max_tokens LLM_MAX_TOKENS) → validate (a field copying the abstract is invalid too) → on
invalid output, one repair round → on any failure, timeout or a still-invalid reply, the
fallback summarizer's summary marked `fallback=True` (which `SummaryService` does not cache).

Flow per batch (`summarize_many`, several papers in one call sharing the instructions and
schema): one budget check → one call → items matched to papers by id, and each item's
fields checked against its own paper (`bot.summary.ownership`: a batch that swapped papers
is caught) → if the reply as a whole is unusable, one repair round (not for a reply cut at
max_tokens) → every paper whose item is missing, invalid or misplaced, or all of them when
the batch call failed (HTTP error, timeout, runaway), is then re-sent alone. All of it
happens within one deadline (LLM_MAX_SECONDS, or `deadline`): the batch call gets what is
left after reserving the time its papers would take one by one at the measured speed (half
the deadline before any measurement), the single calls get the rest, and a paper still
unanswered at the deadline gets the fallback.

Sizing: `batch_size` is LLM_SUMMARY_BATCH until the server's speed is measured, then as
many papers as it writes in LLM_CALL_SECONDS. Every call's tokens are recorded, an
estimate for one that failed or was cancelled (see `bot.llm.metered.record_tally`).

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
from bot.llm.client import (
    ChatResult,
    JsonSchema,
    LLMClient,
    LLMError,
    LLMRunaway,
    LLMTimeout,
    Message,
)
from bot.llm.metered import BudgetSpent, Metered, UsageLedger
from bot.llm.speed import estimate_prompt_tokens
from bot.summary.llm_output import InvalidOutput, SummaryOutput, parse_batch, parse_output
from bot.summary.ownership import copied_field, misplaced
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
PAPER_TOKENS = 300  # a bounded summary's reply, about (measured: 258-304 on llama.cpp)
BATCH_OVERHEAD = 40  # tokens of a batch reply's envelope
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
        self._client = client
        self._deadline = deadline or settings.llm_max_seconds
        self._schema = JsonSchema(SCHEMA_NAME, SUMMARY_SCHEMA)
        self._batch_schema = JsonSchema(BATCH_SCHEMA_NAME, BATCH_SCHEMA)
        self._max_batch = settings.llm_summary_batch
        self._max_tokens = settings.llm_max_tokens
        self._call_seconds = settings.llm_call_seconds
        self.budget_exhausted = False

    @property
    def batch_size(self) -> int:
        """Papers per call: LLM_SUMMARY_BATCH, or fewer once the server proved slow."""
        tps = self._client.speed.generation_tps
        if tps is None:
            return self._max_batch
        fits = int(tps * self._call_seconds / self._paper_tokens())
        return max(1, min(self._max_batch, fits))

    def _paper_tokens(self) -> int:
        return min(PAPER_TOKENS, self._max_tokens)

    def notes(self) -> tuple[str, ...]:
        """Codes for the digest footer: ("llm_budget_exhausted",) once today's budget is spent."""
        return (BUDGET_NOTE,) if self.budget_exhausted else ()

    async def summarize(self, paper: PaperText, language: str) -> Summary:
        """The LLM's summary, or the fallback's marked `fallback=True`; never raises."""
        if await self._over_budget():
            log.info("llm.budget_exhausted", paper=paper.key)
            return await self._fallback_summary(paper, language)
        work = self._summarize(paper, language)
        summary = await self._guarded(work, self._deadline, paper=paper.key)
        return summary or await self._fallback_summary(paper, language)

    async def summarize_many(self, papers: Sequence[PaperText], language: str) -> list[Summary]:
        """A summary per paper (in order) from one shared call where possible; never raises."""
        if len(papers) <= 1:
            return [await self.summarize(paper, language) for paper in papers]
        if await self._over_budget():
            log.info("llm.budget_exhausted", papers=len(papers))
            return await self._fallbacks(papers, language)
        end = asyncio.get_running_loop().time() + self._deadline
        ids = [f"p{n}" for n in range(1, len(papers) + 1)]
        failed: list[BaseException] = []
        outputs = await self._guarded(
            self._batch(papers, ids, language), self._batch_deadline(papers),
            failed=failed, papers=len(papers),
        )  # fmt: skip
        if failed and _server_failing(failed[0]):
            return await self._fallbacks(papers, language)  # no point asking it n more times
        made = self._owned(outputs or {}, papers, ids, language)
        left = [paper for key, paper in zip(ids, papers, strict=True) if key not in made]
        if left:
            log.info("llm.batch_partial", papers=len(papers), alone=len(left))
        alone = iter(await self._alone(left, language, end))
        return [made[key] if key in made else next(alone) for key in ids]

    def _owned(
        self,
        outputs: dict[str, SummaryOutput],
        papers: Sequence[PaperText],
        ids: list[str],
        language: str,
    ) -> dict[str, Summary]:
        """The batch's summaries whose every field belongs to their own paper."""
        if not outputs:
            return {}
        placed = [outputs.get(key) for key in ids]
        stand_in = next(o for o in placed if o is not None)  # a missing item is re-asked anyway
        reasons = misplaced([o or stand_in for o in placed], papers)
        made: dict[str, Summary] = {}
        for key, output, reason in zip(ids, placed, reasons, strict=True):
            if output is None:
                continue
            if reason:
                log.warning("llm.batch_item_rejected", id=key, reason=reason)
                continue
            made[key] = self._summary_of(output, language)
        return made

    async def _alone(self, papers: Sequence[PaperText], language: str, end: float) -> list[Summary]:
        """Each paper in its own call, all within the deadline `end` (loop time)."""
        if not papers:
            return []
        tasks = [asyncio.ensure_future(self._one(p, language)) for p in papers]
        remaining = end - asyncio.get_running_loop().time()
        if remaining > 0:
            await asyncio.wait(tasks, timeout=remaining)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        late = sum(1 for t in tasks if t.cancelled())
        if late:
            log.warning("llm.summary_deadline", deadline=self._deadline, papers=late)
        results = [None if t.cancelled() else t.result() for t in tasks]
        return [
            r or await self._fallback_summary(p, language)
            for r, p in zip(results, papers, strict=True)
        ]

    async def _one(self, paper: PaperText, language: str) -> Summary | None:
        """One paper's LLM summary, or None on any failure (no deadline of its own)."""
        return await self._guarded(self._summarize(paper, language), None, paper=paper.key)

    def _batch_deadline(self, papers: Sequence[PaperText]) -> float:
        """The batch call's share of the deadline: what re-sending its papers alone leaves."""
        alone = [
            self._client.speed.seconds_for(self._prompt_estimate(p), self._paper_tokens())
            for p in papers
        ]
        if any(seconds is None for seconds in alone):
            return self._deadline / 2
        needed = 1.5 * sum(s for s in alone if s is not None)
        return max(self._deadline / 2, self._deadline - needed)

    @staticmethod
    def _prompt_estimate(paper: PaperText) -> int:
        return estimate_prompt_tokens(summary_messages(paper.title, paper.abstract, "en"))

    async def _guarded(
        self,
        work: Awaitable[T],
        deadline: float | None,
        failed: list[BaseException] | None = None,
        **context: object,
    ) -> T | None:
        """`work`'s result within `deadline` seconds (None: no limit here), or None (logged,
        the error appended to `failed`) on any failure."""
        try:
            async with asyncio.timeout(deadline):
                return await work
        except BudgetSpent:
            self.budget_exhausted = True  # reserved by concurrent calls since the check
        except (LLMError, InvalidOutput) as error:
            log.warning("llm.summary_failed", error=str(error), **context)
            (failed if failed is not None else []).append(error)
        except TimeoutError as error:
            log.warning("llm.summary_deadline", deadline=deadline, **context)
            (failed if failed is not None else []).append(error)
        except Exception as error:
            log.exception("llm.summary_crashed", **context)
            (failed if failed is not None else []).append(error)
        return None

    async def _summarize(self, paper: PaperText, language: str) -> Summary:
        messages = summary_messages(paper.title, paper.abstract, language)
        reply = await self._ask(messages)
        try:
            output = _checked(reply, paper)
        except InvalidOutput as error:
            log.info("llm.repairing", paper=paper.key, mode=reply.mode, error=str(error))
            reply = await self._ask(repair_messages(messages, reply.content, str(error), language))
            output = _checked(reply, paper)
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
        if reply.cut_off:
            log.warning("llm.batch_cut_off", papers=len(ids), tokens=reply.completion_tokens)
            return {}
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
        """One budgeted, metered call (max_tokens for `papers` summaries; BudgetSpent when
        today's budget is spent); its tokens are recorded even if it fails."""
        limit = self._max_tokens * papers + (BATCH_OVERHEAD if papers > 1 else 0)
        schema = schema or self._schema
        return await self._calls.json(
            messages, schema, expect=REPLY_TOKENS * papers, max_tokens=limit
        )

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


def _server_failing(error: BaseException) -> bool:
    """An HTTP 5xx/429 or connection failure after retries: the server, not the batch."""
    if isinstance(error, LLMTimeout | LLMRunaway) or not isinstance(error, LLMError):
        return False
    return error.status is None or error.status >= 429


def _checked(reply: ChatResult, paper: PaperText) -> SummaryOutput:
    """The reply parsed, and none of its fields a copy of the abstract; or InvalidOutput."""
    if reply.cut_off and not reply.content.rstrip().endswith("}"):
        raise InvalidOutput("the reply was cut off at max_tokens: keep every field short")
    output = parse_output(reply.content)
    copied = copied_field(output, paper)
    if copied:
        raise InvalidOutput(f"{copied} copies the abstract: write it in your own words")
    return output


def _blank(paper: PaperText, language: str) -> Summary:
    """A last-resort summary: the title as the one line, every other field empty."""
    return Summary(
        one_line=paper.title, tldr="", motivation="", method="", result="", conclusion="",
        keywords=(), score=0, score_reason="", summarizer="none", model="",
        language=language, prompt_version="",
    )  # fmt: skip
