"""Every response fixture parses to the right result or the right error class."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ml_connector.intacct.errors import (
    IntacctAmbiguousWriteError,
    IntacctAuthenticationError,
    IntacctError,
    IntacctFunctionError,
    IntacctRateLimitError,
    IntacctRecordError,
    IntacctRequestError,
    IntacctResponseError,
    IntacctResultIdExpiredError,
    IntacctSessionError,
    IntacctTransientError,
)
from ml_connector.intacct.response import GatewayResponse, field_value, parse_record_timestamp, parse_response


def _ok(check: Callable[[GatewayResponse], None]) -> Callable[[GatewayResponse], None]:
    return check


def _single(resp: GatewayResponse):
    assert len(resp.results) == 1
    return resp.results[0]


def check_async(resp: GatewayResponse) -> None:
    assert resp.acknowledged and resp.results == []


def check_legacy_key(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.ok and res.key == "C1234" and res.function == "create_class"
    assert resp.session_timeout == datetime(2015, 10, 26, 10, 8, 34, tzinfo=timezone(timedelta(hours=-7)))


def check_duplicate(resp: GatewayResponse) -> None:
    res = _single(resp)
    err = res.error()
    assert isinstance(err, IntacctRecordError)
    assert err.errors[0].errorno == "BL34000061"
    assert err.errors[0].description2 == "Another Class with the given value(s) UT01  already exists"
    assert err.errors[0].correction == "Use a unique value instead."
    assert err.errornos[1:] == ("BL01001973", "BL01001973")
    assert res.records == [] and res.count == 0


def check_two_classes(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.ok and res.list_type == "objects" and res.count == 2
    assert [(r["RECORDNO"], r["CLASSID"]) for r in res.records] == [("5", "UT01"), ("6", "UT02")]


def check_session(entity: str) -> Callable[[GatewayResponse], None]:
    def check(resp: GatewayResponse) -> None:
        assert resp.api_session == ("fAkESesSiOnId..", "https://unittest.intacct.com/ia/xml/xmlgw.phtml")
        assert field_value(_single(resp).records[0], "locationid") == entity
        assert resp.session_timeout - resp.session_timestamp == timedelta(hours=24)

    return check


def check_aborted(resp: GatewayResponse) -> None:
    first, second = resp.results
    assert first.status == "aborted" and first.error().errornos == ("XL03000009",)
    assert second.status == "failure" and isinstance(second.error(), IntacctFunctionError)
    assert second.error().errors[0].errorno == "Get API Session Failed"


def check_class_page(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert (res.list_type, res.count, res.total_count, res.num_remaining, res.result_id) == (
        "class", 1, 2, 1, "myResultId")
    record = res.records[0]
    assert record["CLASSID"] == "C1234" and record["DESCRIPTION"] == ""
    assert parse_record_timestamp(record["WHENMODIFIED"], UTC) == datetime(2017, 7, 24, 15, 19, 46, tzinfo=UTC)


def check_customer_last_page(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.ok and res.list_type == "customer" and res.num_remaining == 0 and res.result_id == ""
    assert res.records == [{"CUSTOMERID": "C0001", "NAME": "Sage Intacct, Inc"}]


def check_empty(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.ok and res.records == [] and res.count == 0 and res.num_remaining == 0


def check_function_error(errorno: str, cls: type[IntacctError]) -> Callable[[GatewayResponse], None]:
    def check(resp: GatewayResponse) -> None:
        err = _single(resp).error()
        assert type(err) is cls, err
        assert errorno in err.errornos

    return check


def check_dl02(resp: GatewayResponse) -> None:
    err = _single(resp).error()
    assert isinstance(err, IntacctFunctionError) and err.retriable_once
    assert err.errors[0].description == "Error"


def check_page1(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.num_remaining == 1 and res.result_id == "6465763031V2wi28CoHYQAAF0HcP8AAAAc5"
    assert res.records == [{"RECORDNO": "1"}]


def check_readmore_last(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.function == "readMore" and res.num_remaining == 0
    assert res.records[0]["TITLE"] == "Cash in Bank, Checking, BA1343"


def check_read_upper(list_type: str, count: int) -> Callable[[GatewayResponse], None]:
    def check(resp: GatewayResponse) -> None:
        res = _single(resp)
        assert res.ok and res.list_type == list_type and len(res.records) == count

    return check


def check_update_nonexistent(resp: GatewayResponse) -> None:
    res = _single(resp)
    err = res.error()
    assert isinstance(err, IntacctRecordError)
    assert err.errors[0].errorno == "Cannot update non-existing CLASS with CLASSID=UT99."
    assert res.records[0]["CLASSID"] == "UT01"  # the echo is kept next to the error


def check_jf_func_error(resp: GatewayResponse) -> None:
    res = _single(resp)
    assert res.records == [{"RECORDNO": "1424", "PROJECTID": "Fellow PD2"}]  # one record made it
    err = res.error()
    assert isinstance(err, IntacctRecordError) and err.errors[0].errorno == "BL34000061"
    assert "Fellow PD1" in err.errors[0].description2


def check_project_page(resp: GatewayResponse) -> None:
    results = resp.results
    assert results[0].function == "readByQuery" and results[0].num_remaining == 30
    assert len(results[0].records) == results[0].count == 5
    assert all(r.ok for r in results)


def check_mixed(resp: GatewayResponse) -> None:
    """failure / success / failure: the middle result is intact despite its neighbours."""
    first, middle, last = resp.results
    assert isinstance(first.error(), IntacctFunctionError) and first.errors[0].errorno == "Invalid fields list x"
    assert middle.ok and middle.records[0]["VENDORNAME"] == "FOSSE BOB"
    assert not last.ok
    assert resp.session_timeout - resp.session_timestamp == timedelta(hours=6)


def check_vendor(resp: GatewayResponse) -> None:
    read, rbq = resp.results
    assert [r["VENDORID"] for r in read.records] == ["100001TEST", "100002TEST"]
    assert "PARENTKEY" not in read.records[0] and read.records[1]["PARENTKEY"] == ""
    assert rbq.function == "readByQuery" and rbq.num_remaining == 5


RESULTS: dict[str, Callable[[GatewayResponse], None]] = {
    "resp__async_acknowledgement__RequestHandlerTest.xml": check_async,
    "resp__create_class_legacy_key__ResultTest.xml": check_legacy_key,
    "resp__create_failure_BL34000061_duplicate__ClassObjTest_2016.xml": check_duplicate,
    "resp__create_success_two_classes__ClassObjTest_2016.xml": check_two_classes,
    "resp__getAPISession_success__SessionProviderTest.xml": check_session(""),
    "resp__getAPISession_success_entity__SessionProviderTest.xml": check_session("testentity"),
    "resp__multi_function_transaction_aborted_XL03000009__OnlineClientTest.xml": check_aborted,
    "resp__readByQuery_class_page_resultId__ResultTest.xml": check_class_page,
    "resp__readByQuery_customer__OnlineClientTest.xml": check_customer_last_page,
    "resp__readByQuery_empty__ResultTest.xml": check_empty,
    "resp__readByQuery_failure_DL02000001__IntacctClientTest_2016.xml": check_dl02,
    "resp__readByQuery_failure_Query_Failed__ResultTest.xml": check_function_error("Query Failed", IntacctFunctionError),
    "resp__readByQuery_page1_numremaining1__QueryClientTest_2017.xml": check_page1,
    "resp__readMore_failure_expired_resultId__QueryClientTest_2017.xml": check_function_error(
        "readMore failed", IntacctResultIdExpiredError),
    "resp__readMore_success_last_page__IntacctClientTest_2016.xml": check_readmore_last,
    "resp__read_class__ResultTest.xml": check_read_upper("CUSTOMER", 1),
    "resp__read_success__IntacctClientTest_2016.xml": check_read_upper("GLACCOUNT", 2),
    "resp__update_failure_nonexistent__ClassObjTest_2016.xml": check_update_nonexistent,
    "jfcote87__execFuncError.xml": check_jf_func_error,
    "jfcote87__execProjectSuccess.xml": check_project_page,
    "jfcote87__functionErrorSuccess.xml": check_mixed,
    "jfcote87__vendorResponse.xml": check_vendor,
}

# (error class, http status the fixture is served with, an errorno the error must carry or None)
ERRORS: dict[str, tuple[type[IntacctError], int, str | None]] = {
    "resp__auth_failure_XL03000006_signin__OnlineResponseTest.xml": (IntacctAuthenticationError, 200, "XL03000006"),
    "resp__control_failure_PL04000055_demo_expired__OnlineResponseTest.xml": (
        IntacctAuthenticationError, 200, "PL04000055"),
    "resp__control_failure_XL03000006_transport_policy__ResponseExceptionTest.xml": (
        IntacctAuthenticationError, 200, "XL03000006"),
    "resp__http401_XMLGW_JPP0002__RequestHandlerTest.xml": (IntacctAuthenticationError, 401, "XMLGW_JPP0002"),
    "resp__errormessage_entities__ErrorMessageTest.xml": (IntacctResponseError, 200, "1234"),
    "jfcote87__execLoginInvalid.xml": (IntacctAuthenticationError, 200, "XL03000006"),
    "jfcote87__execXMLError.xml": (IntacctRequestError, 200, "XL03000003"),
    "jfcote87__sessionInvalid.xml": (IntacctSessionError, 200, None),
}


def test_every_response_fixture_is_covered(fixtures_dir: Path) -> None:
    names = {p.name for p in fixtures_dir.glob("*.xml") if not p.name.startswith("req__")}
    assert names == set(RESULTS) | set(ERRORS)


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_response_fixture_parses_to_the_right_result(fixtures_dir: Path, name: str) -> None:
    RESULTS[name](parse_response((fixtures_dir / name).read_bytes()))


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_response_fixture_raises_the_right_error(fixtures_dir: Path, name: str) -> None:
    cls, status, errorno = ERRORS[name]
    with pytest.raises(IntacctError) as caught:
        parse_response((fixtures_dir / name).read_bytes(), http_status=status)
    assert type(caught.value) is cls
    if errorno is not None:
        assert errorno in caught.value.errornos


def test_entity_encoded_error_text_is_decoded(fixtures_dir: Path) -> None:
    with pytest.raises(IntacctResponseError) as caught:
        parse_response((fixtures_dir / "resp__errormessage_entities__ErrorMessageTest.xml").read_bytes())
    first = caught.value.errors[0]
    assert first.description2 == "Object definition 'BADOBJECT' not found."
    assert first.correction == "strip<out>these</out>tags."


def test_invalid_session_error_does_not_repeat_the_session_id(fixtures_dir: Path) -> None:
    with pytest.raises(IntacctSessionError) as caught:
        parse_response((fixtures_dir / "jfcote87__sessionInvalid.xml").read_bytes())
    assert "q...." not in str(caught.value) and caught.value.errors == ()


def test_tags_are_matched_case_insensitively() -> None:
    body = (b"<RESPONSE><Control><STATUS>success</STATUS></Control><Operation><Authentication>"
            b"<Status>success</Status></Authentication><Result><Status>success</Status><Function>query</Function>"
            b"<ControlId>c</ControlId><Data listType='APBILL' count='1' numRemaining='0'><APBILL><RECORDNO>7</RECORDNO>"
            b"</APBILL></Data></Result></Operation></RESPONSE>")
    res = _single(parse_response(body))
    assert res.ok and res.num_remaining == 0 and res.records == [{"RECORDNO": "7"}]


@pytest.mark.parametrize(
    ("status", "body", "is_write", "cls"),
    [
        (429, b"<response><control><status>failure</status></control><errormessage><error><errorno>GW-0010"
              b"</errorno></error></errormessage></response>", False, IntacctRateLimitError),
        (502, b"", False, IntacctTransientError),
        (503, b"<html>down</html>", True, IntacctTransientError),
        (504, b"", True, IntacctTransientError),
        (502, b"<!DOCTYPE html><html><div id='cf-error-details'>Bad gateway</div></html>", False,
         IntacctTransientError),
        (524, b"<html>A timeout occurred</html>", True, IntacctAmbiguousWriteError),
        (524, b"<html>A timeout occurred</html>", False, IntacctTransientError),
        (500, b"", True, IntacctAmbiguousWriteError),
        (500, b"Internal error", False, IntacctTransientError),
        (200, b"not xml at all", False, IntacctResponseError),
        (200, b"<foo/>", False, IntacctResponseError),
    ],
)
def test_http_level_failures_are_classified(status: int, body: bytes, is_write: bool, cls: type) -> None:
    with pytest.raises(IntacctError) as caught:
        parse_response(body, http_status=status, is_write=is_write)
    assert type(caught.value) is cls
    assert caught.value.retriable == issubclass(cls, IntacctTransientError)


def test_transient_text_in_a_control_failure_is_retriable() -> None:
    body = (b"<response><control><status>failure</status></control><errormessage><error><errorno>XL03000010"
            b"</errorno><description2>The Service is Temporarily Off-line</description2></error></errormessage>"
            b"</response>")
    with pytest.raises(IntacctTransientError):
        parse_response(body)


def test_entities_and_dtds_are_never_expanded() -> None:
    billion = (b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY a "aaaaaaaaaa">'
               b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><response>&b;</response>')
    external = (b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<response><control><status>success</status></control>&x;</response>')
    for body in (billion, external):
        with pytest.raises(IntacctResponseError):
            parse_response(body)
