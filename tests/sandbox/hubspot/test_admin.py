"""The /_sandbox/ admin namespace: log, state, reset; apart from the API (no auth, no quota, not logged)."""

from __future__ import annotations

import requests

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api


def test_request_log_and_stats(api: Api, sb: HubSpotSandbox) -> None:
    api.get("/crm/v3/objects/contacts")
    api.get("/crm/v3/objects/contacts/1")
    Api(api.base, token=None).get("/crm/v3/objects/contacts")
    body = requests.get(api.base + "/_sandbox/requests", timeout=10).json()
    assert [(e["method"], e["path"], e["status"]) for e in body["results"]] == [
        ("GET", "/crm/v3/objects/contacts", 200), ("GET", "/crm/v3/objects/contacts/1", 404),
        ("GET", "/crm/v3/objects/contacts", 401)]
    assert body["stats"]["requests"] == 3
    assert all(e["policy"] is None for e in body["results"])
    assert sb.request_log[0]["at"] <= sb.request_log[-1]["at"]


def test_state_and_reset(api: Api, sb: HubSpotSandbox) -> None:
    created = api.create("companies", {"name": "Acme"})
    state = requests.get(api.base + "/_sandbox/state/companies", timeout=10).json()["results"]
    assert [r["id"] for r in state] == [created["id"]] and state[0]["properties"]["name"] == "Acme"
    assert requests.get(api.base + "/_sandbox/state/0-2", timeout=10).json()["results"] == state
    assert requests.post(api.base + "/_sandbox/reset", timeout=10).status_code == 204
    assert sb.records("companies") == [] and sb.request_log == []


def test_unknown_api_route_has_hubspot_error_shape(api: Api) -> None:
    response = api.get("/crm/v3/nothing/here/at/all")
    assert response.status_code == 404
    assert response.json()["status"] == "error" and "correlationId" in response.json()


def test_seeded_records_are_deterministic() -> None:
    first = HubSpotSandbox(seed=7, contacts=5, companies=2)
    second = HubSpotSandbox(seed=7, contacts=5, companies=2)
    assert first.records("contacts") != [] and len(first.records("companies")) == 2
    strip = [{k: v for k, v in r["properties"].items() if "date" not in k} for r in first.records("contacts")]
    assert strip == [{k: v for k, v in r["properties"].items() if "date" not in k} for r in second.records("contacts")]
    first.reset()
    assert len(first.records("contacts")) == 5  # reset returns to the seeded portal


def test_token_never_appears_in_the_log_or_admin_answers(api: Api, sb: HubSpotSandbox) -> None:
    from tests.sandbox.hubspot.conftest import TOKEN

    api.get("/crm/v3/objects/contacts")
    Api(api.base, token="a-wrong-token-value").get("/crm/v3/objects/contacts")
    text = requests.get(api.base + "/_sandbox/requests", timeout=10).text
    assert TOKEN not in text and "a-wrong-token-value" not in text
    assert TOKEN not in repr(sb.request_log)
