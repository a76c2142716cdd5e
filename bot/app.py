"""Wiring the core from settings: database, HTTP, sources, summarizer, digests and the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.commands.context import BotDeps
from bot.config import Settings
from bot.core import PaperBot
from bot.digest.llm_extras import DigestLLM
from bot.digest.service import DigestService
from bot.fetching import PaperFetcher
from bot.llm.client import LLMClient
from bot.metrics import CommandMetrics
from bot.qa.service import make_qa_service
from bot.rank.semantic import Relevance
from bot.sources.http import HttpFetcher
from bot.store.db import Database
from bot.store.keys import Leases
from bot.store.usage import UsageRecorder
from bot.summary.llm import LLMSummarizer
from bot.summary.offline import OfflineSummarizer
from bot.summary.service import SummaryService
from bot.summary.types import Summarizer


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


@dataclass
class App:
    """The wired core; close it when done."""

    settings: Settings
    db: Database
    http: HttpFetcher
    fetcher: PaperFetcher
    summaries: SummaryService
    digests: DigestService
    bot: PaperBot

    llm: LLMClient | None = None

    async def aclose(self) -> None:
        """Release the summary batches (those under way may finish), HTTP clients, database."""
        await self.summaries.aclose(self.settings.shutdown_grace_seconds)
        await self.http.aclose()
        if self.llm is not None:
            await self.llm.close()
        await self.db.close()


def make_summarizer(settings: Settings, db: Database) -> tuple[Summarizer, LLMClient | None]:
    """The LLM summarizer (offline fallback) when an LLM is configured, else the offline one."""
    offline = OfflineSummarizer()
    if not settings.llm_enabled:
        return offline, None
    client = LLMClient.from_settings(settings)
    return LLMSummarizer(client, settings, offline, UsageRecorder(db)), client


async def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    http: HttpFetcher | None = None,
    summarizer: Summarizer | None = None,
    db: Database | None = None,
) -> App:
    """Open and migrate the database and wire every part of the core."""
    if db is None:
        db = Database.open(settings.database_url)
        await db.migrate()
    http = http or HttpFetcher(settings)
    relevance = Relevance.of(db, settings)
    fetcher = PaperFetcher(db, http, settings, clock, relevance)
    llm = None
    if summarizer is None:
        summarizer, llm = make_summarizer(settings, db)
    if llm is None and settings.llm_enabled:
        llm = LLMClient.from_settings(settings)  # for Q&A when the summarizer was given
    summaries = SummaryService(db, summarizer, concurrency=settings.llm_concurrency)
    extras = DigestLLM.of(llm, settings, db) if llm is not None else None
    digests = DigestService(db, fetcher, summaries, settings, extras, relevance)
    qa = make_qa_service(db, http, settings, llm)
    deps = BotDeps(
        settings=settings,
        db=db,
        digests=digests,
        clock=clock,
        qa=qa,
        llm=llm,
        usage=UsageRecorder(db),
        http=http,
        relevance=relevance,
        leases=Leases(db),
        metrics=CommandMetrics(),
    )
    return App(settings, db, http, fetcher, summaries, digests, PaperBot(deps), llm)
