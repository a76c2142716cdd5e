"""Search latency on a year of papers (~400k), on SQLite and, when configured, on Postgres.

The store is synthetic but made of real text: each paper re-identifies one of the reference
digest's papers (../shared/reference/arxiv_digest_2512_llm_summaries.jsonl, 124 abstracts)
with a fresh id, a date spread over the year, its title, and an abstract of sentences drawn
from three reference abstracts (so term co-occurrences vary), authors from the reference
pool. Rows go in with one executemany (SQLite, the FTS triggers indexing as they go) or
COPY (Postgres, the generated tsvector and GIN index). Then `search_papers` (FTS
candidates → the digest scorer → top 10) runs for a set of realistic queries, and
`similar_papers` (more like this) for a few papers; we print median and p95 milliseconds.
Goal: search ≤ 200 ms. Postgres runs when PAPERBOT_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.models import Paper
from bot.search.service import SearchRequest, search_papers
from bot.search.similar import similar_papers
from bot.store.db import Database

REFERENCE = (Path(__file__).resolve().parents[2] / "shared" / "reference"
             / "arxiv_digest_2512_llm_summaries.jsonl")  # fmt: skip
PAPERS = 400_000
YEAR_END = date(2025, 12, 31)
TODAY = YEAR_END
CREATED = datetime(2025, 12, 31, tzinfo=UTC)
GOAL_MS = 200.0
REPEATS = 5
QUERIES = (
    "adversarial attack",
    '"large language models"',
    "diffusion image generation",
    "reinforcement learning robot",
    "graph neural network -survey",
    "cat:cs.CV segmentation",
    "retrieval augmented generation OR RAG",
    "federated learning privacy",
    "benchmark evaluation since:30d",
    "author:hossain",
    "quantum",
    'title:"object detection" transformer',
)
COLUMNS = ("key, source, arxiv_id, version, title, title_raw, abstract, abstract_raw, authors, "
           "categories, primary_category, abs_url, pdf_url, feed, first_announced_on, "
           "last_announced_on, created_at, updated_at")  # fmt: skip


@dataclass(frozen=True)
class Timing:
    """Latency figures of one database and operation."""

    database: str
    operation: str
    samples: tuple[float, ...]
    results: int

    def line(self) -> str:
        """One table row: median, p95, max and the verdict against the goal."""
        ordered = sorted(self.samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        median = statistics.median(ordered)
        verdict = "ok" if p95 <= GOAL_MS else "SLOW"
        return (
            f"{self.database:9} {self.operation:14} median {median:7.1f} ms   "
            f"p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms   "
            f"({len(ordered)} runs, {self.results} hits)   goal ≤ {GOAL_MS:.0f} ms: {verdict}"
        )


def load_reference() -> list[dict[str, object]]:
    """The reference papers."""
    with REFERENCE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _abstract(row: dict[str, object]) -> str:
    fields = ("motivation", "method", "result", "conclusion")
    return str(row.get("abstract") or " ".join(str(row.get(f, "")) for f in fields))


def synthetic_rows(count: int, seed: int = 7) -> Iterator[tuple[object, ...]]:
    """`count` paper rows (in COLUMNS order) re-identified from the reference papers."""
    rng = random.Random(seed)
    reference = load_reference()
    sentences = [[s.strip() + "." for s in _abstract(r).split(". ") if s] for r in reference]
    authors = sorted({str(a) for r in reference for a in r.get("authors", [])})  # type: ignore[attr-defined]
    for n in range(count):
        base = reference[n % len(reference)]
        picked = [rng.choice(sentences[rng.randrange(len(reference))]) for _ in range(4)]
        abstract = " ".join([*sentences[n % len(reference)][:2], *picked])
        day = YEAR_END - timedelta(days=rng.randrange(365))
        arxiv_id = f"{day:%y%m}.{n:06d}"
        names = json.dumps(rng.sample(authors, k=rng.randint(1, 6)))
        category = str(base.get("main_category") or "cs.LG")
        title = str(base["title"])
        yield (f"arxiv:{arxiv_id}", "arxiv", arxiv_id, 1, title, title, abstract, abstract, names,
               json.dumps([category]), category, f"https://arxiv.org/abs/{arxiv_id}",
               f"https://arxiv.org/pdf/{arxiv_id}v1", None, day, day, CREATED, CREATED)  # fmt: skip


def _sqlite_value(value: object) -> object:
    """Dates and times as SQLAlchemy's SQLite types store them."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    return value.isoformat() if isinstance(value, date) else value


