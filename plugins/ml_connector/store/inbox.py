"""Webhook inbox: each sender event stored once, however often the sender retries it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ml_connector.store.schema import webhook_inbox as t
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert


class WebhookInbox:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def receive(
        self,
        *,
        source: str,
        event_id: str,
        payload: Any,
        subscription_type: str | None = None,
        object_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> bool:
        """Store an event; returns False when the same event id was already received."""
        stmt = (
            insert(self._engine, t)
            .values(
                source=source, event_id=str(event_id), payload=payload, subscription_type=subscription_type,
                object_id=None if object_id is None else str(object_id), occurred_at=occurred_at,
                state="pending", received_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=[t.c.source, t.c.event_id])
        )
        with self._engine.begin() as conn:
            return conn.execute(stmt).rowcount > 0

    def pending(self, source: str, limit: int = 500) -> list[dict[str, Any]]:
        """Oldest first by occurrence, so changes apply in the order they happened."""
        query = (
            sa.select(t)
            .where(t.c.source == source, t.c.state == "pending")
            .order_by(t.c.occurred_at, t.c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def mark(self, ids: Iterable[int], state: str, error: str | None = None) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(t).where(t.c.id.in_(ids)).values(state=state, error=error, processed_at=utcnow())
            )
