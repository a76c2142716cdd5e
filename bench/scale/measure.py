"""Measurements: indexed vs naive matching of every channel, and the database's size."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import text

from bot.digest.corpus import Corpus
from bot.models import Topic
from bot.query import naive_match, rank
from bot.query.rank import EXTRA_TOPIC_BONUS
from bot.source_plan import compile_topics, parse_topics
from bot.store.db import Database


def ranked_channels(corpus: Corpus, topics: Sequence[list[Topic]]) -> int:
    """Rank the day's papers for every channel with the index; the total matches."""
    return sum(len(rank(corpus.index, compile_topics(t.query for t in ts))) for ts in topics)


def naive_rank(corpus: Corpus, topics: list[Topic]) -> list[tuple[int, float]]:
    """The baseline: each topic scans every paper with its regexes; merged as `rank` does."""
    docs = list(corpus.index.docs.values())
    best: dict[int, float] = {}
    hits: dict[int, int] = {}
    for query in parse_topics(t.query for t in topics):
        for doc, score in naive_match(query, docs).items():
            best[doc] = max(best.get(doc, 0.0), score)
            hits[doc] = hits.get(doc, 0) + 1
    scored = {d: s * (1.0 + EXTRA_TOPIC_BONUS * (hits[d] - 1)) for d, s in best.items()}
    return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))


def naive_seconds(corpus: Corpus, topics: Sequence[list[Topic]]) -> float:
    """Seconds the naive baseline takes to match these channels."""
    started = time.perf_counter()
    for channel_topics in topics:
        naive_rank(corpus, channel_topics)
    return time.perf_counter() - started


async def database_size(db: Database) -> float:
    """The database's size in MB: the SQLite file (and WAL), or the schema's relations."""
    async with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            pages = (await conn.execute(text("PRAGMA page_count"))).scalar_one()
            size = (await conn.execute(text("PRAGMA page_size"))).scalar_one()
            return float(pages * size) / 1e6
        query = text(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        )
        return float((await conn.execute(query)).scalar_one()) / 1e6
