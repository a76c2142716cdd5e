"""Wiring the core from settings: database, HTTP, sources, summarizer, digests and the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.commands.context import BotDeps
from bot.config import Settings
from bot.core import PaperBot
from bot.digest.service import DigestService
from bot.fetching import PaperFetcher
from bot.sources.http import HttpFetcher
from bot.store.db import Database
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

    async def aclose(self) -> None:
        """Release the HTTP client and the database."""
        await self.http.aclose()
        await self.db.close()


def make_summarizer(settings: Settings) -> Summarizer:
    """The offline summarizer (the LLM one arrives with the summaries issue)."""
    return OfflineSummarizer()


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
    fetcher = PaperFetcher(db, http, settings)
    summaries = SummaryService(
        db, summarizer or make_summarizer(settings), concurrency=settings.llm_concurrency
    )
    digests = DigestService(db, fetcher, summaries, settings)
    deps = BotDeps(settings=settings, db=db, digests=digests, clock=clock)
    return App(settings, db, http, fetcher, summaries, digests, PaperBot(deps))
