"""Paging strategies refuse to loop; driven by in-memory pages (the real HTTP run is in test_hook)."""

from __future__ import annotations

from typing import Any

import pytest

from ml_connector.hubspot.errors import HubSpotPagingError
from ml_connector.hubspot.paging import CursorPager, KeysetSearch, modified_property


def test_cursor_pager_streams_until_no_next() -> None:
    pages = {None: {"results": [1, 2], "paging": {"next": {"after": "x"}}}, "x": {"results": [3]}}
    assert list(CursorPager(lambda after: pages[after])) == [1, 2, 3]


def test_cursor_pager_stops_on_a_repeated_cursor() -> None:
    pages = {None: {"results": [1], "paging": {"next": {"after": "a"}}},
             "a": {"results": [2], "paging": {"next": {"after": "b"}}},
             "b": {"results": [3], "paging": {"next": {"after": "a"}}}}
    with pytest.raises(HubSpotPagingError, match="'a' returned twice"):
        list(CursorPager(lambda after: pages[after]))


def test_modified_property_per_object() -> None:
    assert modified_property("contacts") == "lastmodifieddate"
    assert modified_property("invoices") == "hs_lastmodifieddate"


def test_keyset_always_starts_a_new_query_after_the_last_id() -> None:
    ids = list(range(1, 451))
    bodies: list[dict[str, Any]] = []

    def fetch(body: dict[str, Any]) -> dict[str, Any]:
        bodies.append(body)
        after = int(body["filterGroups"][0]["filters"][2]["value"])
        page = [i for i in ids if i > after][: body["limit"]]
        more = len([i for i in ids if i > after]) > body["limit"]
        return {"total": len(page), "results": [{"id": str(i)} for i in page],
                **({"paging": {"next": {"after": "200"}}} if more else {})}

    search = KeysetSearch(fetch, "contacts", 0, 10)
    assert [int(r["id"]) for r in search] == ids
    assert all("after" not in b for b in bodies)
    assert [b["filterGroups"][0]["filters"][2]["value"] for b in bodies] == ["0", "200", "400"]
    assert bodies[0]["sorts"] == [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    assert bodies[0]["filterGroups"][0]["filters"][0] == {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}


def test_keyset_refuses_a_page_that_does_not_move_forward() -> None:
    def fetch(body: dict[str, Any]) -> dict[str, Any]:  # ignores the keyset filter
        return {"results": [{"id": str(i)} for i in range(1, 201)], "paging": {"next": {"after": "200"}}}

    with pytest.raises(HubSpotPagingError, match="not strictly after"):
        list(KeysetSearch(fetch, "companies", 0, 10))


def test_keyset_validates_its_window() -> None:
    with pytest.raises(ValueError, match="before"):
        KeysetSearch(lambda b: {}, "contacts", 10, 5)
