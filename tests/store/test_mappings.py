from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ml_connector.store import MappingConflictError, NewMapping, SyncStore


def test_upsert_is_idempotent_and_keeps_the_latest_hash(store: SyncStore) -> None:
    for source_hash in ("h1", "h1", "h2"):
        store.mappings.upsert(
            intacct_object="APBILL", intacct_key="ACME:42", hubspot_object_type="invoices",
            hubspot_id="9001", source_system="intacct", source_hash=source_hash,
        )
    assert store.mappings.count() == 1
    mapping = store.mappings.by_intacct("APBILL", "ACME:42")
    assert mapping is not None and mapping.hubspot_id == "9001" and mapping.source_hash == "h2"
    back = store.mappings.by_hubspot("invoices", "9001")
    assert back is not None and back.intacct_key == "ACME:42"


def test_a_hubspot_record_cannot_be_linked_to_two_intacct_records(store: SyncStore) -> None:
    store.mappings.upsert(intacct_object="VENDOR", intacct_key="ACME:V1", hubspot_object_type="companies", hubspot_id="7")
    with pytest.raises(MappingConflictError, match="companies 7 is already linked to Intacct VENDOR ACME:V1"):
        store.mappings.upsert(
            intacct_object="VENDOR", intacct_key="ACME:V2", hubspot_object_type="companies", hubspot_id="7"
        )
    assert store.mappings.count() == 1


def test_concurrent_writers_of_the_same_mappings_leave_no_duplicate(store: SyncStore) -> None:
    """Eight workers write the same 40 mappings at the same moment, each in its own transactions."""
    workers, keys = 8, 40
    barrier = threading.Barrier(workers)

    def write_all(worker: int) -> int:
        barrier.wait()
        for i in range(keys):
            store.mappings.upsert(
                intacct_object="APBILL", intacct_key=f"ACME:{i}", hubspot_object_type="invoices",
                hubspot_id=str(1000 + i), source_hash=f"w{worker}",
            )
        return keys

    with ThreadPoolExecutor(workers) as pool:
        assert sum(pool.map(write_all, range(workers))) == workers * keys
    assert store.mappings.count() == keys
    found = store.mappings.many_by_intacct("APBILL", [f"ACME:{i}" for i in range(keys)])
    assert {m.hubspot_id for m in found.values()} == {str(1000 + i) for i in range(keys)}


def test_concurrent_claims_on_one_hubspot_record_have_exactly_one_winner(store: SyncStore) -> None:
    workers = 6
    barrier = threading.Barrier(workers)

    def claim(worker: int) -> str:
        barrier.wait()
        try:
            store.mappings.upsert(
                intacct_object="VENDOR", intacct_key=f"ACME:V{worker}",
                hubspot_object_type="companies", hubspot_id="55",
            )
            return "won"
        except MappingConflictError:
            return "conflict"

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(claim, range(workers)))
    assert outcomes.count("won") == 1 and outcomes.count("conflict") == workers - 1
    assert store.mappings.count() == 1


def test_a_batch_lands_every_good_row_and_names_the_conflicting_one(store: SyncStore) -> None:
    store.mappings.upsert(intacct_object="APBILL", intacct_key="ACME:held", hubspot_object_type="invoices", hubspot_id="5")
    batch = [NewMapping("APBILL", f"ACME:{i}", "invoices", str(100 + i), "intacct", f"h{i}") for i in range(10)]
    batch[4] = NewMapping("APBILL", "ACME:4", "invoices", "5")  # invoice 5 belongs to ACME:held
    with pytest.raises(MappingConflictError, match="invoices 5 is already linked to Intacct APBILL ACME:held"):
        store.mappings.upsert_many(batch)
    assert store.mappings.count() == 10  # the held one plus the nine good rows
    assert store.mappings.by_intacct("APBILL", "ACME:4") is None
    store.mappings.upsert_many(batch[:4] + batch[5:])  # replaying the good rows changes nothing
    assert store.mappings.count() == 10
