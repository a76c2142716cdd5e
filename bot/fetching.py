"""Fetching what the channels' topics need, and storing it: each source URL in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import structlog

from bot.config import Settings
from bot.models import utcnow
from bot.sources.arxiv_rss import feed_url, fetch_arxiv_rss
from bot.sources.biorxiv import fetch_biorxiv
from bot.sources.http import HttpFetcher
from bot.sources.journal import fetch_journal_feed
from bot.sources.types import FetchOutcome
from bot.store.db import Database
from bot.store.fetches import feed_state, record_outcome
from bot.store.papers import upsert_papers
from bot.topics import SourcePlan

log = structlog.get_logger(__name__)
RSS_CATEGORIES_PER_URL = 20
Progress = Callable[[str, int, int], None]  # (label, done so far, total)


@dataclass(frozen=True)
class SourceReport:
    """What one fetched URL brought: status, papers, new papers, per-category counts, errors."""

    source: str
    url: str
    status: str
    papers: int
    new: int
    categories: dict[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchReport:
    """The outcome of one fetch over a source plan."""

    sources: tuple[SourceReport, ...]

    @property
    def failed(self) -> tuple[SourceReport, ...]:
        """The sources that could not be fetched."""
        return tuple(s for s in self.sources if s.status == "failed")


class PaperFetcher:
    """Fetches a source plan and stores what came back, keeping validators per URL."""

    def __init__(self, db: Database, http: HttpFetcher, settings: Settings) -> None:
        self._db = db
        self._http = http
        self._settings = settings

    async def fetch(
        self, plan: SourcePlan, *, on: date, progress: Progress | None = None
    ) -> FetchReport:
        """Fetch every source in the plan (sequentially, politely) for the date `on`."""
        jobs = list(self._jobs(plan, on))
        reports = []
        for done, (label, job) in enumerate(jobs):
            if progress:
                progress(label, done, len(jobs))
            reports.append(await self._run(label, job))
        if progress:
            progress("done", len(jobs), len(jobs))
        return FetchReport(tuple(reports))

    def _jobs(
        self, plan: SourcePlan, on: date
    ) -> Iterable[tuple[str, Callable[[], Awaitable[FetchOutcome]]]]:
        s = self._settings
        cats = sorted(plan.arxiv_categories)
        for start in range(0, len(cats), RSS_CATEGORIES_PER_URL):
            chunk = cats[start : start + RSS_CATEGORIES_PER_URL]
            yield f"arXiv {'+'.join(chunk)}", self._arxiv(chunk)
        first = on - timedelta(days=s.biorxiv_lookback_days)
        for server, subjects, whole in (
            ("biorxiv", plan.biorxiv_subjects, plan.biorxiv_all),
            ("medrxiv", plan.medrxiv_subjects, plan.medrxiv_all),
        ):
            if subjects or whole:
                wanted = () if whole else tuple(sorted(subjects))
                yield (
                    f"{server} {', '.join(wanted) or 'all'}",
                    self._biorxiv(server, first, on, wanted),
                )
        for url in sorted(plan.feeds):
            yield f"feed {url}", self._journal(url)

    def _arxiv(self, categories: list[str]) -> Callable[[], Awaitable[FetchOutcome]]:
        url = feed_url(self._settings.arxiv_rss_url, categories)

        async def run() -> FetchOutcome:
            etag, modified = await self._validators(url)
            return await fetch_arxiv_rss(
                self._http,
                self._settings.arxiv_rss_url,
                categories,
                etag=etag,
                last_modified=modified,
            )

        return run

    def _biorxiv(
        self, server: str, first: date, last: date, subjects: tuple[str, ...]
    ) -> Callable[[], Awaitable[FetchOutcome]]:
        async def run() -> FetchOutcome:
            return await fetch_biorxiv(
                self._http,
                self._settings.biorxiv_api_url,
                server,
                first,
                last,
                subjects,
                max_pages=self._settings.biorxiv_max_pages,
            )

        return run

    def _journal(self, url: str) -> Callable[[], Awaitable[FetchOutcome]]:
        async def run() -> FetchOutcome:
            etag, modified = await self._validators(url)
            return await fetch_journal_feed(self._http, url, etag=etag, last_modified=modified)

        return run

    async def _validators(self, url: str) -> tuple[str | None, str | None]:
        async with self._db.session() as session:
            state = await feed_state(session, url)
        return (state.etag, state.last_modified) if state else (None, None)

    async def _run(self, label: str, job: Callable[[], Awaitable[FetchOutcome]]) -> SourceReport:
        started = utcnow()
        try:
            outcome = await job()
        except Exception as error:  # one broken source never stops the others
            log.exception("fetch failed", source=label)
            source, _, url = label.partition(" ")
            outcome = FetchOutcome(
                source="journal" if source == "feed" else source.lower(),
                url=url if source == "feed" else label,
                status="failed",
                errors=(f"{type(error).__name__}: {str(error)[:200]}",),
            )
        async with self._db.session() as session:
            stats = await upsert_papers(session, outcome.papers)
            await record_outcome(session, outcome, started, stats.new)
        counts = Counter(p.primary_category or "other" for p in outcome.papers)
        log.info(
            "fetched",
            source=outcome.source,
            url=outcome.url,
            status=outcome.status,
            papers=len(outcome.papers),
            new=stats.new,
            errors=len(outcome.errors),
        )
        return SourceReport(
            outcome.source,
            outcome.url,
            outcome.status,
            len(outcome.papers),
            stats.new,
            dict(counts),
            outcome.errors,
        )
