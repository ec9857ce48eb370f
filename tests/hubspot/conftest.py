"""A HubSpot sandbox per test, on a real loopback socket, and hooks wired to it through Airflow."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

TOKEN = "mlc-sandbox-token"
CLIENT_SECRET = "mlc-sandbox-client-secret"


@pytest.fixture()
def hubspot_sandbox() -> Iterator[Callable[..., tuple[Any, Any]]]:
    """``start(**sandbox_kwargs) -> (sandbox, server)``; every server is stopped afterwards."""
    from ml_connector.sandbox.hubspot import HubSpotSandbox

    servers: list[Any] = []

    def start(**kwargs: Any) -> tuple[Any, Any]:
        sb = HubSpotSandbox(**kwargs)
        server = sb.serve()
        servers.append(server)
        return sb, server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture()
def make_hook(airflow_conn: Callable[..., str]) -> Callable[..., Any]:
    """``make_hook(server, tier=..., token=..., conn_id=..., **hook_kwargs)``: a HubSpotHook via an Airflow connection."""
    from ml_connector.hubspot.hook import HubSpotHook

    def make(
        server: Any,
        *,
        tier: str = "starter",
        token: str = TOKEN,
        conn_id: str = "hubspot_test",
        extra: dict[str, Any] | None = None,
        **hook_kwargs: Any,
    ) -> HubSpotHook:
        airflow_conn(
            conn_id,
            conn_type="hubspot",
            host=server.url if hasattr(server, "url") else server,
            password=token,
            extra=json.dumps({"tier": tier, "client_secret": CLIENT_SECRET, **(extra or {})}),
        )
        hook_kwargs.setdefault("audit", False)
        hook_kwargs.setdefault("backoff_base_seconds", 0.02)
        return HubSpotHook(hubspot_conn_id=conn_id, **hook_kwargs)

    return make
