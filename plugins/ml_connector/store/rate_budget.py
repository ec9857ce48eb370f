"""A rolling-window call budget shared by every process that uses the same store.

Airflow runs each task in its own process, so a limiter in memory only sees one task. This keeps
a log of call times per bucket (for example one HubSpot token) and grants a call only while the
window holds fewer than ``limit`` of them: the same rule HubSpot applies on its side.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from ml_connector.store.locks import LockManager
from ml_connector.store.schema import rate_events as t
from ml_connector.store.schema import rate_limits
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert


class SharedRateBudget:
    def __init__(self, engine: sa.Engine, locks: LockManager, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._locks = locks
        self._clock = clock

    def learn(self, bucket: str, limit: int, interval_ms: int) -> None:
        """Remember the window the server advertised, so every process obeys it from its first call.

        A fresh task process only knows its configured tier until a response tells it more; the
        learnt limit, when there is one, overrides what a caller passes in.
        """
        if limit < 1 or interval_ms < 1:
            return
        stmt = insert(self._engine, rate_limits).values(
            bucket=bucket, max_calls=limit, interval_ms=interval_ms, updated_at=utcnow()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[rate_limits.c.bucket],
            set_={"max_calls": limit, "interval_ms": interval_ms, "updated_at": stmt.excluded.updated_at},
        )
        with self._engine.begin() as conn:
            conn.execute(stmt)

    def try_acquire(self, bucket: str, limit: int, interval_ms: int) -> float:
        """Record one call if the window has room and return 0; else return seconds to wait."""
        return self._try_acquire(bucket, limit, interval_ms)[0]

    def _try_acquire(self, bucket: str, limit: int, interval_ms: int) -> tuple[float, int | None]:
        if limit < 1 or interval_ms < 1:
            raise ValueError(f"limit ({limit}) and interval_ms ({interval_ms}) must both be at least 1")
        with self._locks.hold(f"rate:{bucket}"), self._engine.begin() as conn:
            learnt = conn.execute(
                sa.select(rate_limits.c.max_calls, rate_limits.c.interval_ms).where(rate_limits.c.bucket == bucket)
            ).first()
            if learnt is not None:
                limit, interval_ms = int(learnt[0]), max(interval_ms, int(learnt[1]))
            now_ms = round(self._clock() * 1000)
            window_start = now_ms - interval_ms
            conn.execute(sa.delete(t).where(t.c.bucket == bucket, t.c.at_ms <= window_start))
            used, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.min(t.c.at_ms)).where(t.c.bucket == bucket)
            ).one()
            if used < limit:
                event_id = conn.execute(sa.insert(t).values(bucket=bucket, at_ms=now_ms).returning(t.c.id)).scalar_one()
                return 0.0, int(event_id)
            # the earliest call must leave the window before another fits
            return max(0.001, (oldest + interval_ms - now_ms) / 1000), None

    def acquire(self, bucket: str, limit: int, interval_ms: int, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block until a call is granted; returns the seconds spent waiting."""
        waited = 0.0
        while (delay := self.try_acquire(bucket, limit, interval_ms)) > 0:
            sleep(delay)
            waited += delay
        return waited

    @contextlib.contextmanager
    def reserve(
        self, bucket: str, limit: int, interval_ms: int, sleep: Callable[[float], None] = time.sleep
    ) -> Iterator[float]:
        """Hold a slot for one call and stamp it when the call has finished.

        The server counts a call when it arrives, which may be well after we granted it (a busy
        worker, a slow network). Stamping at completion is never earlier than the server's
        stamp, so the shared window can only be more cautious than the server's.
        """
        waited = 0.0
        while True:
            delay, event_id = self._try_acquire(bucket, limit, interval_ms)
            if event_id is not None:
                break
            sleep(delay)
            waited += delay
        try:
            yield waited
        finally:
            with self._engine.begin() as conn:
                conn.execute(sa.update(t).where(t.c.id == event_id).values(at_ms=round(self._clock() * 1000)))

    def used(self, bucket: str, interval_ms: int) -> int:
        since = round(self._clock() * 1000) - interval_ms
        with self._engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(t.c.bucket == bucket, t.c.at_ms > since)
                ).scalar_one()
            )
