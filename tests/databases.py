"""Test databases: a fresh migrated SQLite file, or a fresh schema on the real Postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from bot.store.db import Database

POSTGRES_URL_ENV = "PAPERBOT_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The Postgres URL tests may use, or None when the Postgres suite is off."""
    return os.environ.get(POSTGRES_URL_ENV) or None


def _asyncpg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


@asynccontextmanager
async def postgres_database(url: str) -> AsyncIterator[tuple[Database, str]]:
    """A migrated database in a schema of its own, dropped afterwards; yields (db, schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        db = Database.open(url, schema=schema)
        try:
            await db.migrate()
            yield db, schema
        finally:
            await db.close()
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


@asynccontextmanager
async def sqlite_database(folder: Path) -> AsyncIterator[tuple[Database, str]]:
    """A migrated SQLite file in `folder`; yields (db, url)."""
    url = f"sqlite+aiosqlite:///{folder / 'paperbot.db'}"
    db = Database.open(url)
    try:
        await db.migrate()
        yield db, url
    finally:
        await db.close()


async def reopen(db: Database) -> Database:
    """A second handle (its own engine and pool) on the same database, as a replica has."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.dialect != "postgresql":
        return Database.open(url)
    async with db.engine.connect() as conn:
        schema = (await conn.exec_driver_sql("select current_schema()")).scalar()
    return Database.open(url, schema=schema)
