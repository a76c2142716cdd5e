"""cached pairwise impact judgments

Revision ID: 0017
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "impact_judgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_paper_id", sa.Integer(), nullable=False),
        sa.Column("second_paper_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_version", sa.String(length=40), nullable=False),
        sa.Column("first_wins", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["first_paper_id"], ["papers.id"]),
        sa.ForeignKeyConstraint(["second_paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "first_paper_id",
            "second_paper_id",
            "model",
            "prompt_version",
            name="uq_impact_judgment",
        ),
    )
    with op.batch_alter_table("impact_judgments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_impact_judgments_first_paper_id"), ["first_paper_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("impact_judgments")
