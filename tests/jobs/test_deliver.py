"""The delivery job, called directly with a fixed clock: on time, once, resumable."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.app import App
from bot.models import Channel, Delivery
from bot.posts import Post
from bot.source_health import SourceProblem
from bot.store.db import Database
from jobs import deliver
from tests.jobs.conftest import (
    MONDAY_8_BERLIN,
    PlatformRecorder,
    PlatformWithHistory,
    add_channel,
    delivery_for,
)


async def test_due_channel_gets_header_and_papers_once(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformRecorder()
    first = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    again = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert [o.status for o in first] == ["sent"] and [o.status for o in again] == ["held"]
    kinds = [m.kind for m in platform.posts["lab"]]
    assert kinds == ["digest_header"] + ["digest_paper"] * 10


async def test_nothing_before_the_local_digest_time_or_at_the_weekend(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph")
    platform = PlatformRecorder()
    early = MONDAY_8_BERLIN - timedelta(minutes=1)
    saturday = MONDAY_8_BERLIN - timedelta(days=2)
    for now in (early, saturday):
        assert await deliver.run(db, delivery_for(app), {"test": platform}, now=now) == []
    assert platform.posts == {}


async def test_a_crash_mid_digest_resumes_without_doubles_or_gaps(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    crashing = PlatformRecorder(crash_after=5)  # header + 4 papers, then the process dies
    with pytest.raises(asyncio.CancelledError):
        await deliver.run(db, delivery_for(app), {"test": crashing}, now=MONDAY_8_BERLIN)
    crashing.crash_after = None
    later = MONDAY_8_BERLIN + timedelta(minutes=1)
    outcome = await deliver.run(db, delivery_for(app), {"test": crashing}, now=later)
    papers = crashing.papers("lab")
    assert [o.status for o in outcome] == ["sent"]
    assert len(papers) == 10 and len(set(papers)) == 10
    assert [m.kind for m in crashing.posts["lab"]].count("digest_header") == 1


async def test_another_replica_waits_for_the_lease_then_takes_over(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    crashing = PlatformRecorder(crash_after=3)
    with pytest.raises(asyncio.CancelledError):
        await deliver.run(db, delivery_for(app, "r1"), {"test": crashing}, now=MONDAY_8_BERLIN)
    crashing.crash_after = None
    soon = MONDAY_8_BERLIN + timedelta(minutes=1)
    held = await deliver.run(db, delivery_for(app, "r2", lambda: soon), {"test": crashing},
                             now=soon)  # fmt: skip
    assert [o.status for o in held] == ["held"]
    late = MONDAY_8_BERLIN + timedelta(minutes=5)
    taken = await deliver.run(db, delivery_for(app, "r2", lambda: late), {"test": crashing},
                              now=late)  # fmt: skip
    assert [o.status for o in taken] == ["sent"]
    assert len(crashing.papers("lab")) == 10 == len(set(crashing.papers("lab")))


async def test_two_replicas_at_once_never_double_post(app: App, db: Database) -> None:
    for n in range(8):
        await add_channel(db, f"c{n}", "cat:quant-ph entanglement")
    platform = PlatformRecorder()
    runs = [
        deliver.run(db, delivery_for(app, replica), {"test": platform}, now=MONDAY_8_BERLIN)
        for replica in ("r1", "r2")
    ]
    outcomes = [o for batch in await asyncio.gather(*runs) for o in batch]
    assert sorted(o.status for o in outcomes) == ["held"] * 8 + ["sent"] * 8
    for n in range(8):
        assert len(platform.papers(f"c{n}")) == 10 == len(set(platform.papers(f"c{n}")))


async def test_nothing_matched_is_silent_unless_quiet_is_off(app: App, db: Database) -> None:
    await add_channel(db, "silent", "cat:quant-ph zzyzx")
    await add_channel(db, "chatty", "cat:quant-ph zzyzx", quiet=False)
    platform = PlatformRecorder()
    outcomes = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert sorted(o.status for o in outcomes) == ["quiet", "sent"]
    assert "silent" not in platform.posts
    assert [m.text for m in platform.posts["chatty"]] == [
        "No new papers matched your topics for 2025-04-28."
    ]


async def test_no_digest_on_a_day_without_announcements(app: App, db: Database) -> None:
    await add_channel(db, "lab", "cat:quant-ph")
    platform = PlatformRecorder()
    tuesday = MONDAY_8_BERLIN + timedelta(days=1)
    outcomes = await deliver.run(db, delivery_for(app, clock=lambda: tuesday),
                                 {"test": platform}, now=tuesday)  # fmt: skip
    assert [o.status for o in outcomes] == ["no_announcements"]
    assert platform.posts == {}


async def test_a_removed_bot_marks_the_channel_inactive(app: App, db: Database) -> None:
    channel = await add_channel(db, "gone", "cat:quant-ph")
    platform = PlatformRecorder(gone={"gone"})
    outcomes = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert [o.status for o in outcomes] == ["unavailable"]
    async with db.session() as session:
        stored = await session.get(Channel, channel.id)
        delivery = (await session.exec(select(Delivery))).one()
    assert stored is not None and stored.active is False
    assert delivery.error and "not_in_channel" in delivery.error
    again = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert again == []  # inactive channels are not retried


async def test_a_digest_waits_for_the_fetch_then_says_what_is_missing(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformRecorder()
    failing = SourceProblem(f"{app.settings.arxiv_rss_url}cs.CL+quant-ph", "HTTP 500 from …")
    gate = deliver.FetchGate((failing,), timedelta(minutes=30), app.settings)
    waiting = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN,
                                gate=gate)  # fmt: skip
    assert waiting == [] and platform.posts == {}
    deadline = MONDAY_8_BERLIN + timedelta(minutes=30)
    sent = await deliver.run(db, delivery_for(app, clock=lambda: deadline), {"test": platform},
                             now=deadline, gate=gate)  # fmt: skip
    assert [o.status for o in sent] == ["sent"]
    header = platform.posts["lab"][0]
    assert header.digest is not None
    assert header.digest.notes[0] == (
        "Not fetched yet: arXiv quant-ph (the server had an error; retrying)."
    )


async def test_a_stop_request_ends_after_the_current_post_and_a_restart_resumes(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    delivery = delivery_for(app)
    platform = PlatformRecorder()

    class StopAfterThree:
        async def send(self, message: object) -> str | None:
            ref = await platform.send(message)  # type: ignore[arg-type]
            if platform.count == 4:  # header + 3 papers
                delivery.stop_requested = True
            return ref

    stopped = await deliver.run(db, delivery, {"test": StopAfterThree()}, now=MONDAY_8_BERLIN)
    assert [o.status for o in stopped] == ["stopped"]
    assert len(platform.papers("lab")) == 3
    resumed = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert [o.status for o in resumed] == ["sent"]
    assert len(platform.papers("lab")) == 10 == len(set(platform.papers("lab")))


async def test_a_post_accepted_just_before_a_crash_is_found_not_reposted(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformWithHistory(crash_on_accept=4)  # header + 2 papers, the 3rd accepted
    with pytest.raises(asyncio.CancelledError):
        await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    platform.crash_on_accept = None
    outcome = await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert [o.status for o in outcome] == ["sent"]
    papers = platform.papers("lab")
    assert len(papers) == 10 == len(set(papers))


async def test_without_a_history_lookup_only_that_one_post_may_repeat(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = PlatformRecorder(crash_on_accept=4)
    with pytest.raises(asyncio.CancelledError):
        await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    platform.crash_on_accept = None
    await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    papers = platform.papers("lab")
    assert len(set(papers)) == 10 and len(papers) == 11  # the one in flight, documented


@dataclass
class NotingPlatform(PlatformRecorder):
    """A PostFinder that keeps notes (as Telegram does): what it was given, and asked with."""

    afters: list[str | None] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def pending_note(self, message: Post, after: str | None) -> str:
        self.afters.append(after)
        return f"after={after}"

    async def find_posted(self, message: Post, note: str) -> str | None:
        self.asked.append(note)
        assert message.marker is not None
        return self.find_in(message.conversation.channel, message.marker)


async def test_a_pending_record_keeps_the_senders_note_for_the_resume(
    app: App, db: Database
) -> None:
    await add_channel(db, "lab", "cat:quant-ph entanglement")
    platform = NotingPlatform(crash_on_accept=3)  # the header, a paper, the 2nd paper accepted
    with pytest.raises(asyncio.CancelledError):
        await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert platform.afters == [None, "lab-1", "lab-2"]  # each after the last recorded post
    platform.crash_on_accept = None
    await deliver.run(db, delivery_for(app), {"test": platform}, now=MONDAY_8_BERLIN)
    assert platform.asked == ["after=lab-2"]  # the in-flight paper, asked with its own note
    papers = platform.papers("lab")
    assert len(papers) == 10 == len(set(papers))
    assert platform.afters[3] == "lab-found-3"  # the next paper's note starts after the found one
