"""The weekly job, called directly with a fixed clock: on its day and time, once, resumable."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.app import App
from bot.digest.model import DigestPaper
from bot.models import Channel, Delivery, Paper, Topic
from bot.store.db import Database
from bot.store.deliveries import claim_delivery, last_digest_date
from bot.store.feedback import record_vote
from bot.weekly.service import WeeklyService
from jobs import deliver
from jobs.scheduler import Jobs
from tests.jobs.conftest import (
    MONDAY_8_BERLIN,
    PlatformRecorder,
    PlatformWithHistory,
    add_channel,
    delivery_for,
)
from tests.jobs.weekly_seed import (
    MONDAY_5_MAY_8_BERLIN,
    WEEK_START,
    paper_ids,
    run_weekly,
    seed_day,
    seed_weeks,
    stored_briefing,
)


async def weekly_channel(db: Database) -> tuple[Channel, dict[date, list[int]]]:
    channel = await add_channel(db, "lab", "cat:quant-ph", weekly_day="mon")
    assert channel.id is not None
    return channel, await seed_weeks(db, channel.id)


async def test_due_only_on_its_day_at_the_digest_time_and_only_once(app: App, db: Database) -> None:
    _ = await weekly_channel(db)
    await add_channel(db, "daily-only", "cat:quant-ph")  # weekly off: never a briefing
    platform = PlatformRecorder()
    senders = {"test": platform}
    early = MONDAY_5_MAY_8_BERLIN - timedelta(minutes=1)
    tuesday = MONDAY_5_MAY_8_BERLIN + timedelta(days=1)
    for now in (early, tuesday):
        assert await run_weekly(app, senders, now) == []
    first = await run_weekly(app, senders)
    again = await run_weekly(app, senders, MONDAY_5_MAY_8_BERLIN + timedelta(hours=1), "r2")
    assert [o.status for o in first] == ["sent"] and [o.status for o in again] == ["held"]
    [post] = platform.posts["lab"]
    assert post.kind == "weekly_briefing" and "daily-only" not in platform.posts
    assert post.image is not None and post.image.data.startswith(b"\x89PNG")


async def test_content_table_and_themes(app: App, db: Database) -> None:
    channel, _days = await weekly_channel(db)
    platform = PlatformRecorder()
    await run_weekly(app, {"test": platform})
    briefing = await stored_briefing(db, channel.id or 0)
    assert briefing.papers == 9 and briefing.days[0] == WEEK_START
    [counts] = briefing.counts
    assert counts.topic == "cat:quant-ph" and counts.per_day == (4, 2, 0, 3, 0, 0, 0)
    [post] = platform.posts["lab"]
    assert "Weekly briefing: 2025-04-28 to 2025-05-04" in post.text
    table = "\n".join(line for line in post.text.splitlines() if line.startswith("cat:quant-ph"))
    assert table.split()[1:] == ["4", "2", "0", "3", "0", "0", "0", "9"]
    assert post.image is not None and table in post.image.alt


async def test_top_papers_order_by_score_plus_ten_per_net_vote(app: App, db: Database) -> None:
    channel, days = await weekly_channel(db)
    assert channel.id is not None
    week = [pid for day, ids in days.items() if day >= WEEK_START for pid in ids]
    async with db.session() as session:
        papers = [p for p in await session.exec(select(Paper).where(col(Paper.id).in_(week)))]
    scores = {pid: s.score for pid, s in (await app.summaries.summaries(papers, "en")).items()}
    low, high = min(week, key=scores.__getitem__), max(week, key=scores.__getitem__)
    ups = (scores[high] - scores[low]) // 10 + 1  # enough 👍 to pass the best-scored paper
    async with db.session() as session:
        for n in range(ups):
            await record_vote(session, channel.id, low, f"u{n}", 1)
        for n in range(11):
            await record_vote(session, channel.id, high, f"u{n}", -1)
    await run_weekly(app, {"test": PlatformRecorder()})
    top = (await stored_briefing(db, channel.id)).top
    votes = {low: ups, high: -11}
    expected = sorted(week, key=lambda p: -(scores[p] + 10 * votes.get(p, 0)))[: len(top)]
    assert [t.rank for t in top] == [scores[p] + 10 * votes.get(p, 0) for p in expected]
    assert top[0].paper_id == low and top[0].votes == ups
    assert high not in [t.paper_id for t in top]


async def test_a_crash_before_the_post_resumes_with_the_same_briefing(
    app: App, db: Database
) -> None:
    channel, _days = await weekly_channel(db)
    crashing = PlatformRecorder(crash_after=0)
    with pytest.raises(asyncio.CancelledError):
        await run_weekly(app, {"test": crashing})
    planned = await stored_briefing(db, channel.id or 0)
    crashing.crash_after = None
    later = MONDAY_5_MAY_8_BERLIN + timedelta(minutes=1)
    outcome = await run_weekly(app, {"test": crashing}, later)
    assert [o.status for o in outcome] == ["sent"] and len(crashing.posts["lab"]) == 1
    assert await stored_briefing(db, channel.id or 0) == planned


async def test_a_post_accepted_just_before_a_crash_is_found_not_reposted(
    app: App, db: Database
) -> None:
    _ = await weekly_channel(db)
    platform = PlatformWithHistory(crash_on_accept=1)
    with pytest.raises(asyncio.CancelledError):
        await run_weekly(app, {"test": platform})
    platform.crash_on_accept = None
    outcome = await run_weekly(app, {"test": platform})
    assert [o.status for o in outcome] == ["sent"] and len(platform.posts["lab"]) == 1


async def test_a_week_with_no_papers_posts_nothing(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph", weekly_day="mon")
    platform = PlatformRecorder()
    assert [o.status for o in await run_weekly(app, {"test": platform})] == ["quiet"]
    assert platform.posts == {}


async def test_the_briefing_and_the_digest_share_a_date_and_each_goes_once(
    app: App, db: Database
) -> None:
    channel = await add_channel(db, "lab", "cat:quant-ph entanglement", weekly_day="mon")
    assert channel.id is not None
    await seed_day(db, channel.id, date(2025, 4, 22), (await paper_ids(db))[:3])
    platform = PlatformRecorder()
    for _ in range(2):
        await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
        await run_weekly(app, {"test": platform}, MONDAY_8_BERLIN)
    kinds = [m.kind for m in platform.posts["lab"]]
    assert kinds == ["digest_header"] + ["digest_paper"] * 10 + ["weekly_briefing"]
    async with db.session() as session:
        query = select(Delivery).where(Delivery.digest_date == date(2025, 4, 28))
        rows = (await session.exec(query)).all()
    assert sorted(r.kind for r in rows) == ["daily", "weekly"]


class ThemesLLM:
    """Stands in for DigestLLM: records each themes call and answers `reply`."""

    judge = None  # no impact tournament

    def __init__(self, reply: tuple[str, ...] | None) -> None:
        self.reply = reply
        self.calls: list[list[DigestPaper]] = []

    async def cross_field(self, papers: Sequence[object], language: str) -> None:
        return None

    async def themes(self, papers: Sequence[DigestPaper], language: str) -> tuple[str, ...] | None:
        self.calls.append(list(papers))
        return self.reply


async def test_themes_are_one_llm_call_over_the_ranked_week_when_configured(
    app: App, db: Database
) -> None:
    channel, _days = await weekly_channel(db)
    topics = [Topic(channel_id=channel.id or 0, query="cat:quant-ph")]
    written = ("Simulation meets compilers (#1, #3).", "Noise helps reservoirs (#2).")
    llm = ThemesLLM(written)
    service = WeeklyService(db, app.summaries, llm)  # type: ignore[arg-type]
    briefing = await service.compose(channel, topics, date(2025, 5, 5))
    assert briefing is not None and briefing.themes == written
    [papers] = llm.calls
    assert [p.number for p in papers] == list(range(1, 10))
    assert [p.paper_id for p in papers[:5]] == [t.paper_id for t in briefing.top]
    offline = WeeklyService(db, app.summaries, ThemesLLM(None))  # type: ignore[arg-type]
    fallback = await offline.compose(channel, topics, date(2025, 5, 5))
    plain = await WeeklyService(db, app.summaries).compose(channel, topics, date(2025, 5, 5))
    assert fallback is not None and plain is not None and fallback.themes == plain.themes


async def test_the_delivery_tick_also_delivers_due_briefings(app: App, db: Database) -> None:
    _ = await weekly_channel(db)
    platform = PlatformRecorder()
    jobs = Jobs(app, {"test": platform}, "r1", clock=lambda: MONDAY_5_MAY_8_BERLIN)
    await jobs.deliver()
    assert [m.kind for m in platform.posts["lab"]] == ["weekly_briefing"]


async def test_a_briefing_does_not_move_the_next_digest_window(app: App, db: Database) -> None:
    channel = await add_channel(db, "lab", "cat:quant-ph")
    assert channel.id is not None
    tuesday = date(2025, 4, 29)
    async with db.session() as session:
        claimed = await claim_delivery(session, channel.id, tuesday, "r1", MONDAY_8_BERLIN,
                                       timedelta(minutes=2), "weekly")  # fmt: skip
        assert claimed is not None and claimed.kind == "weekly"
        assert await last_digest_date(session, channel.id, tuesday + timedelta(days=1)) is None
