"""The delivery job: every channel whose digest is due gets it, once, through its platform."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import structlog
from sqlmodel import col, select

from bot.config import Settings
from bot.digest.chunk import ChunkDelivery, Due, Prepared
from bot.digest.corpus import CorpusCache
from bot.digest.posting import DeliveryOutcome, DigestPoster
from bot.messages import Sender
from bot.models import Channel, Paper, Topic
from bot.schedule import due_digest_date, scheduled_at
from bot.source_health import SourceProblem, problem_note, source_label
from bot.source_plan import parse_topics, plan_sources
from bot.store.bulk import channels_by_id, due_check_rows
from bot.store.db import Database
from bot.store.fetches import failing_sources

log = structlog.get_logger(__name__)


def due_channels(
    subscribed: list[tuple[Channel, list[Topic]]],
    platforms: Mapping[str, Sender],
    now: datetime,
    catchup: timedelta | None,
    days: Callable[[Channel], str | None] = lambda channel: channel.digest_days,
) -> list[tuple[Channel, list[Topic], date]]:
    """The (channel, topics, date) triples due at `now` on a platform we can post to.

    `days` gives a channel's days for this kind of post (None: it has none, e.g. no weekly).
    """
    due = []
    for channel, topics in subscribed:
        spec = days(channel)
        if channel.paused or not spec or channel.platform not in platforms:
            continue
        day = due_digest_date(now, channel.digest_time, channel.timezone, spec, catchup)
        if day is not None:
            due.append((channel, topics, day))
    return due


FAILING_SINCE = timedelta(hours=36)  # a source not fetched for this long no longer holds


@dataclass(frozen=True)
class FetchGate:
    """The sources still being fetched or failing, and how long a digest waits for them.

    The gate is per channel: a digest waits only for the sources its own topics need, and
    its footer names only those, the way the channel knows them.
    """

    problems: tuple[SourceProblem, ...] = ()
    wait: timedelta = timedelta(0)
    settings: Settings | None = None
    titles: Mapping[str, str] = field(default_factory=dict)  # feed URL -> journal name

    def missing(self, topics: list[Topic]) -> tuple[str, ...]:
        """Footer notes for this channel's sources that are not (fully) fetched."""
        if not self.problems or self.settings is None:
            return ()
        plan = plan_sources(parse_topics(t.query for t in topics), self.settings)
        notes = []
        for problem in self.problems:
            label = source_label(plan, problem.url, self.settings, self.titles)
            if label is not None:
                notes.append(problem_note(label, problem))
        return tuple(dict.fromkeys(notes))

    def holds(self, channel: Channel, topics: list[Topic], day: date, now: datetime) -> bool:
        """True while this digest should wait for its sources (until its deadline)."""
        if not self.missing(topics):
            return False
        deadline = scheduled_at(day, channel.digest_time, channel.timezone) + self.wait
        return now < deadline


async def fetch_gate(
    db: Database,
    pending: Iterable[str],
    wait: timedelta,
    settings: Settings,
    now: datetime | None = None,
) -> FetchGate:
    """The gate from the URLs a fetch has still to bring and the store's failing sources."""
    since = (now or datetime.now(UTC)) - FAILING_SINCE
    async with db.session() as session:
        failing = await failing_sources(session, since)
        urls = [f.url for f in failing]
        rows = await session.exec(
            select(Paper.feed, Paper.primary_category).where(col(Paper.feed).in_(urls))
        )
        titles = {url: title for url, title in rows if url and title}
    for state in failing:
        log.warning("source failing", url=state.url, failures=state.failures,
                    error=(state.last_error or "")[:500])  # fmt: skip
    problems = [SourceProblem(url, pending=True) for url in sorted(set(pending))]
    problems += [SourceProblem(f.url, f.last_error or "") for f in failing]
    return FetchGate(tuple(problems), wait, settings, titles)


DELIVERY_CHUNK = 1_000  # channels selected, planned and recorded together


