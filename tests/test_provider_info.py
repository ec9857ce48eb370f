"""Airflow must discover the package and its two connection types once it is pip-installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from ml_connector.get_provider_info import get_provider_info


def test_entry_point_is_registered_for_airflow() -> None:
    names = {ep.value for ep in entry_points(group="apache_airflow_provider")}
    assert "ml_connector.get_provider_info:get_provider_info" in names


@pytest.mark.parametrize(("conn_type", "hook_class"), [
    ("sage_intacct", "ml_connector.intacct.hook.IntacctHook"),
    ("hubspot", "ml_connector.hubspot.hook.HubSpotHook"),
])
def test_provider_info_declares_the_connection_types(conn_type: str, hook_class: str) -> None:
    types = {t["connection-type"]: t for t in get_provider_info()["connection-types"]}
    assert conn_type in types
    assert types[conn_type]["hook-class-name"] == hook_class
    for field in types[conn_type].get("conn-fields", {}).values():
        assert "label" in field and "schema" in field


def test_airflow_lists_both_connection_types() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "providers", "hooks", "--output", "json"],
        capture_output=True, text=True, check=False, env={**os.environ}, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # Airflow may print log lines before the JSON; the listing is the line that starts with "[{".
    payload = next(line for line in result.stdout.splitlines() if line.startswith("[{"))
    listed = {row["connection_type"]: row["class"] for row in json.loads(payload)}
    assert listed.get("sage_intacct") == "ml_connector.intacct.hook.IntacctHook"
    assert listed.get("hubspot") == "ml_connector.hubspot.hook.HubSpotHook"
