"""Build gateway requests with lxml, never by string concatenation.

Every text value goes through :func:`sanitize_text` first (counted in a shared
:class:`SanitizeStats`); escaping is left to the serializer. Element names that come from
callers (object and field names) are validated, not sanitized: a wrong name is a bug to report.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from lxml import etree

from ml_connector.intacct.errors import IntacctRequestError
from ml_connector.intacct.sanitize import SanitizeStats, sanitize_text

DTD_VERSION = "3.0"
MAX_KEYS_PER_READ = 100
MAX_RECORDS_PER_WRITE = 100
MAX_IN_VALUES = 1000
MAX_READ_BY_QUERY_PAGE = 1000
MAX_QUERY_PAGE = 2000
MAX_CONTROLID_LENGTH = 256
TIMESTAMP_FORMAT = "%m/%d/%Y %H:%M:%S"
DATE_FORMAT = "%m/%d/%Y"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def check_name(name: str, what: str) -> str:
    """Object and field names become element names; refuse anything that is not a plain XML name."""
    if not isinstance(name, str) or not _NAME.match(name) or name.lower().startswith("xml"):
        raise IntacctRequestError(f"{what} {name!r} is not a valid Intacct object/field name")
    return name


def check_controlid(controlid: str) -> str:
    if not 1 <= len(controlid) <= MAX_CONTROLID_LENGTH:
        raise IntacctRequestError(f"function controlid must be 1-{MAX_CONTROLID_LENGTH} characters")
    return controlid


# --- query filters (the <filter> of the newer ``query`` function) --------------------------------


@dataclass(frozen=True)
class Condition:
    """``<op><field/><value/>…</op>``; op is one of the gateway's operator element names."""

    op: str
    field: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Filter, ...]


Filter = Condition | AllOf | AnyOf

_SINGLE_VALUE_OPS = {
    "equalto", "notequalto", "lessthan", "lessthanorequalto", "greaterthan", "greaterthanorequalto",
    "like", "notlike",
}


def cmp(op: str, field_name: str, value: Any) -> Condition:
    if op not in _SINGLE_VALUE_OPS:
        raise IntacctRequestError(f"unknown filter operator {op!r}")
    return Condition(op, field_name, (_text(value),))


def eq(field_name: str, value: Any) -> Condition:
    return cmp("equalto", field_name, value)


def is_in(field_name: str, values: Iterable[Any]) -> Filter:
    """``in`` takes at most 1000 values; longer lists become an ``or`` of several ``in``s."""
    items = tuple(_text(v) for v in values)
    if not items:
        raise IntacctRequestError(f"'in' filter on {field_name} needs at least one value")
    chunks = [Condition("in", field_name, items[i : i + MAX_IN_VALUES]) for i in range(0, len(items), MAX_IN_VALUES)]
    return chunks[0] if len(chunks) == 1 else AnyOf(tuple(chunks))


def is_null(field_name: str) -> Condition:
    return Condition("isnull", field_name)


def format_date(moment: datetime, tz: tzinfo) -> str:
    """The API user's calendar date of ``moment`` (dates such as WHENCREATED have no time)."""
    if moment.tzinfo is None:
        raise IntacctRequestError("timestamps sent to Intacct must be timezone-aware")
    return moment.astimezone(tz).strftime(DATE_FORMAT)


def all_of(*conditions: Filter) -> Filter:
    """``and`` needs two or more children; a single condition stands alone."""
    return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))


def any_of(*conditions: Filter) -> Filter:
    return conditions[0] if len(conditions) == 1 else AnyOf(tuple(conditions))


def format_timestamp(moment: datetime, tz: tzinfo) -> str:
    """Intacct timestamps are ``mm/dd/yyyy HH:MM:SS`` in the API user's time zone, without a zone."""
    if moment.tzinfo is None:
        raise IntacctRequestError("timestamps sent to Intacct must be timezone-aware")
    return moment.astimezone(tz).strftime(TIMESTAMP_FORMAT)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        raise IntacctRequestError("format datetimes with format_timestamp() in the API user's time zone")
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --- functions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """One ``<function controlid=…>`` ready to be placed in a request."""

    name: str
    controlid: str
    body: etree._Element = field(repr=False, compare=False)


