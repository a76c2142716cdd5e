"""the weekly briefing: a channel's weekly day, and a delivery kind in the once-per-date key

A weekly briefing and a daily digest may fall on the same date, so a delivery is unique per
(channel, date, kind). Existing deliveries are daily digests.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_day", sa.String(length=3), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="daily")
        )
        batch_op.drop_constraint("uq_delivery_day", type_="unique")
        batch_op.create_unique_constraint(
            "uq_delivery_kind_day", ["channel_id", "digest_date", "kind"]
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)


def downgrade() -> None:
    """Revert this revision (weekly deliveries are dropped: the old key cannot hold them)."""
    op.execute("DELETE FROM deliveries WHERE kind <> 'daily'")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery_kind_day", type_="unique")
        batch_op.create_unique_constraint("uq_delivery_day", ["channel_id", "digest_date"])
        batch_op.drop_column("kind")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("weekly_day")
