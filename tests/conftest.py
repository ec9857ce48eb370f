"""Test-wide setup. Airflow's environment must be set before anything imports airflow."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ML_CONNECTOR_SHARED", ROOT.parent / "shared"))

_HOME = tempfile.mkdtemp(prefix="mlc-airflow-home-")
os.environ["AIRFLOW_HOME"] = _HOME
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME}/airflow.db"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
# The sync store's embedded default lives here for the whole test session.
os.environ["ML_CONNECTOR_HOME"] = _CONNECTOR_HOME = tempfile.mkdtemp(prefix="mlc-home-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for folder in (_HOME, _CONNECTOR_HOME):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (reference notes and Intacct specs); tests that need it skip when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared reference folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def intacct_specs(shared_dir: Path) -> Path:
    specs = shared_dir / "specs" / "intacct"
    if not specs.is_dir():
        pytest.skip(f"Intacct specs not found at {specs}")
    return specs


@pytest.fixture()
def airflow_conn(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Define an Airflow connection for one test through ``AIRFLOW_CONN_<ID>`` (no metadata DB needed)."""
    import json

    def define(conn_id: str, **fields: object) -> str:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))
        return conn_id

    yield define
