"""Running the scale benchmark: each configuration in a child process, for a clean peak RSS.

`python -m bench.scale.cli --db sqlite --channels N` runs one configuration and prints its
result as a JSON line; `main()` runs them all and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.scale.harness import Options, RunResult, run
from bench.scale.table import render
from tests.databases import postgres_database, postgres_url, sqlite_database

SCALES = (100, 1_000, 10_000)
NAIVE_SAMPLE = 10  # channels; the naive scan costs about a second per channel


async def run_one(database: str, options: Options) -> RunResult:
    """One configuration on a fresh database."""
    if database == "postgres":
        url = postgres_url()
        assert url is not None, "PAPERBOT_TEST_POSTGRES_URL is not set"
        async with postgres_database(url) as (db, _):
            return await run(db, url, options)
    with tempfile.TemporaryDirectory() as folder:
        async with sqlite_database(Path(folder)) as (db, url):
            return await run(db, url, options)


async def child(database: str, options: Options) -> RunResult:
    """Run one configuration in a child process and read its JSON line."""
    args = [sys.executable, "-m", "bench.scale.cli", "--db", database, "--channels",
            str(options.channels), "--naive-sample", str(options.naive_sample)]  # fmt: skip
    if not options.batched:
        args.append("--per-channel")
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{database} {options.channels} channels failed ({proc.returncode})")
    return RunResult.from_json(out.decode().strip().splitlines()[-1])


async def run_all(scales: tuple[int, ...] = SCALES) -> list[RunResult]:
    """Every scale on SQLite, and on Postgres when its URL is set; naive timed once."""
    databases = ["sqlite"] + (["postgres"] if postgres_url() else [])
    naive = await child("sqlite", Options(channels=max(scales), naive_sample=NAIVE_SAMPLE))
    per_channel = naive.naive_s / naive.channels
    results = []
    for database in databases:
        for channels in scales:
            if (database, channels) == ("sqlite", max(scales)):
                results.append(naive)
                continue
            result = await child(database, Options(channels=channels, naive_sample=0))
            results.append(replace(result, naive_s=per_channel * channels,
                                   naive_sample=NAIVE_SAMPLE))  # fmt: skip
    return results


def main() -> None:
    """Run every configuration and print the table."""
    print(render(asyncio.run(run_all())))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=NAIVE_SAMPLE)
    parser.add_argument("--per-channel", action="store_true", help="compose channel by channel")
    parser.add_argument("--table", action="store_true", help="print the table, not JSON")
    return parser.parse_args()


if __name__ == "__main__":
    ns = _arguments()
    opts = Options(channels=ns.channels, naive_sample=ns.naive_sample, batched=not ns.per_channel)
    outcome = asyncio.run(run_one(ns.db, opts))
    print(render([outcome]) if ns.table else outcome.to_json())
