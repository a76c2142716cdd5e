"""delivered papers found by (delivery, paper): one index on both, for recording a post's id

A post's platform id is recorded by delivery and paper. With one index on each column, SQLite
took the paper's, which holds a row for every channel the paper went to, so each record cost
grew with the channels. The index on `delivery_id` alone is replaced by one on both columns
(which serves lookups by delivery alone as well).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(
        "ix_delivered_papers_delivery_paper", "delivered_papers", ["delivery_id", "paper_id"]
    )
    op.drop_index("ix_delivered_papers_delivery_id", table_name="delivered_papers")


def downgrade() -> None:
    """Revert this revision."""
    op.create_index("ix_delivered_papers_delivery_id", "delivered_papers", ["delivery_id"])
    op.drop_index("ix_delivered_papers_delivery_paper", table_name="delivered_papers")
