"""Store fixtures: every store test runs on the real local PostgreSQL and on the SQLite default."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ml_connector.store import SyncStore

PG_ADMIN_URL = os.environ.get("ML_CONNECTOR_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    if not _pg_available():
        if os.environ.get("ML_CONNECTOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return PG_ADMIN_URL


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database per test, dropped afterwards."""
    name = f"mlc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["postgresql", "sqlite-default"])
def store_url(request: pytest.FixtureRequest, tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL, or the embedded SQLite default exactly as a user without ``ml_connector_db`` gets it."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    monkeypatch.setenv("ML_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AIRFLOW_CONN_ML_CONNECTOR_DB", raising=False)
    default = SyncStore.from_airflow()
    url = default.engine.url.render_as_string(hide_password=False)
    default.dispose()
    assert url == f"sqlite:///{tmp_path / 'home' / 'sync.db'}"
    return url


@pytest.fixture()
def store(store_url: str) -> Iterator[SyncStore]:
    s = SyncStore.from_url(store_url)
    s.upgrade()
    yield s
    s.dispose()
