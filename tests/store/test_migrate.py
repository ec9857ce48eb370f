from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from ml_connector.store import SyncStore

TABLES = {
    "mlc_sync_runs", "mlc_id_mappings", "mlc_staged_records", "mlc_audit_events",
    "mlc_intacct_sessions", "mlc_webhook_inbox", "mlc_alembic_version",
}


def test_upgrade_from_empty_creates_every_table_and_is_safe_to_rerun(store_url: str) -> None:
    store = SyncStore.from_url(store_url)
    assert store.status().current is None
    assert not store.status().up_to_date

    store.upgrade()
    store.upgrade()

    assert set(sa.inspect(store.engine).get_table_names()) >= TABLES
    status = store.status()
    assert status.up_to_date and status.current == status.head
    # our version table never collides with Airflow's own alembic_version
    assert "alembic_version" not in sa.inspect(store.engine).get_table_names()
    store.dispose()


def test_two_workers_migrating_at_once_do_not_collide(store_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def migrate() -> None:
        s = SyncStore.from_url(store_url)
        try:
            barrier.wait()
            s.upgrade()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            s.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = SyncStore.from_url(store_url)
    assert check.status().up_to_date
    check.dispose()


def test_cli_db_upgrade_then_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli = [sys.executable, "-m", "ml_connector.cli", "db"]
    before = subprocess.run([*cli, "status", "--url", url], capture_output=True, text=True, check=False)
    assert before.returncode == 1 and "needs 'ml-connector db upgrade'" in before.stdout
    for _ in range(2):
        done = subprocess.run([*cli, "upgrade", "--url", url], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("sync store at sqlite:///")  # the summary, not migration chatter
    after = subprocess.run([*cli, "status", "--url", url], capture_output=True, text=True, check=False)
    assert after.returncode == 0 and "up to date" in after.stdout


def test_task_code_gets_a_current_store_or_a_clear_instruction(store_url: str) -> None:
    from ml_connector.store import StoreNotCurrentError

    store = SyncStore.from_url(store_url)
    if store.backend == "sqlite":  # the embedded default migrates itself
        assert store.ensure_current().status().up_to_date
    else:  # a shared database is migrated by an operator, never by each task
        with pytest.raises(StoreNotCurrentError, match="run 'ml-connector db upgrade'"):
            store.ensure_current()
        store.upgrade()
        assert store.ensure_current() is store
    store.dispose()
