"""Initial sync store: runs, id mappings, staged records, audit, Intacct sessions, webhook inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ml_connector.store.types import BigId, JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mlc_sync_runs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("airflow_run_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250)),
        sa.Column("window_start", UTCDateTime()),
        sa.Column("window_end", UTCDateTime()),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("error", sa.Text()),
        sa.UniqueConstraint("flow", "dag_id", "airflow_run_id", name="uq_mlc_sync_runs_flow_dag_id_airflow_run_id"),
    )
    op.create_table(
        "mlc_id_mappings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("intacct_object", sa.String(64), nullable=False),
        sa.Column("intacct_key", sa.String(255), nullable=False),
        sa.Column("hubspot_object_type", sa.String(64), nullable=False),
        sa.Column("hubspot_id", sa.String(64), nullable=False),
        sa.Column("source_system", sa.String(16)),
        sa.Column("source_hash", sa.String(64)),
        sa.Column("last_run_id", sa.BigInteger()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("intacct_object", "intacct_key", name="uq_mlc_id_mappings_intacct_object_intacct_key"),
        sa.UniqueConstraint(
            "hubspot_object_type", "hubspot_id", name="uq_mlc_id_mappings_hubspot_object_type_hubspot_id"
        ),
    )
    op.create_table(
        "mlc_staged_records",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source_system", sa.String(16), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("source_key", sa.String(255), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("run_id", sa.BigInteger()),
        sa.Column("staged_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "source_system", "object_type", "source_key",
            name="uq_mlc_staged_records_source_system_object_type_source_key",
        ),
        sa.CheckConstraint("state IN ('pending', 'done', 'failed', 'quarantined')", name="ck_mlc_staged_records_state"),
    )
    op.create_index("ix_mlc_staged_records_object_type_state", "mlc_staged_records", ["object_type", "state"])
    op.create_table(
        "mlc_audit_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("run_id", sa.BigInteger()),
        sa.Column("dag_id", sa.String(250)),
        sa.Column("airflow_run_id", sa.String(250)),
        sa.Column("task_id", sa.String(250)),
        sa.Column("try_number", sa.Integer()),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("operation", sa.String(128), nullable=False),
        sa.Column("request", JSONType),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("http_status", sa.Integer()),
        sa.Column("response_summary", JSONType),
        sa.Column("correlation_id", sa.String(128)),
        sa.Column("request_id", sa.String(128)),
        sa.Column("session_fingerprint", sa.String(16)),
        sa.Column("duration_ms", sa.Integer()),
    )
    op.create_index("ix_mlc_audit_events_system_occurred_at", "mlc_audit_events", ["system", "occurred_at"])
    op.create_index("ix_mlc_audit_events_dag_id_airflow_run_id", "mlc_audit_events", ["dag_id", "airflow_run_id"])
    op.create_table(
        "mlc_intacct_sessions",
        sa.Column("cache_key", sa.String(128), primary_key=True),
        sa.Column("session_ciphertext", sa.Text(), nullable=False),
        sa.Column("endpoint", sa.String(500), nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "mlc_webhook_inbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("subscription_type", sa.String(128)),
        sa.Column("object_id", sa.String(64)),
        sa.Column("occurred_at", UTCDateTime()),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("processed_at", UTCDateTime()),
        sa.UniqueConstraint("source", "event_id", name="uq_mlc_webhook_inbox_source_event_id"),
        sa.CheckConstraint("state IN ('pending', 'processed', 'failed', 'ignored')", name="ck_mlc_webhook_inbox_state"),
    )
    op.create_index("ix_mlc_webhook_inbox_state_received_at", "mlc_webhook_inbox", ["state", "received_at"])


def downgrade() -> None:
    for table in (
        "mlc_webhook_inbox",
        "mlc_intacct_sessions",
        "mlc_audit_events",
        "mlc_staged_records",
        "mlc_id_mappings",
        "mlc_sync_runs",
    ):
        op.drop_table(table)
