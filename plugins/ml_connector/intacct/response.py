"""Parse gateway responses safely and case-insensitively, and classify failures.

Safe: no DTDs, no entity expansion, no network, libxml2's default size limits (no huge_tree).
Case-insensitive: readByQuery answers ``<vendor>``, query/read answer ``<VENDOR>``; structure
tags are compared lower-cased and record field names are kept as the gateway sent them.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from lxml import etree

from ml_connector.intacct.envelope import TIMESTAMP_FORMAT
from ml_connector.intacct.errors import (
    IntacctAmbiguousWriteError,
    IntacctAuthenticationError,
    IntacctError,
    IntacctErrorDetail,
    IntacctFunctionError,
    IntacctRateLimitError,
    IntacctRecordError,
    IntacctRequestError,
    IntacctResponseError,
    IntacctResultIdExpiredError,
    IntacctSessionError,
    IntacctTransientError,
)

Record = dict[str, Any]

WRITE_FUNCTIONS = frozenset({"create", "update", "delete"})
_TRANSIENT_TEXT = ("temporarily off-line", "please try again later", "api rate limit exceeded")
_AUTH_ERRORNOS = {"XL03000006", "XMLGW_JPP0002", "PL04000055", "GW-0011", "PL04000005"}


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
    )


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    for child in element:
        if _tag(child) == name:
            return child
    return None


def _children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is None:
        return
    for child in element:
        if _tag(child) == name:
            yield child


def _text(element: etree._Element | None, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _int_attr(element: etree._Element, name: str) -> int | None:
    for key, value in element.attrib.items():
        if key.lower() == name.lower():
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _str_attr(element: etree._Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if key.lower() == name.lower():
            return value
    return None


def parse_gateway_timestamp(text: str) -> datetime | None:
    """``sessiontimeout``/``sessiontimestamp`` are ISO-8601 with an offset."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_record_timestamp(text: str, tz: tzinfo) -> datetime | None:
    """Record timestamps are ``mm/dd/yyyy HH:MM:SS`` in the API user's time zone."""
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), TIMESTAMP_FORMAT).replace(tzinfo=tz)
    except ValueError:
        return None


def _error_text(value: str) -> str:
    """Error text may arrive entity-encoded twice (``&amp;#39;``); decode what XML left behind."""
    return html.unescape(value) if "&" in value else value


def parse_errors(errormessage: etree._Element | None) -> tuple[IntacctErrorDetail, ...]:
    return tuple(
        IntacctErrorDetail(
            errorno=_error_text(_text(error, "errorno")),
            description=_error_text(_text(error, "description")),
            description2=_error_text(_text(error, "description2")),
            correction=_error_text(_text(error, "correction")),
        )
        for error in _children(errormessage, "error")
    )


def element_to_value(element: etree._Element) -> Any:
    """Leaf -> text ("" for empty); branch -> dict; repeated child names -> list."""
    if len(element) == 0:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = sys.intern(child.tag)  # one shared key object per field name, not one per record
        value = element_to_value(child)
        if name in out:
            existing = out[name]
            if isinstance(existing, list):
                existing.append(value)
            else:
                out[name] = [existing, value]
        else:
            out[name] = value
    return out


def field_value(record: Record, name: str) -> Any:
    """Case-insensitive field lookup (the gateway's case varies by function)."""
    if name in record:
        return record[name]
    lowered = name.lower()
    for key, value in record.items():
        if key.lower() == lowered:
            return value
    return None


