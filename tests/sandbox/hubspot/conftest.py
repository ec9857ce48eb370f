"""Fixtures: a HubSpot sandbox served over real HTTP on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ml_connector.sandbox.hubspot import HubSpotSandbox

TOKEN = "test-token-hubspot"


class Api:
    """A thin requests wrapper that always sends the Bearer token (unless told otherwise)."""

    def __init__(self, base_url: str, token: str | None = TOKEN) -> None:
        self.base = base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, object_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
        response = self.post(f"/crm/v3/objects/{object_type}", json={"properties": properties, **extra})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[tuple[HubSpotSandbox, str]]:
    """One server per module (fast); generous limits so only the limit tests see 429s."""
    sb = HubSpotSandbox(access_token=TOKEN, rate_max=100_000, search_per_second=100_000)
    with sb.serve() as server:
        yield sb, server.url


@pytest.fixture
def sb(shared_sandbox: tuple[HubSpotSandbox, str]) -> HubSpotSandbox:
    sandbox, _ = shared_sandbox
    sandbox.reset()
    return sandbox


@pytest.fixture
def api(sb: HubSpotSandbox, shared_sandbox: tuple[HubSpotSandbox, str]) -> Api:
    return Api(shared_sandbox[1])
