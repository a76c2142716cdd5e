"""The benchmark's heavy day in the store: every document through the real parsers, stored as
the fetcher stores it, and the database's size afterwards."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from bench.scale.render import Documents
from bot.sources.arxiv_rss import parse_arxiv_feed
from bot.sources.biorxiv import parse_biorxiv_page
from bot.sources.types import FetchedPaper
from bot.store.db import Database
from bot.store.papers import upsert_papers

DAY = date(2025, 12, 22)


def parse_documents(docs: Documents) -> list[list[FetchedPaper]]:
    """Every document through the real parsers: one list of papers per document."""
    batches = [list(parse_arxiv_feed(body, url).papers) for url, body in docs.arxiv_feeds]
    for page in docs.biorxiv_pages:
        papers, _, _, _ = parse_biorxiv_page(json.loads(page))
        batches.append(papers)
    return batches


async def store_batches(db: Database, batches: list[list[FetchedPaper]]) -> None:
    """Store each document's papers as the fetcher does: one transaction per document."""
    for papers in batches:
        async with db.session() as session:
            await upsert_papers(session, papers)


async def analyze(db: Database) -> None:
    """Give Postgres's planner the statistics its autovacuum keeps for a deployed database
    (a schema filled a moment ago has none, and its plans scan whole tables)."""
    if db.dialect == "postgresql":
        async with db.engine.begin() as conn:
            names = await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            for (name,) in names.all():
                await conn.execute(text(f'ANALYZE "{name}"'))


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
