"""LLM cost of a digest day: 1,000 channels with overlapping topics over the reference papers.

The channels' digests are composed the way delivery composes them: concurrently, at most
DELIVERY_CONCURRENCY (100) at once, so the summary service pools their missing papers into
batched calls of LLM_SUMMARY_BATCH papers and never asks twice for a (paper, language).
Every setting is the default (LLM_CONCURRENCY 4, LLM_SUMMARY_BATCH 8), and the fake takes
the time its reply would take to decode (at 2,000 tokens a second, far faster than a real
model), so batches fill as they would while calls are under way.

A loopback fake OpenAI-compatible server answers each summary request, for every paper
fenced in it (by id in a batch), with the reference digest's own LLM fields for that paper,
cut as a model obeying the prompt's limits would write them (each field's first sentence
within the prompt's word limits). It reports token usage *estimated* from the text: about
4 characters a token for Latin script, one token per CJK character (real tokenizers differ
by 10-20 %); a prompt counts its messages and the JSON schema it carries. The bot records
that usage as it would a real server's. Printed: LLM calls, summary calls and papers per
summary call, (paper, language) pairs sent per unique pair summarized (goal 1.0: each in
exactly one request), and prompt + completion tokens per summarized paper (goal <= 700).

`python -m bench.llm_costs --batch 1,4,8,12,16` prints the table for each batch size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.summaries import REFERENCE_DIR, REFERENCE_FILE
from bot.app import App, create_app
from bot.config import Settings
from bot.digest.corpus import load_corpus
from bot.digest.model import Digest
from bot.models import Channel, LlmUsage, Topic
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.fakes.http_server import FakeHttpServer

DAY = date(2025, 12, 22)
CHANNELS = 1_000
LANGUAGES = (("en", 0.7), ("zh", 0.3))
PAPER_RE = re.compile(
    r'<paper(?: id="([^"]*)")?>\n(?:<title>(.*?)</title>|(.*?)\n)', re.DOTALL
)  # a lone paper's <title>, or a batched paper's first line
LANGUAGE_RE = re.compile(r'Write in [^\n]*?\("([^"]+)"\)')
SUMMARY_SCHEMAS = ("paper_summary", "paper_summaries")
# The fake answers after the time decoding its reply takes: hosted models decode about
# 50-150 tokens a second, the fake 2,000 so the run stays short. A slower real model only
# lets more papers join each batch while calls are under way.
DECODE_TOKENS_PER_SECOND = 2_000


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: ~4 Latin characters a token, one token per CJK character."""
    cjk = sum(1 for ch in text if ord(ch) > 0x2E80)
    return (len(text) - cjk + 3) // 4 + cjk


def prompt_tokens(body: dict[str, Any]) -> int:
    """Tokens a chat request costs: each message's text plus ~4 of framing, and the JSON
    schema (compact) that a structured-output request carries."""
    messages = body["messages"]
    text = sum(estimate_tokens(m["content"]) + 4 for m in messages)
    schema = body.get("response_format") or {}
    return text + estimate_tokens(json.dumps(schema, separators=(",", ":"), ensure_ascii=False))


@dataclass
class FakeLLM:
    """Answers summary requests with the reference fields of each paper named in the prompt."""

    by_title: dict[str, dict[str, Any]]
    calls: int = 0
    summary_calls: int = 0
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (title, language)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One chat completion: summaries (one paper or a batch), or (one per digest) themes."""
        self.calls += 1
        body = await request.json()
        schema = (body.get("response_format") or {}).get("json_schema") or {}
        if schema.get("name") in SUMMARY_SCHEMAS:
            content = self._summaries(body)
        else:
            content = json.dumps({"themes": ["Two papers on detection.", "One on coding."]})
        usage = {
            "prompt_tokens": prompt_tokens(body),
            "completion_tokens": estimate_tokens(content),
        }
        await asyncio.sleep(usage["completion_tokens"] / DECODE_TOKENS_PER_SECOND)
        if body.get("stream"):
            return await _stream(request, content, usage)
        return web.json_response({
            "id": f"c{self.calls}", "object": "chat.completion", "created": 0, "model": "bench",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {**usage, "total_tokens": sum(usage.values())},
        })  # fmt: skip

    def _summaries(self, body: dict[str, Any]) -> str:
        """The reply's JSON: a bare summary for a lone paper, else one item per paper id."""
        self.summary_calls += 1
        messages = body["messages"]
        system = next(m["content"] for m in messages if m["role"] == "system")
        user = next(m["content"] for m in messages if m["role"] == "user")
        language = match[1] if (match := LANGUAGE_RE.search(system)) else "?"
        found = PAPER_RE.findall(user)
        papers = [(paper_id, (tagged or line).strip()) for paper_id, tagged, line in found]
        self.sent.update((title, language) for _, title in papers)
        answers = [(paper_id, _answer(self.by_title.get(title, {}))) for paper_id, title in papers]
        if len(answers) == 1 and not answers[0][0]:
            return json.dumps(answers[0][1], ensure_ascii=False)
        items = [{"id": paper_id, **answer} for paper_id, answer in answers]
        return json.dumps({"summaries": items}, ensure_ascii=False)


