"""SummaryService pools concurrent callers' missing papers into shared LLM batches."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlmodel import select

from bot.models import Paper, SummaryRecord
from bot.store.db import Database
from bot.store.papers import upsert_papers
from bot.summary.batcher import MicroBatcher
from bot.summary.prompts import PROMPT_VERSION
from bot.summary.service import SummaryService, paper_text
from tests.bot.summary.test_batch import fields
from tests.factories import fetched_paper
from tests.fakes.openai_server import Failure, FakeOpenAIServer, fenced_papers, summary_responder

WAIT = 5.0  # seconds any awaited event may take before the test fails


async def stored_papers(db: Database, count: int) -> list[Paper]:
    async with db.session() as s:
        await upsert_papers(s, [fetched_paper() for _ in range(count)])
    async with db.session() as s:
        return list(await s.exec(select(Paper).order_by(Paper.id)))  # type: ignore[arg-type]


async def cached_rows(db: Database) -> list[SummaryRecord]:
    async with db.session() as s:
        return list(await s.exec(select(SummaryRecord)))


def titles_sent(server: FakeOpenAIServer) -> Counter[str]:
    """How many requests carried each paper."""
    return Counter(title for body in server.bodies for _, title in fenced_papers(body))


def service_for(db: Database, rig_factory: Any, *, window: float = 0.01, **settings: Any) -> Any:
    return SummaryService(db, rig_factory(**settings).summarizer, window=window)


async def test_one_call_summarizes_the_papers_and_fills_the_cache(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    papers = await stored_papers(db, 3)
    service = service_for(db, rig_factory)
    made = await service.summaries(papers, "zh")
    assert server.calls == 1 and [i for i, _ in fenced_papers(server.bodies[0])] == [
        "p1", "p2", "p3"
    ]  # fmt: skip
    assert {pid: s.one_line for pid, s in made.items()} == {
        p.id: f"About {p.title}" for p in papers
    }
    rows = await cached_rows(db)
    assert {(r.paper_id, r.language, r.summarizer, r.prompt_version) for r in rows} == {
        (p.id, "zh", "llm:test-model", PROMPT_VERSION) for p in papers
    }
    assert await service.summaries(papers, "zh") == made and server.calls == 1


async def test_concurrent_callers_share_one_request_per_paper(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    papers = await stored_papers(db, 4)
    service = service_for(db, rig_factory, window=60.0, llm_summary_batch=4)  # sent when full
    async with asyncio.timeout(WAIT):
        first, second = await asyncio.gather(
            service.summaries(papers[:3], "en"), service.summaries(papers[1:], "en")
        )
    assert server.calls == 1 and titles_sent(server) == Counter(p.title for p in papers)
    assert set(first) == {p.id for p in papers[:3]} and set(second) == {p.id for p in papers[1:]}
    assert first[papers[1].id] == second[papers[1].id]


async def test_a_paper_in_flight_is_awaited_not_asked_again(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    papers = await stored_papers(db, 3)
    service = service_for(db, rig_factory, llm_summary_batch=2)
    server.hold()
    async with asyncio.timeout(WAIT):
        first = asyncio.create_task(service.summaries(papers[:2], "en"))
        await server.wait_for_calls(1)
        second = asyncio.create_task(service.summaries(papers[1:], "en"))
        await server.wait_for_calls(2)  # papers[2] alone, when its window ends
        server.release()
        made = await first, await second
    assert titles_sent(server) == Counter(p.title for p in papers)
    assert made[1][papers[1].id].one_line == f"About {papers[1].title}"
    assert all(not s.fallback for m in made for s in m.values())


async def test_a_cancelled_caller_loses_nothing(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    papers = await stored_papers(db, 2)
    service = service_for(db, rig_factory, llm_summary_batch=2)
    server.hold()
    async with asyncio.timeout(WAIT):
        first = asyncio.create_task(service.summaries(papers, "en"))
        await server.wait_for_calls(1)
        second = asyncio.create_task(service.summaries(papers, "en"))
        first.cancel()
        server.release()
        made = await second
        with pytest.raises(asyncio.CancelledError):
            await first
    assert server.calls == 1 and all(not s.fallback for s in made.values())
    assert {r.paper_id for r in await cached_rows(db)} == {p.id for p in papers}


async def test_fallbacks_are_shown_but_not_cached(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(Failure(500), summary_responder(fields))
    papers = await stored_papers(db, 2)
    service = service_for(db, rig_factory, attempts=1)
    first = await service.summaries(papers, "en")
    assert all(s.fallback for s in first.values()) and await cached_rows(db) == []
    second = await service.summaries(papers, "en")
    assert all(not s.fallback for s in second.values()) and server.calls == 2
    assert len(await cached_rows(db)) == 2


async def test_batch_of_one_sends_each_paper_alone_and_still_shares_it(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    papers = await stored_papers(db, 3)
    service = service_for(db, rig_factory, llm_summary_batch=1)
    async with asyncio.timeout(WAIT):
        await asyncio.gather(service.summaries(papers, "en"), service.summaries(papers, "en"))
    assert server.calls == 3 and titles_sent(server) == Counter(p.title for p in papers)
    assert all(fenced_papers(body)[0][0] == "" for body in server.bodies)


async def _timers_due_now_have_run() -> None:
    """Return after the loop has run every timer due by now (a zero-delay timer's turn)."""
    loop = asyncio.get_running_loop()
    turn: asyncio.Future[None] = loop.create_future()
    loop.call_later(0, turn.set_result, None)
    await turn


async def test_a_batch_waiting_for_a_slot_takes_papers_that_arrive_meanwhile(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    a, b, c = await stored_papers(db, 3)
    stored: list[int] = []

    async def store(language: str, pairs: Any) -> None:
        stored.extend(paper_id for paper_id, _ in pairs)

    summarizer = rig_factory(llm_summary_batch=8).summarizer
    batcher = MicroBatcher(summarizer, store, asyncio.Semaphore(1), size=8, window=0.0)
    server.hold()
    async with asyncio.timeout(WAIT):
        first = batcher.submit(a.id, paper_text(a), "en")
        await server.wait_for_calls(1)  # a's batch holds the only slot
        second = batcher.submit(b.id, paper_text(b), "en")
        await _timers_due_now_have_run()  # b's window is over: its batch waits for the slot
        third = batcher.submit(c.id, paper_text(c), "en")
        server.release()
        await asyncio.gather(first, second, third)
    assert server.calls == 2
    assert [title for _, title in fenced_papers(server.bodies[1])] == [b.title, c.title]
    assert sorted(stored) == sorted([a.id, b.id, c.id])


async def test_closing_cancels_batches_open_or_under_way(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    a, a2, b = await stored_papers(db, 3)
    summarizer = rig_factory(llm_summary_batch=2).summarizer
    batcher = MicroBatcher(summarizer, _no_store, asyncio.Semaphore(1), size=2, window=60.0)
    server.hold()
    async with asyncio.timeout(WAIT):
        under_way = [batcher.submit(p.id, paper_text(p), "en") for p in (a, a2)]  # full: sent
        await server.wait_for_calls(1)
        still_open = batcher.submit(b.id, paper_text(b), "en")  # waits out its window
        await batcher.aclose()
    assert all(f.cancelled() for f in [*under_way, still_open])
    assert all(batcher.known(p.id, "en") is None for p in (a, a2, b))
    server.release()


async def test_at_shutdown_a_batch_under_way_is_stored_and_one_not_sent_never_is(
    server: FakeOpenAIServer, rig_factory: Any, db: Database
) -> None:
    server.script(summary_responder(fields))
    a, a2, b, b2 = await stored_papers(db, 4)
    stored: list[int] = []

    async def store(language: str, pairs: Any) -> None:
        stored.extend(paper_id for paper_id, _ in pairs)

    summarizer = rig_factory(llm_summary_batch=2).summarizer
    batcher = MicroBatcher(summarizer, store, asyncio.Semaphore(1), size=2, window=60.0)
    server.hold()
    async with asyncio.timeout(WAIT):
        under_way = [batcher.submit(p.id, paper_text(p), "en") for p in (a, a2)]  # full: sent
        await server.wait_for_calls(1)
        waiting = [batcher.submit(p.id, paper_text(p), "en") for p in (b, b2)]  # for the slot
        closing = asyncio.create_task(batcher.aclose(grace=WAIT))
        await asyncio.wait(waiting)  # dropped at once: never sent
        server.release()
        await closing
    assert sorted(stored) == sorted([a.id, a2.id]) and server.calls == 1
    assert all(not f.cancelled() for f in under_way) and all(f.cancelled() for f in waiting)


async def _no_store(language: str, pairs: Any) -> None:
    """A store that keeps nothing."""
