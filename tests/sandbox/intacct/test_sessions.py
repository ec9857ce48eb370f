"""getAPISession, the sandbox's own endpoint, sliding timeouts, expiry and sign-in errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from lxml import etree

from tests.sandbox.intacct.conftest import Gateway, envelope, errornos, fn, login_auth, session_auth


def _timeout(root: etree._Element) -> datetime:
    return datetime.fromisoformat(root.findtext("operation/authentication/sessiontimeout"))


def _timestamp(root: etree._Element) -> datetime:
    return datetime.fromisoformat(root.findtext("operation/authentication/sessiontimestamp"))


def test_get_api_session_returns_own_endpoint_and_usable_session(gw: Gateway) -> None:
    root = gw.xml(envelope(login_auth(), fn("<getAPISession/>")))
    api = root.find("operation/result/data/api")
    assert api.findtext("endpoint") == gw.url
    sessionid = api.findtext("sessionid")
    assert len(sessionid) > 20
    ok = gw.xml(envelope(session_auth(sessionid), fn("<readByQuery><object>CLASS</object><query/></readByQuery>")))
    assert ok.findtext("operation/authentication/status") == "success"
    assert ok.findtext("operation/authentication/userid") == "mlc-api-user"
    assert ok.findtext("operation/result/status") == "success"


def test_timestamps_are_iso_with_user_offset_and_duration_applies(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(session_duration_seconds=1800, user_utc_offset_minutes=60)
    root = gw.xml(envelope(login_auth(), fn("<getAPISession/>")))
    assert root.findtext("operation/authentication/sessiontimestamp").endswith("+01:00")
    assert _timeout(root) - _timestamp(root) == timedelta(seconds=1800)


def test_sessiontimeout_slides_forward_on_every_call(gw: Gateway) -> None:
    sessionid = gw.new_session()
    first = gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>")))
    gw.sandbox.clock.advance(600)
    second = gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>")))
    assert _timeout(second) - _timeout(first) == timedelta(seconds=600)
    assert second.findtext("operation/result/data/api/sessionid") == sessionid


def test_session_expires_after_duration_without_calls(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(session_duration_seconds=120)
    sessionid = gw.new_session()
    gw.sandbox.clock.advance(100)
    assert gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>"))).findtext(
        "operation/authentication/status") == "success"
    gw.sandbox.clock.advance(100)  # still alive: the call above slid the timeout
    assert gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>"))).findtext(
        "operation/authentication/status") == "success"
    gw.sandbox.clock.advance(121)
    root = gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>")))
    _assert_invalid_session(root)


def _assert_invalid_session(root: etree._Element) -> None:
    assert root.findtext("control/status") == "success"
    auth = root.find("operation/authentication")
    assert auth.findtext("status") == "failure"
    assert auth.findtext("userid") == "" and auth.findtext("companyid") == ""
    assert errornos(root) == ["XL03000006"]
    assert root.findtext("operation/errormessage/error/description2").startswith("Invalid session")
    assert root.find("operation/result") is None


def test_expire_sessions_invalidates_every_session(gw: Gateway) -> None:
    sessions = [gw.new_session(), gw.new_session()]
    gw.sandbox.expire_sessions()
    for sessionid in sessions:
        _assert_invalid_session(gw.xml(envelope(session_auth(sessionid), fn("<getAPISession/>"))))


def test_invalid_session_runs_no_function(gw: Gateway) -> None:
    before = len(gw.sandbox.records("CLASS"))
    body = envelope(session_auth("made-up.."), fn("<create><CLASS><CLASSID>Z1</CLASSID><NAME>z</NAME></CLASS></create>"))
    _assert_invalid_session(gw.xml(body))
    assert len(gw.sandbox.records("CLASS")) == before


def test_bad_user_credentials_are_an_authentication_failure(gw: Gateway) -> None:
    for auth in (login_auth(password="wrong"), login_auth(userid="someone"), login_auth(companyid="OTHER"),
                 login_auth(locationid="NOT-AN-ENTITY")):
        root = gw.xml(envelope(auth, fn("<getAPISession/>")))
        assert root.findtext("control/status") == "success"
        assert root.findtext("operation/authentication/status") == "failure"
        assert errornos(root) == ["XL03000006"]
        assert root.findtext("operation/errormessage/error/description2") == "Sign-in information is incorrect"
        assert root.find("operation/result") is None


def test_bad_sender_is_a_control_failure(gw: Gateway) -> None:
    for sender in (("mlc-sandbox-sender", "wrong"), ("someone-else", "mlc-sandbox-sender-pw")):
        root = gw.xml(envelope(login_auth(), fn("<getAPISession/>"), sender=sender))
        assert root.findtext("control/status") == "failure"
        assert root.find("operation") is None
        assert root.findtext("errormessage/error/errorno") == "XL03000006"
        assert root.findtext("errormessage/error/description2") == "Incorrect Intacct XML Partner ID or password."


def test_bad_login_can_answer_http_401(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(login_failure_http_401=True)
    response = gw.post(envelope(login_auth(password="wrong"), fn("<getAPISession/>")))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.findtext("errormessage/error/errorno") == "XMLGW_JPP0002"
    assert root.find("control/senderid") is None


def test_custom_credentials(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(sender_id="s2", sender_password="p2", company_id="C2", user_id="u2", user_password="up2")
    root = gw.xml(envelope(login_auth("u2", "C2", "up2"), fn("<getAPISession/>"), sender=("s2", "p2")))
    assert root.findtext("operation/result/status") == "success"
    root = gw.xml(envelope(login_auth(), fn("<getAPISession/>")))
    assert root.findtext("control/status") == "failure"


def test_get_api_session_switches_entity(gw: Gateway) -> None:
    top = gw.new_session()
    root = gw.xml(envelope(session_auth(top), fn("<getAPISession><locationid>US-EAST</locationid></getAPISession>")))
    api = root.find("operation/result/data/api")
    assert api.findtext("locationid") == "US-EAST"
    entity_session = api.findtext("sessionid")
    assert entity_session != top
    again = gw.xml(envelope(session_auth(entity_session), fn("<getAPISession/>")))
    assert again.findtext("operation/authentication/locationid") == "US-EAST"
    bad = gw.xml(envelope(session_auth(top), fn("<getAPISession><locationid>MARS</locationid></getAPISession>")))
    assert bad.findtext("operation/result/status") == "failure"


def test_secrets_stay_out_of_reprs(gw: Gateway) -> None:
    sessionid = gw.sessionid
    texts = [repr(gw.sandbox), repr(gw.sandbox.credentials), repr(gw.sandbox.gateway.sessions.find(sessionid))]
    for text in texts:
        for secret in ("mlc-sandbox-sender-pw", "mlc-api-user-pw", sessionid):
            assert secret not in text, text