async def _stream(request: web.Request, content: str, usage: dict[str, int]) -> web.StreamResponse:
    """The reply as server-sent events: the text, the finish reason, then usage."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    base = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "bench"}
    for choices, extra in (
        ([{"index": 0, "delta": {"content": content}, "finish_reason": None}], {}),
        ([{"index": 0, "delta": {}, "finish_reason": "stop"}], {}),
        ([], {"usage": {**usage, "total_tokens": sum(usage.values())}}),
    ):
        await response.write(
            f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n".encode()
        )
    await response.write(b"data: [DONE]\n\n")
    return response


def _brief(text: str, words: int = 30) -> str:
    """What a model obeying the prompt's limits writes: the first sentence, at most N words."""
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return " ".join(first.split()[:words])


def _answer(ref: dict[str, Any]) -> dict[str, Any]:
    words = [w for w in re.findall(r"[A-Za-z][\w-]{3,}", ref.get("title", "paper keywords x"))]
    keywords = list(dict.fromkeys(words))[:5] or ["paper", "method", "result"]
    while len(keywords) < 3:
        keywords.append(f"term{len(keywords)}")
    fields = ("tldr", "motivation", "method", "result", "conclusion")
    answer = {f: _brief(ref.get(f, "Not stated."), 15) for f in fields}  # the prompt's limits
    answer["tldr"] = _brief(ref.get("tldr", "A paper."), 25)
    one_line = _brief(ref.get("tldr", "A paper."), 12)
    return {**answer, "one_line": one_line, "keywords": keywords, "score": 70,
            "score_reason": "Clear contribution with quantitative results."}  # fmt: skip


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
class CostReport:
    """What a digest day cost in LLM calls and tokens."""

    channels: int
    digests: int
    unique_summaries: int
    calls: int
    summary_calls: int
    pairs_sent: int
    most_sends: int  # the most requests any one (paper, language) was sent in
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    batch: int = 1

    @property
    def tokens_per_paper(self) -> float:
        """Prompt + completion tokens per unique (paper, language) summarized."""
        return (self.prompt_tokens + self.completion_tokens) / max(self.unique_summaries, 1)

    def render(self) -> str:
        """The benchmark's table."""
        per = max(self.unique_summaries, 1)
        rows = [
            ("channels (overlapping topics, en 70 % / zh 30 %)", f"{self.channels}"),
            ("digests with papers (composed 100 at a time)", f"{self.digests}"),
            ("unique (paper, language) summarized", f"{self.unique_summaries}"),
            ("LLM calls (summaries + one themes call per digest)", f"{self.calls}"),
            (f"summary calls (LLM_SUMMARY_BATCH={self.batch})", f"{self.summary_calls}"),
            ("papers per summary call", f"{self.pairs_sent / max(self.summary_calls, 1):.1f}"),
            ("(paper, language) pairs sent to the LLM per unique pair summarized (goal 1.0)",
             f"{self.pairs_sent / per:.2f}"),
            ("prompt tokens per summarized paper (est.)", f"{self.prompt_tokens / per:.0f}"),
            ("completion tokens per summarized paper (est.)",
             f"{self.completion_tokens / per:.0f}"),
            ("total tokens per summarized paper (goal <= 700)", f"{self.tokens_per_paper:.0f}"),
            ("wall time for all digests", f"{self.seconds:.1f} s"),
        ]  # fmt: skip
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}} | {value:>8}" for name, value in rows)


async def compose_all(
    app: App, channels: list[tuple[Channel, list[Topic]]], concurrency: int
) -> list[tuple[Channel, Digest]]:
    """Every channel's digest, composed concurrently like delivery (at most `concurrency`)."""
    async with app.db.session() as session:
        corpus = await load_corpus(session, DAY, DAY)
    limit = asyncio.Semaphore(concurrency)

    async def one(channel: Channel, topics: list[Topic]) -> tuple[Channel, Digest]:
        async with limit:
            return channel, await app.digests.compose(channel, topics, DAY, corpus=corpus)

    return list(await asyncio.gather(*(one(c, t) for c, t in channels)))


async def run(folder: Path, channels_count: int = CHANNELS, batch: int | None = None) -> CostReport:
    """Compose every channel's digest once, with the LLM summarizer on the fake server."""
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
    summaries = [u for u in usage if u.purpose == "summary"]
    return CostReport(
        channels=len(channels),
        digests=sum(not d.is_empty for _, d in composed),
        unique_summaries=len(pairs),
        calls=fake.calls,
        summary_calls=fake.summary_calls,
        pairs_sent=sum(fake.sent.values()),
        most_sends=max(fake.sent.values(), default=0),
        prompt_tokens=sum(u.prompt_tokens for u in summaries),
        completion_tokens=sum(u.completion_tokens for u in summaries),
        seconds=seconds,
        batch=settings.llm_summary_batch,
    )


async def main(batches: tuple[int, ...] = ()) -> None:
    """Run and print the LLM cost benchmark (once per batch size given, else the default)."""
    for n, batch in enumerate(batches or (None,)):
        with tempfile.TemporaryDirectory() as folder:
            report = await run(Path(folder), batch=batch)
        print(("\n" if n else "") + report.render())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="LLM cost of a 1,000-channel digest day.")
    parser.add_argument("--batch", default="", help="LLM_SUMMARY_BATCH sizes, e.g. 1,4,8")
    sizes = tuple(int(size) for size in parser.parse_args().batch.split(",") if size.strip())
    asyncio.run(main(sizes))
