"""Cross-process locks, so two Airflow workers never refresh the same session at once.

PostgreSQL: a session-level advisory lock. SQLite: an ``flock`` on a file beside the database
(every process that can open the SQLite file can open the lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa


def _lock_id(name: str) -> int:
    """A signed 64-bit id for pg_advisory_lock from any string."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class LockManager:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._memory_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[None]:
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            with self._pg_lock(name):
                yield
        elif dialect == "sqlite":
            with self._file_lock(name):
                yield
        else:  # pragma: no cover - only PostgreSQL and SQLite are supported backends
            raise NotImplementedError(f"no cross-process lock for {dialect}")

    @contextlib.contextmanager
    def _pg_lock(self, name: str) -> Iterator[None]:
        key = _lock_id(name)
        with self._engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()

    @contextlib.contextmanager
    def _file_lock(self, name: str) -> Iterator[None]:
        database = self._engine.url.database
        if not database or database == ":memory:":
            with self._guard:
                lock = self._memory_locks.setdefault(name, threading.Lock())
            with lock:
                yield
            return
        lock_dir = Path(database).with_name(Path(database).name + ".locks")
        lock_dir.mkdir(exist_ok=True)
        path = lock_dir / hashlib.sha256(name.encode()).hexdigest()[:32]
        with open(path, "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
