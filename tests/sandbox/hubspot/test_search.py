"""CRM search: operators, type-aware comparison, limits, sorts and the 10,000-result cap."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api

SEARCH = "/crm/v3/objects/line_items/search"


def _ids(api: Api, filters: list[dict[str, Any]], **extra: Any) -> list[str]:
    response = api.post(SEARCH, json={"filterGroups": [{"filters": filters}], "limit": 200, **extra})
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


@pytest.fixture
def items(sb: HubSpotSandbox) -> list[str]:
    return sb.bulk_load("line_items", [
        {"name": "Blue widget", "quantity": "2", "price": "10"},
        {"name": "Red widget", "quantity": "10", "price": "3"},
        {"name": "Gadget", "quantity": "9"},
        {"name": "blue gadget"},
    ])


def test_number_comparison_is_numeric_not_lexical(api: Api, items: list[str]) -> None:
    assert _ids(api, [{"propertyName": "quantity", "operator": "GT", "value": "9"}]) == [items[1]]
    assert _ids(api, [{"propertyName": "quantity", "operator": "GTE", "value": 9}]) == items[1:3]
    assert _ids(api, [{"propertyName": "quantity", "operator": "LT", "value": "10"}]) == [items[0], items[2]]
    assert _ids(api, [{"propertyName": "quantity", "operator": "LTE", "value": "2"}]) == [items[0]]
    assert _ids(api, [{"propertyName": "quantity", "operator": "BETWEEN", "value": "3", "highValue": "9"}]) == [items[2]]
    assert _ids(api, [{"propertyName": "hs_object_id", "operator": "GT", "value": items[1]}]) == items[2:]


def test_equality_set_and_presence_operators(api: Api, items: list[str]) -> None:
    assert _ids(api, [{"propertyName": "name", "operator": "EQ", "value": "gadget"}]) == [items[2]]
    assert _ids(api, [{"propertyName": "name", "operator": "NEQ", "value": "Gadget"}]) == [items[0], items[1], items[3]]
    assert _ids(api, [{"propertyName": "quantity", "operator": "IN", "values": ["2", "9"]}]) == [items[0], items[2]]
    assert _ids(api, [{"propertyName": "quantity", "operator": "NOT_IN", "values": ["2", "9"]}]) == [items[1], items[3]]
    assert _ids(api, [{"propertyName": "price", "operator": "HAS_PROPERTY"}]) == items[:2]
    assert _ids(api, [{"propertyName": "price", "operator": "NOT_HAS_PROPERTY"}]) == items[2:]
    assert _ids(api, [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "blue"}]) == [items[0], items[3]]
    assert _ids(api, [{"propertyName": "name", "operator": "NOT_CONTAINS_TOKEN", "value": "widget"}]) == items[2:]
    assert _ids(api, [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "gad*"}]) == items[2:]


def test_groups_are_or_filters_are_and(api: Api, items: list[str]) -> None:
    response = api.post(SEARCH, json={"filterGroups": [
        {"filters": [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "widget"},
                     {"propertyName": "quantity", "operator": "GT", "value": "5"}]},
        {"filters": [{"propertyName": "name", "operator": "EQ", "value": "blue gadget"}]}]})
    assert [r["id"] for r in response.json()["results"]] == [items[1], items[3]]
    assert response.json()["total"] == 2


def test_datetime_filters_accept_epoch_ms_and_iso(api: Api, sb: HubSpotSandbox) -> None:
    old = sb.bulk_load("contacts", [{"email": "old@example.com"}], modified_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = sb.bulk_load("contacts", [{"email": "new@example.com"}], modified_at=datetime(2026, 6, 1, tzinfo=UTC))
    cutoff_ms = str(int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000))
    for value in (cutoff_ms, "2026-03-01T00:00:00Z"):
        response = api.post("/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": value}]}]})
        assert [r["id"] for r in response.json()["results"]] == new
    both = api.post("/crm/v3/objects/contacts/search", json={"sorts": ["-lastmodifieddate"]}).json()
    assert [r["id"] for r in both["results"]] == new + old
    objects = api.post("/crm/v3/objects/contacts/search", json={
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]}).json()
    assert [r["id"] for r in objects["results"]] == old + new


def test_requested_properties_and_paging(api: Api, items: list[str]) -> None:
    first = api.post(SEARCH, json={"limit": 3, "properties": ["name", "tax"]}).json()
    assert first["total"] == 4 and len(first["results"]) == 3
    assert first["results"][0]["properties"]["tax"] is None
    rest = api.post(SEARCH, json={"limit": 3, "after": first["paging"]["next"]["after"]}).json()
    assert [r["id"] for r in rest["results"]] == items[3:] and "paging" not in rest


@pytest.mark.parametrize(("body", "fragment"), [
    ({"filterGroups": [{"filters": []}] * 6}, "filter groups"),
    ({"filterGroups": [{"filters": [{"propertyName": "name", "operator": "HAS_PROPERTY"}] * 11}]}, "per group"),
    ({"filterGroups": [{"filters": [{"propertyName": "name", "operator": "HAS_PROPERTY"}] * 9}] * 3}, "across all"),
    ({"limit": 201}, "200"),
    ({"filterGroups": [{"filters": [{"propertyName": "name", "operator": "LIKE", "value": "x"}]}]}, "operator"),
    ({"filterGroups": [{"filters": [{"propertyName": "shoe", "operator": "EQ", "value": "x"}]}]}, "shoe"),
    ({"filterGroups": [{"filters": [{"propertyName": "quantity", "operator": "GT", "value": "many"}]}]}, "quantity"),
])
def test_limits_and_bad_filters_are_400(api: Api, body: dict[str, Any], fragment: str) -> None:
    response = api.post(SEARCH, json=body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR" and fragment in response.json()["message"]


def test_paging_past_10000_is_400_and_keyset_gets_everything(api: Api, sb: HubSpotSandbox) -> None:
    """More than 10k records share one modified time (month-end): offset paging dies, hs_object_id keyset works."""
    moment = datetime(2026, 10, 31, tzinfo=UTC)
    ids = sb.bulk_load("contacts", [{"email": f"k{i}@example.com"} for i in range(12_500)], modified_at=moment)
    same_ms = {"propertyName": "lastmodifieddate", "operator": "EQ", "value": str(int(moment.timestamp() * 1000))}
    page = api.post("/crm/v3/objects/contacts/search", json={
        "filterGroups": [{"filters": [same_ms]}], "limit": 200, "after": "9800"}).json()
    assert page["total"] == 12_500 and page["paging"]["next"]["after"] == "10000"
    beyond = api.post("/crm/v3/objects/contacts/search", json={
        "filterGroups": [{"filters": [same_ms]}], "limit": 200, "after": "10000"})
    assert beyond.status_code == 400 and "10000" in beyond.json()["message"]
    seen: list[str] = []
    last = "0"
    while True:
        body = api.post("/crm/v3/objects/contacts/search", json={
            "filterGroups": [{"filters": [same_ms, {"propertyName": "hs_object_id", "operator": "GT", "value": last}]}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}], "limit": 200}).json()
        seen += [r["id"] for r in body["results"]]
        if "paging" not in body:
            break
        last = seen[-1]
    assert seen == ids


def test_descending_sort_on_a_number_with_unset_values(api: Api, items: list[str]) -> None:
    body = api.post(SEARCH, json={"sorts": [{"propertyName": "price", "direction": "DESCENDING"}]}).json()
    assert [r["id"] for r in body["results"]] == [items[2], items[3], items[0], items[1]]
    query = api.post(SEARCH, json={"query": "blue"}).json()
    assert [r["id"] for r in query["results"]] == [items[0], items[3]]
