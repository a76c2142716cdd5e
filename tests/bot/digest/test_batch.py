"""Composing many channels' digests at once gives exactly the digests composed one by one."""

from __future__ import annotations

from datetime import date, timedelta

from bot.app import create_app
from bot.config import Settings
from bot.digest.batch import TopicCache
from bot.digest.corpus import load_corpus
from bot.models import Channel, Delivery, Topic
from bot.store.db import Database
from bot.store.deliveries import (
    delivered_versions,
    delivered_versions_many,
    last_digest_date,
    last_digest_dates,
    record_delivered,
)
from bot.store.feedback import channel_votes, channels_votes, record_vote
from bot.store.papers import upsert_papers
from tests.factories import digests_in_bulk, fetched_paper

DAY = date(2025, 4, 28)
YESTERDAY = DAY - timedelta(days=1)
TOPICS = (["agents"], ["cat:cs.CL -talk"], ["agents", "planning OR read"], ["((broken"])


async def seed(db: Database) -> list[tuple[Channel, list[Topic]]]:
    """Papers over two days, channels with deliveries, votes and an older last digest."""
    papers = [
        fetched_paper(arxiv_id="2504.00100", title="Agents that plan", announced_on=DAY),
        fetched_paper(arxiv_id="2504.00101", title="Agents that talk", announced_on=DAY),
        fetched_paper(arxiv_id="2504.00102", title="Agents that read", version=2,
                      announce_type="replace", announced_on=DAY),
        fetched_paper(arxiv_id="2504.00103", title="Planning agents", announced_on=YESTERDAY),
    ]  # fmt: skip
    async with db.session() as s:
        await upsert_papers(s, papers)
        ids = sorted((await load_corpus(s, DAY - timedelta(1), DAY)).papers)
        channels = []
        for n, texts in enumerate(TOPICS * 2):
            language = "zh" if n % 4 == 0 else "en"
            channel = Channel(platform="t", channel=f"c{n}", replacements=n % 3 == 0,
                              language=language, max_papers=1 + n % 3)  # fmt: skip
            s.add(channel)
            await s.flush()
            assert channel.id is not None
            topics = [Topic(channel_id=channel.id, query=q) for q in texts]
            s.add_all(topics)
            channels.append((channel, topics))
            if n % 2:
                await record_delivered(s, channel.id, ids[n % len(ids)], 1)
            if n % 3 == 1:
                await record_vote(s, channel.id, ids[(n + 1) % len(ids)], "u", 1)
            if n >= len(TOPICS):
                s.add(Delivery(channel_id=channel.id, digest_date=DAY - timedelta(2)))
    return channels


async def test_digests_in_bulk_match_digests_one_by_one(db: Database) -> None:
    channels = await seed(db)
    app = await create_app(Settings(_env_file=None), db=db)
    try:
        async with db.session() as s:
            corpus = await load_corpus(s, DAY, DAY)
        one_by_one = [await app.digests.compose(c, t, DAY, corpus=corpus) for c, t in channels]
        together = await digests_in_bulk(app.digests, channels, DAY, corpus)
        without_corpus = await digests_in_bulk(app.digests, channels, DAY)
    finally:
        await app.aclose()
    assert together == one_by_one == without_corpus
    assert any(d.papers for d in together) and any(d.matched > len(d.papers) for d in together)


async def test_bulk_reads_match_the_per_channel_reads(db: Database) -> None:
    channels = await seed(db)
    ids = [c.id for c, _ in channels]
    async with db.session() as s:
        papers = sorted((await load_corpus(s, DAY - timedelta(1), DAY)).papers)
        last = await last_digest_dates(s, ids, DAY)  # type: ignore[arg-type]
        votes = await channels_votes(s, ids)  # type: ignore[arg-type]
        got = await delivered_versions_many(s, ids, papers)  # type: ignore[arg-type]
        for cid in ids:
            assert last.get(cid) == await last_digest_date(s, cid, DAY)  # type: ignore[arg-type]
            assert votes.get(cid, []) == await channel_votes(s, cid)  # type: ignore[arg-type]
            assert got.get(cid, {}) == await delivered_versions(s, cid, papers)  # type: ignore[arg-type]
    assert last and votes and got


def test_topic_cache_compiles_each_text_once_and_skips_broken_ones() -> None:
    cache = TopicCache()
    first = cache.topics([Topic(channel_id=1, query="agents"), Topic(channel_id=1, query="((")])
    second = cache.topics([Topic(channel_id=2, query="agents")])
    assert len(first) == 1 and first[0] is second[0]


def test_topic_cache_keeps_the_texts_used_most_recently() -> None:
    cache = TopicCache(limit=2)
    kept = cache.topics([Topic(channel_id=1, query="agents")])[0]
    cache.topics([Topic(channel_id=1, query="graphs")])
    cache.topics([Topic(channel_id=1, query="agents")])  # used again: now the newest
    cache.topics([Topic(channel_id=1, query="proteins")])  # "graphs" gives way
    assert list(cache.compiled) == ["agents", "proteins"]
    assert cache.topics([Topic(channel_id=2, query="agents")])[0] is kept


async def test_delivered_versions_read_by_range_and_list_agree_at_every_split(db: Database) -> None:
    channels = await seed(db)
    ids = [c.id for c, _ in channels]
    async with db.session() as s:
        papers = sorted((await load_corpus(s, DAY - timedelta(1), DAY)).papers)
        asked = papers[1:]  # a delivered paper not asked about stays out of the answer
        expected = {cid: found for cid in ids
                    if (found := await delivered_versions(s, cid, asked))}  # type: ignore[arg-type]  # fmt: skip
        splits = [None, *papers, papers[-1] + 1]
        answers = [await delivered_versions_many(s, ids, asked, split) for split in splits]  # type: ignore[arg-type]
    assert expected and all(answer == expected for answer in answers)
