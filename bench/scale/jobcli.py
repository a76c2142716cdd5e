"""Running the delivery-job benchmark: per configuration a seeding process, then a delivery
process on the same database (its peak RSS is the delivery's own).

`python -m bench.scale.jobcli --db sqlite --channels N` runs one configuration and prints
the table; `main()` runs every size on SQLite and, when its URL is set, Postgres.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from bench.scale.job import JobResult, bench_settings, run, seed
from bench.scale.jobtable import render
from bot.collector import tune_collector
from bot.store.db import Database
from tests.databases import postgres_url

SCALES = (1_000, 10_000, 30_000, 100_000)
NAIVE_AT = 1_000  # the naive baseline runs in the same process run as ours at this size
CONCURRENCY = 1_000
CHUNK = 1_000


def _open(database: str, where: str) -> tuple[Database, str]:
    if database == "postgres":
        url = postgres_url()
        assert url is not None, "PAPERBOT_TEST_POSTGRES_URL is not set"
        return Database.open(url, schema=where), url
    url = f"sqlite+aiosqlite:///{where}"
    return Database.open(url), url


async def phase(ns: argparse.Namespace) -> str:
    """Run one phase in this process; the delivery prints its result."""
    db, url = _open(ns.db, ns.at)
    try:
        if ns.phase == "seed":
            await db.migrate()
            await seed(db, bench_settings(url), ns.channels, ns.naive)
            return ""
        result = await run(db, bench_settings(url), ns.concurrency, ns.chunk)
        return result.to_json()
    finally:
        await db.close()


@asynccontextmanager
async def location(database: str) -> AsyncIterator[str]:
    """A fresh SQLite file path or Postgres schema, removed afterwards."""
    if database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield str(Path(folder) / "bench.db")
        return
    url = postgres_url()
    assert url is not None
    dsn = "postgresql://" + url.split("://", 1)[1]
    schema = f"b_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


async def _child(*args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.scale.jobcli", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args} failed ({proc.returncode})")
    return out.decode().strip()


async def one(database: str, channels: int, naive: int = 0) -> JobResult:
    """Seed, then deliver, each in a child process, on a fresh database."""
    async with location(database) as where:
        common = ("--db", database, "--at", where, "--channels", str(channels))
        await _child(*common, "--phase", "seed", "--naive", str(naive))
        out = await _child(*common, "--phase", "deliver", "--concurrency", str(CONCURRENCY),
                           "--chunk", str(CHUNK))  # fmt: skip
    return JobResult.from_json(out.splitlines()[-1])


async def run_all(scales: tuple[int, ...] = SCALES) -> list[JobResult]:
    """Every size on SQLite, and on Postgres when its URL is set; naive at NAIVE_AT."""
    databases = ["sqlite"] + (["postgres"] if postgres_url() else [])
    results = []
    for database in databases:
        for channels in scales:
            naive = channels if channels == NAIVE_AT else 0
            results.append(await one(database, channels, naive))
            print(f"  {database} {channels:,}: {results[-1].seconds:.1f} s", flush=True)
    return results


def main(scales: tuple[int, ...] = SCALES) -> None:
    """Run every configuration and print the table."""
    print(render(asyncio.run(run_all(scales))))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--channels", type=int, default=1_000)
    parser.add_argument("--naive", type=int, default=0, help="seed this many naive twins")
    parser.add_argument("--phase", choices=("seed", "deliver", "both"), default="both")
    parser.add_argument("--at", default="", help="the SQLite file or Postgres schema")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--chunk", type=int, default=CHUNK)
    return parser.parse_args()


if __name__ == "__main__":
    tune_collector()  # as `paperbot` does at start
    ns = _arguments()
    if ns.phase == "both":
        outcome = asyncio.run(one(ns.db, ns.channels, ns.naive))
        print(render([outcome]))
        print(outcome.to_json())
    else:
        print(asyncio.run(phase(ns)))
