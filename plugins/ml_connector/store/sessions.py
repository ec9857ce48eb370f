"""Intacct session cache shared by every task process, encrypted at rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ml_connector.redaction import fingerprint
from ml_connector.store.crypto import SecretBox, UndecryptableError
from ml_connector.store.locks import LockManager
from ml_connector.store.schema import intacct_sessions as t
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert

SessionFactory = Callable[[], tuple[str, str, datetime]]


@dataclass(frozen=True)
class CachedSession:
    cache_key: str
    session_id: str = field(repr=False)
    endpoint: str
    expires_at: datetime
    fingerprint: str
    created_at: datetime | None = None

    def __str__(self) -> str:
        return f"IntacctSession({self.fingerprint} @ {self.endpoint}, expires {self.expires_at.isoformat()})"


class SessionCache:
    def __init__(self, engine: sa.Engine, box: SecretBox, locks: LockManager) -> None:
        self._engine = engine
        self._box = box
        self._locks = locks

    def get(self, cache_key: str, now: datetime | None = None) -> CachedSession | None:
        """The live cached session, or None when absent, expired or encrypted with another key."""
        now = now or utcnow()
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.cache_key == cache_key)).mappings().first()
        if row is None or row["expires_at"] <= now:
            return None
        try:
            session_id = self._box.decrypt(row["session_ciphertext"])
        except UndecryptableError:
            return None
        return CachedSession(
            cache_key=cache_key,
            session_id=session_id,
            endpoint=row["endpoint"],
            expires_at=row["expires_at"],
            fingerprint=row["fingerprint"],
            created_at=row["created_at"],
        )

    def put(self, cache_key: str, session_id: str, endpoint: str, expires_at: datetime) -> CachedSession:
        now = utcnow()
        values = {
            "cache_key": cache_key,
            "session_ciphertext": self._box.encrypt(session_id),
            "endpoint": endpoint,
            "fingerprint": fingerprint(session_id),
            "created_at": now,
            "expires_at": expires_at,
            "updated_at": now,
        }
        stmt = insert(self._engine, t).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.cache_key],
            set_={k: stmt.excluded[k] for k in values if k != "cache_key"},
        )
        with self._engine.begin() as conn:
            conn.execute(stmt)
        return CachedSession(cache_key, session_id, endpoint, expires_at, values["fingerprint"], now)

    def extend(self, cache_key: str, expires_at: datetime) -> None:
        """Slide the expiry forward (never backward), as the gateway does on every call."""
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(t)
                .where(t.c.cache_key == cache_key, t.c.expires_at < expires_at)
                .values(expires_at=expires_at, updated_at=utcnow())
            )

    def invalidate(self, cache_key: str, session_id: str | None = None) -> None:
        """Forget the cached session; with ``session_id``, only if it is still that one.

        The guard matters: a worker holding a stale id must not delete the fresh session
        another worker has just stored.
        """
        with self._engine.begin() as conn:
            if session_id is None:
                conn.execute(sa.delete(t).where(t.c.cache_key == cache_key))
            else:
                conn.execute(
                    sa.delete(t).where(t.c.cache_key == cache_key, t.c.fingerprint == fingerprint(session_id))
                )

    def get_or_create(self, cache_key: str, create: SessionFactory) -> CachedSession:
        """Reuse the cached session, or let exactly one process open a new one while others wait."""
        cached = self.get(cache_key)
        if cached is not None:
            return cached
        with self._locks.hold(f"intacct-session:{cache_key}"):
            cached = self.get(cache_key)
            if cached is not None:
                return cached
            session_id, endpoint, expires_at = create()
            return self.put(cache_key, session_id, endpoint, expires_at)
