"""concurrency: request keys seen by any replica, named leases, and the daily LLM budget ledger

`request_keys` (unique scope+key, with an expiry) lets exactly one replica take a platform's
event, update or signed request. `leases` holds work by name across replicas (a
channel's `digest now`). `llm_budget` is one row per UTC day: tokens spent plus tokens
reserved by calls in flight, so concurrent calls and replicas share one budget.

Revision ID: 0010
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "request_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key", name="uq_request_key"),
    )
    op.create_index("ix_request_keys_expires_at", "request_keys", ["expires_at"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "llm_budget",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("llm_budget")
    op.drop_table("leases")
    op.drop_index("ix_request_keys_expires_at", table_name="request_keys")
    op.drop_table("request_keys")
