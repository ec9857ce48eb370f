"""Seed data is deterministic and has the awkward cases a sync must survive."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from ml_connector.sandbox.intacct import IntacctSandbox
from ml_connector.sandbox.intacct.seed import ODD_VENDOR_NAMES

ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)


def test_same_seed_same_company_different_seed_different_company() -> None:
    one = IntacctSandbox(seed=5, vendors=20, bills=40, seed_anchor=ANCHOR)
    two = IntacctSandbox(seed=5, vendors=20, bills=40, seed_anchor=ANCHOR)
    other = IntacctSandbox(seed=6, vendors=20, bills=40, seed_anchor=ANCHOR)
    for name in ("VENDOR", "APBILL", "APBILLITEM", "CONTACT", "HS_SEGMENT"):
        assert one.records(name) == two.records(name)
    assert one.records("APBILL") != other.records("APBILL")


def test_vendors_have_odd_names_and_several_currencies() -> None:
    sandbox = IntacctSandbox(seed=1, vendors=30, bills=0, seed_anchor=ANCHOR)
    vendors = sandbox.records("VENDOR")
    names = {vendor["NAME"] for vendor in vendors}
    assert set(ODD_VENDOR_NAMES) <= names
    assert {"O'Brien & Sons <Intl>", "Café Zürich GmbH", '"Quoted" Supplies'} <= names
    assert {vendor["CURRENCY"] for vendor in vendors} == {"USD", "EUR", "GBP", "CAD"}
    assert any(vendor["HUBSPOT_COMPANY_ID"] for vendor in vendors)
    assert all(vendor["DISPLAYCONTACT"]["PRINTAS"] for vendor in vendors)


def test_bills_have_lines_ties_and_a_null_whenmodified() -> None:
    sandbox = IntacctSandbox(seed=1, vendors=10, bills=60, seed_anchor=ANCHOR)
    bills = sandbox.records("APBILL")
    lines = sandbox.records("APBILLITEM")
    per_bill = Counter(line["RECORDKEY"] for line in lines)
    assert set(per_bill) == {bill["RECORDNO"] for bill in bills}
    assert min(per_bill.values()) >= 1 and max(per_bill.values()) <= 5 and max(per_bill.values()) > 1
    modified = Counter(bill["WHENMODIFIED"] for bill in bills if bill["WHENMODIFIED"] is not None)
    assert max(modified.values()) >= 3  # several bills saved in the same second
    assert any(bill["WHENMODIFIED"] is None for bill in bills)
    stamps = [stamp for stamp in modified if stamp is not None]
    assert ANCHOR - timedelta(days=28) <= min(stamps) and max(stamps) <= ANCHOR
    for bill in bills:
        own = [line for line in lines if line["RECORDKEY"] == bill["RECORDNO"]]
        assert sum(line["TRX_AMOUNT"] for line in own) == bill["TRX_TOTALENTERED"]
    assert {bill["CURRENCY"] for bill in bills} >= {"USD", "EUR"}


def test_dimensions_are_seeded() -> None:
    sandbox = IntacctSandbox(seed=1, vendors=1, bills=1, entities=("E1", "E2"), seed_anchor=ANCHOR)
    assert {"E1", "E2"} <= {location["LOCATIONID"] for location in sandbox.records("LOCATION")}
    assert sandbox.records("DEPARTMENT") and sandbox.records("CLASS")
    segments = sandbox.records("HS_SEGMENT")
    assert segments and all(set(segment) >= {"id", "name"} for segment in segments)
