"""Q&A: cached paper full texts and the questions and answers of each thread

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "paper_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("chunks", sa.JSON(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("paper_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_texts_paper_id"), ["paper_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_paper_texts_used_at"), ["used_at"], unique=False)
    op.create_table(
        "qa_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("workspace", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("thread", sa.String(length=100), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_turns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_turns_conversation", ["platform", "workspace", "channel", "thread"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qa_turns_paper_id"), ["paper_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("qa_turns")
    op.drop_table("paper_texts")
