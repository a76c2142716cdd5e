"""The impact tournament through the real LLM client against the fake judge's hidden order."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlmodel import delete, select

from bot.impact.judge import PURPOSE, LLMJudge
from bot.impact.schedule import comparisons_per_paper, swiss_pairs
from bot.impact.tournament import Candidate, Tournament, first_sentence
from bot.models import ImpactJudgment, LlmUsage, Paper
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.store.db import Database
from bot.store.papers import upsert_papers
from bot.store.usage import UsageRecorder
from tests.conftest import FIXTURES
from tests.fakes.impact_judge import HiddenOrderJudge
from tests.fakes.llm_rig import llm_client, llm_settings
from tests.fakes.openai_server import FakeOpenAIServer

QUANT_PH = FIXTURES / "arxiv_rss" / "arxiv_rss_quant-ph_2025-04-28.xml"


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAIServer]:
    server = await FakeOpenAIServer().start()
    try:
        yield server
    finally:
        await server.stop()


async def candidates(db: Database, count: int = 16) -> list[Candidate]:
    """`count` recorded quant-ph papers, stored, as tournament candidates."""
    outcome = parse_arxiv_feed(QUANT_PH.read_bytes(), "recorded")
    async with db.session() as session:
        await upsert_papers(session, outcome.papers)
        papers = list(await session.exec(select(Paper).order_by(Paper.id).limit(count)))
    return [
        Candidate(p.id or 0, p.title, p.abs_url, p.primary_category, p.abstract[:300])
        for p in papers
    ]


def hidden_order(pool: list[Candidate], seed: int) -> list[str]:
    """The true impact order of the candidates' titles (best first), unrelated to the prior."""
    titles = [c.title for c in pool]
    random.Random(seed).shuffle(titles)
    return titles


async def run(db: Database, fake: FakeOpenAIServer, pool: list[Candidate]):  # type: ignore[no-untyped-def]
    settings = llm_settings(fake)
    async with llm_client(settings) as client:
        judge = LLMJudge(db, client, settings, UsageRecorder(db))
        return await Tournament(judge).rank(pool)


@pytest.mark.parametrize("seeds", [range(1, 9)])
async def test_recovers_the_true_top_three_at_ten_percent_noise(
    db: Database, fake: FakeOpenAIServer, seeds: range
) -> None:
    """Over eight hidden orders: the true top 3 are always among the 5 shown, and the true best
    is first in most. (With 5 comparisons per paper, the exact order of places 2 and 3 is right
    in about a third of orders; the benchmark reports Kendall tau.)"""
    pool = await candidates(db)
    best_first = 0
    for seed in seeds:
        order = hidden_order(pool, seed=seed)
        fake.script(HiddenOrderJudge(order, noise=0.10, salt=str(seed)))
        async with db.session() as session:  # each hidden order starts with no judgments
            await session.exec(delete(ImpactJudgment))  # type: ignore[call-overload]
        result = await run(db, fake, pool)
        shown = [p.title for p in result.picks]
        assert len(shown) == 5 and set(order[:3]) <= set(shown), seed
        best_first += shown[0] == order[0]
        assert result.picks[0].wins >= 3
        assert result.picks[0].reason.endswith("broader line of work.")
    assert best_first >= 0.75 * len(seeds)


async def test_each_pair_is_asked_in_both_orders_and_calls_match_the_schedule(
    db: Database, fake: FakeOpenAIServer
) -> None:
    pool = await candidates(db)
    judge = HiddenOrderJudge(hidden_order(pool, seed=3), noise=0.2)
    fake.script(judge)
    result = await run(db, fake, pool)
    asked = Counter(judge.pairs)
    met = {frozenset(pair) for pair in asked}
    assert all((b, a) in asked for a, b in asked), "every pair is shown both ways"
    assert len(met) == result.comparisons <= 5 * len(pool) // 2
    tiebreaks = sum(1 for pair in met if sum(asked[p] for p in _orders(pair)) == 3)
    assert tiebreaks > 0, "at 20% noise some pairs disagree and get a third judgment"
    assert fake.calls == result.judgments == 2 * result.comparisons + tiebreaks
    per_paper = Counter(title for pair in met for title in pair)
    assert max(per_paper.values()) <= 5, "at most 5 comparisons per paper"
    assert fake.calls < len(pool) * (len(pool) - 1), "fewer calls than all pairs in both orders"


def _orders(pair: frozenset[str]) -> list[tuple[str, str]]:
    a, b = sorted(pair)
    return [(a, b), (b, a)]


async def test_cached_judgments_stop_a_second_channel_from_paying_again(
    db: Database, fake: FakeOpenAIServer
) -> None:
    pool = await candidates(db)
    fake.script(HiddenOrderJudge(hidden_order(pool, seed=11), noise=0.1))
    first = await run(db, fake, pool)
    paid = fake.calls
    again = await run(db, fake, pool)  # another channel, a new judge: the same pairs
    assert fake.calls == paid and [p.paper_id for p in again.picks] == [
        p.paper_id for p in first.picks
    ]
    async with db.session() as session:
        rows = list(await session.exec(select(LlmUsage).where(LlmUsage.purpose == PURPOSE)))
    assert sum(r.calls for r in rows) == paid and sum(r.prompt_tokens for r in rows) == 420 * paid


async def test_a_judge_that_never_answers_gives_no_ranking(
    db: Database, fake: FakeOpenAIServer
) -> None:
    from tests.fakes.openai_server import Failure

    pool = await candidates(db, 4)
    fake.script(Failure(400, "bad request"))
    result = await run(db, fake, pool)
    assert all(p.wins == 0 and p.losses == 0 for p in result.picks)


def test_swiss_pairs_never_repeat_a_meeting_and_bound_comparisons() -> None:
    played: set[frozenset[int]] = set()
    pairs = []
    order = list(range(9))
    for _ in range(5):
        found = swiss_pairs(order, played)
        assert not {frozenset(p) for p in found} & played
        played |= {frozenset(p) for p in found}
        pairs += found
        order = order[1:] + order[:1]
    assert max(comparisons_per_paper(pairs).values()) <= 5


def test_first_sentence() -> None:
    assert first_sentence("It scales. It is cheap.") == "It scales."
    assert first_sentence("x" * 300).endswith("…")
