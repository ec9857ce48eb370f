from __future__ import annotations

from decimal import Decimal

import pytest

from ml_connector.store import SyncStore, payload_hash

BILL = {"RECORDNO": "42", "TOTALENTERED": Decimal("1250.10"), "VENDORNAME": "O'Brien & Sons", "lines": [{"AMOUNT": "1"}]}


def test_hash_ignores_key_order() -> None:
    assert payload_hash({"a": 1, "b": [1, 2]}) == payload_hash({"b": [1, 2], "a": 1})
    assert payload_hash({"a": 1}) != payload_hash({"a": 2})


def test_unchanged_delivered_record_stops_at_staging(store: SyncStore) -> None:
    assert store.staging.stage("intacct", "APBILL", "ACME:42", BILL) is True
    # not yet delivered: staging it again still says it needs sending
    assert store.staging.stage("intacct", "APBILL", "ACME:42", BILL) is True
    store.staging.mark("intacct", "APBILL", "ACME:42", "done")
    assert store.staging.stage("intacct", "APBILL", "ACME:42", dict(reversed(list(BILL.items())))) is False
    assert store.staging.get("intacct", "APBILL", "ACME:42").state == "done"  # type: ignore[union-attr]

    changed = {**BILL, "TOTALENTERED": Decimal("1300.00")}
    assert store.staging.stage("intacct", "APBILL", "ACME:42", changed) is True
    record = store.staging.get("intacct", "APBILL", "ACME:42")
    assert record is not None and record.state == "pending"
    assert record.payload["TOTALENTERED"] == "1300.00"  # the exact extracted value, replayable without Intacct


def test_failed_and_quarantined_records_carry_a_reason(store: SyncStore) -> None:
    store.staging.stage("intacct", "APBILL", "ACME:1", {"RECORDNO": "1"})
    with pytest.raises(ValueError, match="needs a reason"):
        store.staging.mark("intacct", "APBILL", "ACME:1", "quarantined")
    store.staging.mark("intacct", "APBILL", "ACME:1", "quarantined", "Vendor V-9 has no HubSpot company or contact")
    record = store.staging.get("intacct", "APBILL", "ACME:1")
    assert record is not None and record.state == "quarantined" and "no HubSpot company" in (record.error or "")
    assert record.attempts == 1
    with pytest.raises(KeyError):
        store.staging.mark("intacct", "APBILL", "ACME:missing", "done")


def test_pending_records_stream_in_batches(store: SyncStore) -> None:
    for i in range(25):
        store.staging.stage("intacct", "APBILL", f"ACME:{i}", {"n": i})
    store.staging.mark("intacct", "APBILL", "ACME:3", "done")
    keys = [r.source_key for r in store.staging.iter_state("intacct", "APBILL", "pending", batch_size=4)]
    assert len(keys) == 24 and len(set(keys)) == 24 and "ACME:3" not in keys
    assert store.staging.counts("intacct", "APBILL") == {"pending": 24, "done": 1}
