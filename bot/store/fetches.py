"""Fetch bookkeeping: conditional-GET validators per URL and a record of every fetch run."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import FeedState, FetchRun, utcnow
from bot.sources.types import FetchOutcome
from bot.store.db import insert_ignoring_duplicates


async def feed_state(session: AsyncSession, url: str) -> FeedState | None:
    """The stored validators and health of a URL."""
    return await session.get(FeedState, url)


async def record_outcome(
    session: AsyncSession, outcome: FetchOutcome, started_at: datetime, new_papers: int
) -> FetchRun:
    """Record a fetch run, and keep validators only when the whole response was taken."""
    run = FetchRun(
        source=outcome.source,
        url=outcome.url,
        started_at=started_at,
        finished_at=utcnow(),
        status=outcome.status,
        papers=len(outcome.papers),
        new_papers=new_papers,
        errors=list(outcome.errors),
        counts=dict(outcome.extra),
    )
    session.add(run)
    await insert_ignoring_duplicates(session, FeedState, [{"url": outcome.url, "failures": 0}])
    state = await session.get(FeedState, outcome.url, populate_existing=True, with_for_update=True)
    assert state is not None
    if outcome.status in ("ok", "not_modified"):
        if outcome.status == "ok":
            state.etag, state.last_modified = outcome.etag, outcome.last_modified
        state.last_ok_at, state.last_error, state.failures = utcnow(), None, 0
    elif outcome.status == "partial":  # what parsed is stored and delivered; not failing
        state.etag = state.last_modified = None  # fetch in full next time
        state.last_ok_at, state.failures = utcnow(), 0
        state.last_error = ("partial: " + "; ".join(outcome.errors))[:2000]
    else:
        state.etag = state.last_modified = None  # fetch in full next time
        state.last_error = "; ".join(outcome.errors)[:2000] or outcome.status
        state.failures += 1
    session.add(state)
    await session.flush()
    return run


async def recent_runs(session: AsyncSession, limit: int = 20) -> list[FetchRun]:
    """The most recent fetch runs, newest first."""
    query = select(FetchRun).order_by(col(FetchRun.started_at).desc()).limit(limit)
    return list(await session.exec(query))


async def failing_sources(session: AsyncSession, since: datetime | None = None) -> list[FeedState]:
    """Source URLs whose latest fetch failed (they are retried; digests name them).

    With `since`, only URLs fetched since then: a bioRxiv URL names its dates, so
    yesterday's failed one is never fetched again and must not count as failing forever.
    """
    query = select(FeedState).where(col(FeedState.failures) > 0).order_by(col(FeedState.url))
    if since is not None:
        recent = select(FetchRun.url).where(col(FetchRun.started_at) >= since)
        query = query.where(col(FeedState.url).in_(recent))
    return list(await session.exec(query))


async def partial_sources(session: AsyncSession) -> list[FeedState]:
    """Source URLs whose latest fetch broke off partway (delivered what parsed; retried)."""
    query = select(FeedState).where(
        col(FeedState.failures) == 0, col(FeedState.last_error).startswith("partial: ")
    )
    return list(await session.exec(query.order_by(col(FeedState.url))))


async def stale_feeds(
    session: AsyncSession, today: date, days: int, runs: int = 500
) -> list[tuple[str, date]]:
    """(URL, newest item date) of the journal feeds whose latest fetch had nothing newer than
    `days`, one per feed however often it was fetched. (An arXiv feed is its current mailing
    by construction; a day without one is told apart as "no mailing today".)
    """
    query = (
        select(FetchRun).where(col(FetchRun.source) == "journal")
        .order_by(col(FetchRun.started_at).desc()).limit(runs)
    )  # fmt: skip
    seen: set[str] = set()
    stale = []
    cutoff = today - timedelta(days=days)
    for run in await session.exec(query):
        if run.url in seen or run.status not in ("ok", "partial"):
            continue
        seen.add(run.url)
        newest = _date(run.counts.get("newest"))
        if newest is not None and newest < cutoff:
            stale.append((run.url, newest))
    return stale


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
