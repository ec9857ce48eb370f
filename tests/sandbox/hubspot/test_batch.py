"""Batch create/read/update/upsert/archive, including all-or-nothing 4xx and 207 multi-status."""

from __future__ import annotations

from typing import Any

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api

CONTACTS = "/crm/v3/objects/contacts/batch"


def _unique_property(api: Api, object_type: str, name: str) -> None:
    response = api.post(f"/crm/v3/properties/{object_type}", json={
        "name": name, "label": name, "type": "string", "fieldType": "text",
        "groupName": "invoiceinformation", "hasUniqueValue": True,
    })
    assert response.status_code == 201, response.text


def test_batch_create_201_envelope(api: Api, sb: HubSpotSandbox) -> None:
    response = api.post(CONTACTS + "/create", json={"inputs": [
        {"properties": {"email": "x1@example.com"}}, {"properties": {"email": "x2@example.com"}}]})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "COMPLETE" and {"startedAt", "completedAt"} <= body.keys()
    assert [r["properties"]["email"] for r in body["results"]] == ["x1@example.com", "x2@example.com"]
    assert len(sb.records("contacts")) == 2


def test_one_duplicate_fails_the_whole_batch_without_trace_ids(api: Api, sb: HubSpotSandbox) -> None:
    existing = api.create("contacts", {"email": "taken@example.com"})
    response = api.post(CONTACTS + "/create", json={"inputs": [
        {"properties": {"email": "fresh@example.com"}}, {"properties": {"email": "taken@example.com"}}]})
    assert response.status_code == 409
    assert response.json()["message"] == f"Contact already exists. Existing ID: {existing['id']}"
    assert len(sb.records("contacts")) == 1  # nothing from the failed batch was written


def test_trace_ids_on_every_input_give_207_with_per_input_errors(api: Api, sb: HubSpotSandbox) -> None:
    api.create("contacts", {"email": "taken@example.com"})
    response = api.post(CONTACTS + "/create", json={"inputs": [
        {"properties": {"email": "fresh@example.com"}, "objectWriteTraceId": "t1"},
        {"properties": {"email": "taken@example.com"}, "objectWriteTraceId": "t2"},
        {"properties": {"email": "fresh@example.com"}, "objectWriteTraceId": "t3"},
        {"properties": {"nope": "x"}, "objectWriteTraceId": "t4"},
    ]})
    assert response.status_code == 207
    body = response.json()
    assert body["numErrors"] == 3
    assert [e["context"]["objectWriteTraceId"] for e in body["errors"]] == [["t2"], ["t3"], ["t4"]]
    assert [e["category"] for e in body["errors"]] == ["CONFLICT", "CONFLICT", "VALIDATION_ERROR"]
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["t1"]
    assert [r["properties"]["email"] for r in sb.records("contacts")] == ["taken@example.com", "fresh@example.com"]


def test_partial_trace_ids_do_not_enable_multi_status(api: Api) -> None:
    response = api.post(CONTACTS + "/create", json={"inputs": [
        {"properties": {"bogus": "1"}, "objectWriteTraceId": "t1"}, {"properties": {"email": "ok@example.com"}}]})
    assert response.status_code == 400


def test_more_than_100_inputs_is_400(api: Api) -> None:
    inputs = [{"properties": {"firstname": str(i)}} for i in range(101)]
    response = api.post(CONTACTS + "/create", json={"inputs": inputs})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR" and "100" in response.json()["message"]


def test_upsert_by_unique_property_creates_then_updates(api: Api, sb: HubSpotSandbox) -> None:
    _unique_property(api, "invoices", "intacct_apbill_key")
    url = "/crm/v3/objects/invoices/batch/upsert"

    def upsert(amount: str) -> dict[str, Any]:
        response = api.post(url, json={"inputs": [{
            "id": "APBILL-1", "idProperty": "intacct_apbill_key",
            "properties": {"hs_currency": "USD", "hs_amount_billed": amount}}]})
        assert response.status_code == 200, response.text
        return response.json()["results"][0]

    first = upsert("10")
    second = upsert("12")
    assert first["new"] is True and second["new"] is False
    assert first["id"] == second["id"]
    records = sb.records("invoices")
    assert len(records) == 1 and records[0]["properties"]["hs_amount_billed"] == "12"
    assert records[0]["properties"]["intacct_apbill_key"] == "APBILL-1"


