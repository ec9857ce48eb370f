"""Shared rate budget: a sliding log of calls per bucket, so parallel task processes share one API limit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ml_connector.store.types import BigId

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mlc_rate_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("bucket", sa.String(128), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_mlc_rate_events_bucket_at_ms", "mlc_rate_events", ["bucket", "at_ms"])


def downgrade() -> None:
    op.drop_table("mlc_rate_events")
