"""The one APScheduler AsyncIOScheduler: daily fetches, retries, and the delivery tick."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.config import Settings
from bot.digest.posting import DigestPoster
from bot.messages import Sender
from bot.schedule import DAY_NAMES, parse_days
from bot.weekly.service import WeeklyService
from jobs import deliver, fetch, followups, weekly

log = structlog.get_logger(__name__)


def cron_days(spec: str) -> str:
    """A day spec as APScheduler cron names ("sun-thu" → "mon,tue,wed,thu,sun")."""
    return ",".join(DAY_NAMES[d] for d in sorted(parse_days(spec)))


class Jobs:
    """The scheduled work of one process, with the state the jobs share."""

    def __init__(
        self,
        app: App,
        senders: Mapping[str, Sender],
        replica: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        s = app.settings
        self.app, self.senders, self.clock = app, senders, clock
        self.delivery = DigestPoster(
            app.db, app.digests, replica, timedelta(seconds=s.delivery_lease_seconds), clock
        )
        self.weekly = WeeklyService(app.db, app.summaries, app.digests.llm)
        self.fetching = 0
        self.failed_since: dict[str, datetime] = {}
        self.retries: dict[str, int] = {}
        self.scheduler: AsyncIOScheduler | None = None
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def _busy(self) -> AsyncIterator[None]:
        self._active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    async def stop(self, grace: float = 30.0) -> bool:
        """Ask running jobs to stop at the next safe point and wait for them; True if idle.

        The scheduler is paused first, not shut down: shutting down APScheduler's asyncio
        executor cancels the jobs it runs, which would cut a delivery off mid-send. It is shut
        down once they are done (or after `grace`, which cancels what is still running).
        """
        self.delivery.stop_requested = True
        running = self.scheduler is not None and self.scheduler.running
        if running:
            self.scheduler.pause()  # type: ignore[union-attr]
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("jobs still running at shutdown", active=self._active)
            return False
        finally:
            if running:
                self.scheduler.shutdown(wait=False)  # type: ignore[union-attr]
        return True

    async def fetch(self, part: str = "all") -> None:
        """Fetch the followed sources; on failure, retry later with backoff for hours."""
        if self.delivery.stop_requested:
            return
        async with self._busy():
            await self._fetch(part)

    async def _fetch(self, part: str) -> None:
        s, now = self.app.settings, self.clock()
        self.fetching += 1
        try:
            report = await fetch.run(self.app.db, self.app.fetcher, s, on=_fetch_date(now, s),
                                     part=part)  # fmt: skip
        finally:
            self.fetching -= 1
        if not (report.failed or report.partial):  # a partial feed is retried too
            self.failed_since.pop(part, None)
            self.retries.pop(part, None)
            return
        first = self.failed_since.setdefault(part, now)
        if now - first < timedelta(hours=s.fetch_retry_hours):
            self._retry(part, now)

    def _retry(self, part: str, now: datetime) -> None:
        """Schedule the next try: the backoff doubles from FETCH_RETRY_MINUTES, at most 1 h."""
        self.retries[part] = attempt = self.retries.get(part, 0) + 1
        base = timedelta(minutes=self.app.settings.fetch_retry_minutes)
        wait = min(base * 2 ** (attempt - 1), timedelta(hours=1))
        log.warning("fetch incomplete; retrying", part=part, in_minutes=wait.total_seconds() / 60)
        if self.scheduler is not None:
            self.scheduler.add_job(
                self.fetch, DateTrigger(run_date=now + wait), args=[part],
                id=f"fetch-retry-{part}", replace_existing=True,
            )  # fmt: skip

    async def deliver(self) -> None:
        """Deliver every due digest (waiting for a running or failed fetch until its deadline),
        then every due weekly briefing."""
        if self.delivery.stop_requested:
            return
        async with self._busy():
            await self._deliver()

    async def _deliver(self) -> None:
        s = self.app.settings
        wait = timedelta(minutes=s.fetch_wait_minutes)
        gate = await deliver.fetch_gate(self.app.db, self.app.fetcher.pending, wait, s,
                                        self.clock())  # fmt: skip
        catchup = timedelta(hours=s.catchup_hours) if s.catchup_hours > 0 else None
        await deliver.run(
            self.app.db, self.delivery, self.senders, now=self.clock(), catchup=catchup,
            gate=gate, concurrency=s.delivery_concurrency, chunk_size=s.delivery_chunk_size,
        )  # fmt: skip
        if not self.delivery.stop_requested:
            await weekly.run(self.app.db, self.delivery, self.weekly, self.senders,
                             now=self.clock(), catchup=catchup,
                             concurrency=s.delivery_concurrency)  # fmt: skip

    async def followups(self) -> None:
        """Re-check the papers posted lately and reply in their threads (FOLLOWUP_DAYS)."""
        if self.delivery.stop_requested:
            return
        async with self._busy():
            await followups.run(self.app.db, self.app.http, self.app.settings, self.senders,
                                now=self.clock())  # fmt: skip

    def build(self) -> AsyncIOScheduler:
        """The scheduler with every job, ids fixed so a restart never duplicates them."""
        s = self.app.settings
        scheduler = AsyncIOScheduler(timezone=UTC)
        common = {"replace_existing": True, "max_instances": 1, "coalesce": True,
                  "misfire_grace_time": 3600}  # fmt: skip
        arxiv = CronTrigger.from_crontab(
            _crontab(s.fetch_arxiv_time, cron_days(s.fetch_arxiv_days)), timezone=s.fetch_timezone
        )
        daily = CronTrigger.from_crontab(
            _crontab(s.fetch_daily_time, "*"), timezone=s.fetch_timezone
        )
        scheduler.add_job(self.fetch, arxiv, args=["arxiv"], id="fetch-arxiv", **common)
        scheduler.add_job(self.fetch, daily, args=["others"], id="fetch-others", **common)
        scheduler.add_job(self.fetch, DateTrigger(run_date=self.clock()), args=["all"],
                          id="fetch-at-start", **common)  # fmt: skip
        if s.followup_days > 0:
            recheck = CronTrigger.from_crontab(
                _crontab(s.followup_time, "*"), timezone=s.fetch_timezone
            )
            scheduler.add_job(self.followups, recheck, id="followups", **common)
        tick = IntervalTrigger(seconds=s.delivery_tick_seconds)
        scheduler.add_job(self.deliver, tick, id="deliver", next_run_time=self.clock(), **common)
        self.scheduler = scheduler
        return scheduler


def _crontab(hhmm: str, days: str) -> str:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return f"{minute} {hour} * * {days}"


def _fetch_date(now: datetime, settings: Settings) -> date:
    """The date a fetch at `now` is for: the day in the fetch timezone, or the next day after
    the evening arXiv announcement (arXiv dates those papers the next day)."""
    local = now.astimezone(ZoneInfo(settings.fetch_timezone))
    hour, minute = (int(x) for x in settings.fetch_arxiv_time.split(":"))
    after = (local.hour, local.minute) >= (hour, minute)
    return local.date() + timedelta(days=1) if after else local.date()
