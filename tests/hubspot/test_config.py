"""Connection settings are validated up front, with errors that name the fields."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ml_connector.hubspot.config import HubSpotConfig, HubSpotConfigError

TOKEN = "pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def conn(**kw: object) -> SimpleNamespace:
    base = {"host": None, "schema": None, "port": None, "password": TOKEN, "extra_dejson": {}}
    base.update(kw)
    return SimpleNamespace(**base)


def test_defaults_and_tier_budget() -> None:
    cfg = HubSpotConfig.from_connection(conn())
    assert cfg.base_url == "https://api.hubapi.com"
    assert (cfg.tier, cfg.window_max, cfg.search_requests_per_second) == ("starter", 100, 4.0)
    cfg = HubSpotConfig.from_connection(conn(extra_dejson={"extra__hubspot__tier": "Enterprise"}))
    assert cfg.window_max == 190
    assert HubSpotConfig.from_connection(conn(extra_dejson={"tier": "api_limit_increase"})).window_max == 250


def test_host_forms() -> None:
    assert HubSpotConfig.from_connection(conn(host="http://127.0.0.1:8080/")).base_url == "http://127.0.0.1:8080"
    assert HubSpotConfig.from_connection(conn(host="127.0.0.1", port=81, schema="http")).base_url == "http://127.0.0.1:81"
    assert HubSpotConfig.from_connection(conn(host="api.hubapi.com")).base_url == "https://api.hubapi.com"


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(HubSpotConfigError) as info:
        HubSpotConfig.from_connection(
            conn(password="", extra_dejson={"tier": "gold", "search_requests_per_second": 0, "timeout_seconds": -1})
        )
    text = str(info.value)
    for name in ("password", "extra.tier", "extra.search_requests_per_second", "extra.timeout_seconds"):
        assert name in text


def test_non_numeric_extra_is_named() -> None:
    with pytest.raises(HubSpotConfigError, match="timeout_seconds"):
        HubSpotConfig.from_connection(conn(extra_dejson={"timeout_seconds": "soon"}))


def test_two_different_tokens_are_refused_and_never_echoed() -> None:
    with pytest.raises(HubSpotConfigError) as info:
        HubSpotConfig.from_connection(conn(extra_dejson={"access_token": "pat-other-token-value"}))
    assert TOKEN not in str(info.value) and "pat-other-token-value" not in str(info.value)
    assert HubSpotConfig.from_connection(conn(password=None, extra_dejson={"access_token": TOKEN})).access_token == TOKEN


def test_repr_hides_token_and_secret() -> None:
    cfg = HubSpotConfig(access_token=TOKEN, client_secret="s3cr3t-client-secret")
    assert TOKEN not in repr(cfg) and "s3cr3t" not in repr(cfg)

