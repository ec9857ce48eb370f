from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ml_connector.store import SyncStore
from ml_connector.store.crypto import SecretBox
from ml_connector.store.schema import intacct_sessions

SESSION_ID = "LuAQ8xq3sQ5ZwDyYkRk2M6FJsLkBzqkVcAtH0pHs..."


def _in(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def test_cached_session_id_is_not_readable_in_the_raw_table(store: SyncStore) -> None:
    store.sessions.put("key-1", SESSION_ID, "https://na1.example/ia/xml/xmlgw.phtml", _in(30))
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[sa.cast(c, sa.Text) for c in intacct_sessions.c])).all()
    raw = " ".join(str(v) for row in rows for v in row)
    assert SESSION_ID not in raw and SESSION_ID[:16] not in raw
    cached = store.sessions.get("key-1")
    assert cached is not None and cached.session_id == SESSION_ID
    assert SESSION_ID not in repr(cached) and SESSION_ID not in str(cached)


def test_expired_sessions_and_foreign_keys_are_misses(store: SyncStore, store_url: str) -> None:
    store.sessions.put("old", SESSION_ID, "https://e", _in(-1))
    assert store.sessions.get("old") is None
    store.sessions.put("k", SESSION_ID, "https://e", _in(30))
    other_key = SyncStore.from_url(store_url, secret_box=SecretBox([_fresh_key()]))
    assert other_key.sessions.get("k") is None  # a worker with another key re-logs in instead of crashing
    other_key.dispose()


def _fresh_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def test_expiry_slides_forward_only(store: SyncStore) -> None:
    store.sessions.put("k", SESSION_ID, "https://e", _in(30))
    store.sessions.extend("k", _in(60))
    later = store.sessions.get("k")
    store.sessions.extend("k", _in(5))
    assert later is not None and store.sessions.get("k").expires_at == later.expires_at  # type: ignore[union-attr]


def test_invalidate_only_removes_the_stale_session(store: SyncStore) -> None:
    store.sessions.put("k", "fresh-session-id-0001", "https://e", _in(30))
    store.sessions.invalidate("k", session_id="stale-session-id-0000")
    assert store.sessions.get("k") is not None
    store.sessions.invalidate("k", session_id="fresh-session-id-0001")
    assert store.sessions.get("k") is None


def test_concurrent_refreshers_open_exactly_one_session(store: SyncStore) -> None:
    calls: list[int] = []
    barrier = threading.Barrier(6)
    results: list[str] = []

    def create() -> tuple[str, str, datetime]:
        calls.append(1)
        time.sleep(0.3)  # a slow getAPISession: the others must wait, not stampede
        return (f"session-{len(calls)}-xxxxxxxx", "https://na9.example/ia/xml/xmlgw.phtml", _in(30))

    def worker() -> None:
        barrier.wait()
        results.append(store.sessions.get_or_create("shared", create).session_id)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert set(results) == {"session-1-xxxxxxxx"}


def _process_worker(url: str, key: str, marker_dir: str, start_at: float) -> None:
    store = SyncStore.from_url(url)

    def create() -> tuple[str, str, datetime]:
        Path(marker_dir, f"created-{multiprocessing.current_process().pid}").touch()
        time.sleep(0.3)
        return ("proc-session-xxxxxxxx", "https://e", _in(30))

    time.sleep(max(0.0, start_at - time.time()))
    store.sessions.get_or_create(key, create)
    store.dispose()


def test_separate_processes_share_one_session(store: SyncStore, store_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    monkeypatch.setenv("ML_CONNECTOR_FERNET_KEY", os.environ.get("ML_CONNECTOR_FERNET_KEY") or _fresh_key())
    ctx = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0
    procs = [ctx.Process(target=_process_worker, args=(store_url, "proc", str(tmp_path), start_at)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(list(tmp_path.glob("created-*"))) == 1
