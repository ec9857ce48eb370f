"""Paging strategies: small objects that say which function to send next, with loop detection.

A paginator never performs I/O; the hook sends what ``first()``/``advance()`` return and
stops when they return None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from ml_connector.intacct.envelope import Filter, Function, RequestBuilder
from ml_connector.intacct.errors import IntacctResponseError
from ml_connector.intacct.response import FunctionResult


class PaginationLoopError(IntacctResponseError):
    """The gateway's paging state stopped moving forward; continuing would loop forever."""


class Paginator(Protocol):
    def first(self) -> Function: ...

    def advance(self, result: FunctionResult) -> Function | None: ...


class ReadByQueryPaginator:
    """readByQuery, then readMore by resultId until ``numremaining`` is 0.

    The resultId may legitimately stay the same from page to page, so progress is judged by
    ``numremaining`` strictly decreasing.
    """

    def __init__(self, builder: RequestBuilder, object_name: str, query: str, fields: Sequence[str] | str,
                 page_size: int) -> None:
        self._builder = builder
        self._object = object_name
        self._query = query
        self._fields = fields
        self._page_size = page_size
        self._last_remaining: int | None = None

    def first(self) -> Function:
        return self._builder.read_by_query(self._object, self._query, self._fields, self._page_size)

    def advance(self, result: FunctionResult) -> Function | None:
        remaining = result.num_remaining or 0
        if remaining <= 0:
            return None
        if not result.result_id:
            raise PaginationLoopError(f"readByQuery on {self._object}: {remaining} remaining but no resultId")
        if self._last_remaining is not None and remaining >= self._last_remaining:
            raise PaginationLoopError(
                f"Loop detected in readMore paging on {self._object}: numremaining stayed at {remaining}"
            )
        self._last_remaining = remaining
        return self._builder.read_more(result.result_id)


class QueryOffsetPaginator:
    """``query`` paged by offset (each page is a new query: give it a total ``order_by``)."""

    def __init__(self, builder: RequestBuilder, object_name: str, fields: Sequence[str], *,
                 filter: Filter | None, order_by: Sequence[tuple[str, bool]], page_size: int) -> None:
        self._make = lambda offset: builder.query(
            object_name, fields, filter=filter, order_by=order_by, page_size=page_size, offset=offset
        )
        self._object = object_name
        self._offset = 0

    def first(self) -> Function:
        return self._make(0)

    def advance(self, result: FunctionResult) -> Function | None:
        remaining = result.num_remaining or 0
        if remaining <= 0:
            return None
        returned = len(result.records)
        if returned == 0:
            raise PaginationLoopError(
                f"Loop detected in query paging on {self._object}: empty page at offset {self._offset} "
                f"with {remaining} remaining"
            )
        self._offset += returned
        return self._make(self._offset)


class KeysetPaginator:
    """``query`` paged by the last row's sort key, so rows changing mid-read cannot shift pages.

    ``next_filter(last_record)`` builds the filter for "strictly after this row"; the key must
    strictly increase from page to page.
    """

    def __init__(self, make: Callable[[Filter], Function], first_filter: Filter,
                 next_filter: Callable[[dict], Filter], sort_key: Callable[[dict], tuple], object_name: str) -> None:
        self._make = make
        self._first_filter = first_filter
        self._next_filter = next_filter
        self._sort_key = sort_key
        self._object = object_name
        self._last_key: tuple | None = None

    def first(self) -> Function:
        return self._make(self._first_filter)

    def advance(self, result: FunctionResult) -> Function | None:
        if (result.num_remaining or 0) <= 0 or not result.records:
            if (result.num_remaining or 0) > 0:
                raise PaginationLoopError(f"keyset paging on {self._object}: empty page with rows remaining")
            return None
        last = result.records[-1]
        key = self._sort_key(last)
        if self._last_key is not None and key <= self._last_key:
            raise PaginationLoopError(
                f"Loop detected in keyset paging on {self._object}: sort key did not advance past {self._last_key}"
            )
        self._last_key = key
        return self._make(self._next_filter(last))
