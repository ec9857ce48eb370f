"""Paging strategies advance correctly and refuse to loop when the gateway's paging state stops moving."""

from __future__ import annotations

import pytest

from ml_connector.intacct.envelope import RequestBuilder, eq
from ml_connector.intacct.paging import (
    KeysetPaginator,
    PaginationLoopError,
    QueryOffsetPaginator,
    ReadByQueryPaginator,
)
from ml_connector.intacct.response import FunctionResult


def _page(records: int, remaining: int, result_id: str | None = None) -> FunctionResult:
    return FunctionResult("f", "c", "success", num_remaining=remaining, result_id=result_id,
                          records=[{"RECORDNO": str(i)} for i in range(records)])


def test_read_by_query_follows_result_id_until_nothing_remains() -> None:
    paginator = ReadByQueryPaginator(RequestBuilder("s", "p"), "VENDOR", "", "*", 10)
    assert paginator.first().name == "readByQuery"
    nxt = paginator.advance(_page(10, 15, "rid"))
    assert nxt is not None and nxt.name == "readMore" and nxt.body.findtext("resultId") == "rid"
    assert paginator.advance(_page(10, 5, "rid")) is not None  # same resultId, fewer remaining: progress
    with pytest.raises(PaginationLoopError, match="Loop detected"):
        paginator.advance(_page(10, 5, "rid"))
    assert paginator.advance(_page(5, 0, "")) is None


def test_query_offsets_advance_by_rows_returned() -> None:
    paginator = QueryOffsetPaginator(RequestBuilder("s", "p"), "VENDOR", ["RECORDNO"], filter=None,
                                     order_by=[("RECORDNO", True)], page_size=7)
    assert paginator.first().body.findtext("offset") == "0"
    assert paginator.advance(_page(7, 10)).body.findtext("offset") == "7"
    assert paginator.advance(_page(7, 3)).body.findtext("offset") == "14"
    assert paginator.advance(_page(3, 0)) is None
    with pytest.raises(PaginationLoopError):
        paginator.advance(_page(0, 3))


def test_keyset_requires_the_sort_key_to_advance() -> None:
    builder = RequestBuilder("s", "p")
    paginator = KeysetPaginator(
        make=lambda flt: builder.query("APBILL", ["RECORDNO"], filter=flt),
        first_filter=eq("RECORDNO", 0),
        next_filter=lambda rec: eq("RECORDNO", rec["RECORDNO"]),
        sort_key=lambda rec: (int(rec["RECORDNO"]),),
        object_name="APBILL",
    )
    assert paginator.first().body.findtext("filter/equalto/value") == "0"
    assert paginator.advance(_page(5, 3)).body.findtext("filter/equalto/value") == "4"
    with pytest.raises(PaginationLoopError):
        paginator.advance(_page(5, 3))
    assert paginator.advance(_page(2, 0)) is None
