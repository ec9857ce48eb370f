"""Run the Intacct sandbox in its own process (through its CLI), so memory measured here is the hook's alone."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.request import urlopen

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sandbox_process(*, bills: int, vendors: int = 50, seed: int = 3, startup_seconds: float = 90.0) -> Iterator[str]:
    """Yield the base URL of a sandbox CLI process; stop that process (by its pid) afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ml_connector.cli", "sandbox", "intacct", "--port", str(port),
         "--bills", str(bills), "--vendors", str(vendors), "--seed", str(seed)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                with urlopen(f"{base}/_sandbox/state/VENDOR", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Intacct sandbox process did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def sandbox_state(base: str, object_name: str) -> Any:
    with urlopen(f"{base}/_sandbox/state/{object_name}", timeout=30) as response:
        return json.loads(response.read())


def sandbox_requests(base: str) -> Any:
    with urlopen(f"{base}/_sandbox/requests", timeout=30) as response:
        return json.loads(response.read())
