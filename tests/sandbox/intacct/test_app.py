"""The /_sandbox/ admin namespace, kept apart from the gateway path."""

from __future__ import annotations

from tests.sandbox.intacct.conftest import Gateway, envelope, fn, login_auth


def _admin(gw: Gateway) -> str:
    return gw.url.rsplit("/ia/", 1)[0] + "/_sandbox"


def test_request_log_masks_passwords_and_session_ids(gw: Gateway) -> None:
    sessionid = gw.sessionid
    gw.call(fn("<getAPISession/>"))
    entries = gw.http.get(f"{_admin(gw)}/requests", timeout=10).json()
    assert len(entries) == 2
    text = str(entries)
    for secret in ("mlc-sandbox-sender-pw", "mlc-api-user-pw", sessionid):
        assert secret not in text
    assert "<password>********</password>" in entries[0]["body"]
    assert entries[1]["auth"] == "sessionid" and entries[1]["functions"] == ["getAPISession"]


def test_state_shows_current_records(gw: Gateway) -> None:
    gw.call(fn("<update><VENDOR><VENDORID>V00003</VENDORID><NAME>Admin View</NAME></VENDOR></update>"))
    vendors = gw.http.get(f"{_admin(gw)}/state/VENDOR", timeout=10).json()
    vendor = next(v for v in vendors if v["VENDORID"] == "V00003")
    assert vendor["NAME"] == "Admin View"
    assert len(vendor["WHENMODIFIED"]) == len("01/02/2026 10:11:12")
    assert gw.http.get(f"{_admin(gw)}/state/NOPE", timeout=10).status_code == 404


def test_faults_over_http(gw: Gateway) -> None:
    admin = _admin(gw)
    bad = gw.http.post(f"{admin}/faults", json={"kind": "http_error", "status": 418}, timeout=10)
    assert bad.status_code == 400 and "status" in bad.json()["detail"]
    added = gw.http.post(f"{admin}/faults", json={"kind": "rate_limit", "count": 1, "function": "getAPISession"}, timeout=10)
    assert added.status_code == 200 and added.json()[0]["kind"] == "rate_limit"
    assert gw.post(envelope(login_auth(), fn("<getAPISession/>"))).status_code == 429
    gw.http.post(f"{admin}/faults", json={"kind": "rate_limit", "count": 5}, timeout=10)
    assert gw.http.delete(f"{admin}/faults", timeout=10).status_code == 200
    assert gw.post(envelope(login_auth(), fn("<getAPISession/>"))).status_code == 200


def test_expire_sessions_and_reset_over_http(gw: Gateway) -> None:
    admin = _admin(gw)
    sessionid = gw.sessionid
    gw.call(fn("<create><CLASS><CLASSID>ADM</CLASSID><NAME>a</NAME></CLASS></create>"))
    assert gw.http.post(f"{admin}/sessions/expire", timeout=10).status_code == 200
    root = gw.xml(envelope(f"<sessionid>{sessionid}</sessionid>", fn("<getAPISession/>")))
    assert root.findtext("operation/authentication/status") == "failure"
    assert gw.http.post(f"{admin}/reset", timeout=10).status_code == 200
    assert "ADM" not in {c["CLASSID"] for c in gw.sandbox.records("CLASS")}
    assert gw.http.get(f"{admin}/requests", timeout=10).json() == []


def test_gateway_path_only_takes_post(gw: Gateway) -> None:
    assert gw.http.get(gw.url, timeout=10).status_code == 405
