"""follow-ups in posted papers' threads: what was last seen of each paper, and what was said

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("channels") as batch_op:
        batch_op.add_column(
            sa.Column("followups_off", sa.String(length=100), nullable=False, server_default="")
        )
    op.create_table(
        "paper_watches",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("journal_ref", sa.Text(), nullable=False),
        sa.Column("doi", sa.String(length=200), nullable=False),
        sa.Column("code", sa.JSON(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("paper_id"),
    )
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("thread", sa.String(length=100), nullable=False),
        sa.Column("message_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"]),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "paper_id", "kind", name="uq_followup_kind"),
    )
    op.create_index("ix_followups_channel_id", "followups", ["channel_id"])
    op.create_index("ix_followups_paper_id", "followups", ["paper_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_followups_paper_id", table_name="followups")
    op.drop_index("ix_followups_channel_id", table_name="followups")
    op.drop_table("followups")
    op.drop_table("paper_watches")
    with op.batch_alter_table("channels") as batch_op:
        batch_op.drop_column("followups_off")
