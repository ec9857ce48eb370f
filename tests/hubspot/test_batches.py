"""Batch bookkeeping with an in-memory sender (the HTTP side is covered against the sandbox)."""

from __future__ import annotations

from typing import Any

import pytest

from ml_connector.hubspot.batches import BatchRunner, chunked, dedupe
from ml_connector.hubspot.errors import HubSpotAuthError, HubSpotValidationError


def test_chunks_never_exceed_the_size() -> None:
    assert [len(c) for c in chunked(list(range(250)), 100)] == [100, 100, 50]
    with pytest.raises(ValueError):
        list(chunked([1], 0))


def test_dedupe_merges_same_key_and_later_values_win() -> None:
    inputs = [
        {"id": "A@x.com", "idProperty": "email", "properties": {"firstname": "Ann", "city": "Oslo"}},
        {"id": "b@x.com", "idProperty": "email", "properties": {"firstname": "Bob"}},
        {"id": "a@X.com", "idProperty": "email", "properties": {"city": "Bergen"}},
    ]
    kept, dups = dedupe("upsert", inputs)
    assert [i for i, _ in kept] == [0, 1]
    assert kept[0][1]["properties"] == {"firstname": "Ann", "city": "Bergen"}
    assert dups == {2: 0}
    assert inputs[0]["properties"]["city"] == "Oslo"  # the caller's inputs are not modified


def test_create_without_a_unique_property_never_merges() -> None:
    kept, dups = dedupe("create", [{"properties": {"a": "1"}}, {"properties": {"a": "1"}}])
    assert len(kept) == 2 and dups == {}
    kept, dups = dedupe("create", [{"properties": {"email": "a@x"}}, {"properties": {"email": "A@X"}}], "email")
    assert len(kept) == 1 and dups == {1: 0}


class FakeHubSpot:
    """Answers like HubSpot's batch endpoints: 207 per trace id, or a whole-batch 400."""

    def __init__(self, bad: set[str], whole_batch_fails: bool = False) -> None:
        self.bad = bad
        self.whole_batch_fails = whole_batch_fails
        self.calls: list[list[dict[str, Any]]] = []

    def __call__(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(inputs)
        assert len(inputs) <= 100
        bad = [i for i in inputs if i["properties"].get("name") in self.bad]
        if bad and self.whole_batch_fails:
            raise HubSpotValidationError("Property values were not valid", status=400, category="VALIDATION_ERROR")
        results = [
            {"id": str(1000 + n), "properties": dict(i["properties"]), "objectWriteTraceId": i["objectWriteTraceId"]}
            for n, i in enumerate(inputs) if i not in bad
        ]
        errors = [
            {"status": "error", "category": "VALIDATION_ERROR", "message": f"bad name {i['properties']['name']}",
             "context": {"objectWriteTraceId": [i["objectWriteTraceId"]]}}
            for i in bad
        ]
        return {"status": "COMPLETE", "results": results, "errors": errors, "numErrors": len(errors)}


def rows(n: int) -> list[dict[str, Any]]:
    return [{"properties": {"name": f"row{i}"}} for i in range(n)]


def test_every_input_carries_a_unique_trace_id_and_gets_its_own_outcome() -> None:
    fake = FakeHubSpot(bad={"row3", "row150"})
    result = BatchRunner("create", fake).run(rows(210))
    assert [len(c) for c in fake.calls] == [100, 100, 10]
    traces = [i["objectWriteTraceId"] for c in fake.calls for i in c]
    assert len(set(traces)) == 210
    assert [r.index for r in result] == list(range(210))
    assert {r.index for r in result.failed} == {3, 150}
    assert result.items[150].error is not None and "row150" in result.items[150].error.message
    assert all(r.outcome == "created" and r.record for r in result.succeeded)


def test_whole_batch_400_is_bisected_so_the_good_rows_land() -> None:
    fake = FakeHubSpot(bad={"row7", "row60"}, whole_batch_fails=True)
    result = BatchRunner("create", fake).run(rows(100))
    assert {r.index for r in result.failed} == {7, 60}
    assert len(result.succeeded) == 98
    assert all(r.error and r.error.category == "VALIDATION_ERROR" for r in result.failed)
    landed = [i["properties"]["name"] for c in fake.calls for i in c if not ({"row7", "row60"} & {i["properties"]["name"]})]
    assert len(fake.calls) < 30  # bisection, not one call per row
    assert len(landed) >= 98


def test_auth_errors_are_not_bisected() -> None:
    calls = []

    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        calls.append(inputs)
        raise HubSpotAuthError("expired", status=401, category="INVALID_AUTHENTICATION")

    with pytest.raises(HubSpotAuthError):
        BatchRunner("update", send).run([{"id": str(i), "properties": {}} for i in range(10)])
    assert len(calls) == 1


def test_upsert_outcomes_follow_new_flag_and_duplicates_share_the_outcome() -> None:
    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"status": "COMPLETE", "results": [
            {"id": "9", "new": False, "properties": {"email": "a@x.com"}},
            {"id": "10", "new": True, "properties": {"email": "b@x.com"}},
        ]}

    result = BatchRunner("upsert", send).run([
        {"id": "b@x.com", "idProperty": "email", "properties": {}},
        {"id": "A@x.com", "idProperty": "email", "properties": {}},
        {"id": "b@x.com", "idProperty": "email", "properties": {"x": "1"}},
    ])
    assert [(r.outcome, r.id, r.duplicate_of) for r in result] == [
        ("created", "10", None), ("updated", "9", None), ("created", "10", 0),
    ]


