"""Sync runs: one row per flow and Airflow dag run, reused when a task is cleared and rerun."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from ml_connector.store.schema import sync_runs as t
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert

RunStatus = Literal["running", "success", "failed", "partial"]


class SyncRuns:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def start(
        self,
        *,
        flow: str,
        dag_id: str,
        airflow_run_id: str,
        task_id: str | None = None,
        window_start: datetime | None = None,
        window_end: datetime | None = None,
    ) -> int:
        """Open (or reopen, on a rerun) the run row and return its id."""
        stmt = insert(self._engine, t).values(
            flow=flow, dag_id=dag_id, airflow_run_id=airflow_run_id, task_id=task_id,
            window_start=window_start, window_end=window_end, started_at=utcnow(),
            status="running", counts={},
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.flow, t.c.dag_id, t.c.airflow_run_id],
            set_={"status": "running", "task_id": stmt.excluded.task_id, "finished_at": None, "error": None},
        ).returning(t.c.id)
        with self._engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def finish(self, run_id: int, status: RunStatus, counts: dict[str, int], error: str | None = None) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(t)
                .where(t.c.id == run_id)
                .values(status=status, counts=counts, error=error, finished_at=utcnow())
            )

    def get(self, run_id: int) -> dict[str, Any] | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == run_id)).mappings().first()
        return dict(row) if row else None
