"""Semantic ranking with the real small model: nearest library examples, reasons, threshold."""

from __future__ import annotations

from datetime import date

from bot.digest.build import select_papers, threshold_note
from bot.digest.corpus import load_corpus
from bot.models import Channel, Paper
from bot.rank.relevance import lexical_part, semantic_part
from bot.rank.semantic import Relevance
from bot.source_plan import compile_topics
from bot.store.db import Database
from bot.store.embeddings import stored_vectors
from bot.store.feedback import record_vote
from bot.store.library import add_to_library
from bot.store.papers import upsert_papers
from tests.fakes.embedder import as_fetched, corpus_records, shared_embedder

DAY = date(2025, 4, 28)
OLD = date(2025, 1, 6)
INTERESTS = ("quant-ph", "q-bio.BM")
OTHERS = ("astro-ph.GA", "cs.CR", "cs.CV", "hep-ph")


async def _setup(db: Database) -> tuple[Channel, dict[str, list[int]], Relevance]:
    records = corpus_records([*INTERESTS, *OTHERS], 6)
    library = [as_fetched(r, OLD) for c in INTERESTS for r in records[c][:3]]
    day = [as_fetched(r, DAY) for c in (*INTERESTS, *OTHERS) for r in records[c][3:]]
    async with db.session() as s:
        await upsert_papers(s, [*library, *day])
        channel = Channel(platform="console", channel="c", max_papers=6)
        s.add(channel)
        await s.flush()
        rows = {p.key: p for p in (await s.exec(__import__("sqlmodel").select(Paper))).all()}
        await add_to_library(s, channel.id or 0, [rows[p.key] for p in library], "u", "chat")
    relevance = Relevance.loaded(db, shared_embedder())
    await relevance.embed([p.id or 0 for p in rows.values()])
    by_cat: dict[str, list[int]] = {}
    for paper in day:
        by_cat.setdefault(paper.primary_category, []).append(rows[paper.key].id or 0)
    return channel, by_cat, relevance


async def test_similar_library_ranks_both_interests_first_with_reasons(db: Database) -> None:
    channel, by_cat, relevance = await _setup(db)
    async with db.session() as s:
        corpus = await load_corpus(s, DAY, DAY)
        semantic = await relevance.semantic(s, channel.id or 0, list(corpus.papers))
        chosen, matched = await select_papers(
            s, channel, compile_topics(["similar:library"]), corpus, semantic=semantic
        )
        again = await stored_vectors(s, relevance.model, list(corpus.papers))
    assert matched == len(corpus.papers) == 3 * (len(INTERESTS) + len(OTHERS))
    wanted = set(by_cat["quant-ph"]) | set(by_cat["q-bio.BM"])
    top = {c.paper.id for c in chosen}
    assert len(top & wanted) >= 5  # two interests both kept: nearest examples, not a centroid
    assert {c.paper.primary_category for c in chosen[:6]} >= set(INTERESTS)
    assert all(c.reason.startswith("close to: *") and "in your library" in c.reason
               for c in chosen)  # fmt: skip
    assert all(0 <= c.relevance <= 100 for c in chosen)
    assert len(again) == matched and next(iter(again.values())).shape == (384,)


async def test_votes_join_the_profile_and_threshold_leaves_papers_out(db: Database) -> None:
    channel, by_cat, relevance = await _setup(db)
    liked = by_cat["astro-ph.GA"][0]
    async with db.session() as s:
        await record_vote(s, channel.id or 0, liked, "u", 1)
    async with db.session() as s:
        corpus = await load_corpus(s, DAY, DAY)
        semantic = await relevance.semantic(s, channel.id or 0, list(corpus.papers))
        chosen, _ = await select_papers(
            s, channel, compile_topics(["cat:astro-ph.GA"]), corpus, semantic=semantic
        )
        assert chosen[0].paper.id == liked
        assert chosen[1].reason.startswith("you liked a similar paper")
        channel.min_score = 99
        strict, matched = await select_papers(
            s, channel, compile_topics(["similar:library"]), corpus, semantic=semantic
        )
    assert len(strict) < 6 and matched == len(corpus.papers)
    note = threshold_note(channel, len(strict), matched)
    more = matched - len(strict)
    assert note == f"{len(strict)} papers over your threshold of 99; {more} more matched"


def test_scales_are_0_to_100() -> None:
    assert lexical_part(0.0) == 0 and 99 < lexical_part(60.0) <= 100
    assert semantic_part(0.0) == 0 and semantic_part(0.9) == 100
    assert 0 < semantic_part(0.4) < 100
