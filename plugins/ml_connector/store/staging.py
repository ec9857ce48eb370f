"""Staged source records: the exact payload extracted, so a downstream retry never re-queries the source."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa

from ml_connector.store.schema import staged_records as t
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert

StageState = Literal["pending", "done", "failed", "quarantined"]


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot stage a value of type {type(value).__name__}")


def payload_hash(payload: Any) -> str:
    """Hash of a canonical JSON form: key order and whitespace never make a record look changed."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_json_default, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StagedRecord:
    source_system: str
    object_type: str
    source_key: str
    payload: Any
    payload_hash: str
    state: StageState
    error: str | None
    attempts: int


def _to_record(row: sa.RowMapping) -> StagedRecord:
    return StagedRecord(
        row["source_system"], row["object_type"], row["source_key"], row["payload"],
        row["payload_hash"], row["state"], row["error"], row["attempts"],
    )


class StagedRecords:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def stage(
        self, source_system: str, object_type: str, source_key: str, payload: Any, run_id: int | None = None
    ) -> bool:
        """Stage a source record; returns False when this exact version was already delivered.

        A changed payload, or a previous attempt that did not finish, makes it pending again.
        """
        digest = payload_hash(payload)
        # Round-trip through JSON so Decimals and datetimes are stored the way they hash.
        stored = json.loads(json.dumps(payload, default=_json_default))
        now = utcnow()
        stmt = insert(self._engine, t).values(
            source_system=source_system, object_type=object_type, source_key=source_key,
            payload=stored, payload_hash=digest, state="pending", error=None, attempts=0,
            run_id=run_id, staged_at=now, updated_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.source_system, t.c.object_type, t.c.source_key],
            set_={
                "payload": stmt.excluded.payload,
                "payload_hash": stmt.excluded.payload_hash,
                "state": "pending",
                "error": None,
                "run_id": stmt.excluded.run_id,
                "staged_at": stmt.excluded.staged_at,
                "updated_at": stmt.excluded.updated_at,
            },
            where=(t.c.payload_hash != stmt.excluded.payload_hash) | (t.c.state != "done"),
        )
        with self._engine.begin() as conn:
            return conn.execute(stmt).rowcount > 0

    def mark(
        self, source_system: str, object_type: str, source_key: str, state: StageState, error: str | None = None
    ) -> None:
        """Record the outcome of an attempt; failed and quarantined rows carry a reason a person can act on."""
        if state in ("failed", "quarantined") and not error:
            raise ValueError(f"marking {object_type} {source_key} as {state} needs a reason")
        with self._engine.begin() as conn:
            updated = conn.execute(
                sa.update(t)
                .where(t.c.source_system == source_system, t.c.object_type == object_type, t.c.source_key == source_key)
                .values(state=state, error=error, attempts=t.c.attempts + 1, updated_at=utcnow())
            ).rowcount
        if updated == 0:
            raise KeyError(f"no staged {source_system} {object_type} with key {source_key!r}")

    def get(self, source_system: str, object_type: str, source_key: str) -> StagedRecord | None:
        query = sa.select(t).where(
            t.c.source_system == source_system, t.c.object_type == object_type, t.c.source_key == source_key
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _to_record(row) if row else None

    def iter_state(
        self, source_system: str, object_type: str, state: StageState = "pending", batch_size: int = 500
    ) -> Iterator[StagedRecord]:
        """Stream records in one state by key order, a batch at a time (never the whole table in memory)."""
        last_id = 0
        while True:
            query = (
                sa.select(t)
                .where(t.c.source_system == source_system, t.c.object_type == object_type, t.c.state == state, t.c.id > last_id)
                .order_by(t.c.id)
                .limit(batch_size)
            )
            with self._engine.connect() as conn:
                rows = list(conn.execute(query).mappings())
            if not rows:
                return
            for row in rows:
                yield _to_record(row)
            last_id = rows[-1]["id"]

    def counts(self, source_system: str, object_type: str) -> dict[str, int]:
        query = (
            sa.select(t.c.state, sa.func.count())
            .where(t.c.source_system == source_system, t.c.object_type == object_type)
            .group_by(t.c.state)
        )
        with self._engine.connect() as conn:
            return {state: int(n) for state, n in conn.execute(query)}
