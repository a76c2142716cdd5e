"""The migrated schema is exactly what the models say, on SQLite and Postgres."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot import models  # noqa: F401  (registers every table)
from bot.store.db import MIGRATIONS, Database


async def test_migrations_match_every_model(db: Database) -> None:
    def drift(sync: Connection) -> list[object]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        ignored = {"alembic_version", "papers_fts", "fts_vector"}  # 0006 search index
        return [
            d
            for d in compare_metadata(context, SQLModel.metadata)
            if not any(name in repr(d) for name in ignored)
        ]

    async with db.engine.connect() as conn:
        assert await conn.run_sync(drift) == []


def head_revision() -> str:
    """The newest revision in bot/migrations."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migrations must form one line, found heads {heads}"
    return heads[0]


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    await db.migrate()
    async with db.engine.connect() as conn:
        version = await conn.exec_driver_sql("select version_num from alembic_version")
        assert [row[0] for row in version] == [head_revision()]
