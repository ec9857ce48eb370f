"""Incremental AP bills with their lines, streamed one page at a time.

Bills are read with ``query`` ordered by (WHENMODIFIED, RECORDNO) and paged by that key
(keyset, not offset), so a bill modified while we read cannot shift a page boundary and make
another bill vanish; bills sharing one WHENMODIFIED second are split by RECORDNO, never lost.
Timestamps are written and parsed in the API user's time zone.

Lines come from one paged ``query`` on APBILLITEM per page of bills (``RECORDKEY in`` the
page's RECORDNOs, split into ``or``-ed chunks of 1000), not one call per bill: a window of B
bills and L lines costs about ceil(B/2000) + ceil(L/2000) calls.

Some bills have a NULL WHENMODIFIED (estuary/connectors#4465); they are read at the end by
one more query on ``WHENMODIFIED isnull`` and WHENCREATED (a date) in the window's days, so
they are not silently skipped. Their ``modified_at`` is None and they carry no watermark.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from ml_connector.intacct.envelope import (
    MAX_QUERY_PAGE,
    Filter,
    all_of,
    any_of,
    cmp,
    eq,
    format_date,
    format_timestamp,
    is_in,
    is_null,
)
from ml_connector.intacct.errors import IntacctRequestError
from ml_connector.intacct.paging import KeysetPaginator, QueryOffsetPaginator
from ml_connector.intacct.response import Record, field_value, parse_record_timestamp

if TYPE_CHECKING:
    from ml_connector.intacct.hook import IntacctHook

BILL_OBJECT = "APBILL"
LINE_OBJECT = "APBILLITEM"
BILL_FIELDS: tuple[str, ...] = (
    "RECORDNO", "RECORDID", "VENDORID", "VENDORNAME", "DOCNUMBER", "DESCRIPTION", "STATE",
    "WHENCREATED", "WHENDUE", "WHENPAID", "TOTALENTERED", "TOTALPAID", "TOTALDUE", "CURRENCY",
    "BASECURR", "WHENMODIFIED",
)
LINE_FIELDS: tuple[str, ...] = (
    "RECORDNO", "RECORDKEY", "LINE_NO", "ACCOUNTNO", "AMOUNT", "TRX_AMOUNT", "ENTRYDESCRIPTION",
    "DEPARTMENTID", "LOCATIONID", "CURRENCY", "WHENMODIFIED",
)


@dataclass(frozen=True, order=True)
class BillWatermark:
    """Where the last read stopped: resume with ``since=modified_at`` (inclusive) next time."""

    modified_at: datetime
    recordno: int


@dataclass
class BillWithLines:
    bill: Record
    lines: list[Record] = field(default_factory=list)
    modified_at: datetime | None = None

    @property
    def recordno(self) -> int:
        return int(field_value(self.bill, "RECORDNO"))

    @property
    def watermark(self) -> BillWatermark | None:
        return BillWatermark(self.modified_at, self.recordno) if self.modified_at else None


def _recordno(record: Record) -> int:
    value = field_value(record, "RECORDNO")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise IntacctRequestError(f"{BILL_OBJECT} row without a numeric RECORDNO: {value!r}") from exc


def _require(fields: Sequence[str], needed: Sequence[str], what: str) -> tuple[str, ...]:
    out = list(fields)
    out.extend(n for n in needed if n not in out)
    if not out:
        raise IntacctRequestError(f"{what}: no fields selected")
    return tuple(out)


def iter_bill_pages(
    hook: IntacctHook,
    since: datetime,
    until: datetime | None = None,
    *,
    page_size: int | None = None,
    bill_fields: Sequence[str] = BILL_FIELDS,
    line_fields: Sequence[str] = LINE_FIELDS,
    with_lines: bool = True,
    include_unmodified: bool = True,
) -> Iterator[list[BillWithLines]]:
    """Pages of bills modified in [since, until), each bill carrying its lines."""
    tz = hook.config.tz
    size = min(page_size or hook.config.page_size, MAX_QUERY_PAGE)
    bill_fields = _require(bill_fields, ("RECORDNO", "WHENMODIFIED"), BILL_OBJECT)
    line_fields = _require(line_fields, ("RECORDNO", "RECORDKEY"), LINE_OBJECT)
    upper: tuple[Filter, ...] = (cmp("lessthan", "WHENMODIFIED", format_timestamp(until, tz)),) if until else ()

    def after(record: Record) -> Filter:
        modified = str(field_value(record, "WHENMODIFIED"))
        strictly_after = any_of(
            cmp("greaterthan", "WHENMODIFIED", modified),
            all_of(eq("WHENMODIFIED", modified), cmp("greaterthan", "RECORDNO", _recordno(record))),
        )
        return all_of(strictly_after, *upper)

    def sort_key(record: Record) -> tuple[Any, ...]:
        return (parse_record_timestamp(str(field_value(record, "WHENMODIFIED") or ""), tz), _recordno(record))

    paginator = KeysetPaginator(
        make=lambda flt: hook.builder.query(
            BILL_OBJECT, bill_fields, filter=flt,
            order_by=(("WHENMODIFIED", True), ("RECORDNO", True)), page_size=size,
        ),
        first_filter=all_of(cmp("greaterthanorequalto", "WHENMODIFIED", format_timestamp(since, tz)), *upper),
        next_filter=after,
        sort_key=sort_key,
        object_name=BILL_OBJECT,
    )
    for page in hook.paginate(paginator):
        yield _with_lines(hook, page.records, tz, line_fields, size, with_lines)
    if include_unmodified:
        created_window: list[Filter] = [is_null("WHENMODIFIED"),
                                        cmp("greaterthanorequalto", "WHENCREATED", format_date(since, tz))]
        if until is not None:
            created_window.append(cmp("lessthanorequalto", "WHENCREATED", format_date(until, tz)))
        unmodified = QueryOffsetPaginator(
            hook.builder, BILL_OBJECT, bill_fields, filter=all_of(*created_window),
            order_by=(("RECORDNO", True),), page_size=size,
        )
        for page in hook.paginate(unmodified):
            if page.records:
                yield _with_lines(hook, page.records, tz, line_fields, size, with_lines)


def _with_lines(
    hook: IntacctHook, records: list[Record], tz: tzinfo, line_fields: Sequence[str], size: int, with_lines: bool
) -> list[BillWithLines]:
    bills = [
        BillWithLines(record, modified_at=parse_record_timestamp(str(field_value(record, "WHENMODIFIED") or ""), tz))
        for record in records
    ]
    if with_lines and bills:
        by_bill = {b.recordno: b for b in bills}
        for line in _lines_for(hook, list(by_bill), line_fields, size):
            bill = by_bill.get(int(field_value(line, "RECORDKEY")))
            if bill is not None:
                bill.lines.append(line)
    return bills


def _lines_for(hook: IntacctHook, bill_keys: list[int], line_fields: Sequence[str], size: int) -> Iterator[Record]:
    paginator = QueryOffsetPaginator(
        hook.builder, LINE_OBJECT, line_fields,
        filter=is_in("RECORDKEY", bill_keys),
        order_by=(("RECORDKEY", True), ("RECORDNO", True)),
        page_size=size,
    )
    for page in hook.paginate(paginator):
        yield from page.records


def iter_bills(hook: IntacctHook, since: datetime, until: datetime | None = None, **kwargs: Any) -> Iterator[BillWithLines]:
    """Bills (with lines) modified in [since, until), oldest first; memory bounded by one page."""
    for page in iter_bill_pages(hook, since, until, **kwargs):
        yield from page
