"""One audit row per downstream call, with secrets redacted before they reach the table."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ml_connector.redaction import redact
from ml_connector.store.schema import audit_events as t
from ml_connector.store.types import utcnow


def _airflow_context() -> dict[str, Any]:
    """dag/run/task/try of the running task, from the environment Airflow gives every task process."""
    try_number = os.environ.get("AIRFLOW_CTX_TRY_NUMBER")
    return {
        "dag_id": os.environ.get("AIRFLOW_CTX_DAG_ID"),
        "airflow_run_id": os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"),
        "task_id": os.environ.get("AIRFLOW_CTX_TASK_ID"),
        "try_number": int(try_number) if try_number and try_number.isdigit() else None,
    }


class AuditLog:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def record(
        self,
        *,
        system: str,
        operation: str,
        request: Any,
        status: str,
        response_summary: Any = None,
        http_status: int | None = None,
        correlation_id: str | None = None,
        request_id: str | None = None,
        session_fingerprint: str | None = None,
        duration_ms: int | None = None,
        run_id: int | None = None,
        secrets: Iterable[str | None] = (),
        **context: Any,
    ) -> int:
        """Store what was sent and what came back; returns the audit row id."""
        known = list(secrets)
        values = {
            **_airflow_context(),
            **{k: v for k, v in context.items() if k in {"dag_id", "airflow_run_id", "task_id", "try_number"}},
            "occurred_at": utcnow(),
            "run_id": run_id,
            "system": system,
            "operation": operation,
            "request": redact(request, known),
            "status": status,
            "http_status": http_status,
            "response_summary": redact(response_summary, known),
            "correlation_id": correlation_id,
            "request_id": request_id,
            "session_fingerprint": session_fingerprint,
            "duration_ms": duration_ms,
        }
        with self._engine.begin() as conn:
            return int(conn.execute(sa.insert(t).values(**values).returning(t.c.id)).scalar_one())

    def list(self, system: str | None = None, limit: int = 100, **filters: Any) -> list[dict[str, Any]]:
        query = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if system is not None:
            query = query.where(t.c.system == system)
        for key, value in filters.items():
            query = query.where(t.c[key] == value)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def get(self, audit_id: int) -> dict[str, Any] | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == audit_id)).mappings().first()
        return dict(row) if row else None
