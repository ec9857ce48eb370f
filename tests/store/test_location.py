from __future__ import annotations

import os

import pytest

from ml_connector.store import SyncStore
from ml_connector.store.location import url_from_airflow


def test_without_a_connection_the_store_is_the_embedded_sqlite_file() -> None:
    store = SyncStore.from_airflow("ml_connector_db_not_defined")
    assert store.backend == "sqlite"
    assert store.engine.url.database == os.path.join(os.environ["ML_CONNECTOR_HOME"], "sync.db")
    store.dispose()


def test_postgres_connection_becomes_a_psycopg2_url(airflow_conn) -> None:  # type: ignore[no-untyped-def]
    airflow_conn(
        "mlc_pg", conn_type="postgres", host="db.internal", port=5433, login="sync", password="p@ss:word", schema="mlc"
    )
    url = url_from_airflow("mlc_pg")
    assert url is not None and url.startswith("postgresql+psycopg2://sync:")
    assert url.endswith("@db.internal:5433/mlc")
    assert "p%40ss%3Aword" in url  # password escaped, not breaking the URL
    assert "p@ss:word" not in repr(SyncStore.from_url(url))


def test_unsupported_connection_type_names_the_connection(airflow_conn) -> None:  # type: ignore[no-untyped-def]
    airflow_conn("mlc_mysql", conn_type="mysql", host="x")
    with pytest.raises(ValueError, match=r"'mlc_mysql'.*'mysql'"):
        url_from_airflow("mlc_mysql")
