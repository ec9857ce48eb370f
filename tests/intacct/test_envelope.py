"""Requests are built with lxml, sanitized, and valid against the official (patched) api.xsd."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree

from ml_connector.intacct.envelope import (
    LoginAuth,
    RequestBuilder,
    SessionAuth,
    all_of,
    any_of,
    cmp,
    eq,
    format_timestamp,
    is_in,
)
from ml_connector.intacct.errors import IntacctRequestError
from tests.intacct.conftest import assert_valid


@pytest.fixture()
def builder() -> RequestBuilder:
    return RequestBuilder("sender", "sender-pw")


def _session(builder: RequestBuilder, *functions, uniqueid: bool = False) -> bytes:
    return builder.build(list(functions), SessionAuth("sess-123"), uniqueid=uniqueid)


def test_get_api_session_with_login_and_entity_validates(builder: RequestBuilder, api_schema) -> None:
    fn = builder.get_api_session()
    body = builder.build([fn], LoginAuth("user", "COMPANY", "user-pw", "US-EAST"), uniqueid=False)
    assert_valid(api_schema, body)
    root = etree.fromstring(body)
    assert root.findtext("control/senderid") == "sender"
    assert root.findtext("control/uniqueid") == "false"
    assert root.findtext("control/dtdversion") == "3.0"
    assert root.findtext("operation/authentication/login/locationid") == "US-EAST"
    assert root.find("operation/content/function").get("controlid") == fn.controlid


def test_every_read_function_validates(builder: RequestBuilder, api_schema) -> None:
    functions = [
        builder.read_by_query("VENDOR", "NAME = 'Jane\\'s' AND RECORDNO < 2", ["RECORDNO", "NAME"], 1000),
        builder.read_more("result-id-1"),
        builder.read("APBILL", [1, 2, 3]),
        builder.query(
            "APBILL",
            ["RECORDNO", "WHENMODIFIED"],
            filter=all_of(
                cmp("greaterthanorequalto", "WHENMODIFIED", "01/02/2026 03:04:05"),
                any_of(cmp("greaterthan", "RECORDNO", 5), eq("STATE", "Posted")),
                is_in("VENDORID", ["V1", "V2"]),
            ),
            order_by=[("WHENMODIFIED", True), ("RECORDNO", False)],
            page_size=2000,
            offset=4000,
            case_insensitive=True,
        ),
    ]
    for fn in functions:
        assert_valid(api_schema, _session(builder, fn))
    assert_valid(api_schema, _session(builder, *functions))


def test_in_filter_over_1000_values_becomes_or_of_chunks(builder: RequestBuilder, api_schema) -> None:
    flt = is_in("RECORDKEY", range(2500))
    body = _session(builder, builder.query("APBILLITEM", ["RECORDNO"], filter=flt, page_size=2000))
    assert_valid(api_schema, body)
    ins = etree.fromstring(body).findall(".//filter/or/in")
    assert [len(i.findall("value")) for i in ins] == [1000, 1000, 500]


def test_write_functions_validate_with_nested_and_repeated_fields(builder: RequestBuilder, api_schema) -> None:
    vendor = {
        "VENDORID": "V-1",
        "NAME": "Ärger & <Söhne>",
        "DISPLAYCONTACT": {"PRINTAS": "Ärger", "MAILADDRESS": {"CITY": "Köln"}},
        "VENDORCONTACTS": {"CONTACT_LIST_INFO": [{"CATEGORYNAME": "a"}, {"CATEGORYNAME": "b"}]},
        "ONETIME": False,
        "CREDITLIMIT": Decimal("10.50"),
        "PARENTID": None,
    }
    create = builder.write("create", "VENDOR", [vendor, {"NAME": "n", "DISPLAYCONTACT": {"PRINTAS": "p"}}], "mlc-1")
    update = builder.write("update", "VENDOR", [{"RECORDNO": 5, "NAME": "x"}], "mlc-2")
    body = _session(builder, create, update, uniqueid=True)
    assert_valid(api_schema, body)
    root = etree.fromstring(body)
    assert root.findtext("control/uniqueid") == "true"
    first = root.find("operation/content/function/create/VENDOR")
    assert first.findtext("NAME") == "Ärger & <Söhne>"
    assert b"&amp; &lt;S" in body
    assert first.find("PARENTID") is None
    assert first.findtext("ONETIME") == "false"
    assert first.findtext("CREDITLIMIT") == "10.50"
    assert len(first.findall("VENDORCONTACTS/CONTACT_LIST_INFO")) == 2


def test_text_is_sanitized_and_counted(builder: RequestBuilder, api_schema) -> None:
    fn = builder.write("create", "VENDOR", [{"NAME": "Bad\x0bName&#11;\x00 ok &#x1F;&amp;"}], "mlc-3")
    body = _session(builder, fn, uniqueid=True)
    assert_valid(api_schema, body)
    assert etree.fromstring(body).findtext(".//NAME") == "BadName ok &amp;"
    assert builder.stats.values_changed == 1
    assert builder.stats.characters_removed == 2
    assert builder.stats.character_references_removed == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.read("APBILL", list(range(101))), "1-100 keys"),
        (lambda b: b.write("create", "VENDOR", [{"NAME": "x"}] * 101, "c"), "1-100 records"),
        (lambda b: b.query("APBILL", ["RECORDNO"], page_size=2001), "pagesize"),
        (lambda b: b.read_by_query("APBILL", page_size=1001), "pagesize"),
        (lambda b: b.query("APBILL", []), "at least one field"),
        (lambda b: b.write("create", "VENDOR", [{"BAD NAME": "x"}], "c"), "BAD NAME"),
        (lambda b: b.write("create", "VEN<DOR", [{"NAME": "x"}], "c"), "VEN<DOR"),
        (lambda b: b.write("create", "VENDOR", [{"NAME": "x"}], "c" * 257), "controlid"),
        (lambda b: b.write("delete", "VENDOR", [{"NAME": "x"}], "c"), "unsupported"),
    ],
)
def test_invalid_requests_are_refused_with_a_clear_error(builder: RequestBuilder, call, message: str) -> None:
    with pytest.raises(IntacctRequestError, match=message.replace("(", r"\(")):
        call(builder)


def test_timestamps_are_written_in_the_api_users_time_zone() -> None:
    moment = datetime(2026, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert format_timestamp(moment, timezone(timedelta(hours=-5))) == "01/02/2026 03:04:05"
    with pytest.raises(IntacctRequestError):
        format_timestamp(datetime(2026, 1, 2), UTC)


def test_official_request_fixtures_validate_in_our_envelope(api_schema, fixtures_dir) -> None:
    """The validator itself accepts the SDK's function fixtures (so a failure above means our XML is wrong)."""
    builder = RequestBuilder("s", "p")
    template = etree.fromstring(_session(builder, builder.read_more("x")))
    for path in sorted(fixtures_dir.glob("req__function_*.xml")):
        doc = etree.fromstring(etree.tostring(template))
        content = doc.find("operation/content")
        content.remove(content[0])
        content.append(etree.parse(str(path)).getroot())
        assert api_schema.validate(doc), (path.name, api_schema.error_log)
