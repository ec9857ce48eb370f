"""Airflow lists the ``sage_intacct`` connection type (and its form fields) once the package is installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _airflow_json(*args: str) -> list[dict]:
    result = subprocess.run([sys.executable, "-m", "airflow", "providers", *args, "--output", "json"],
                            capture_output=True, text=True, check=False, env={**os.environ}, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(x for x in reversed(result.stdout.splitlines()) if x.startswith("[{"))  # skip log lines
    return json.loads(line)


def test_airflow_lists_the_sage_intacct_connection_type() -> None:
    hooks = {row["connection_type"]: row for row in _airflow_json("hooks")}
    assert hooks["sage_intacct"]["class"] == "ml_connector.intacct.hook.IntacctHook"
    assert hooks["sage_intacct"]["conn_id_attribute_name"] == "intacct_conn_id"
