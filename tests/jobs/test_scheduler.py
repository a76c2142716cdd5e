"""The scheduler's jobs, called directly: triggers by name and timezone, fetch retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.app import App, create_app
from bot.store.db import Database
from jobs.scheduler import Jobs, cron_days
from tests.botharness import bot_settings
from tests.fakes.http_server import FakeHttpServer, Reply
from tests.jobs.conftest import MONDAY_8_BERLIN, PlatformRecorder, add_channel


def test_cron_days_are_names() -> None:
    assert cron_days("sun-thu") == "mon,tue,wed,thu,sun"
    assert cron_days("mon-fri") == "mon,tue,wed,thu,fri"


async def test_jobs_have_fixed_ids_and_the_arxiv_fetch_follows_new_york(app: App) -> None:
    jobs = Jobs(app, {"test": PlatformRecorder()}, "r1", clock=lambda: MONDAY_8_BERLIN)
    scheduler = jobs.build()
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {"fetch-arxiv", "fetch-others", "fetch-at-start", "deliver", "followups"}
    recheck = scheduler.get_job("followups").trigger
    fired = recheck.get_next_fire_time(None, datetime(2025, 4, 27, 12, 0, tzinfo=UTC))
    assert (fired.hour, fired.minute, str(fired.tzinfo)) == (12, 0, "America/New_York")
    arxiv = scheduler.get_job("fetch-arxiv")
    assert isinstance(arxiv.trigger, CronTrigger)
    sunday = datetime(2025, 4, 27, 12, 0, tzinfo=UTC)
    fire = arxiv.trigger.get_next_fire_time(None, sunday)
    assert fire is not None and (fire.hour, fire.minute) == (20, 30)
    assert str(fire.tzinfo) == "America/New_York"
    friday = datetime(2025, 4, 25, 12, 0, tzinfo=UTC)
    after_friday = arxiv.trigger.get_next_fire_time(None, friday)
    assert after_friday is not None and after_friday.weekday() == 6  # Friday/Saturday skipped


async def test_a_failed_fetch_is_retried_with_backoff(
    db: Database, http_server: FakeHttpServer
) -> None:
    http_server.route_prefix("/rss/", Reply("down", status=500))
    application = await create_app(bot_settings(arxiv_rss_url=f"{http_server.url}/rss/"), db=db)
    try:
        await add_channel(db, "lab", "cat:cs.CL agents")
        now = MONDAY_8_BERLIN
        jobs = Jobs(application, {}, "r1", clock=lambda: now)
        scheduler = jobs.build()
        scheduler.start(paused=True)  # a real job store; nothing runs
        await jobs.fetch("arxiv")
        first = scheduler.get_job("fetch-retry-arxiv")
        assert first is not None
        assert first.trigger.run_date == now + timedelta(minutes=10)
        await jobs.fetch("arxiv")
        second = scheduler.get_job("fetch-retry-arxiv")
        assert second.trigger.run_date == now + timedelta(minutes=20)
        assert len([j for j in scheduler.get_jobs() if j.id == "fetch-retry-arxiv"]) == 1
        scheduler.shutdown(wait=False)
    finally:
        await application.aclose()


async def test_the_delivery_tick_delivers_due_digests(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformRecorder()
    jobs = Jobs(app, {"test": platform}, "r1", clock=lambda: MONDAY_8_BERLIN)
    await jobs.deliver()
    assert len(platform.papers("lab")) == 10
