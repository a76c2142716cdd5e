"""Choosing a digest's papers: window, not-yet-delivered, replacements, cap and grouping."""

from __future__ import annotations

from datetime import date

from bot.digest.build import select_papers
from bot.digest.corpus import load_corpus
from bot.digest.news import digest_window
from bot.models import Channel
from bot.source_plan import compile_topics
from bot.store.db import Database
from bot.store.deliveries import record_delivered
from bot.store.papers import upsert_papers
from tests.factories import fetched_paper

DAY = date(2025, 4, 28)


def test_window_covers_the_days_since_the_last_digest_up_to_a_week() -> None:
    assert digest_window(DAY, None) == (DAY, DAY)
    assert digest_window(date(2025, 4, 28), date(2025, 4, 25)) == (date(2025, 4, 26), DAY)
    assert digest_window(DAY, date(2025, 3, 1)) == (date(2025, 4, 22), DAY)
    assert digest_window(DAY, DAY) == (DAY, DAY)


async def make_channel(db: Database, **overrides: object) -> Channel:
    async with db.session() as s:
        channel = Channel(platform="console", channel="c", **overrides)  # type: ignore[arg-type]
        s.add(channel)
    return channel


async def test_delivered_and_replaced_papers_are_not_news(db: Database) -> None:
    papers = [
        fetched_paper(arxiv_id="2504.00010", title="Agents that plan"),
        fetched_paper(arxiv_id="2504.00011", title="Agents that talk"),
        fetched_paper(
            arxiv_id="2504.00012", title="Agents that read", version=2, announce_type="replace"
        ),
    ]
    async with db.session() as s:
        await upsert_papers(s, papers)
    channel = await make_channel(db)
    topics = compile_topics(["agents"])
    async with db.session() as s:
        corpus = await load_corpus(s, DAY, DAY)
        chosen, matched = await select_papers(s, channel, topics, corpus)
        assert [c.paper.title for c in chosen] == ["Agents that plan", "Agents that talk"]
        assert matched == 2
        await record_delivered(s, channel.id, chosen[0].paper.id, 1)  # type: ignore[arg-type]
        again, _ = await select_papers(s, channel, topics, corpus)
    assert [c.paper.title for c in again] == ["Agents that talk"]


async def test_replacement_of_a_delivered_paper_is_news_only_when_asked(db: Database) -> None:
    async with db.session() as s:
        await upsert_papers(s, [fetched_paper(arxiv_id="2504.00020", title="Agents v1")])
    channel = await make_channel(db, replacements=True)
    topics = compile_topics(["agents"])
    async with db.session() as s:
        corpus = await load_corpus(s, DAY, DAY)
        first, _ = await select_papers(s, channel, topics, corpus)
        await record_delivered(s, channel.id, first[0].paper.id, 1)  # type: ignore[arg-type]
        await upsert_papers(
            s,
            [
                fetched_paper(
                    arxiv_id="2504.00020",
                    title="Agents v2",
                    version=2,
                    announce_type="replace",
                    announced_on=date(2025, 4, 29),
                )
            ],
        )
        later = await load_corpus(s, date(2025, 4, 29), date(2025, 4, 29))
        with_replacements, _ = await select_papers(s, channel, topics, later)
        channel.replacements = False
        without, _ = await select_papers(s, channel, topics, later)
    assert [c.paper.title for c in with_replacements] == ["Agents v2"]
    assert without == []


async def test_digest_is_capped_and_ranked(db: Database) -> None:
    papers = [fetched_paper(title=f"Paper {i}", abstract="agents " * i) for i in range(1, 8)]
    async with db.session() as s:
        await upsert_papers(s, papers)
    channel = await make_channel(db, max_papers=3)
    async with db.session() as s:
        corpus = await load_corpus(s, DAY, DAY)
        chosen, matched = await select_papers(s, channel, compile_topics(["agents"]), corpus)
    assert matched == 7 and len(chosen) == 3
    scores = [c.relevance for c in chosen]
    assert scores == sorted(scores, reverse=True)
    assert chosen[0].paper.title == "Paper 7"
