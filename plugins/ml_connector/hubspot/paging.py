"""Paging strategies: small objects that decide the next request and refuse to loop.

* ``CursorPager`` follows list endpoints' opaque ``paging.next.after`` and stops with an error
  if a cursor comes back twice.
* ``KeysetSearch`` reads everything modified in ``[window_start, window_end)`` with a fresh
  search per page: ``hs_object_id > last id``, sorted by ``hs_object_id``, 200 a page, never
  following ``after``. Each query starts at offset 0, so HubSpot's 10,000-result cap is never
  reached, and ties on the modification time (a month-end mass update can stamp more than
  10,000 records with one millisecond) cannot make it loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ml_connector.hubspot.errors import HubSpotPagingError

LIST_PAGE_SIZE = 100
SEARCH_PAGE_SIZE = 200
SEARCH_MAX_FILTERS_PER_GROUP = 10

Page = Mapping[str, Any]


def modified_property(object_type: str) -> str:
    """Contacts stamp ``lastmodifieddate``; every other CRM object ``hs_lastmodifieddate``."""
    return "lastmodifieddate" if object_type in ("contacts", "contact", "0-1") else "hs_lastmodifieddate"


def to_epoch_ms(value: datetime | int) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone so the window is unambiguous")
        return int(value.timestamp() * 1000)
    return int(value)


@dataclass
class CursorPager:
    """Streams ``results`` from ``fetch(after)`` until a page has no ``paging.next.after``."""

    fetch: Callable[[str | None], Page]
    pages: int = 0
    _seen: set[str] = field(default_factory=set)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        after: str | None = None
        while True:
            page = self.fetch(after)
            self.pages += 1
            yield from page.get("results") or []
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return
            after = str(after)
            if after in self._seen:
                raise HubSpotPagingError(
                    f"cursor {after!r} returned twice after {self.pages} pages; stopping instead of looping"
                )
            self._seen.add(after)


@dataclass
class KeysetSearch:
    """Everything of ``object_type`` whose modification time is in ``[window_start_ms, window_end_ms)``.

    Bookmark ``window_end_ms`` after a complete pass; the next run starts there.
    """

    fetch: Callable[[dict[str, Any]], Page]
    object_type: str
    window_start_ms: int
    window_end_ms: int
    properties: Sequence[str] = ()
    extra_filters: Sequence[Mapping[str, Any]] = ()
    page_size: int = SEARCH_PAGE_SIZE
    pages: int = 0

    def __post_init__(self) -> None:
        if self.window_end_ms < self.window_start_ms:
            raise ValueError(f"window_end_ms {self.window_end_ms} is before window_start_ms {self.window_start_ms}")
        if not 1 <= self.page_size <= SEARCH_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{SEARCH_PAGE_SIZE}, not {self.page_size}")
        if len(self.extra_filters) > SEARCH_MAX_FILTERS_PER_GROUP - 3:
            raise ValueError(
                f"at most {SEARCH_MAX_FILTERS_PER_GROUP - 3} extra_filters fit next to the window and keyset filters"
            )

    def body(self, after_id: int) -> dict[str, Any]:
        """The search for the page after ``after_id``: always a new query, never a deep ``after``."""
        mod = modified_property(self.object_type)
        filters = [
            {"propertyName": mod, "operator": "GTE", "value": str(self.window_start_ms)},
            {"propertyName": mod, "operator": "LT", "value": str(self.window_end_ms)},
            {"propertyName": "hs_object_id", "operator": "GT", "value": str(after_id)},
            *[dict(f) for f in self.extra_filters],
        ]
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": self.page_size,
        }
        if self.properties:
            body["properties"] = sorted({*self.properties, mod, "hs_object_id"})
        return body

    def __iter__(self) -> Iterator[dict[str, Any]]:
        last_id = 0
        while True:
            page = self.fetch(self.body(last_id))
            self.pages += 1
            results = list(page.get("results") or [])
            if not results:
                return
            ids = [_record_id(r) for r in results]
            if ids != sorted(ids) or ids[0] <= last_id or len(set(ids)) != len(ids):
                raise HubSpotPagingError(
                    f"search page {self.pages} for {self.object_type} is not strictly after id {last_id} "
                    f"in ascending order (first {ids[0]}, last {ids[-1]}); the keyset would loop or skip"
                )
            yield from results
            last_id = ids[-1]
            if len(results) < self.page_size and not (page.get("paging") or {}).get("next"):
                return


def _record_id(record: Mapping[str, Any]) -> int:
    raw = record.get("id") or (record.get("properties") or {}).get("hs_object_id")
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise HubSpotPagingError(f"search result without a numeric id: {raw!r}") from None
