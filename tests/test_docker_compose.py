"""docker-compose.yaml cannot be started here (no Docker engine), so check it as far as a file can be."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-init"}


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_airflow_service_runs_the_image_with_the_package_and_mounts_the_project() -> None:
    services = _compose()["services"]
    assert set(services) >= AIRFLOW_SERVICES
    assert {"postgres", "mlc-sync-db"} <= set(services)
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["build"]["dockerfile"] == "Dockerfile", name
        mounts = {v.split(":")[1] for v in service["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include"} <= mounts, name
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        # the sync store is its own database, reached through the ml_connector_db connection
        assert "@mlc-sync-db:5432/" in service["environment"]["AIRFLOW_CONN_ML_CONNECTOR_DB"]
        assert "airflow@postgres/" in service["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_the_image_installs_this_package_with_the_committed_constraints() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2" in dockerfile
    assert "pip install --no-cache-dir -c /opt/ml-connector/constraints-py3.11.txt /opt/ml-connector" in dockerfile
    for path in ("pyproject.toml", "constraints-py3.11.txt", "plugins"):
        assert (ROOT / path).exists()


def test_init_brings_both_databases_up_to_date() -> None:
    init = _compose()["services"]["airflow-init"]
    script = "\n".join(init["command"])
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    assert "ml-connector db upgrade" in script


def test_readme_describes_the_same_stack() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docker compose up --build" in readme
    assert "ml_connector_db" in readme