@dataclass(frozen=True)
class LoginAuth:
    user_id: str
    company_id: str
    password: str = field(repr=False)
    entity: str | None = None


@dataclass(frozen=True)
class SessionAuth:
    session_id: str = field(repr=False)


class RequestBuilder:
    """Turns function specs into request bytes; all text passes through one SanitizeStats."""

    def __init__(self, sender_id: str, sender_password: str, stats: SanitizeStats | None = None) -> None:
        self._sender_id = sender_id
        self._sender_password = sender_password
        self.stats = stats if stats is not None else SanitizeStats()

    # helpers
    def _sub(self, parent: etree._Element, tag: str, value: Any = None) -> etree._Element:
        child = etree.SubElement(parent, tag)
        if value is not None:
            child.text = sanitize_text(_text(value), self.stats)
        return child

    def _function(self, name: str, controlid: str | None) -> tuple[Function, etree._Element]:
        cid = check_controlid(controlid or str(uuid.uuid4()))
        body = etree.Element(name)
        return Function(name=name, controlid=cid, body=body), body

    # sessions
    def get_api_session(self, entity: str | None = None, controlid: str | None = None) -> Function:
        fn, body = self._function("getAPISession", controlid)
        if entity:
            self._sub(body, "locationid", entity)
        return fn

    # reads
    def read_by_query(
        self,
        object_name: str,
        query: str = "",
        fields: Sequence[str] | str = "*",
        page_size: int = MAX_READ_BY_QUERY_PAGE,
        controlid: str | None = None,
    ) -> Function:
        if not 1 <= page_size <= MAX_READ_BY_QUERY_PAGE:
            raise IntacctRequestError(f"readByQuery pagesize {page_size} must be 1-{MAX_READ_BY_QUERY_PAGE}")
        fn, body = self._function("readByQuery", controlid)
        self._sub(body, "object", check_name(object_name, "object"))
        self._sub(body, "fields", self._fields(fields))
        self._sub(body, "query", query)
        self._sub(body, "pagesize", page_size)
        self._sub(body, "returnFormat", "xml")
        return fn

    def read_more(self, result_id: str, controlid: str | None = None) -> Function:
        fn, body = self._function("readMore", controlid)
        self._sub(body, "resultId", result_id)
        return fn

    def query(
        self,
        object_name: str,
        fields: Sequence[str],
        *,
        filter: Filter | None = None,
        order_by: Sequence[tuple[str, bool]] = (),
        page_size: int = 100,
        offset: int = 0,
        case_insensitive: bool = False,
        controlid: str | None = None,
    ) -> Function:
        """``order_by``: (field, ascending) pairs; without it the gateway's order is undefined."""
        if not fields:
            raise IntacctRequestError("query needs at least one field in select ('*' is not supported)")
        if not 1 <= page_size <= MAX_QUERY_PAGE:
            raise IntacctRequestError(f"query pagesize {page_size} must be 1-{MAX_QUERY_PAGE}")
        if offset < 0:
            raise IntacctRequestError(f"query offset {offset} must be >= 0")
        fn, body = self._function("query", controlid)
        select = self._sub(body, "select")
        for name in fields:
            self._sub(select, "field", check_name(name, "field"))
        self._sub(body, "object", check_name(object_name, "object"))
        if filter is not None:
            self._filter(self._sub(body, "filter"), filter)
        if order_by:
            orderby = self._sub(body, "orderby")
            for name, ascending in order_by:
                order = self._sub(orderby, "order")
                self._sub(order, "field", check_name(name, "order field"))
                self._sub(order, "ascending" if ascending else "descending")
        if case_insensitive:
            options = self._sub(body, "options")
            self._sub(options, "caseinsensitive", True)
        self._sub(body, "pagesize", page_size)
        self._sub(body, "offset", offset)
        return fn

    def read(
        self,
        object_name: str,
        keys: Sequence[int | str],
        fields: Sequence[str] | str = "*",
        controlid: str | None = None,
    ) -> Function:
        if not 1 <= len(keys) <= MAX_KEYS_PER_READ:
            raise IntacctRequestError(f"read takes 1-{MAX_KEYS_PER_READ} keys, got {len(keys)}")
        fn, body = self._function("read", controlid)
        self._sub(body, "object", check_name(object_name, "object"))
        self._sub(body, "keys", ",".join(str(k) for k in keys))
        self._sub(body, "fields", self._fields(fields))
        self._sub(body, "returnFormat", "xml")
        return fn

    # writes
    def write(
        self, operation: str, object_name: str, records: Sequence[Mapping[str, Any]], controlid: str
    ) -> Function:
        """``create``/``update`` of 1-100 records of one object."""
        if operation not in {"create", "update"}:
            raise IntacctRequestError(f"unsupported write operation {operation!r}")
        if not 1 <= len(records) <= MAX_RECORDS_PER_WRITE:
            raise IntacctRequestError(f"{operation} takes 1-{MAX_RECORDS_PER_WRITE} records, got {len(records)}")
        fn, body = self._function(operation, controlid)
        check_name(object_name, "object")
        for record in records:
            self._record(self._sub(body, object_name), record, object_name)
        return fn

    def _record(self, parent: etree._Element, values: Mapping[str, Any], path: str) -> None:
        for name, value in values.items():
            check_name(name, f"field {path}.")
            if value is None:  # None means "leave out"; "" sends an empty element (clears it on update)
                continue
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                if isinstance(item, Mapping):
                    self._record(self._sub(parent, name), item, f"{path}.{name}")
                else:
                    self._sub(parent, name, item)

    def _fields(self, fields: Sequence[str] | str) -> str:
        if isinstance(fields, str):
            return fields if fields == "*" else ",".join(check_name(f.strip(), "field") for f in fields.split(","))
        return ",".join(check_name(f, "field") for f in fields)

    def _filter(self, parent: etree._Element, condition: Filter) -> None:
        if isinstance(condition, AllOf | AnyOf):
            if len(condition.conditions) < 2:
                raise IntacctRequestError("'and'/'or' filters need at least two conditions")
            group = self._sub(parent, "and" if isinstance(condition, AllOf) else "or")
            for child in condition.conditions:
                self._filter(group, child)
            return
        element = self._sub(parent, condition.op)
        self._sub(element, "field", check_name(condition.field, "filter field"))
        for value in condition.values:
            self._sub(element, "value", value)

    # envelope
    def build(
        self,
        functions: Sequence[Function],
        auth: LoginAuth | SessionAuth,
        *,
        uniqueid: bool,
        transaction: bool = False,
        request_controlid: str | None = None,
    ) -> bytes:
        """The full ``<request>``: reads send uniqueid=false, writes uniqueid=true."""
        if not functions:
            raise IntacctRequestError("a request needs at least one function")
        request = etree.Element("request")
        control = self._sub(request, "control")
        self._sub(control, "senderid", self._sender_id)
        self._sub(control, "password", self._sender_password)
        self._sub(control, "controlid", request_controlid or str(uuid.uuid4()))
        self._sub(control, "uniqueid", uniqueid)
        self._sub(control, "dtdversion", DTD_VERSION)
        self._sub(control, "includewhitespace", False)
        operation = self._sub(request, "operation")
        operation.set("transaction", "true" if transaction else "false")
        authentication = self._sub(operation, "authentication")
        if isinstance(auth, SessionAuth):
            self._sub(authentication, "sessionid", auth.session_id)
        else:
            login = self._sub(authentication, "login")
            self._sub(login, "userid", auth.user_id)
            self._sub(login, "companyid", auth.company_id)
            self._sub(login, "password", auth.password)
            if auth.entity:
                self._sub(login, "locationid", auth.entity)
        content = self._sub(operation, "content")
        for fn in functions:
            element = etree.SubElement(content, "function")
            element.set("controlid", fn.controlid)
            element.append(_copy(fn.body))
        return etree.tostring(request, xml_declaration=True, encoding="UTF-8")


def _copy(element: etree._Element) -> etree._Element:
    """Functions may be re-sent (session refresh, replay): never move the original body."""
    from copy import deepcopy

    return deepcopy(element)
