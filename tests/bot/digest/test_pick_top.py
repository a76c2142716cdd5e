"""The head-only pick of a channel ranked by its topics alone gives what the full ranking does."""

from __future__ import annotations

import random

from bot.digest.build import pick_fresh, pick_top
from bot.digest.corpus import load_corpus
from bot.models import Channel
from bot.rank.relevance import relevance_of
from bot.source_plan import compile_topics
from bot.store.db import Database
from bot.store.papers import upsert_papers
from tests.factories import fetched_paper

WORDS = ("agents", "planning", "protein", "graphs", "speech")
# Topic scores with ties, near-ties and scores whose relevance saturates at 100.
RAWS = (0.05, 0.05, 1.0, 2.5, 2.5 + 1e-15, 7.0, 40.0, 400.0, 450.0, 900.0)


async def test_pick_top_matches_pick_fresh_on_the_full_ranking(db: Database) -> None:
    titles = [f"{WORDS[n % 5]} and {WORDS[(n * 3) % 5]} study {n}" for n in range(40)]
    async with db.session() as s:
        await upsert_papers(s, [fetched_paper(title=t, version=1 + n % 3)
                                for n, t in enumerate(titles)])  # fmt: skip
        corpus = await load_corpus(s, fetched_paper().announced_on, fetched_paper().announced_on)
    ids = sorted(corpus.papers)
    rng = random.Random(7)
    for case in range(400):
        topics = compile_topics([rng.choice(WORDS), "cat:cs.CL"][: rng.randint(1, 2)])
        picked = rng.sample(ids, rng.randint(0, len(ids)))
        ranked = sorted(((pid, rng.choice(RAWS)) for pid in picked), key=lambda i: (-i[1], i[0]))
        got = {pid: rng.randint(0, 3) for pid in rng.sample(ids, rng.randint(0, 12))}
        channel = Channel(platform="t", channel="c", max_papers=rng.randint(1, 12),
                          replacements=rng.random() < 0.5,
                          min_score=rng.choice((0, 0, 20, 100)))  # fmt: skip
        limit = rng.choice((None, None, 3, 30))
        scored, reasons = relevance_of(ranked, corpus.index, topics, {}, None, 0.5)
        expected = pick_fresh(channel, scored, corpus, got, limit, None, reasons)
        assert pick_top(channel, ranked, corpus, got, limit, topics) == expected, case
