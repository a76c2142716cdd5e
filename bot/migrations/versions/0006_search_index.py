"""Full-text search over papers: an FTS5 table on SQLite, a weighted tsvector on Postgres

SQLite: `papers_fts`, an external-content FTS5 table over papers' title, abstract and
authors (porter stemming, accents folded), kept in step by triggers on insert, delete and
update of those columns. Postgres: a stored generated column `fts_vector` (title weight A,
abstract B, authors C) with a GIN index. Neither is in the models: `bot.search.fts` queries
them with SQL of its own, and the migrations test ignores them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FTS_COLUMNS = "title, abstract, authors"
SQLITE_UPGRADE = (
    f"""CREATE VIRTUAL TABLE papers_fts USING fts5({FTS_COLUMNS}, content='papers',
        content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
    f"""CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.abstract, new.authors); END""",
    f"""CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.abstract, old.authors); END""",
    f"""CREATE TRIGGER papers_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.abstract, old.authors);
        INSERT INTO papers_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.abstract, new.authors); END""",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS papers_fts_update",
    "DROP TRIGGER IF EXISTS papers_fts_delete",
    "DROP TRIGGER IF EXISTS papers_fts_insert",
    "DROP TABLE IF EXISTS papers_fts",
)
POSTGRES_UPGRADE = (
    """ALTER TABLE papers ADD COLUMN fts_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(authors::text, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_papers_fts_vector ON papers USING gin (fts_vector)",
)
POSTGRES_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_papers_fts_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS fts_vector",
)


def _run(sqlite: tuple[str, ...], postgres: tuple[str, ...]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in sqlite if dialect == "sqlite" else postgres if dialect == "postgresql" else ():
        op.execute(statement)


def upgrade() -> None:
    """Apply this revision."""
    _run(SQLITE_UPGRADE, POSTGRES_UPGRADE)


def downgrade() -> None:
    """Revert this revision."""
    _run(SQLITE_DOWNGRADE, POSTGRES_DOWNGRADE)
