"""seed libraries, paper embeddings and a per-channel minimum score

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "library_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"]),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "paper_id", name="uq_library_paper"),
    )
    with op.batch_alter_table("library_papers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_papers_channel_id"), ["channel_id"])
        batch_op.create_index(batch_op.f("ix_library_papers_paper_id"), ["paper_id"])
    op.create_table(
        "paper_embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("paper_id", "model", name="uq_paper_embedding"),
    )
    with op.batch_alter_table("paper_embeddings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_embeddings_paper_id"), ["paper_id"])
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_score", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("min_score")
    op.drop_table("paper_embeddings")
    op.drop_table("library_papers")
