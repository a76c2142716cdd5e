"""Fetching what the channels' topics need, and storing it: each source URL in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from bot.config import Settings
from bot.models import utcnow
from bot.source_plan import SourcePlan
from bot.sources.arxiv_api import author_search_url, fetch_arxiv_authors
from bot.sources.arxiv_rss import feed_url, fetch_arxiv_rss
from bot.sources.biorxiv import fetch_biorxiv
from bot.sources.http import HttpFetcher
from bot.sources.journal import fetch_journal_feed
from bot.sources.types import FetchOutcome
from bot.store.db import Database
from bot.store.fetches import feed_state, record_outcome
from bot.store.papers import papers_by_key, upsert_papers

if TYPE_CHECKING:
    from bot.rank.semantic import Relevance

log = structlog.get_logger(__name__)
RSS_CATEGORIES_PER_URL = 20
AUTHORS_PER_QUERY = 10  # followed authors per arXiv API `au:` search (1 request / 3 s)
Progress = Callable[[str, int, int], None]  # (label, done so far, total)
Job = tuple[str, str, Callable[[], Awaitable[FetchOutcome]]]  # (label, url, fetch)


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

    @property
    def partial(self) -> tuple[SourceReport, ...]:
        """The sources that gave some papers and broke on others (delivered, then retried)."""
        return tuple(s for s in self.sources if s.status == "partial")


class PaperFetcher:
    """Fetches a source plan and stores what came back, keeping validators per URL.

    `pending` holds the URLs a running fetch has still to bring, so that a digest waits only
    for the sources its own topics need. `clock` stamps when a paper was first seen.
    """

    def __init__(
        self,
        db: Database,
        http: HttpFetcher,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        relevance: Relevance | None = None,
    ) -> None:
        self._relevance = relevance  # new papers are embedded as they are stored
        self._db = db
        self._http = http
        self._settings = settings
        self._clock = clock
        self.pending: Counter[str] = Counter()

    async def fetch(
        self, plan: SourcePlan, *, on: date, progress: Progress | None = None
    ) -> FetchReport:
        """Fetch every source in the plan (sequentially, politely) for the date `on`."""
        jobs = list(self._jobs(plan, on))
        self.pending.update(url for _, url, _ in jobs)
        reports = []
        try:
            for done, (label, url, job) in enumerate(jobs):
                if progress:
                    progress(label, done, len(jobs))
                reports.append(await self._run(label, url, job, on))
                self._done(url)
        finally:
            for _, url, _ in jobs[len(reports) :]:
                self._done(url)
        if progress:
            progress("done", len(jobs), len(jobs))
        return FetchReport(tuple(reports))

    def _done(self, url: str) -> None:
        self.pending[url] -= 1
        if self.pending[url] <= 0:
            del self.pending[url]

    def _jobs(self, plan: SourcePlan, on: date) -> Iterable[Job]:
        s = self._settings
        cats = sorted(plan.arxiv_categories)
        for start in range(0, len(cats), RSS_CATEGORIES_PER_URL):
            chunk = cats[start : start + RSS_CATEGORIES_PER_URL]
            url = feed_url(s.arxiv_rss_url, chunk)
            yield f"arXiv {'+'.join(chunk)}", url, self._arxiv(chunk)
        first = on - timedelta(days=s.biorxiv_lookback_days)
        for server, subjects, whole in (
            ("biorxiv", plan.biorxiv_subjects, plan.biorxiv_all),
            ("medrxiv", plan.medrxiv_subjects, plan.medrxiv_all),
        ):
            if subjects or whole:
                wanted = () if whole else tuple(sorted(subjects))
                url = biorxiv_url(s.biorxiv_api_url, server, first, on)
                yield (
                    f"{server} {', '.join(wanted) or 'all'}",
                    url,
                    self._biorxiv(server, first, on, wanted),
                )
        for url in sorted(plan.feeds):
            yield f"feed {url}", url, self._journal(url, on)
        authors = sorted(plan.arxiv_authors)
        for start in range(0, len(authors), AUTHORS_PER_QUERY):
            chunk = authors[start : start + AUTHORS_PER_QUERY]
            url = author_search_url(s.arxiv_api_url, chunk)
            yield f"arXiv authors {', '.join(chunk)}", url, self._authors(chunk)

    def _authors(self, names: list[str]) -> Callable[[], Awaitable[FetchOutcome]]:
        async def run() -> FetchOutcome:
            return await fetch_arxiv_authors(self._http, self._settings.arxiv_api_url, names)

        return run

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

    def _journal(self, url: str, on: date) -> Callable[[], Awaitable[FetchOutcome]]:
        async def run() -> FetchOutcome:
            etag, modified = await self._validators(url)
            return await fetch_journal_feed(
                self._http, url, etag=etag, last_modified=modified, today=on
            )

        return run

    async def _validators(self, url: str) -> tuple[str | None, str | None]:
        async with self._db.session() as session:
            state = await feed_state(session, url)
        return (state.etag, state.last_modified) if state else (None, None)

    async def _run(
        self, label: str, url: str, job: Callable[[], Awaitable[FetchOutcome]], on: date
    ) -> SourceReport:
        started = utcnow()
        try:
            outcome = with_newest(await job())
        except Exception as error:  # one broken source never stops the others
            log.exception("fetch failed", source=label)
            source = label.partition(" ")[0].lower()
            outcome = FetchOutcome(
                source="journal" if source == "feed" else source,
                url=url,
                status="failed",
                errors=(f"{type(error).__name__}: {str(error)[:200]}",),
            )
        async with self._db.session() as session:
            stats = await upsert_papers(session, outcome.papers, seen_at=self._clock())
            await record_outcome(session, outcome, started, stats.new)
            rows = await papers_by_key(session, [p.key for p in outcome.papers])
        if self._relevance is not None and rows:
            await self._relevance.embed([p.id for p in rows.values() if p.id is not None])
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


def biorxiv_url(api_url: str, server: str, first: date, last: date) -> str:
    """The bioRxiv/medRxiv `details` URL of one fetch (what its FetchRun records)."""
    return f"{api_url.rstrip('/')}/details/{server}/{first.isoformat()}/{last.isoformat()}"


def with_newest(outcome: FetchOutcome) -> FetchOutcome:
    """The outcome with its newest item's date in `extra["newest"]` (for stale-feed checks)."""
    if not outcome.papers:
        return outcome
    newest = max(p.announced_on for p in outcome.papers)
    return replace(outcome, extra={**outcome.extra, "newest": newest.isoformat()})
