"""The sandbox accepts what the official SDKs send and rejects what the schema rejects (XL03000003)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from tests.sandbox.intacct.conftest import Gateway, envelope, errornos, fn, login_auth, session_auth


def _fixture_body(path: Path) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", path.read_text(encoding="utf-8"))


def _control_errors(root: etree._Element) -> list[str]:
    """XL03000003 errors at control level (errormessage directly under response)."""
    return [error.findtext("errorno") for error in root.findall("errormessage/error")]


def _assert_schema_valid(root: etree._Element) -> None:
    assert root.findtext("control/status") == "success", etree.tostring(root)
    assert "XL03000003" not in errornos(root), etree.tostring(root)


def test_every_function_fixture_passes_the_grammar(gw: Gateway, intacct_specs: Path) -> None:
    fixtures = sorted((intacct_specs / "fixtures").glob("req__function_*.xml"))
    assert len(fixtures) >= 11
    for path in fixtures:
        root = gw.xml(envelope(session_auth(gw.sessionid), _fixture_body(path)))
        _assert_schema_valid(root)
        result = root.find("operation/result")
        assert result is not None, path.name
        assert result.findtext("controlid") == "unittest"


def test_fixture_functions_also_run(gw: Gateway, intacct_specs: Path) -> None:
    """Beyond the grammar: the VENDOR create/update fixtures really write, CLASS reads really read."""
    fixtures = intacct_specs / "fixtures"
    created = gw.result(_fixture_body(fixtures / "req__function_create_VENDOR_full__VendorCreateTest.xml"))
    assert created.findtext("status") == "success", etree.tostring(created)
    assert created.findtext("data/vendor/VENDORID") == "V1234"
    updated = gw.result(_fixture_body(fixtures / "req__function_update_VENDOR_minimal__VendorUpdateTest.xml"))
    assert updated.findtext("status") == "success", etree.tostring(updated)
    vendor = next(v for v in gw.sandbox.records("VENDOR") if v["VENDORID"] == "V1234")
    assert vendor["CUSTOMFIELD1"] == "Hello"
    assert vendor["DISPLAYCONTACT"]["MAILADDRESS"]["CITY"] == "San Jose"
    classes = gw.result(_fixture_body(fixtures / "req__function_readByQuery_default__ReadByQueryTest.xml"))
    assert classes.find("data").get("listtype") == "class"
    assert [c.findtext("RECORDNO") for c in classes.findall("data/class")] == ["1"]


def test_envelope_fixtures_pass_the_grammar(gw: Gateway, intacct_specs: Path) -> None:
    fixtures = intacct_specs / "fixtures"
    # The SDK's full request (iso-8859-1 declaration, empty content, a fake session id).
    raw = (fixtures / "req__request_session_auth__RequestBlockTest.xml").read_bytes()
    raw = raw.replace(b"testsenderid", b"mlc-sandbox-sender").replace(b"pass123!", b"mlc-sandbox-sender-pw")
    root = gw.xml(raw)
    _assert_schema_valid(root)
    assert root.findtext("operation/authentication/status") == "failure"  # fake session id
    assert "Invalid session" in root.findtext("operation/errormessage/error/description2")

    for name in (
        "req__operation_login_getAPISession__OperationBlockTest.xml",
        "req__operation_session_transaction_true__OperationBlockTest.xml",
    ):
        operation = _fixture_body(fixtures / name)
        body = envelope("<sessionid>x</sessionid>", "").decode()
        start, end = body.index("<operation "), body.index("</operation>") + len("</operation>")
        body = body[:start] + operation + body[end:]
        _assert_schema_valid(gw.xml(body.encode()))

    login = _fixture_body(fixtures / "req__authentication_login_with_locationid__LoginAuthenticationTest.xml")
    body = envelope("", fn("<getAPISession/>")).decode().replace("<authentication></authentication>", login)
    root = gw.xml(body.encode())
    _assert_schema_valid(root)
    assert root.findtext("operation/errormessage/error/description2") == "Sign-in information is incorrect"


def test_fixture_login_with_real_credentials_and_entity(gw: Gateway) -> None:
    root = gw.xml(envelope(login_auth(locationid="US-WEST"), fn("<getAPISession/>")))
    assert root.findtext("operation/authentication/locationid") == "US-WEST"
    assert root.findtext("operation/result/data/api/locationid") == "US-WEST"


def _session_body(gw: Gateway, content: str) -> bytes:
    return envelope(session_auth(gw.sessionid), content)


INVALID_REQUESTS = {
    "control out of order": lambda gw: _session_body(gw, fn("<getAPISession/>")).replace(
        b"<password>mlc-sandbox-sender-pw</password><controlid>ctl-1</controlid>",
        b"<controlid>ctl-1</controlid><password>mlc-sandbox-sender-pw</password>",
    ),
    "control without controlid": lambda gw: _session_body(gw, fn("<getAPISession/>")).replace(
        b"<controlid>ctl-1</controlid>", b""
    ),
    "unknown control element": lambda gw: _session_body(gw, fn("<getAPISession/>")).replace(
        b"<dtdversion>", b"<verbose>1</verbose><dtdversion>"
    ),
    "function without controlid": lambda gw: _session_body(gw, "<function><getAPISession/></function>"),
    "controlid longer than 256": lambda gw: _session_body(gw, fn("<getAPISession/>", controlid="x" * 257)),
    "readByQuery pagesize 1001": lambda gw: _session_body(
        gw, fn("<readByQuery><object>VENDOR</object><query></query><pagesize>1001</pagesize></readByQuery>")
    ),
    "readByQuery without query": lambda gw: _session_body(gw, fn("<readByQuery><object>VENDOR</object></readByQuery>")),
    "query pagesize 2001": lambda gw: _session_body(
        gw, fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><pagesize>2001</pagesize></query>")
    ),
    "query negative offset": lambda gw: _session_body(
        gw, fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><offset>-1</offset></query>")
    ),
    "and with one child": lambda gw: _session_body(
        gw,
        fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><filter><and>"
           "<equalto><field>RECORDNO</field><value>1</value></equalto></and></filter></query>"),
    ),
    "two operators under filter": lambda gw: _session_body(
        gw,
        fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><filter>"
           "<equalto><field>RECORDNO</field><value>1</value></equalto>"
           "<equalto><field>RECORDNO</field><value>2</value></equalto></filter></query>"),
    ),
    "in with 1001 values": lambda gw: _session_body(
        gw,
        fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><filter><in><field>RECORDNO</field>"
           + "".join(f"<value>{n}</value>" for n in range(1001)) + "</in></filter></query>"),
    ),
    "between with one value": lambda gw: _session_body(
        gw,
        fn("<query><select><field>RECORDNO</field></select><object>VENDOR</object><filter><between>"
           "<field>RECORDNO</field><value>1</value></between></filter></query>"),
    ),
    "create with 101 records": lambda gw: _session_body(
        gw, fn("<create>" + "<CLASS><CLASSID>X</CLASSID><NAME>x</NAME></CLASS>" * 101 + "</create>")
    ),
    "read with 101 keys": lambda gw: _session_body(
        gw, fn("<read><object>VENDOR</object><keys>" + ",".join(str(n) for n in range(101)) + "</keys></read>")
    ),
    "unknown function": lambda gw: _session_body(gw, fn("<readEverything/>")),
    "login missing password": lambda gw: envelope(
        "<login><userid>a</userid><companyid>b</companyid></login>", fn("<getAPISession/>")
    ),
    "bad transaction attribute": lambda gw: _session_body(gw, fn("<getAPISession/>")).replace(
        b'transaction="false"', b'transaction="yes"'
    ),
    "not a request": lambda gw: b"<requests/>",
}


@pytest.mark.parametrize("case", sorted(INVALID_REQUESTS))
def test_invalid_request_is_control_failure_xl03000003(gw: Gateway, case: str) -> None:
    root = gw.xml(INVALID_REQUESTS[case](gw))
    assert root.findtext("control/status") == "failure"
    assert root.find("operation") is None
    assert _control_errors(root) and set(_control_errors(root)) == {"XL03000003"}
    assert root.findtext("errormessage/error/description2").startswith("XML Parse schema error:")
    assert gw.sandbox.request_log[-1]["control_status"] == "failure"


@pytest.mark.parametrize("bad", [b"\x0b", b"&#11;", b"\x01", b"&#xFFFE;"])
def test_control_characters_are_rejected_by_the_parser(gw: Gateway, bad: bytes) -> None:
    body = _session_body(
        gw, fn("<create><CLASS><CLASSID>CC1</CLASSID><NAME>bad " + bad.decode("latin-1") + " name</NAME></CLASS></create>")
    )
    root = gw.xml(body)
    assert _control_errors(root) == ["XL03000003"]
    message = root.findtext("errormessage/error/description2")
    assert message.startswith("XML Parse schema error: Fatal Error 9:"), message
    assert re.search(r"Line: \d+, column: \d+\.$", message), message
    assert root.findtext("control/senderid") == "mlc-sandbox-sender"  # echoed even though unparseable
    assert not [c for c in gw.sandbox.records("CLASS") if c["CLASSID"] == "CC1"]


def test_tag_mismatch_reports_every_parser_error(gw: Gateway) -> None:
    body = _session_body(gw, fn("<create><PROJECT><PROJECTID>x</PROJECT></CUSTOMER></create>"))
    root = gw.xml(body)
    messages = [e.findtext("description2") for e in root.findall("errormessage/error")]
    assert len(messages) >= 2
    assert all("Fatal Error 76: Opening and ending tag mismatch" in m for m in messages[:2])


def test_entities_are_not_expanded(gw: Gateway) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE request [<!ENTITY x SYSTEM "file:///etc/passwd">]><request>&x;</request>'
    root = gw.xml(body)
    assert _control_errors(root) == ["XL03000003"]
    assert b"root:" not in etree.tostring(root)
