"""Postgres search: the announcement week as a lexeme of `fts_vector`

Search looks at the most recent matches first (the last 4 weeks, then 13, 52, then
everything). With the week in the tsvector itself ('~w<n>', n = weeks since 1900-01-01),
"matches of this query in these weeks" is one GIN lookup: no plan combining the GIN and a
date index, and no heap rows outside the window are read. SQLite is unchanged: FTS5 walks
its matches newest (highest rowid) first on its own.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TEXT_PARTS = """
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(authors::text, '')), 'C')"""
WEEK_PART = """ ||
        array_to_tsvector(ARRAY['~w' || ((last_announced_on - DATE '1900-01-01') / 7)::text])"""


def _recreate(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_papers_fts_vector")
    op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS fts_vector")
    op.execute(
        f"ALTER TABLE papers ADD COLUMN fts_vector tsvector GENERATED ALWAYS AS ({expression}"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_papers_fts_vector ON papers USING gin (fts_vector)")


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name == "postgresql":
        _recreate(TEXT_PARTS + WEEK_PART)


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name == "postgresql":
        _recreate(TEXT_PARTS)