def fill_sqlite(path: Path, count: int) -> None:
    """Bulk-insert the synthetic papers (one transaction; the FTS triggers index them)."""
    marks = ", ".join("?" * len(COLUMNS.split(",")))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        rows = (tuple(_sqlite_value(v) for v in row) for row in synthetic_rows(count))
        conn.executemany(f"INSERT INTO papers ({COLUMNS}) VALUES ({marks})", rows)
        conn.execute("ANALYZE")


async def fill_postgres(url: str, schema: str, count: int) -> None:
    """COPY the synthetic papers into the schema's papers table."""
    conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    try:
        await conn.execute(f'SET search_path TO "{schema}"')
        names = [c.strip() for c in COLUMNS.split(",")]
        records = list(synthetic_rows(count))
        await conn.copy_records_to_table(
            "papers", records=records, columns=names, schema_name=schema
        )
        await conn.execute("ANALYZE papers")
    finally:
        await conn.close()


async def time_search(db: Database, name: str, count: int) -> list[Timing]:
    """Median/p95 of every query (REPEATS times each, after one warm-up) and of more-like-this."""
    samples: list[float] = []
    hits = 0
    for text in QUERIES:
        request = SearchRequest.parse(text, TODAY)
        for attempt in range(REPEATS + 1):
            start = time.perf_counter()
            async with db.session() as session:
                result = await search_papers(session, request)
            if attempt:
                samples.append((time.perf_counter() - start) * 1000)
        hits += len(result.hits)
        recent = samples[-REPEATS:]
        print(f"  {name:9} {statistics.median(recent):7.1f} ms  {text}")
    timings = [Timing(name, "search", tuple(samples), hits)]
    return [*timings, await time_similar(db, name, count)]


async def time_similar(db: Database, name: str, count: int) -> Timing:
    """More like this for a few papers."""
    samples: list[float] = []
    found = 0
    for paper_id in (1, 1 + count // 4, 1 + count // 2, count * 3 // 4, count):
        async with db.session() as session:
            paper = await session.get(Paper, paper_id)
        if paper is None:
            continue
        for attempt in range(REPEATS + 1):
            start = time.perf_counter()
            async with db.session() as session:
                similar = await similar_papers(session, paper, today=TODAY)
            if attempt:
                samples.append((time.perf_counter() - start) * 1000)
        found += len(similar)
    return Timing(name, "more-like-this", tuple(samples), found)


async def bench_sqlite(folder: Path, count: int) -> list[Timing]:
    """Build the SQLite store and time it."""
    path = folder / "search.db"
    db = Database.open(f"sqlite+aiosqlite:///{path}")
    try:
        await db.migrate()
        start = time.perf_counter()
        fill_sqlite(path, count)
        took = time.perf_counter() - start
        print(f"sqlite: {count:,} papers inserted and indexed in {took:.0f} s")
        return await time_search(db, "sqlite", count)
    finally:
        await db.close()


async def bench_postgres(url: str, count: int) -> list[Timing]:
    """Build the store in a fresh Postgres schema, time it, drop the schema."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    db = Database.open(url, schema=schema)
    try:
        await db.migrate()
        start = time.perf_counter()
        await fill_postgres(url, schema, count)
        took = time.perf_counter() - start
        print(f"postgres: {count:,} papers copied and indexed in {took:.0f} s")
        return await time_search(db, "postgres", count)
    finally:
        await db.close()
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def run(count: int = PAPERS, *, postgres: bool = True) -> list[Timing]:
    """SQLite's timings, then Postgres's when PAPERBOT_TEST_POSTGRES_URL is set."""
    with tempfile.TemporaryDirectory() as folder:
        timings = await bench_sqlite(Path(folder), count)
    url = os.environ.get("PAPERBOT_TEST_POSTGRES_URL")
    if url and postgres:
        timings += await bench_postgres(url, count)
    return timings


def main() -> None:
    """Build the stores, time search and more-like-this, print the table."""
    count = int(os.environ.get("BENCH_SEARCH_PAPERS", PAPERS))
    print(f"Search over {count:,} stored papers, {len(QUERIES)} queries × {REPEATS} runs")
    for timing in asyncio.run(run(count)):
        print(timing.line())


if __name__ == "__main__":
    main()
