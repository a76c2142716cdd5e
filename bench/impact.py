"""The impact tournament for 16 real papers: its LLM cost against all pairs, and how well it
recovers a hidden order (Kendall τ) when 0, 10 % and 20 % of the judgments are flipped.

Papers: the first 16 records of ../shared/reference/corpus/arxiv_2025.jsonl.gz with an
abstract, summarized offline. The judge is the tests' fake (`HiddenOrderJudge`): it knows a
hidden true order (a shuffle per seed) and flips a share of the questions it is asked (which
ones, by a hash of the question salted with the seed).
Cost: one tournament run through the real LLM client against the loopback fake OpenAI
server; tokens estimated from the requests as the LLM cost bench does (~4 characters a
token plus the schema). τ: the same tournament with the judge called in process, over
SEEDS hidden orders per noise level, against the hidden order over all 16 papers.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import statistics
import tempfile
from pathlib import Path
from typing import Any

from scipy.stats import kendalltau

from bench.llm_fake import estimate_tokens, prompt_tokens
from bot.impact.judge import SCHEMA, judgment_messages, parse_verdict
from bot.impact.tournament import ROUNDS, Candidate, ImpactRanking, Tournament, Verdict
from bot.summary.offline import OfflineSummarizer
from bot.summary.types import PaperText
from bot.text import display_text
from tests.conftest import REFERENCE
from tests.fakes.impact_judge import HiddenOrderJudge

CORPUS = REFERENCE / "corpus" / "arxiv_2025.jsonl.gz"
PAPERS = 16
SEEDS = 30
NOISE = (0.0, 0.10, 0.20)
GOAL_TAU = 0.8


def real_candidates(count: int = PAPERS, corpus: Path = CORPUS) -> list[Candidate]:
    """The first `count` corpus records with an abstract, as candidates with offline TL;DRs."""
    summarizer, found = OfflineSummarizer(), []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if len(record.get("abstract", "")) < 300:
                continue
            title, abstract = display_text(record["title"]), display_text(record["abstract"])
            summary = summarizer.summarize_now(PaperText(record["id"], title, abstract), "en")
            text = " ".join(x for x in (summary.tldr, summary.result) if x)
            url = f"https://arxiv.org/abs/{record['id']}"
            found.append(Candidate(len(found) + 1, title, url, record["primary_category"], text))
            if len(found) == count:
                return found
    raise ValueError(f"only {len(found)} usable records in {corpus}")


class InProcessJudge:
    """The fake judge answering the exact prompts the real judge would send."""

    def __init__(self, fake: HiddenOrderJudge) -> None:
        self.fake = fake
        self.calls = 0

    async def __call__(self, first: Candidate, second: Candidate, swapped: bool) -> Verdict:
        self.calls += 1
        body = {"messages": judgment_messages(first, second, swapped)}
        verdict = parse_verdict(self.fake(body).content)
        return Verdict(not verdict.first_wins, verdict.reason) if swapped else verdict


async def tau_at(pool: list[Candidate], noise: float, seed: int) -> tuple[float, ImpactRanking]:
    """Kendall τ between the fitted and the hidden order of every paper, for one hidden order."""
    order = [c.title for c in pool]
    random.Random(seed).shuffle(order)
    judge = InProcessJudge(HiddenOrderJudge(order, noise, salt=str(seed)))
    result = await Tournament(judge, top=len(pool)).rank(pool)
    fitted = [p.title for p in result.picks]
    tau = kendalltau([order.index(t) for t in fitted], list(range(len(fitted))))[0]
    return float(tau), result


def all_pairs_cost(pool: list[Candidate]) -> tuple[int, int]:
    """(calls, tokens) of judging every pair in both orders."""
    calls = tokens = 0
    for first in pool:
        for second in pool:
            if first is not second:
                calls += 1
                tokens += request_tokens(judgment_messages(first, second)) + REPLY_TOKENS
    return calls, tokens


REPLY_TOKENS = estimate_tokens(json.dumps({"winner": "A", "reason": "x " * 60}))


def request_tokens(messages: list[dict[str, str]]) -> int:
    """Estimated prompt tokens of a judgment request with its schema."""
    fmt = {"type": "json_schema", "json_schema": {"name": "impact_judgment", "schema": SCHEMA}}
    return prompt_tokens({"messages": messages, "response_format": fmt}, estimate_tokens)


async def wire_run(pool: list[Candidate]) -> tuple[int, int, int]:
    """(calls, prompt+completion tokens, comparisons) of one tournament over the real client."""
    from bot.impact.judge import LLMJudge
    from bot.store.usage import UsageRecorder
    from tests.databases import sqlite_database
    from tests.fakes.llm_rig import llm_client, llm_settings
    from tests.fakes.openai_server import running_openai_server

    order = [c.title for c in pool]
    random.Random(0).shuffle(order)
    async with running_openai_server() as fake:
        fake.script(HiddenOrderJudge(order, 0.10))
        settings = llm_settings(fake)
        with tempfile.TemporaryDirectory() as folder:
            async with sqlite_database(Path(folder)) as (db, _), llm_client(settings) as client:
                await _store(db, pool)
                judge = LLMJudge(db, client, settings, UsageRecorder(db))
                result = await Tournament(judge).rank(pool)
        tokens = sum(prompt_tokens(b, estimate_tokens) + REPLY_TOKENS for b in fake.bodies)
        return fake.calls, tokens, result.comparisons


async def _store(db: Any, pool: list[Candidate]) -> None:
    """Papers rows for the candidates (the judgment cache references them)."""
    from datetime import date

    from bot.models import Paper

    async with db.session() as session:
        for c in pool:
            session.add(Paper(id=c.paper_id, key=f"arxiv:{c.paper_id}", source="arxiv",
                              title=c.title, title_raw=c.title, abstract=c.summary,
                              abstract_raw=c.summary, first_announced_on=date(2025, 1, 1),
                              last_announced_on=date(2025, 1, 1)))  # fmt: skip


async def taus(pool: list[Candidate], seeds: int = SEEDS) -> dict[float, list[float]]:
    """τ per hidden order at each noise level."""
    found: dict[float, list[float]] = {}
    for noise in NOISE:
        found[noise] = [(await tau_at(pool, noise, seed))[0] for seed in range(seeds)]
    return found


def main() -> None:
    """Print the cost table and the recovery table."""
    pool = real_candidates()
    calls, tokens, comparisons = asyncio.run(wire_run(pool))
    pair_calls, pair_tokens = all_pairs_cost(pool)
    print(f"{len(pool)} real arXiv papers; Swiss rounds: {ROUNDS} (≤ {ROUNDS} comparisons a paper)")
    print(f"{'schedule':<26}{'comparisons':>12}{'LLM calls':>11}{'tokens (est.)':>15}")
    print(f"{'Swiss tournament':<26}{comparisons:>12}{calls:>11}{tokens:>15,}")
    print(f"{'all pairs, both orders':<26}{len(pool) * (len(pool) - 1) // 2:>12}"
          f"{pair_calls:>11}{pair_tokens:>15,}")  # fmt: skip
    print(f"tournament / all pairs: {calls / pair_calls:.0%} of the calls")
    found = asyncio.run(taus(pool))
    print(f"\nKendall τ against the hidden order, {SEEDS} hidden orders per noise level")
    print(f"{'flipped judgments':<20}{'mean τ':>8}{'median':>8}{'min':>8}")
    for noise, values in found.items():
        print(f"{noise:<20.0%}{statistics.mean(values):>8.3f}"
              f"{statistics.median(values):>8.3f}{min(values):>8.3f}")  # fmt: skip
    verdict = statistics.mean(found[0.10]) >= GOAL_TAU
    print(f"goal: mean τ ≥ {GOAL_TAU} at 10 % noise, ≤ {ROUNDS} comparisons a paper: "
          f"{'met' if verdict else 'NOT MET'}")  # fmt: skip
