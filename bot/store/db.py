"""The async database: engine, sessions and schema migrations, for SQLite and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from filelock import AsyncFileLock
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
MIGRATION_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtextextended('paperbot.migrate.' || current_schema(), 0))"
)


class Database:
    """One engine and its session factory; create with `Database.open(url)`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, echo: bool = False, schema: str | None = None) -> Database:
        """Create the engine for `url`; a SQLite file's folder is created if missing.

        `schema` puts a Postgres database's tables in that schema (tests isolate this way).
        """
        if url.startswith("sqlite"):
            _ensure_sqlite_dir(url)
            engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            args = {"server_settings": {"search_path": schema}} if schema else {}
            engine = create_async_engine(
                url, echo=echo, pool_size=5, max_overflow=5, connect_args=args
            )
        return cls(engine)

    @property
    def dialect(self) -> str:
        """The database kind: 'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def migrate(self) -> None:
        """Bring the schema to the newest revision; any number of replicas may call it at once.

        On Postgres the migration runs in one transaction holding an advisory lock (per
        schema), so a second replica waits and then finds the schema current. On a SQLite
        file a lock file next to the database does the same.
        """
        if self.dialect == "postgresql":
            async with self.engine.begin() as conn:
                await conn.exec_driver_sql(MIGRATION_LOCK)
                await conn.run_sync(_upgrade)
            return
        lock = _sqlite_migration_lock(self.engine.url.database)
        async with lock, self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def close(self) -> None:
        """Dispose of the engine's connections."""
        await self.engine.dispose()


def alembic_config() -> Config:
    """The Alembic configuration of the shipped migrations."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@asynccontextmanager
async def _sqlite_migration_lock(path: str | None) -> AsyncIterator[None]:
    """Hold `<database>.migrate.lock` (nothing to hold for an in-memory database)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    async with AsyncFileLock(f"{path}.migrate.lock"):
        yield


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """The session's dialect's `insert` (PostgreSQL or SQLite), for ON CONFLICT clauses."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def insert_ignoring_duplicates(
    session: AsyncSession, table: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows, skipping any that collide with a unique constraint (races between replicas)."""
    if not rows:
        return
    insert = dialect_insert(session)
    statement = insert(table).on_conflict_do_nothing()  # executemany: no statement per batch
    connection = await session.connection()
    await connection.execute(statement, list(rows))


async def insert_new(
    session: AsyncSession,
    table: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    returning: str,
    *,
    chunk: int = 200,
) -> set[Any]:
    """Insert rows, skipping those that collide with a unique constraint; `returning` of each
    row this call inserted (a row a concurrent writer inserted first is not among them)."""
    insert = dialect_insert(session)
    column = table.__table__.c[returning]  # type: ignore[attr-defined]
    inserted: set[Any] = set()
    for start in range(0, len(rows), chunk):
        part = list(rows[start : start + chunk])
        statement = insert(table).values(part).on_conflict_do_nothing().returning(column)
        result = await session.exec(statement)  # type: ignore[call-overload]
        inserted.update(result.scalars().all())
    return inserted
