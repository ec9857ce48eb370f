"""The connection maps onto a validated config whose errors name the fields; secrets stay out of repr."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from ml_connector.intacct.config import IntacctConfig, IntacctConfigError, parse_timezone
from ml_connector.intacct.connection_type import CONNECTION_TYPE, DEFAULT_ENDPOINT


def _conn(**kw):
    extra = {"company_id": "CO", "user_id": "u", "user_password": "user-secret-pw", **kw.pop("extra", {})}
    return SimpleNamespace(host=kw.get("host", ""), login=kw.get("login", "sender"),
                           password=kw.get("password", "sender-secret-pw"), schema=None, extra_dejson=extra)


def test_defaults_and_secrets_hidden() -> None:
    cfg = IntacctConfig.from_connection(_conn())
    assert cfg.endpoint == DEFAULT_ENDPOINT and cfg.page_size == 2000 and cfg.session_max_age_minutes == 50
    assert "secret" not in repr(cfg)
    assert "secret" not in cfg.cache_key


def test_extras_are_typed_and_overrides_win() -> None:
    cfg = IntacctConfig.from_connection(
        _conn(host="http://127.0.0.1:9/ia/xml/xmlgw.phtml",
              extra={"entity": "US-EAST", "page_size": "500", "timeout_seconds": "12.5", "user_timezone": "-05:00"}),
        max_retries=1,
    )
    assert (cfg.entity, cfg.page_size, cfg.timeout_seconds, cfg.max_retries) == ("US-EAST", 500, 12.5, 1)
    assert datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(cfg.tz).hour == 7


def test_cache_key_differs_per_login() -> None:
    a = IntacctConfig.from_connection(_conn(extra={"entity": "US-EAST"}))
    b = IntacctConfig.from_connection(_conn(extra={"entity": "US-WEST"}))
    c = IntacctConfig.from_connection(_conn(extra={"entity": "US-EAST", "user_password": "other"}))
    assert a.cache_key != b.cache_key and a.cache_key == c.cache_key


@pytest.mark.parametrize(
    ("conn", "fields"),
    [
        (_conn(login=""), ["sender_id"]),
        (_conn(password="", extra={"user_id": ""}), ["sender_password", "user_id"]),
        (_conn(extra={"company_id": "", "user_password": ""}), ["company_id", "user_password"]),
        (_conn(host="ftp://x"), ["host"]),
        (_conn(extra={"page_size": "2001"}), ["page_size"]),
        (_conn(extra={"page_size": "many"}), ["page_size"]),
        (_conn(extra={"user_timezone": "Mars/Olympus"}), ["user_timezone"]),
        (_conn(extra={"session_max_age_minutes": "0"}), ["session_max_age_minutes"]),
    ],
)
def test_errors_name_the_fields(conn, fields: list[str]) -> None:
    with pytest.raises(IntacctConfigError) as caught:
        IntacctConfig.from_connection(conn)
    for name in fields:
        assert name in str(caught.value)
    assert "secret" not in str(caught.value)


def test_parse_timezone() -> None:
    assert parse_timezone("-05:00") == timezone(timedelta(hours=-5))
    assert parse_timezone("+0530") == timezone(timedelta(hours=5, minutes=30))
    assert parse_timezone("UTC") == UTC
    assert parse_timezone("America/New_York") == ZoneInfo("America/New_York")


def test_connection_type_declares_every_form_field() -> None:
    fields = CONNECTION_TYPE["conn-fields"]
    assert CONNECTION_TYPE["connection-type"] == "sage_intacct"
    assert CONNECTION_TYPE["hook-class-name"] == "ml_connector.intacct.hook.IntacctHook"
    assert {"company_id", "user_id", "user_password", "entity", "user_timezone", "timeout_seconds", "page_size",
            "session_max_age_minutes"} <= set(fields)
    assert fields["user_password"]["schema"]["format"] == "password"
    assert CONNECTION_TYPE["ui-field-behaviour"]["relabeling"]["password"] == "Sender password"
    assert CONNECTION_TYPE["ui-field-behaviour"]["placeholders"]["host"] == DEFAULT_ENDPOINT


def test_hook_refuses_secrets_as_arguments() -> None:
    from ml_connector.intacct.hook import IntacctHook

    with pytest.raises(ValueError, match="user_password"):
        IntacctHook(user_password="nope")
    hook = IntacctHook("any_conn", page_size=10)  # no I/O in __init__: the connection is read lazily
    assert hook.intacct_conn_id == "any_conn"
