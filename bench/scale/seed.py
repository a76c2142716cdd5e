"""Storing what a benchmark day needs before the clock starts: channels, history, summaries."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import col, select

from bench.scale.channels import ChannelSpec
from bench.scale.pool import Pool
from bench.scale.synth import Day
from bot.models import (
    Channel,
    DeliveredPaper,
    Delivery,
    Feedback,
    Paper,
    SummaryRecord,
    Topic,
    utcnow,
)
from bot.store.db import Database, insert_ignoring_duplicates
from bot.summary.offline import OfflineSummarizer
from bot.summary.service import summarizer_id
from bot.summary.types import PaperText, Summary

CHUNK = 1_000


async def seed_channels(
    db: Database, specs: list[ChannelSpec]
) -> list[tuple[Channel, list[Topic]]]:
    """Store the channels and their topics, CHUNK channels a transaction."""
    stored: list[tuple[Channel, list[Topic]]] = []
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        channels = [
            Channel(platform="bench", channel=s.name, language=s.language,
                    replacements=s.replacements)
            for s in chunk
        ]  # fmt: skip
        async with db.session() as session:
            session.add_all(channels)
            await session.flush()
            for channel, spec in zip(channels, chunk, strict=True):
                assert channel.id is not None
                topics = [Topic(channel_id=channel.id, query=q) for q in spec.topics]
                session.add_all(topics)
                stored.append((channel, topics))
    return stored


async def seed_history(
    db: Database, channels: Sequence[int], paper_ids: list[int], on: date, seed: int = 3
) -> None:
    """Some past life: yesterday's digests, papers already delivered, and 👍/👎 votes."""
    rng = random.Random(seed)
    deliveries, delivered, votes = [], [], []
    for channel_id in channels:
        if rng.random() < 0.3:
            deliveries.append({"channel_id": channel_id, "digest_date": on - timedelta(days=1),
                               "status": "sent", "claimed_by": "bench", "claimed_at": utcnow(),
                               "papers": 5})  # fmt: skip
        if rng.random() < 0.1:
            for pid in rng.sample(paper_ids, k=min(5, len(paper_ids))):
                delivered.append({"channel_id": channel_id, "paper_id": pid, "version": 1,
                                  "position": 0, "sent_at": utcnow()})  # fmt: skip
        if rng.random() < 0.05:
            for pid in rng.sample(paper_ids, k=min(3, len(paper_ids))):
                votes.append({"channel_id": channel_id, "paper_id": pid, "user": "u",
                              "value": rng.choice((1, -1)), "created_at": utcnow()})  # fmt: skip
    for table, rows in ((Delivery, deliveries), (DeliveredPaper, delivered), (Feedback, votes)):
        for start in range(0, len(rows), CHUNK):
            async with db.session() as session:
                await insert_ignoring_duplicates(session, table, rows[start : start + CHUNK])


async def seed_summaries(
    db: Database, pool: Pool, day: Day, languages: tuple[str, ...] = ("en", "zh")
) -> int:
    """Cache an offline summary for every stored paper: each pool text is summarized once and
    its summary stands in for the papers re-identified from it."""
    summarizer = OfflineSummarizer()
    by_key = {f"arxiv:{p.ident}": p.base for p in day.arxiv}
    by_key |= {f"doi:10.1101/{p.ident}": p.base for p in day.biorxiv}
    async with db.session() as session:
        stored = list(
            await session.exec(select(Paper.id, Paper.key).where(col(Paper.key).in_(list(by_key))))
        )
    made: dict[int, Summary] = {}
    for _, key in stored:
        base = by_key[key]
        if base not in made:  # the offline text does not depend on the language
            text = PaperText(key, pool.texts[base].title, pool.texts[base].abstract)
            made[base] = summarizer.summarize_now(text, "en")
    rows = [
        {"paper_id": paper_id, "language": language, "summarizer": summarizer_id(summarizer),
         "prompt_version": summarizer.prompt_version,
         "data": replace(made[by_key[key]], language=language).to_dict(),
         "fallback": False, "created_at": utcnow()}
        for language in languages
        for paper_id, key in stored
    ]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        async with db.session() as session:
            await insert_ignoring_duplicates(session, SummaryRecord, rows[start : start + CHUNK])
    return len(rows)
