"""The connector's own tables. Never Airflow's metadata database.

Every table name starts with ``mlc_`` so the store can share a database with other
applications, and Alembic's version table is ``mlc_alembic_version`` for the same reason.
"""

from __future__ import annotations

import sqlalchemy as sa

from ml_connector.store.types import BigId, JSONType, UTCDateTime

VERSION_TABLE = "mlc_alembic_version"

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sync_runs = sa.Table(
    "mlc_sync_runs",
    metadata,
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
    sa.UniqueConstraint("flow", "dag_id", "airflow_run_id"),
)

id_mappings = sa.Table(
    "mlc_id_mappings",
    metadata,
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
    sa.UniqueConstraint("intacct_object", "intacct_key"),
    sa.UniqueConstraint("hubspot_object_type", "hubspot_id"),
)

staged_records = sa.Table(
    "mlc_staged_records",
    metadata,
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
    sa.UniqueConstraint("source_system", "object_type", "source_key"),
    sa.CheckConstraint("state IN ('pending', 'done', 'failed', 'quarantined')", name="state"),
    sa.Index(None, "object_type", "state"),
)

audit_events = sa.Table(
    "mlc_audit_events",
    metadata,
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
    sa.Index(None, "system", "occurred_at"),
    sa.Index(None, "dag_id", "airflow_run_id"),
)

intacct_sessions = sa.Table(
    "mlc_intacct_sessions",
    metadata,
    sa.Column("cache_key", sa.String(128), primary_key=True),
    sa.Column("session_ciphertext", sa.Text(), nullable=False),
    sa.Column("endpoint", sa.String(500), nullable=False),
    sa.Column("fingerprint", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

webhook_inbox = sa.Table(
    "mlc_webhook_inbox",
    metadata,
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
    sa.UniqueConstraint("source", "event_id"),
    sa.CheckConstraint("state IN ('pending', 'processed', 'failed', 'ignored')", name="state"),
    sa.Index(None, "state", "received_at"),
)

rate_events = sa.Table(
    "mlc_rate_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("bucket", sa.String(128), nullable=False),
    sa.Column("at_ms", sa.BigInteger(), nullable=False),
    sa.Index(None, "bucket", "at_ms"),
)

rate_limits = sa.Table(
    "mlc_rate_limits",
    metadata,
    sa.Column("bucket", sa.String(128), primary_key=True),
    sa.Column("max_calls", sa.Integer(), nullable=False),
    sa.Column("interval_ms", sa.Integer(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
