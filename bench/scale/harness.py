"""One benchmark run: parse, store, match and compose a heavy day for N channels."""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass
from datetime import date

from bench.scale.channels import make_channels
from bench.scale.measure import database_size, naive_seconds, ranked_channels
from bench.scale.pool import load_pool
from bench.scale.render import Documents, render_day
from bench.scale.seed import seed_channels, seed_history, seed_summaries
from bench.scale.synth import make_day
from bot.app import create_app
from bot.config import Settings
from bot.digest.corpus import Corpus, load_corpus
from bot.digest.news import corpus_span
from bot.digest.service import DigestService
from bot.models import Channel, Topic
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers

DAY = date(2025, 12, 22)


@dataclass(frozen=True)
class RunResult:
    """The figures of one run."""

    database: str
    channels: int
    papers: int
    feed_items: int
    parse_s: float
    store_s: float
    corpus_s: float
    match_s: float
    digest_s: float
    naive_s: float  # extrapolated from `naive_sample` channels
    naive_sample: int
    matched: int
    digests: int
    digest_papers: int
    peak_rss_mb: float
    db_mb: float

    @property
    def day_s(self) -> float:
        """The whole day: parse, store, load the corpus and compose every digest."""
        return self.parse_s + self.store_s + self.corpus_s + self.digest_s

    def to_json(self) -> str:
        """The result as one JSON line."""
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, line: str) -> RunResult:
        """Read back `to_json` output."""
        return cls(**json.loads(line))


@dataclass(frozen=True)
class Options:
    """What to run."""

    channels: int
    arxiv: int = 2_500
    biorxiv: int = 300
    naive_sample: int = 200
    batched: bool = True  # compose with DigestService.compose_many, else channel by channel


def parse_documents(docs: Documents) -> list[list[FetchedPaper]]:
    """Every document through the real parsers: one list of papers per document."""
    batches = [list(parse_arxiv_feed(body, url).papers) for url, body in docs.arxiv_feeds]
    for page in docs.biorxiv_pages:
        papers, _, _, _ = parse_biorxiv_page(json.loads(page))
        batches.append(papers)
    return batches


async def store_batches(db: Database, batches: list[list[FetchedPaper]]) -> None:
    """Store each document's papers as the fetcher does: one transaction per document."""
    for papers in batches:
        async with db.session() as session:
            await upsert_papers(session, papers)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def compose_all(
    digests: DigestService,
    channels: list[tuple[Channel, list[Topic]]],
    corpus: Corpus,
    batched: bool,
) -> tuple[int, int]:
    """Compose every channel's digest; (non-empty digests, papers in them)."""
    if batched:
        made = await digests.compose_many(channels, DAY, corpus=corpus)
    else:
        made = [await digests.compose(c, t, DAY, corpus=corpus) for c, t in channels]
    return sum(not d.is_empty for d in made), sum(len(d.papers) for d in made)


async def run(db: Database, url: str, options: Options) -> RunResult:
    """Run the whole day on a migrated, empty database."""
    pool = load_pool()
    day = make_day(pool, options.arxiv, options.biorxiv)
    docs = render_day(day, DAY)
    started = time.perf_counter()
    batches = parse_documents(docs)
    parsed = time.perf_counter()
    await store_batches(db, batches)
    stored = time.perf_counter()
    papers = len({p.key for batch in batches for p in batch})
    channels = await seed_channels(db, make_channels(day, options.channels))
    app = await create_app(Settings(_env_file=None, database_url=url), db=db)
    try:
        async with db.session() as session:
            corpus_started = time.perf_counter()
            span = corpus_span(DAY, app.settings.digest_backfill_days)  # what digests read
            corpus = await load_corpus(session, *span)
            corpus_s = time.perf_counter() - corpus_started
        await seed_history(db, [c.id or 0 for c, _ in channels], sorted(corpus.papers), DAY)
        await seed_summaries(db, pool, day)
        match_started = time.perf_counter()
        matched = ranked_channels(corpus, [t for _, t in channels])
        match_s = time.perf_counter() - match_started
        digest_started = time.perf_counter()
        digests, digest_papers = await compose_all(app.digests, channels, corpus, options.batched)
        digest_s = time.perf_counter() - digest_started
        sample = [t for _, t in channels[: options.naive_sample]]
        naive_s = naive_seconds(corpus, sample) * len(channels) / max(len(sample), 1)
        size = await database_size(db)
    finally:
        await app.aclose()
    return RunResult(
        db.dialect, len(channels), papers, docs.items, parsed - started, stored - parsed,
        corpus_s, match_s, digest_s, naive_s, len(sample), matched, digests, digest_papers,
        peak_rss_mb(), size,
    )  # fmt: skip