def test_upsert_contacts_by_email_is_allowed(api: Api) -> None:
    response = api.post(CONTACTS + "/upsert", json={"inputs": [
        {"id": "u@example.com", "idProperty": "email", "properties": {"firstname": "U"}}]})
    assert response.status_code == 200 and response.json()["results"][0]["new"] is True


def test_upsert_by_non_unique_property_is_400(api: Api) -> None:
    for prop, type_id in (("firstname", "0-1"), ("hs_object_id", "0-1")):
        response = api.post(CONTACTS + "/upsert", json={"inputs": [
            {"id": "x", "idProperty": prop, "properties": {"lastname": "L"}}]})
        assert response.status_code == 400
        assert response.json()["message"].startswith(
            f"Unable to perform update/upsert by non-unique {type_id} property {prop}")


def test_duplicate_ids_in_one_upsert_batch_is_400_and_writes_nothing(api: Api, sb: HubSpotSandbox) -> None:
    response = api.post(CONTACTS + "/upsert", json={"inputs": [
        {"id": "d@example.com", "idProperty": "email", "properties": {"firstname": "A"}},
        {"id": "D@example.com", "idProperty": "email", "properties": {"firstname": "B"}}]})
    assert response.status_code == 400 and "Duplicate IDs" in response.json()["message"]
    assert sb.records("contacts") == []


def test_batch_read_by_unique_property_returns_207_for_missing(api: Api, sb: HubSpotSandbox) -> None:
    sb.bulk_load("contacts", [{"email": "r1@example.com", "firstname": "R"}])
    response = api.post(CONTACTS + "/read", json={
        "idProperty": "email", "properties": ["firstname", "phone"],
        "inputs": [{"id": "r1@example.com"}, {"id": "missing@example.com"}]})
    assert response.status_code == 207
    body = response.json()
    assert body["results"][0]["properties"]["firstname"] == "R"
    assert body["results"][0]["properties"]["phone"] is None
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["missing@example.com"]


def test_batch_read_history_is_capped_at_50(api: Api) -> None:
    response = api.post(CONTACTS + "/read", json={
        "propertiesWithHistory": ["email"], "inputs": [{"id": str(i)} for i in range(51)]})
    assert response.status_code == 400 and "50" in response.json()["message"]


def test_batch_update_and_archive(api: Api, sb: HubSpotSandbox) -> None:
    ids = sb.bulk_load("companies", [{"name": "A"}, {"name": "B"}])
    response = api.post("/crm/v3/objects/companies/batch/update", json={"inputs": [
        {"id": ids[0], "properties": {"city": "Lisbon"}}, {"id": ids[1], "properties": {"city": "Osaka"}}]})
    assert response.status_code == 200
    assert [r["properties"]["city"] for r in sb.records("companies")] == ["Lisbon", "Osaka"]
    missing = api.post("/crm/v3/objects/companies/batch/update", json={"inputs": [
        {"id": ids[0], "properties": {"city": "Rome"}}, {"id": "424242", "properties": {"city": "X"}}]})
    assert missing.status_code == 404
    assert sb.records("companies")[0]["properties"]["city"] == "Lisbon"  # all-or-nothing
    archived = api.post("/crm/v3/objects/companies/batch/archive", json={"inputs": [{"id": ids[0]}]})
    assert archived.status_code == 204
    assert [r["archived"] for r in sb.records("companies")] == [True, False]


def test_unique_value_collision_is_409_and_per_input_in_207(api: Api) -> None:
    _unique_property(api, "companies", "intacct_vendor_id")
    api.create("companies", {"name": "A", "intacct_vendor_id": "V1"})
    single = api.post("/crm/v3/objects/companies", json={"properties": {"intacct_vendor_id": "V1"}})
    assert single.status_code == 409 and single.json()["category"] == "CONFLICT"
    multi = api.post("/crm/v3/objects/companies/batch/create", json={"inputs": [
        {"properties": {"intacct_vendor_id": "V1"}, "objectWriteTraceId": "a"},
        {"properties": {"intacct_vendor_id": "V2"}, "objectWriteTraceId": "b"}]})
    assert multi.status_code == 207 and multi.json()["errors"][0]["context"]["objectWriteTraceId"] == ["a"]
