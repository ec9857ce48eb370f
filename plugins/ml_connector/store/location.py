"""Where the sync store lives: the Airflow connection ``ml_connector_db``, else an embedded SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

DEFAULT_CONN_ID = "ml_connector_db"
_POSTGRES_TYPES = {"postgres", "postgresql"}


def connector_home() -> Path:
    """Folder for the embedded database and the generated encryption key."""
    home = Path(os.environ.get("ML_CONNECTOR_HOME") or Path.home() / ".ml_connector")
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def default_sqlite_url() -> str:
    return f"sqlite:///{connector_home() / 'sync.db'}"


def url_from_airflow(conn_id: str = DEFAULT_CONN_ID) -> str | None:
    """The store's URL from an Airflow connection, or None when no such connection is defined.

    Only "not defined" falls back to SQLite: any other failure is raised, so a production
    deployment never quietly writes its mappings to a local file.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None
    extra = conn.extra_dejson
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    conn_type = (conn.conn_type or "").lower()
    if conn_type in _POSTGRES_TYPES:
        return sa.engine.URL.create(
            "postgresql+psycopg2",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
        ).render_as_string(hide_password=False)
    if conn_type == "sqlite":
        return f"sqlite:///{conn.host or conn.schema}"
    raise ValueError(
        f"Airflow connection {conn_id!r} has conn_type {conn.conn_type!r}; the sync store supports "
        "'postgres' and 'sqlite' (or an extra 'sqlalchemy_url')"
    )


def make_engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
