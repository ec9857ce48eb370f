"""Authentication, the rolling window per token, the daily counter, search's own limit, headers and 429 bodies."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api

HEADERS = ("X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining",
           "X-HubSpot-RateLimit-Interval-Milliseconds", "X-HubSpot-RateLimit-Max", "X-HubSpot-RateLimit-Remaining")


@pytest.fixture
def limited() -> Iterator[tuple[HubSpotSandbox, Api]]:
    sb = HubSpotSandbox(rate_max=5, rate_interval_ms=60_000, daily_limit=1000, search_per_second=2)
    with sb.serve() as server:
        yield sb, Api(server.url, token="mlc-sandbox-token")


def test_missing_or_wrong_token_is_401_invalid_authentication(limited: tuple[HubSpotSandbox, Api]) -> None:
    sb, api = limited
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic bWxjOng="}):
        response = Api(api.base, token=None).get("/crm/v3/objects/contacts", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["category"] == "INVALID_AUTHENTICATION" and body["status"] == "error"
        assert body["message"].startswith("Authentication credentials not found")
        assert body["correlationId"] == response.headers["X-HubSpot-Correlation-Id"]
    assert sb.limiter.snapshot("mlc-sandbox-token").daily_remaining == 1000  # 401s use no quota


def test_headers_count_down_then_429_ten_secondly_rolling(limited: tuple[HubSpotSandbox, Api]) -> None:
    sb, api = limited
    remaining = []
    for _ in range(5):
        response = api.get("/crm/v3/objects/contacts")
        assert response.status_code == 200
        assert all(h in response.headers for h in HEADERS)
        assert response.headers["X-HubSpot-RateLimit-Max"] == "5"
        assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "60000"
        remaining.append(int(response.headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    refused = api.get("/crm/v3/objects/contacts")
    assert refused.status_code == 429
    body = refused.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert "category" not in body and body["groupName"].endswith(":4242")
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert sb.stats["429_by_policy"] == {"TEN_SECONDLY_ROLLING": 1}
    assert sb.request_log[-1]["policy"] == "TEN_SECONDLY_ROLLING" and sb.request_log[-1]["status"] == 429


def test_window_rolls_and_refused_requests_are_not_counted() -> None:
    sb = HubSpotSandbox(rate_max=2, rate_interval_ms=300, daily_limit=100)
    with sb.serve() as server:
        api = Api(server.url, token="mlc-sandbox-token")
        assert [api.get("/crm/v3/objects/contacts").status_code for _ in range(2)] == [200, 200]
        assert [api.get("/crm/v3/objects/contacts").status_code for _ in range(3)] == [429, 429, 429]
        time.sleep(0.35)  # longer than the window: the two accepted requests have rolled out
        again = api.get("/crm/v3/objects/contacts")
        assert again.status_code == 200
        assert again.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "97"  # 3 accepted, 429s not counted


def test_daily_limit_gives_daily_429() -> None:
    sb = HubSpotSandbox(daily_limit=3)
    with sb.serve() as server:
        api = Api(server.url, token="mlc-sandbox-token")
        statuses = [api.get("/crm/v3/objects/companies").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        body = api.get("/crm/v3/objects/companies").json()
        assert body["policyName"] == "DAILY" and body["message"] == "You have reached your daily limit."
        assert "category" not in body


def test_search_has_its_own_per_second_limit_and_no_rate_headers(limited: tuple[HubSpotSandbox, Api]) -> None:
    sb, api = limited
    statuses = []
    for _ in range(3):
        response = api.post("/crm/v3/objects/contacts/search", json={})
        statuses.append(response.status_code)
        assert "X-HubSpot-RateLimit-Max" not in response.headers
        assert "X-HubSpot-Correlation-Id" in response.headers
    assert statuses == [200, 200, 429]
    assert sb.stats["429_by_policy"] == {"SECONDLY": 1}
    # search does not use the ten-secondly window
    assert api.get("/crm/v3/objects/contacts").headers["X-HubSpot-RateLimit-Remaining"] == "4"


def test_tiers_set_the_advertised_limits() -> None:
    for tier, per_window, per_day in (("starter", 100, 250_000), ("professional", 190, 625_000),
                                      ("enterprise", 190, 1_000_000), ("api_limit_increase", 250, 1_250_000)):
        sb = HubSpotSandbox(tier=tier)
        assert (sb.limiter.window_max, sb.limiter.daily_limit) == (per_window, per_day)
    with pytest.raises(ValueError, match="tier"):
        HubSpotSandbox(tier="platinum")
    with pytest.raises(ValueError, match="rate_max"):
        HubSpotSandbox(rate_max=0)


def test_token_without_a_scope_gets_403_missing_scopes() -> None:
    sb = HubSpotSandbox(scopes=["crm.objects.invoices.read", "crm.objects.contacts.read", "crm.objects.contacts.write"])
    with sb.serve() as server:
        api = Api(server.url, token="mlc-sandbox-token")
        assert api.get("/crm/v3/objects/invoices").status_code == 200
        assert api.post("/crm/v3/objects/invoices/search", json={}).status_code == 200  # search is a read
        refused = api.post("/crm/v3/objects/invoices", json={"properties": {"hs_currency": "USD"}})
        assert refused.status_code == 403
        body = refused.json()
        assert body["category"] == "MISSING_SCOPES"
        assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.invoices.write"]
        assert api.get("/crm/v3/properties/contacts").status_code == 403
    with pytest.raises(ValueError, match="scopes"):
        HubSpotSandbox(scopes=["crm.objects.deals.read"])


def test_admin_can_start_the_day_nearly_spent() -> None:
    import requests

    sb = HubSpotSandbox(daily_limit=10)
    with sb.serve() as server:
        api = Api(server.url, token="mlc-sandbox-token")
        assert requests.put(server.url + "/_sandbox/limits/daily", json={"used": 9}, timeout=10).status_code == 204
        last = api.get("/crm/v3/objects/contacts")
        assert last.status_code == 200 and last.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
        assert api.get("/crm/v3/objects/contacts").json()["policyName"] == "DAILY"
