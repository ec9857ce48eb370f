"""``ml-connector sandbox intacct``: help shows the credentials; the server really serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from ml_connector.sandbox.intacct.cli import _parse_fault
from ml_connector.sandbox.intacct.faults import FaultConfigError
from tests.sandbox.intacct.conftest import envelope, fn, login_auth


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ml_connector.cli", "sandbox", "intacct", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **kwargs,  # type: ignore[call-overload]
    )


def test_help_shows_default_credentials_and_flags() -> None:
    process = _cli("--help")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    for text in ("mlc-sandbox-sender", "mlc-sandbox-sender-pw", "MLC-SANDBOX", "mlc-api-user", "mlc-api-user-pw",
                 "--port", "--seed", "--session-minutes", "--fault", "/ia/xml/xmlgw.phtml"):
        assert text in output, text


def test_parse_fault_spec() -> None:
    assert _parse_fault("rate_limit") == ("rate_limit", 1, {})
    assert _parse_fault("http_error:3:status=503") == ("http_error", 3, {"status": "503"})
    with pytest.raises(FaultConfigError):
        _parse_fault("latency:x")


def test_serves_in_the_foreground_with_startup_faults() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _cli("--port", str(port), "--vendors", "3", "--bills", "4", "--fault", "rate_limit:1",
                   "--user-password", "other-pw")
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(4)]
        url = f"http://127.0.0.1:{port}/ia/xml/xmlgw.phtml"
        assert url in banner[0]
        assert "mlc-api-user / other-pw" in banner[3]
        deadline = time.monotonic() + 30
        while True:
            try:
                first = requests.post(url, data=envelope(login_auth(password="other-pw"), fn("<getAPISession/>")), timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert first.status_code == 429
        second = requests.post(url, data=envelope(login_auth(password="other-pw"), fn("<getAPISession/>")), timeout=5)
        assert second.status_code == 200 and b"<sessionid>" in second.content
    finally:
        process.terminate()
        process.wait(timeout=20)
