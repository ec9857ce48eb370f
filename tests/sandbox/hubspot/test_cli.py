"""The ``ml-connector sandbox hubspot`` flags: defaults, fault specs, and the token printed by --help."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from ml_connector.sandbox.hubspot import cli


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_build_the_documented_sandbox() -> None:
    args = _parse()
    assert args.port == 8091 and args.token == "mlc-sandbox-token" and args.tier == "starter"
    sb = cli.build_sandbox(args)
    assert sb.limiter.window_max == 100 and len(sb.records("contacts")) == 25


def test_flags_reach_the_sandbox() -> None:
    sb = cli.build_sandbox(_parse("--tier", "professional", "--rate-max", "7", "--rate-interval-ms", "2000",
                                  "--contacts", "0", "--companies", "3", "--fault", "http_500:2",
                                  "--fault", "latency:*:seconds=0.5"))
    assert (sb.limiter.window_max, sb.limiter.interval_ms, sb.limiter.daily_limit) == (7, 2000, 625_000)
    assert len(sb.records("companies")) == 3
    assert sb.faults.list() == [
        {"kind": "http_500", "remaining": 2, "path_prefix": None, "params": {}},
        {"kind": "latency", "remaining": None, "path_prefix": None, "params": {"seconds": 0.5}},
    ]


def test_bad_fault_spec_is_rejected() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="meteor"):
        cli.parse_fault("meteor")
    with pytest.raises(argparse.ArgumentTypeError, match="COUNT"):
        cli.parse_fault("http_500:many")


def test_help_prints_the_default_token() -> None:
    result = subprocess.run([sys.executable, "-m", "ml_connector.cli", "sandbox", "hubspot", "--help"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert "mlc-sandbox-token" in re.sub(r"\s+", "", result.stdout)  # argparse may wrap the line
    assert "--fault" in result.stdout


def test_command_serves_the_api_in_the_foreground() -> None:
    import socket
    import time

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ml_connector.cli", "sandbox", "hubspot", "--port", str(port), "--contacts", "3",
         "--token", "cli-token"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/crm/v3/objects/contacts"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(url, headers={"Authorization": "Bearer cli-token"}, timeout=5)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, "sandbox did not start"
                time.sleep(0.1)
        assert response.status_code == 200 and len(response.json()["results"]) == 3
        assert requests.get(url, timeout=5).status_code == 401
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in output and "Bearer cli-token" in output
