"""What replicas share through the database: request keys already taken, and named leases.

Both are one atomic statement on SQLite and Postgres: an `INSERT … ON CONFLICT DO UPDATE`
that only overwrites a row whose expiry has passed. The row count says who won, so among
any number of replicas (or concurrent tasks) exactly one takes a key or a lease.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Lease, RequestKey, utcnow
from bot.store.db import Database

log = structlog.get_logger(__name__)
MAX_KEY = 300
PURGE_EVERY = timedelta(minutes=1)
Clock = Callable[[], datetime]


async def take_row(
    session: AsyncSession,
    table: Any,
    index: list[str],
    values: dict[str, Any],
    now: datetime,
) -> bool:
    """Insert `values`, or overwrite the row with the same `index` if it has expired; True if so."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(**values)
    columns = table.__table__.c
    statement = insert.on_conflict_do_update(
        index_elements=index,
        set_={name: insert.excluded[name] for name in values if name not in index},
        where=columns.expires_at <= now,
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


def stored_key(key: str) -> str:
    """The key as stored: itself, or a SHA-256 digest when longer than the column allows."""
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class RequestKeys:
    """Requests some replica already took (platform events, updates, signed requests)."""

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self._db = db
        self._clock = clock
        self._purged: datetime | None = None

    async def first(self, scope: str, key: str, ttl: timedelta) -> bool:
        """True for the first sighting of (scope, key) by any replica within `ttl`; else False."""
        now = self._clock()
        values = {"scope": scope, "key": stored_key(key), "expires_at": now + ttl,
                  "created_at": now}  # fmt: skip
        async with self._db.session() as session:
            taken = await take_row(session, RequestKey, ["scope", "key"], values, now)
        await self._purge(now)
        return taken

    async def _purge(self, now: datetime) -> None:
        """Drop expired keys, at most once a PURGE_EVERY per process (best effort)."""
        if self._purged is not None and now - self._purged < PURGE_EVERY:
            return
        self._purged = now
        try:
            async with self._db.session() as session:
                expired = delete(RequestKey).where(col(RequestKey.expires_at) <= now)
                await session.exec(expired)  # type: ignore[call-overload]
        except Exception:
            log.exception("request_keys.purge_failed")


def process_holder() -> str:
    """A name for this process that no other process (on any host) shares."""
    return f"{os.getpid()}:{uuid.uuid4().hex[:12]}"


class Leases:
    """Named work held by one process at a time, across replicas, until released or expired."""

    def __init__(self, db: Database, *, holder: str = "", clock: Clock = utcnow) -> None:
        self._db = db
        self.holder = holder or process_holder()
        self._clock = clock

    async def take(self, name: str, ttl: timedelta) -> bool:
        """Hold `name` for `ttl` unless someone holds it already; True when taken."""
        now = self._clock()
        values = {"name": name, "holder": self.holder, "expires_at": now + ttl, "created_at": now}
        async with self._db.session() as session:
            return await take_row(session, Lease, ["name"], values, now)

    async def release(self, name: str) -> None:
        """Let go of `name` (only if this process still holds it)."""
        async with self._db.session() as session:
            await session.exec(  # type: ignore[call-overload]
                delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == self.holder)
            )

    @asynccontextmanager
    async def held(self, name: str, ttl: timedelta) -> AsyncIterator[bool]:
        """Hold `name` for the block (yields False, holding nothing, when it is taken)."""
        taken = await self.take(name, ttl)
        try:
            yield taken
        finally:
            if taken:
                await self.release(name)
