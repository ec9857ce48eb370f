"""Fault injection: 429 storms, 5xx, latency, search lag, path prefixes, via Python and the admin API."""

from __future__ import annotations

import time

import requests

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api


def test_rate_limit_storm_then_recovery(api: Api, sb: HubSpotSandbox) -> None:
    sb.faults.add("rate_limit", count=3)
    statuses = [api.get("/crm/v3/objects/contacts").status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
    assert sb.stats["429_by_policy"] == {"TEN_SECONDLY_ROLLING": 3}


def test_daily_limit_fault_body(api: Api, sb: HubSpotSandbox) -> None:
    sb.faults.add("daily_limit")
    body = api.get("/crm/v3/objects/contacts").json()
    assert body["policyName"] == "DAILY" and body["errorType"] == "RATE_LIMIT"


def test_5xx_faults_and_path_prefix(api: Api, sb: HubSpotSandbox) -> None:
    sb.faults.add("http_500", count=1, path_prefix="/crm/v3/objects/invoices")
    sb.faults.add("http_503", count=1, path_prefix="/crm/v3/objects/companies")
    assert api.get("/crm/v3/objects/contacts").status_code == 200
    failed = api.get("/crm/v3/objects/invoices")
    assert failed.status_code == 500
    assert failed.json()["message"] == "internal error" and failed.json()["status"] == "error"
    assert api.get("/crm/v3/objects/invoices").status_code == 200
    assert api.get("/crm/v3/objects/companies").status_code == 503
    sb.faults.add("http_502", count=None)
    assert [api.get("/crm/v3/objects/contacts").status_code for _ in range(3)] == [502, 502, 502]
    sb.faults.clear()
    assert api.get("/crm/v3/objects/contacts").status_code == 200


def test_500_after_apply_keeps_the_write_and_loses_the_answer(api: Api, sb: HubSpotSandbox) -> None:
    sb.faults.add("http_500_after_apply", path_prefix="/crm/v3/objects/companies/batch/create")
    inputs = [{"properties": {"name": f"Applied {i}"}} for i in range(3)]
    response = api.post("/crm/v3/objects/companies/batch/create", json={"inputs": inputs})
    assert response.status_code == 500 and response.json()["message"] == "internal error"
    assert sorted(r["properties"]["name"] for r in sb.records("companies")) == ["Applied 0", "Applied 1", "Applied 2"]


def test_latency_fault_delays_the_answer(api: Api, sb: HubSpotSandbox) -> None:
    sb.faults.add("latency", seconds=0.3)
    started = time.monotonic()
    assert api.get("/crm/v3/objects/contacts").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert sb.faults.list() == []


def test_search_lag_hides_fresh_writes(api: Api, sb: HubSpotSandbox) -> None:
    api.create("contacts", {"email": "fresh@example.com"})
    sb.faults.add("search_lag", count=None, seconds=60)
    hidden = api.post("/crm/v3/objects/contacts/search", json={}).json()
    assert hidden["total"] == 0
    assert api.get("/crm/v3/objects/contacts").json()["results"]  # reads by id/list are not lagged
    sb.faults.clear()
    assert api.post("/crm/v3/objects/contacts/search", json={}).json()["total"] == 1


def test_admin_api_arms_lists_and_clears_faults(api: Api, sb: HubSpotSandbox) -> None:
    admin = api.base + "/_sandbox"
    armed = requests.post(admin + "/faults", json={"kind": "http_500", "count": 2}, timeout=10)
    assert armed.status_code == 201 and armed.json()["results"][0]["remaining"] == 2
    bad = requests.post(admin + "/faults", json={"kind": "meteor"}, timeout=10)
    assert bad.status_code == 400 and "meteor" in bad.json()["message"]
    assert api.get("/crm/v3/objects/contacts").status_code == 500
    assert requests.delete(admin + "/faults", timeout=10).status_code == 204
    assert requests.get(admin + "/faults", timeout=10).json()["results"] == []
    assert api.get("/crm/v3/objects/contacts").status_code == 200
    requests.post(admin + "/faults", json={"kind": "latency", "seconds": 0.01}, timeout=10)
    assert sb.faults.list()[0]["params"] == {"seconds": 0.01}