async def _pipelined(
    parts: list[list[tuple[int, date]]],
    prepare: Callable[[list[tuple[int, date]]], Awaitable[Prepared]],
    chunks: ChunkDelivery,
    corpora: CorpusCache,
    delivery: DigestPoster,
    overlap: bool = True,
) -> list[DeliveryOutcome]:
    """Post each part in turn, the next one prepared meanwhile (`overlap`) or after; at a
    stop, what is left is "stopped" (a prepared part keeps its claims and plans)."""
    outcomes: list[DeliveryOutcome] = []
    ahead: asyncio.Task[Prepared] | None = None
    try:
        for n, part in enumerate(parts):
            if delivery.stop_requested:
                rest = parts[n:]
                if ahead is not None:  # this part is prepared already: claims and plans kept
                    outcomes += chunks.stopped(await ahead)
                    rest = parts[n + 1 :]
                outcomes += [DeliveryOutcome(c, d, "stopped") for p in rest for c, d in p]
                break
            prepared = await (ahead if ahead is not None else prepare(part))
            more = overlap and n + 1 < len(parts)
            ahead = asyncio.create_task(prepare(parts[n + 1])) if more else None
            outcomes += await chunks.post(prepared, corpora)
    finally:
        if ahead is not None and not ahead.done():
            ahead.cancel()
            with suppress(asyncio.CancelledError):
                await ahead
    return outcomes


def due_ids(
    rows: Iterable[tuple[int, str, bool, str, str, str]],
    platforms: Mapping[str, Sender],
    now: datetime,
    catchup: timedelta | None,
) -> list[tuple[int, date]]:
    """`due_channels` on light (id, platform, paused, days, time, timezone) rows."""
    due = []
    for channel_id, platform, paused, days, at, zone in rows:
        if paused or not days or platform not in platforms:
            continue
        day = due_digest_date(now, at, zone, days, catchup)
        if day is not None:
            due.append((channel_id, day))
    return due


async def run(
    db: Database,
    delivery: DigestPoster,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    catchup: timedelta | None = None,
    gate: FetchGate | None = None,
    concurrency: int = 20,
    chunk_size: int = DELIVERY_CHUNK,
) -> list[DeliveryOutcome]:
    """Deliver every due digest (missed ones within the catch-up window too).

    The due channels go `chunk_size` at a time (`ChunkDelivery`): only light rows are read
    for the due check, full channels and topics per chunk, so memory stays flat; the next
    chunk is claimed, selected and planned while one posts (two chunks at most in hand).
    While a source the channel's topics need is being fetched or failing, its digest waits
    until its deadline (`gate.wait` after its time); past it, it goes out and its footer names
    what is missing. Other channels' sources never hold or reach it.
    """
    gate = gate or FetchGate()
    async with db.session() as session:
        due = due_ids(await due_check_rows(session), senders, now, catchup)
    chunks = ChunkDelivery(delivery, concurrency)
    corpora = CorpusCache()  # the day's papers, indexed once for every channel of this run

    async def prepare(part: list[tuple[int, date]]) -> Prepared:
        async with db.session() as session:
            found = await channels_by_id(session, [c for c, _ in part])
        ready = [
            Due(channel, topics, day, senders[channel.platform], gate.missing(topics))
            for (channel, topics), day in ((found[c], d) for c, d in part if c in found)
            if topics and not gate.holds(channel, topics, day, now)
        ]
        return await chunks.prepare(ready, corpora)

    parts = [due[start : start + chunk_size] for start in range(0, len(due), chunk_size)]
    # A database server works in its own process while a chunk posts; SQLite works in a
    # thread of ours, which the selection would starve of the interpreter lock.
    overlap = db.dialect != "sqlite"
    outcomes = await _pipelined(parts, prepare, chunks, corpora, delivery, overlap)
    sent = sum(o.status == "sent" for o in outcomes)
    if due:
        log.info("delivery run", due=len(due), sent=sent, now=now.isoformat())
    return outcomes
