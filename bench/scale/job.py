"""The scale benchmark of the delivery job itself: `jobs.deliver.run` for N due channels.

Seeding (a heavy day's papers, N channels due at one instant, some history, cached
summaries) runs in one process; the delivery in a fresh one, so its peak RSS is its own.
Senders are fakes that accept instantly; every store write production makes is made.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bench.scale.channels import make_channels
from bench.scale.day import DAY, analyze, database_size, parse_documents, store_batches
from bench.scale.pool import load_pool
from bench.scale.render import render_day
from bench.scale.seed import seed_history
from bench.scale.synth import make_day
from bot.app import create_app
from bot.config import Settings
from bot.digest.corpus import CorpusCache
from bot.digest.posting import DigestPoster
from bot.models import Channel, Paper, SQLModel, Topic
from bot.posts import Post
from bot.query import naive_match
from bot.query.index import PaperIndex
from bot.query.match import CompiledQuery
from bot.query.scoring import score_docs
from bot.store.bulk import channels_by_id
from bot.store.db import Database
from jobs import deliver

NOW = datetime(DAY.year, DAY.month, DAY.day, 6, 0, tzinfo=UTC)  # every channel due at 00:00
SEED_CHUNK = 1_000
OURS, NAIVE = "bench", "naive"  # platforms: the job's channels, the baseline's twins


class InstantSender:
    """A platform that accepts every post at once and keeps only a count."""

    def __init__(self) -> None:
        self.posts = 0

    async def send(self, message: Post) -> str | None:
        """Accept the post: its id is its number."""
        self.posts += 1
        return str(self.posts)


@dataclass(frozen=True)
class JobResult:
    """The figures of one delivery run."""

    database: str
    channels: int
    seconds: float  # due check to the last post recorded
    peak_rss_mb: float
    db_mb: float
    digests: int  # deliveries sent
    posts: int
    rows: int  # rows the run added (or changed), every table
    naive_channels: int = 0
    naive_s: float = 0.0
    ours_naive_s: float = 0.0  # our time on the same number of channels (equal work)

    def to_json(self) -> str:
        """The result as one JSON line."""
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, line: str) -> JobResult:
        """Read back `to_json` output."""
        return cls(**json.loads(line))


def bench_settings(url: str, **overrides: Any) -> Settings:
    """The production defaults on this database (`overrides`: a smoke test's lighter ones)."""
    return Settings(_env_file=None, database_url=url, **overrides)


async def seed(
    db: Database,
    settings: Settings,
    channels: int,
    naive: int = 0,
    papers: tuple[int, int] = (2_500, 300),
) -> None:
    """The day's papers (arXiv, bioRxiv), `channels` due channels (and `naive` twins of the
    first), history, and what the fetch leaves done: summaries cached, papers embedded."""
    pool = load_pool()
    day = make_day(pool, *papers)
    await store_batches(db, parse_documents(render_day(day, DAY)))
    specs = make_channels(day, channels)
    for platform, part in ((OURS, specs), (NAIVE, specs[:naive])):
        for start in range(0, len(part), SEED_CHUNK):
            ids = await _seed_chunk(db, platform, part[start : start + SEED_CHUNK])
            await seed_history(db, ids, await _paper_ids(db), DAY, seed=start)
    await prepare_papers(db, settings)
    await analyze(db)


async def prepare_papers(db: Database, settings: Settings) -> None:
    """Summarize (offline, cached) and embed every paper, through the app's own services."""
    app = await create_app(settings, db=db)
    try:
        async with db.session() as session:
            papers = list(await session.exec(select(Paper)))
        await app.digests.summaries.summaries(papers, "en")
        if app.digests.relevance is not None:
            await app.digests.relevance.embed([p.id for p in papers if p.id is not None])
    finally:
        await app.aclose()


async def _seed_chunk(db: Database, platform: str, specs: list) -> list[int]:  # type: ignore[type-arg]
    rows = [Channel(platform=platform, channel=s.name, language=s.language, timezone="UTC",
                    digest_time="00:00", digest_days="daily", replacements=s.replacements
                    ).model_dump(exclude={"id"}) for s in specs]  # fmt: skip
    async with db.session() as session:
        connection = await session.connection()
        await connection.execute(Channel.__table__.insert(), rows)  # type: ignore[attr-defined]
        found = await session.exec(
            select(Channel.id, Channel.channel).where(
                Channel.platform == platform, col(Channel.channel).in_([s.name for s in specs])
            )
        )
        ids = dict((name, cid) for cid, name in found)
        topics = [{"channel_id": ids[s.name], "query": q} | _topic_defaults() for s in specs
                  for q in s.topics]  # fmt: skip
        await connection.execute(Topic.__table__.insert(), topics)  # type: ignore[attr-defined]
    return [ids[s.name] for s in specs]


def _topic_defaults() -> dict[str, object]:
    return Topic(channel_id=0, query="x").model_dump(exclude={"id", "channel_id", "query"})


async def _paper_ids(db: Database) -> list[int]:
    async with db.session() as session:
        return sorted(i for i in await session.exec(select(Paper.id)) if i is not None)


async def table_rows(db: Database) -> int:
    """Rows in every table."""
    total = 0
    async with db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            total += (await session.exec(select(func.count()).select_from(table))).one()
    return total


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def naive_matching() -> Iterator[None]:
    """Topics matched by scanning every paper with regexes (`naive_match`), not the index,
    and scored afresh for every channel (no memo of a topic's results); the scores are the
    index's, so the digests are the same. Each paper is normalized once (as a simple bot
    would), then scanned for every topic of every channel."""
    indexed, scored = CompiledQuery.matches, CompiledQuery.scores
    prepared: dict[int, Any] = {}

    def scan(self: CompiledQuery, index: PaperIndex) -> frozenset[int]:
        return frozenset(naive_match(self.query, list(index.docs.values()), prepared))

    def score(self: CompiledQuery, index: PaperIndex) -> dict[int, float]:
        return score_docs(index, scan(self, index), self.scored_terms)

    CompiledQuery.matches, CompiledQuery.scores = scan, score  # type: ignore[method-assign]
    try:
        yield
    finally:
        CompiledQuery.matches, CompiledQuery.scores = indexed, scored  # type: ignore[method-assign]


async def naive_run(db: Database, poster: DigestPoster, ids: list[int]) -> float:
    """The baseline: channel after channel, each selected, planned and posted on its own."""
    sender = InstantSender()
    corpora = CorpusCache()  # the day's papers, read once
    started = time.perf_counter()
    with naive_matching():
        for channel_id in ids:
            async with db.session() as session:
                channel, topics = (await channels_by_id(session, [channel_id]))[channel_id]
            await poster.deliver(channel, topics, DAY, sender, (), corpora)
    return time.perf_counter() - started


async def naive_ids(db: Database) -> list[int]:
    """The baseline's channels."""
    async with db.session() as session:
        rows = await session.exec(select(Channel.id).where(Channel.platform == NAIVE))
        return sorted(i for i in rows if i is not None)


async def run(db: Database, settings: Settings, concurrency: int, chunk: int) -> JobResult:
    """Deliver the day to every due channel; then the naive baseline on its twins, if any."""
    app = await create_app(settings, db=db)
    try:
        poster = DigestPoster(db, app.digests, "bench", timedelta(minutes=10))
        before = await table_rows(db)
        sender = InstantSender()
        started = time.perf_counter()
        outcomes = await deliver.run(db, poster, {OURS: sender}, now=NOW,
                                     concurrency=concurrency, chunk_size=chunk)  # fmt: skip
        seconds = time.perf_counter() - started
        rows = await table_rows(db) - before
        twins = await naive_ids(db)
        naive_s = ours_s = 0.0
        if twins:
            naive_s = await naive_run(db, poster, twins)
            ours_s = seconds * len(twins) / max(len(outcomes), 1)
        size = await database_size(db)
    finally:
        await app.aclose()
    sent = sum(o.status == "sent" for o in outcomes)
    return JobResult(db.dialect, len(outcomes), seconds, peak_rss_mb(), size, sent,
                     sender.posts, rows, len(twins), naive_s, ours_s)  # fmt: skip
