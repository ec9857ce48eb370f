"""readByQuery's string language, compiled directly (no HTTP needed for pure parsing rules)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ml_connector.sandbox.intacct.conditions import QueryError
from ml_connector.sandbox.intacct.objects import APBILL, VENDOR
from ml_connector.sandbox.intacct.query_language import compile_query
from ml_connector.sandbox.intacct.values import user_timezone

TZ = user_timezone(-300)
VENDORS = [
    {"RECORDNO": 1, "VENDORID": "A", "NAME": "Jane's Deli", "STATUS": "active", "CREDITLIMIT": Decimal("10.00"),
     "DISPLAYCONTACT": {"MAILADDRESS": {"CITY": "Zürich"}}},
    {"RECORDNO": 2, "VENDORID": "B", "NAME": "50% off", "STATUS": "inactive", "CREDITLIMIT": Decimal("9.50")},
    {"RECORDNO": 10, "VENDORID": "C", "NAME": "", "STATUS": "active", "CREDITLIMIT": None},
]


def _match(query: str) -> list[str]:
    predicate = compile_query(VENDOR, query, TZ)
    return [record["VENDORID"] for record in VENDORS if predicate(record)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["A", "B", "C"]),
        ("NAME = 'Jane\\'s Deli'", ["A"]),
        ("NAME like 'Jane%'", ["A"]),
        ("NAME LIKE '50\\% off'", ["B"]),
        ("NAME not like 'J%'", ["B"]),
        ("RECORDNO < 10", ["A", "B"]),
        ("RECORDNO >= 2 and RECORDNO <> 10", ["B"]),
        ("RECORDNO != 1", ["B", "C"]),
        ("CREDITLIMIT > 9.9", ["A"]),
        ("CREDITLIMIT IS NULL", ["C"]),
        ("NAME IS NULL", ["C"]),  # an empty string is NULL, as in Oracle
        ("NAME IS NOT NULL", ["A", "B"]),
        ("VENDORID IN ('A','C')", ["A", "C"]),
        ("VENDORID NOT IN ('A')", ["B", "C"]),
        ("NOT (VENDORID = 'A' OR VENDORID = 'B')", ["C"]),
        ("VENDORID = 'A' OR VENDORID = 'B' AND RECORDNO = 10", ["A"]),  # AND binds tighter
        ("(VENDORID = 'A' OR VENDORID = 'B') AND RECORDNO = 2", ["B"]),
        ("STATUS = 'T'", ["A", "C"]),
        ("DISPLAYCONTACT.MAILADDRESS.CITY = 'Zürich'", ["A"]),
        ("VENDORID = A", []),  # an unquoted word matches nothing (intacct-sdk-php#90)
        ("vendorid = 'a'", None),  # field names are exact
    ],
)
def test_query_language(query: str, expected: list[str] | None) -> None:
    if expected is None:
        with pytest.raises(QueryError):
            _match(query)
    else:
        assert _match(query) == expected


@pytest.mark.parametrize("query", ["VENDORID =", "= 'A'", "VENDORID = 'A' AND", "VENDORID IN 'A'", "VENDORID = 'A",
                                   "CREDITLIMIT > 'lots'", "VENDORID NOT = 'A'", "RECORDNO = 1 1"])
def test_syntax_errors_are_query_errors(query: str) -> None:
    with pytest.raises(QueryError):
        _match(query)


def test_timestamps_are_read_in_the_users_offset() -> None:
    bill = {"RECORDNO": 1, "WHENMODIFIED": datetime(2026, 1, 2, 17, 0, 0, tzinfo=UTC), "WHENCREATED": None}
    at = compile_query(APBILL, "WHENMODIFIED = '01/02/2026 12:00:00'", TZ)  # 12:00 at GMT-5 is 17:00 UTC
    assert at(bill)
    assert not compile_query(APBILL, "WHENMODIFIED > '01/02/2026 12:00:00'", TZ)(bill)
    assert compile_query(APBILL, "WHENMODIFIED >= '01/02/2026'", TZ)(bill)
    with pytest.raises(QueryError):
        compile_query(APBILL, "WHENMODIFIED >= '2026-01-02'", TZ)