@dataclass
class FunctionResult:
    """One ``<result>``: status, paging attributes, records and errors, all intact."""

    function: str
    controlid: str
    status: str
    list_type: str | None = None
    count: int | None = None
    total_count: int | None = None
    num_remaining: int | None = None
    result_id: str | None = None
    offset: int | None = None
    key: str | None = None
    records: list[Record] = field(default_factory=list, repr=False)
    errors: tuple[IntacctErrorDetail, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status.lower() == "success"

    def error(self) -> IntacctError | None:
        """The classified exception for a failed function (None when it succeeded)."""
        if self.ok:
            return None
        errornos = {e.errorno for e in self.errors}
        text = " ".join(f"{e.errorno} {e.description2}" for e in self.errors).lower()
        if "readmore failed" in text or "invalid or expired resultid" in text:
            return IntacctResultIdExpiredError(
                f"Intacct {self.function}: the resultId expired; restart the query", errors=self.errors
            )
        if "invalid session" in text:  # the description carries the session id: do not keep it
            return IntacctSessionError("Intacct session is invalid or expired")
        if errornos & {"GW-0010"}:
            return IntacctRateLimitError("Intacct rate limit (GW-0010)", errors=self.errors)
        cls = IntacctRecordError if self.function.lower() in WRITE_FUNCTIONS else IntacctFunctionError
        return cls(function=self.function, controlid=self.controlid, errors=self.errors, status=self.status)

    def raise_for_status(self) -> FunctionResult:
        err = self.error()
        if err is not None:
            raise err
        return self


@dataclass
class GatewayResponse:
    """A parsed ``<response>`` whose control and authentication blocks succeeded."""

    control_status: str
    auth_status: str | None = None
    session_timestamp: datetime | None = None
    session_timeout: datetime | None = None
    results: list[FunctionResult] = field(default_factory=list)
    acknowledged: bool = False

    def result(self, controlid: str) -> FunctionResult:
        for res in self.results:
            if res.controlid == controlid:
                return res
        raise IntacctResponseError(f"the response has no result for function {controlid}")

    @property
    def api_session(self) -> tuple[str, str] | None:
        """(session id, endpoint) of a getAPISession result, if any."""
        for res in self.results:
            if res.ok and res.function.lower() in {"getapisession", "getsession"} and res.records:
                api = res.records[0]
                session_id = field_value(api, "sessionid")
                if session_id:
                    return str(session_id), str(field_value(api, "endpoint") or "")
        return None


def _parse_result(element: etree._Element) -> FunctionResult:
    res = FunctionResult(
        function=_text(element, "function"),
        controlid=_text(element, "controlid"),
        status=_text(element, "status"),
        key=_text(element, "key") or None,
        errors=parse_errors(_child(element, "errormessage")),
    )
    data = _child(element, "data")
    if data is not None:
        res.list_type = _str_attr(data, "listtype")
        res.count = _int_attr(data, "count")
        res.total_count = _int_attr(data, "totalcount")
        res.num_remaining = _int_attr(data, "numremaining")
        res.offset = _int_attr(data, "offset")
        res.result_id = _str_attr(data, "resultId")
        res.records = [element_to_value(rec) for rec in data if isinstance(rec.tag, str)]
        data.clear()  # release the page's element tree as soon as it has been converted
    return res


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"cf-error-details" in body


def _retry_after(headers: dict[str, str] | None) -> float | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def _control_error(errors: tuple[IntacctErrorDetail, ...], http_status: int) -> IntacctError:
    errornos = {e.errorno for e in errors}
    text = " ".join(f"{e.description} {e.description2} {e.correction}" for e in errors).lower()
    message = "; ".join(str(e) for e in errors) or "control failure without details"
    if "GW-0010" in errornos or http_status == 429:
        return IntacctRateLimitError(f"Intacct rate limit: {message}", errors=errors, http_status=http_status)
    if any(marker in text for marker in _TRANSIENT_TEXT):
        return IntacctTransientError(f"Intacct is temporarily unavailable: {message}", errors=errors,
                                     http_status=http_status)
    if "XL03000003" in errornos:
        return IntacctRequestError(f"Intacct rejected the request XML: {message}", errors=errors,
                                   http_status=http_status)
    if errornos & _AUTH_ERRORNOS or http_status == 401:
        return IntacctAuthenticationError(
            f"Intacct refused the sender/company credentials: {message}", errors=errors, http_status=http_status
        )
    return IntacctRequestError(f"Intacct control failure: {message}", errors=errors, http_status=http_status)


def _auth_error(errors: tuple[IntacctErrorDetail, ...], http_status: int) -> IntacctError:
    text = " ".join(f"{e.description} {e.description2}" for e in errors).lower()
    message = "; ".join(
        # never echo the session id that follows "Invalid session"
        f"{e.errorno}: Invalid session" if "invalid session" in e.description2.lower() else str(e)
        for e in errors
    )
    if "invalid session" in text:
        return IntacctSessionError(f"Intacct session is invalid or expired ({message})", http_status=http_status)
    return IntacctAuthenticationError(
        f"Intacct refused the user credentials: {message or 'authentication failure'}",
        errors=errors,
        http_status=http_status,
    )


def parse_response(
    body: bytes,
    *,
    http_status: int = 200,
    is_write: bool = False,
    headers: dict[str, str] | None = None,
) -> GatewayResponse:
    """Classify then parse. Raises the right :mod:`errors` class for anything but a usable response.

    Function-level failures are *not* raised here: each result keeps its own errors, so one
    failing function never hides the others.
    """
    ambiguous_cls = IntacctAmbiguousWriteError if is_write else IntacctTransientError
    if http_status == 429:
        raise IntacctRateLimitError("Intacct rate limit (HTTP 429)", http_status=429,
                                    retry_after=_retry_after(headers))
    if http_status == 524:
        raise ambiguous_cls("Intacct/CDN timed out (HTTP 524); the request may still have been applied",
                            http_status=524)
    if http_status in (502, 503, 504):
        raise IntacctTransientError(f"Intacct gateway unavailable (HTTP {http_status})", http_status=http_status)
    if _looks_like_html(body):
        if http_status >= 500 and http_status not in (502, 503, 504):
            raise ambiguous_cls(f"Intacct answered HTTP {http_status} with an HTML page", http_status=http_status)
        raise IntacctTransientError(f"Intacct answered HTTP {http_status} with an HTML error page",
                                    http_status=http_status)
    try:
        root = etree.fromstring(body, safe_parser()) if body.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        if http_status >= 500:
            raise ambiguous_cls(f"Intacct answered HTTP {http_status} without XML", http_status=http_status)
        raise IntacctResponseError(f"Intacct answered HTTP {http_status} with a body that is not XML",
                                   http_status=http_status)
    if root.getroottree().docinfo.doctype:
        raise IntacctResponseError("Intacct response carries a DOCTYPE; refusing to parse it",
                                   http_status=http_status)
    if _tag(root) == "errormessage":
        errors = parse_errors(root)
        raise IntacctResponseError(f"Intacct answered a bare error message: {'; '.join(map(str, errors))}",
                                   errors=errors, http_status=http_status)
    if _tag(root) != "response":
        raise IntacctResponseError(f"Intacct answered <{root.tag}> instead of <response>", http_status=http_status)

    control = _child(root, "control")
    control_status = _text(control, "status").lower()
    if control_status != "success":
        raise _control_error(parse_errors(_child(root, "errormessage")), http_status)
    acknowledgement = _child(root, "acknowledgement")
    if acknowledgement is not None and _child(root, "operation") is None:
        return GatewayResponse(control_status=control_status, acknowledged=True)

    operation = _child(root, "operation")
    if operation is None:
        raise IntacctResponseError("Intacct response has neither <operation> nor an error", http_status=http_status)
    auth = _child(operation, "authentication")
    auth_status = _text(auth, "status").lower()
    if auth_status != "success":
        raise _auth_error(parse_errors(_child(operation, "errormessage")), http_status)
    response = GatewayResponse(
        control_status=control_status,
        auth_status=auth_status,
        session_timestamp=parse_gateway_timestamp(_text(auth, "sessiontimestamp")),
        session_timeout=parse_gateway_timestamp(_text(auth, "sessiontimeout")),
        results=[_parse_result(r) for r in _children(operation, "result")],
    )
    operation_errors = parse_errors(_child(operation, "errormessage"))
    if operation_errors and not response.results:
        raise IntacctRequestError(f"Intacct operation failed: {'; '.join(map(str, operation_errors))}",
                                  errors=operation_errors, http_status=http_status)
    if http_status >= 400:
        raise IntacctResponseError(f"Intacct answered HTTP {http_status} with a success body",
                                   http_status=http_status)
    return response
