"""Replies follow ``intacct_response.v2.1.dtd`` (with the documented 3.0 additions) and the fixtures' shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.sandbox.intacct.conftest import (
    Gateway,
    assert_valid_response,
    envelope,
    fn,
    login_auth,
    response_dtd,
    session_auth,
)


@pytest.fixture(scope="module")
def dtd(intacct_specs: Path) -> etree.DTD:
    return response_dtd(intacct_specs)


def test_dtd_helper_accepts_official_fixtures_and_rejects_broken_ones(dtd: etree.DTD, intacct_specs: Path) -> None:
    fixtures = intacct_specs / "fixtures"
    for name in ("jfcote87__functionErrorSuccess.xml", "jfcote87__sessionInvalid.xml", "jfcote87__execXMLError.xml",
                 "resp__multi_function_transaction_aborted_XL03000009__OnlineClientTest.xml"):
        assert_valid_response(dtd, (fixtures / name).read_bytes())
    broken = b"<response><control><status>success</status></control><operation/></response>"
    with pytest.raises(AssertionError):
        assert_valid_response(dtd, broken)


def _check(gw: Gateway, dtd: etree.DTD, body: bytes) -> etree._Element:
    response = gw.post(body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    return assert_valid_response(dtd, response.content)


def test_get_api_session_response(gw: Gateway, dtd: etree.DTD) -> None:
    root = _check(gw, dtd, envelope(login_auth(), fn("<getAPISession/>")))
    auth = root.find("operation/authentication")
    assert [child.tag for child in auth] == [
        "status", "userid", "companyid", "locationid", "sessiontimestamp", "sessiontimeout"]
    assert root.findtext("operation/result/function") == "getAPISession"


def test_read_responses(gw: Gateway, dtd: etree.DTD) -> None:
    auth = session_auth(gw.sessionid)
    root = _check(gw, dtd, envelope(auth, fn(
        "<readByQuery><object>VENDOR</object><query></query><pagesize>5</pagesize></readByQuery>")))
    data = root.find("operation/result/data")
    assert data.get("listtype") == "vendor" and data[0].tag == "vendor"
    root = _check(gw, dtd, envelope(auth, fn(f"<readMore><resultId>{data.get('resultId')}</resultId></readMore>")))
    assert root.findtext("operation/result/status") == "success"
    root = _check(gw, dtd, envelope(auth, fn(
        "<query><select><field>RECORDNO</field></select><object>APBILL</object><pagesize>3</pagesize></query>")))
    assert root.find("operation/result/data")[0].tag == "APBILL"
    root = _check(gw, dtd, envelope(auth, fn("<read><object>APBILL</object><keys>1,2</keys></read>")))
    assert [e.tag for e in root.find("operation/result/data")] == ["APBILL", "APBILL"]


def test_write_and_failure_responses(gw: Gateway, dtd: etree.DTD) -> None:
    auth = session_auth(gw.sessionid)
    vendor = "<VENDOR><VENDORID>{}</VENDORID><NAME>n</NAME><DISPLAYCONTACT><PRINTAS>p</PRINTAS></DISPLAYCONTACT></VENDOR>"
    root = _check(gw, dtd, envelope(auth, fn(f"<create>{vendor.format('VR1')}</create>")))
    assert root.findtext("operation/result/status") == "success"
    root = _check(gw, dtd, envelope(auth, fn(f"<create>{vendor.format('VR1')}</create>")))
    assert root.findtext("operation/result/status") == "failure"
    root = _check(gw, dtd, envelope(login_auth(password="wrong"), fn("<getAPISession/>")))
    assert root.findtext("operation/authentication/status") == "failure"
    root = _check(gw, dtd, envelope(session_auth("nope"), fn("<getAPISession/>")))
    assert root.find("operation/result") is None
    root = _check(gw, dtd, envelope(auth, "<function><getAPISession/></function>"))
    assert root.findtext("control/status") == "failure"
    root = _check(gw, dtd, envelope(auth, fn("<getAPISession/>"), sender=("mlc-sandbox-sender", "bad")))
    assert root.findtext("errormessage/error/errorno") == "XL03000006"
    functions = fn(f"<create>{vendor.format('VR1')}</create>") + fn("<getAPISession/>", "f2")
    root = _check(gw, dtd, envelope(auth, functions, transaction=True))
    statuses = [r.findtext("status") for r in root.findall("operation/result")]
    assert statuses == ["failure", "aborted"]
    assert [e.findtext("errorno") for e in root.iter("error")][-1] == "XL03000009"
