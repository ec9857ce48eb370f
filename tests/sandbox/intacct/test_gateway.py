"""Operation semantics (independent functions, transactions, uniqueid replay) and injected faults."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests
from lxml import etree

from ml_connector.sandbox.intacct.faults import FaultConfigError
from tests.sandbox.intacct.conftest import Gateway, envelope, errornos, fn, login_auth, session_auth


def _class(class_id: str, name: str = "n") -> str:
    return f"<create><CLASS><CLASSID>{class_id}</CLASSID><NAME>{name}</NAME></CLASS></create>"


def _class_ids(gw: Gateway) -> set[str]:
    return {record["CLASSID"] for record in gw.sandbox.records("CLASS")}


def test_function_failure_does_not_stop_other_functions(gw: Gateway) -> None:
    root = gw.call(fn(_class("T1"), "a"), fn(_class("C-SMB"), "b"), fn(_class("T2"), "c"))
    assert [r.findtext("status") for r in root.findall("operation/result")] == ["success", "failure", "success"]
    assert [r.findtext("controlid") for r in root.findall("operation/result")] == ["a", "b", "c"]
    assert {"T1", "T2"} <= _class_ids(gw)


def test_transaction_rolls_back_everything(gw: Gateway) -> None:
    before = gw.sandbox.records("CLASS")
    vendors_before = gw.sandbox.records("VENDOR")
    update = "<update><VENDOR><VENDORID>V00002</VENDORID><NAME>Renamed</NAME></VENDOR></update>"
    root = gw.call(fn(_class("T1"), "a"), fn(update, "b"), fn(_class("C-SMB"), "c"), fn(_class("T3"), "d"),
                   transaction=True)
    results = root.findall("operation/result")
    assert [r.findtext("status") for r in results] == ["aborted", "aborted", "failure", "aborted"]
    assert all(r.find("data") is None for r in results)
    assert errornos(results[0]) == ["XL03000009"]
    assert errornos(results[2]) == ["BL34000061", "BL01001973", "XL03000009"]
    assert gw.sandbox.records("CLASS") == before
    assert gw.sandbox.records("VENDOR") == vendors_before


def test_transaction_commits_when_all_succeed(gw: Gateway) -> None:
    root = gw.call(fn(_class("T1"), "a"), fn(_class("T2"), "b"), transaction=True)
    assert [r.findtext("status") for r in root.findall("operation/result")] == ["success", "success"]
    assert {"T1", "T2"} <= _class_ids(gw)


def test_uniqueid_replay_does_not_create_twice(gw: Gateway) -> None:
    first = gw.call(fn(_class("U1"), "create-u1"), uniqueid=True)
    count = len(gw.sandbox.records("CLASS"))
    again = gw.call(fn(_class("U1"), "create-u1"), uniqueid=True)
    assert len(gw.sandbox.records("CLASS")) == count
    assert again.findtext("operation/result/status") == "success"
    assert again.findtext("operation/result/data/class/RECORDNO") == first.findtext("operation/result/data/class/RECORDNO")
    assert gw.sandbox.request_log[-1]["replayed"] == ["create-u1"]
    # Without uniqueid the same controlid runs again (and here meets the duplicate check).
    plain = gw.call(fn(_class("U1"), "create-u1"))
    assert errornos(plain)[0] == "BL34000061"
    # A new controlid is a new function.
    other = gw.call(fn(_class("U2"), "create-u2"), uniqueid=True)
    assert other.findtext("operation/result/status") == "success" and "U2" in _class_ids(gw)


def test_uniqueid_does_not_replay_failures_or_rolled_back_functions(gw: Gateway) -> None:
    gw.call(fn(_class("R1"), "r1"), fn(_class("C-SMB"), "r2"), uniqueid=True, transaction=True)
    assert "R1" not in _class_ids(gw)
    retry = gw.call(fn(_class("R1"), "r1"), fn(_class("R2"), "r2"), uniqueid=True, transaction=True)
    assert [r.findtext("status") for r in retry.findall("operation/result")] == ["success", "success"]
    assert {"R1", "R2"} <= _class_ids(gw)


def test_fault_rate_limit(gw: Gateway) -> None:
    gw.sandbox.faults.add("rate_limit", count=2, function="readByQuery")
    read = fn("<readByQuery><object>CLASS</object><query/></readByQuery>")
    body = envelope(session_auth(gw.sessionid), read)
    assert gw.post(envelope(session_auth(gw.sessionid), fn("<getAPISession/>"))).status_code == 200  # not matching
    for _ in range(2):
        response = gw.post(body)
        assert response.status_code == 429
        assert etree.fromstring(response.content).findtext("errormessage/error/errorno") == "GW-0010"
    assert gw.post(body).status_code == 200
    assert [entry["fault"] for entry in gw.sandbox.request_log[-3:]] == ["rate_limit", "rate_limit", None]


def test_queued_answer_faults_hit_one_request_each_and_latency_combines(gw: Gateway) -> None:
    gw.sandbox.faults.add("rate_limit", function="readByQuery")
    gw.sandbox.faults.add("http_error", function="readByQuery", status=503)
    gw.sandbox.faults.add("latency", function="readByQuery", seconds=0.01)
    body = envelope(session_auth(gw.sessionid), fn("<readByQuery><object>CLASS</object><query/></readByQuery>"))
    assert [gw.post(body).status_code for _ in range(3)] == [429, 503, 200]
    assert [e["fault"] for e in gw.sandbox.request_log[-3:]] == ["rate_limit", "http_error", None]
    assert gw.sandbox.faults.pending() == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_fault_http_error(gw: Gateway, status: int) -> None:
    body = envelope(session_auth(gw.sessionid), fn(_class("H1")))
    gw.sandbox.faults.add("http_error", status=status)
    response = gw.post(body)
    assert response.status_code == status
    if status == 500:
        assert response.content == b""
    assert "H1" not in _class_ids(gw)


def test_fault_cloudflare_html(gw: Gateway) -> None:
    body = envelope(session_auth(gw.sessionid), fn("<getAPISession/>"))
    gw.sandbox.faults.add("cloudflare_html")
    response = gw.post(body)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "cf-error-details" in response.text


def test_fault_524_after_commit_applies_the_write(gw: Gateway) -> None:
    gw.sandbox.faults.add("timeout_524_after_commit", function="create")
    response = gw.post(envelope(session_auth(gw.sessionid), fn(_class("W1"), "write-w1"), uniqueid=True))
    assert response.status_code == 524
    assert "W1" in _class_ids(gw)
    retry = gw.call(fn(_class("W1"), "write-w1"), uniqueid=True)  # the safe retry
    assert retry.findtext("operation/result/status") == "success"
    assert [c["CLASSID"] for c in gw.sandbox.records("CLASS")].count("W1") == 1


def test_fault_latency(gw: Gateway) -> None:
    body = envelope(session_auth(gw.sessionid), fn("<getAPISession/>"))
    gw.sandbox.gateway.request_log.clear()
    gw.sandbox.faults.add("latency", seconds=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        gw.http.post(gw.url, data=body, timeout=0.2)
    deadline = time.monotonic() + 10
    while not gw.sandbox.request_log and time.monotonic() < deadline:  # the delayed request still completes
        time.sleep(0.05)
    assert gw.sandbox.request_log[-1]["fault"] == "latency"


def test_fault_expire_session(gw: Gateway) -> None:
    sessionid = gw.sessionid
    gw.sandbox.faults.add("expire_session", function="readByQuery")
    root = gw.call(fn("<readByQuery><object>CLASS</object><query/></readByQuery>"))
    assert root.findtext("operation/authentication/status") == "failure"
    assert root.findtext("operation/errormessage/error/description2").startswith("Invalid session")
    fresh = gw.new_session()
    assert fresh != sessionid
    ok = gw.xml(envelope(session_auth(fresh), fn("<readByQuery><object>CLASS</object><query/></readByQuery>")))
    assert ok.findtext("operation/result/status") == "success"


def test_fault_dl02000001_fails_only_the_matching_function(gw: Gateway) -> None:
    gw.sandbox.faults.add("dl02000001", function="readByQuery")
    root = gw.call(fn(_class("D1"), "a"), fn("<readByQuery><object>CLASS</object><query/></readByQuery>", "b"))
    results = root.findall("operation/result")
    assert [r.findtext("status") for r in results] == ["success", "failure"]
    assert errornos(results[1]) == ["DL02000001"]
    assert results[1].findtext("errormessage/error/description2") == "There was an error processing the request."


def test_fault_unauthorized_401(gw: Gateway) -> None:
    gw.sandbox.faults.add("unauthorized_401", function="getAPISession")
    response = gw.post(envelope(login_auth(), fn("<getAPISession/>")))
    assert response.status_code == 401
    assert etree.fromstring(response.content).findtext("errormessage/error/errorno") == "XMLGW_JPP0002"


def test_fault_configuration_errors_name_the_field(gw: Gateway) -> None:
    with pytest.raises(FaultConfigError, match="kind"):
        gw.sandbox.faults.add("meteor")
    with pytest.raises(FaultConfigError, match="status"):
        gw.sandbox.faults.add("http_error", status=418)
    with pytest.raises(FaultConfigError, match="count"):
        gw.sandbox.faults.add("rate_limit", count=0)


def test_request_log_records_each_request(gw: Gateway) -> None:
    gw.call(fn("<getAPISession/>", "g1"), fn(_class("L1"), "c1"), uniqueid=True)
    entry = gw.sandbox.request_log[-1]
    assert entry["functions"] == ["getAPISession", "create"]
    assert entry["controlids"] == ["g1", "c1"]
    assert (entry["auth"], entry["uniqueid"], entry["http_status"], entry["control_status"]) == ("sessionid", True, 200, "success")
    assert entry["body"].startswith(b"<?xml")
    gw.xml(b"<request><control>")
    assert gw.sandbox.request_log[-1]["control_status"] == "failure"


def test_reset_restores_the_seeded_state(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    seeded = gw.sandbox.records("VENDOR")
    gw.call(fn("<update><VENDOR><VENDORID>V00001</VENDORID><NAME>Changed</NAME></VENDOR></update>"))
    gw.sandbox.faults.add("rate_limit")
    gw.sandbox.reset()
    assert gw.sandbox.records("VENDOR") == seeded
    assert gw.sandbox.request_log == [] and gw.sandbox.faults.pending() == []
