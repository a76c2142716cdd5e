"""feedback votes and cached rerank scores

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"]),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "paper_id", "user", name="uq_feedback_vote"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_paper_id"), ["paper_id"], unique=False)
    op.create_table(
        "rerank_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("topics_hash", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("paper_id", "topics_hash", "model", name="uq_rerank_score"),
    )
    with op.batch_alter_table("rerank_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rerank_scores_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rerank_scores_topics_hash"), ["topics_hash"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("rerank_scores")
    op.drop_table("feedback")
