"""Shared rate budget: a sliding log of calls per bucket, and the limit each server advertised,
so parallel task processes share one API limit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ml_connector.store.types import BigId, UTCDateTime

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
    op.create_table(
        "mlc_rate_limits",
        sa.Column("bucket", sa.String(128), primary_key=True),
        sa.Column("max_calls", sa.Integer(), nullable=False),
        sa.Column("interval_ms", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mlc_rate_limits")
    op.drop_table("mlc_rate_events")