def test_read_207_reports_missing_ids_per_input() -> None:
    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"status": "COMPLETE", "results": [{"id": "1", "properties": {}}], "errors": [
            {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some CONTACT objects",
             "context": {"ids": ["2", "3"]}}]}

    result = BatchRunner("read", send).run([{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": ""}])
    assert [r.outcome for r in result] == ["read", "error", "error", "error"]
    assert result.items[1].error.category == "OBJECT_NOT_FOUND"
    assert result.items[3].error.category == "INVALID_INPUT"


def test_unnamed_errors_on_idempotent_ops_are_resolved_by_resending_alone() -> None:
    bad = {"2", "3"}

    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        if len(inputs) == 1 and inputs[0]["id"] in bad:
            raise HubSpotValidationError(f"Property x is read-only on {inputs[0]['id']}", status=400,
                                         category="VALIDATION_ERROR")
        good = [i for i in inputs if i["id"] not in bad]
        return {"results": [{"id": i["id"], "properties": {}} for i in good],
                "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "2 inputs failed"}]}

    result = BatchRunner("update", send).run([{"id": str(i), "properties": {}} for i in range(1, 6)])
    assert [r.ok for r in result] == [True, False, False, True, True]
    assert result.items[1].error and "read-only on 2" in result.items[1].error.message
    assert result.items[2].error and "read-only on 3" in result.items[2].error.message


def test_single_unnamed_error_goes_to_the_single_unanswered_input() -> None:
    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"results": [{"id": i["id"]} for i in inputs if i["id"] != "2"],
                "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "bad"}]}

    result = BatchRunner("update", send).run([{"id": str(i), "properties": {}} for i in range(1, 4)])
    assert [r.ok for r in result] == [True, False, True]


def test_error_naming_a_trace_id_is_not_pinned_on_an_input_that_shares_another_id() -> None:
    """A CONFLICT's context can carry the id of the record it collided with; the trace id decides."""
    def send(inputs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"results": [{"id": "1001", "properties": {}, "objectWriteTraceId": "mlc-0"}], "errors": [
            {"status": "error", "category": "CONFLICT", "message": "Contact already exists. Existing ID: 1001",
             "context": {"id": ["1001"], "objectWriteTraceId": ["mlc-1"]}}]}

    result = BatchRunner("update", send).run([{"id": "1001", "properties": {"email": "a@x"}},
                                              {"id": "1002", "properties": {"email": "a@x"}}])
    assert [r.ok for r in result] == [True, False]
    assert result.items[1].error.category == "CONFLICT"
