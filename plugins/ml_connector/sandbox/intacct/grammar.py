"""The request grammar of the gateway (v3.0 ``api.xsd``), checked in the sandbox's own code.

Only the parts a client touches are checked in depth: the envelope (control, operation,
authentication, login, content, function) and the functions the sandbox runs (getAPISession,
readByQuery, readMore, read, readByName, query, create, update, delete). Other function names the
schema lists are accepted as such. Any violation is a control-level ``XL03000003``, with a message
in libxml2's schema-validation wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

MAX_CONTROLID = 256
READBYQUERY_MAX_PAGESIZE = 1000
QUERY_MAX_PAGESIZE = 2000
MAX_IN_VALUES = 1000
MAX_RECORDS_PER_WRITE = 100
MAX_READ_KEYS = 100

_ELEMENT_CONTENT = 1871
_ATTRIBUTE_MISSING = 1868
_ATTRIBUTE_NOT_ALLOWED = 1866
_DATATYPE = 1824
_MIN_INCLUSIVE = 1833
_MAX_INCLUSIVE = 1834
_MIN_LENGTH = 1831
_MAX_LENGTH = 1832
_ENUMERATION = 1840

# Function elements of api.xsd without an underscore; legacy 2.1 names (create_vendor, get_list, ...)
# are recognised by prefix.
SCHEMA_FUNCTIONS = frozenset(
    ["get", "describe", "describeall", "getUserPermissions", "getAPISession", "inspect", "lookup", "validate", "create", "update", "delete", "read", "readRelated", "readByName", "readByQuery", "query", "readMore", "installApp", "readView", "readReport", "consolidate", "runDdsJob", "getDdsObjects", "getDdsDdl", "getFinancialSetup", "readEntityDetails", "readUserFormatting", "getDimensions", "getDimensionRestrictions", "getDimensionRelationships", "getDimensionAutofillDetails", "getDimensionRestrictedData", "getDimensionAutofillData", "getAuditTrail", "getTransactionsToApprove", "getApprovalHistory", "approveVendor", "declineVendor", "getVendorsToApprove", "getVendorApprovalHistory", "approve", "cancel", "clearallmea", "clearlastactivemea", "decline", "deliver", "hold", "post", "promote", "reallocate", "renew", "resume", "retrievepdf", "uncancel", "unpost"]
)
_LEGACY_FUNCTION = re.compile(r"^(create|update|delete|get|reverse|record|void|apply|recall|close|reopen|"
                              r"approve|decline|init|install|consolidate|run|unpost|post)_[a-z0-9_]+$")
_FILTER_COMPARISONS = frozenset(
    ["equalto", "notequalto", "lessthan", "lessthanorequalto", "greaterthan", "greaterthanorequalto", "like", "notlike"]
)
_FILTER_OPERATORS = _FILTER_COMPARISONS | {"between", "in", "notin", "isnull", "isnotnull"}
_BOOLEAN = frozenset({"true", "false", "1", "0"})


class GrammarError(Exception):
    """The request does not follow the schema; becomes control-level XL03000003."""

    def __init__(self, code: int, element: etree._Element | None, message: str) -> None:
        line = element.sourceline if element is not None else None
        where = f" Line: {line}." if line else ""
        super().__init__(f"XML Parse schema error: Error {code}: {message}{where}")


@dataclass(frozen=True)
class Control:
    senderid: str
    password: str | None
    controlid: str
    uniqueid: bool
    dtdversion: str | None


@dataclass(frozen=True)
class Login:
    userid: str
    companyid: str
    password: str
    clientid: str | None
    locationid: str | None


@dataclass(frozen=True)
class FunctionCall:
    controlid: str
    name: str
    element: etree._Element


@dataclass(frozen=True)
class Operation:
    transaction: bool
    login: Login | None
    sessionid: str | None
    functions: list[FunctionCall] = field(default_factory=list)


@dataclass(frozen=True)
class GatewayRequest:
    control: Control
    operations: list[Operation]

    @property
    def function_names(self) -> list[str]:
        return [call.name for operation in self.operations for call in operation.functions]


def children(element: etree._Element) -> list[etree._Element]:
    """Element children only (comments and processing instructions are not content)."""
    return [child for child in element if isinstance(child.tag, str)]


def text_of(element: etree._Element | None) -> str:
    return "" if element is None else (element.text or "")


def _require_text_only(element: etree._Element) -> None:
    for child in children(element):
        raise GrammarError(_ELEMENT_CONTENT, child, f"Element '{child.tag}': This element is not expected.")


def _no_attributes(element: etree._Element, allowed: Sequence[str] = ()) -> None:
    for name in element.attrib:
        if name not in allowed:
            raise GrammarError(
                _ATTRIBUTE_NOT_ALLOWED, element, f"Element '{element.tag}', attribute '{name}': The attribute '{name}' is not allowed."
            )


def check_sequence(
    element: etree._Element, spec: Sequence[tuple[str, int, int | None]]
) -> dict[str, list[etree._Element]]:
    """``xs:sequence`` of named elements with (min, max) occurrences; returns them by name."""
    found: dict[str, list[etree._Element]] = {name: [] for name, _, _ in spec}
    items = children(element)
    position = 0
    for index, (name, minimum, maximum) in enumerate(spec):
        while position < len(items) and items[position].tag == name and (
            maximum is None or len(found[name]) < maximum
        ):
            found[name].append(items[position])
            position += 1
        if len(found[name]) < minimum:
            expected = _expected(spec, index)
            if position < len(items):
                raise GrammarError(
                    _ELEMENT_CONTENT,
                    items[position],
                    f"Element '{items[position].tag}': This element is not expected. Expected is ( {expected} ).",
                )
            raise GrammarError(
                _ELEMENT_CONTENT, element, f"Element '{element.tag}': Missing child element(s). Expected is ( {expected} )."
            )
    if position < len(items):
        raise GrammarError(_ELEMENT_CONTENT, items[position], f"Element '{items[position].tag}': This element is not expected.")
    return found


def _expected(spec: Sequence[tuple[str, int, int | None]], index: int) -> str:
    names = []
    for name, minimum, _ in spec[index:]:
        names.append(name)
        if minimum > 0:
            break
    return ", ".join(names)


def check_all(element: etree._Element, required: Sequence[str], optional: Sequence[str]) -> dict[str, etree._Element]:
    """``xs:all``: each named element at most once, in any order, the required ones present."""
    allowed = set(required) | set(optional)
    found: dict[str, etree._Element] = {}
    for child in children(element):
        if child.tag not in allowed or child.tag in found:
            raise GrammarError(_ELEMENT_CONTENT, child, f"Element '{child.tag}': This element is not expected.")
        found[child.tag] = child
    missing = [name for name in required if name not in found]
    if missing:
        raise GrammarError(
            _ELEMENT_CONTENT, element, f"Element '{element.tag}': Missing child element(s). Expected is ( {', '.join(missing)} )."
        )
    return found


def _integer(element: etree._Element, minimum: int, maximum: int | None) -> int:
    raw = text_of(element).strip()
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise GrammarError(
            _DATATYPE, element, f"Element '{element.tag}': '{raw}' is not a valid value of the atomic type 'xs:integer'."
        )
    value = int(raw)
    if value < minimum:
        raise GrammarError(
            _MIN_INCLUSIVE,
            element,
            f"Element '{element.tag}': [facet 'minInclusive'] The value '{raw}' is less than the minimum value allowed ('{minimum}').",
        )
    if maximum is not None and value > maximum:
        raise GrammarError(
            _MAX_INCLUSIVE,
            element,
            f"Element '{element.tag}': [facet 'maxInclusive'] The value '{raw}' is greater than the maximum value allowed ('{maximum}').",
        )
    return value


def _boolean(element: etree._Element) -> bool:
    raw = text_of(element).strip()
    if raw not in _BOOLEAN:
        raise GrammarError(
            _DATATYPE, element, f"Element '{element.tag}': '{raw}' is not a valid value of the atomic type 'xs:boolean'."
        )
    return raw in ("true", "1")


def _simple(element: etree._Element) -> str:
    _require_text_only(element)
    return text_of(element)


# --- envelope -------------------------------------------------------------------------------------

_CONTROL_SPEC: list[tuple[str, int, int | None]] = [
    ("appid", 0, 1),
    ("senderid", 1, 1),
    ("password", 0, 1),
    ("controlid", 1, 1),
    ("uniqueid", 0, 1),
    ("dtdversion", 0, 1),
    ("policyid", 0, 1),
    ("debug", 0, 1),
    ("includewhitespace", 0, 1),
    ("showadditionalerrorinfo", 0, 1),
]


def read_request(root: etree._Element) -> GatewayRequest:
    """Check the whole request against the grammar and return its parts; raises GrammarError."""
    if root.tag != "request":
        raise GrammarError(1845, root, f"Element '{root.tag}': No matching global declaration available for the validation root.")
    _no_attributes(root)
    parts = check_sequence(root, [("control", 1, 1), ("operation", 1, None)])
    control = _read_control(parts["control"][0])
    operations = [_read_operation(element) for element in parts["operation"]]
    return GatewayRequest(control, operations)


def _read_control(element: etree._Element) -> Control:
    _no_attributes(element)
    parts = check_sequence(element, _CONTROL_SPEC)
    values = {name: _simple(found[0]) for name, found in parts.items() if found}
    for name in ("includewhitespace", "showadditionalerrorinfo"):
        if parts[name]:
            _boolean(parts[name][0])
    controlid = values["controlid"]
    if len(controlid) > MAX_CONTROLID:
        raise GrammarError(
            _MAX_LENGTH,
            parts["controlid"][0],
            f"Element 'controlid': [facet 'maxLength'] The value has a length of '{len(controlid)}'; "
            f"this exceeds the allowed maximum length of '{MAX_CONTROLID}'.",
        )
    return Control(
        senderid=values["senderid"],
        password=values.get("password"),
        controlid=controlid,
        uniqueid=values.get("uniqueid", "").strip().lower() == "true",
        dtdversion=values.get("dtdversion"),
    )


def _read_operation(element: etree._Element) -> Operation:
    _no_attributes(element, ("transaction",))
    transaction = element.get("transaction", "false")
    if transaction not in ("true", "false"):
        raise GrammarError(
            _ENUMERATION,
            element,
            f"Element 'operation', attribute 'transaction': [facet 'enumeration'] The value '{transaction}' "
            "is not an element of the set {'true', 'false'}.",
        )
    parts = check_sequence(element, [("authentication", 1, 1), ("preferences", 0, None), ("content", 0, None)])
    login, sessionid = _read_authentication(parts["authentication"][0])
    functions: list[FunctionCall] = []
    for content in parts["content"]:
        _no_attributes(content)
        # api.xsd requires at least one function per content; the SDK's own envelope test sends an
        # empty <content/>, so an empty one is accepted (documented choice).
        for child in children(content):
            if child.tag != "function":
                raise GrammarError(_ELEMENT_CONTENT, child, f"Element '{child.tag}': This element is not expected. Expected is ( function ).")
            functions.append(_read_function(child))
    return Operation(transaction == "true", login, sessionid, functions)


def _read_authentication(element: etree._Element) -> tuple[Login | None, str | None]:
    _no_attributes(element)
    items = children(element)
    if not items:
        raise GrammarError(
            _ELEMENT_CONTENT, element, "Element 'authentication': Missing child element(s). Expected is one of ( login, sessionid, oauth )."
        )
    unexpected = items[0] if items[0].tag not in ("login", "sessionid", "oauth") else (items[1] if len(items) > 1 else None)
    if unexpected is not None:
        raise GrammarError(_ELEMENT_CONTENT, unexpected, f"Element '{unexpected.tag}': This element is not expected.")
    item = items[0]
    if item.tag == "sessionid":
        return None, _simple(item).strip()
    if item.tag == "oauth":
        return None, None
    parts = check_sequence(
        item, [("userid", 1, 1), ("companyid", 1, 1), ("password", 1, 1), ("clientid", 0, 1), ("locationid", 0, 1)]
    )
    values = {name: _simple(found[0]) for name, found in parts.items() if found}
    return (
        Login(
            userid=values["userid"],
            companyid=values["companyid"],
            password=values["password"],
            clientid=values.get("clientid"),
            locationid=values.get("locationid"),
        ),
        None,
    )


def _read_function(element: etree._Element) -> FunctionCall:
    _no_attributes(element, ("controlid",))
    controlid = element.get("controlid")
    if controlid is None:
        raise GrammarError(_ATTRIBUTE_MISSING, element, "Element 'function': The attribute 'controlid' is required but missing.")
    if not 1 <= len(controlid) <= MAX_CONTROLID:
        code, facet = (_MIN_LENGTH, "minLength") if not controlid else (_MAX_LENGTH, "maxLength")
        raise GrammarError(
            code,
            element,
            f"Element 'function', attribute 'controlid': [facet '{facet}'] The value has a length of "
            f"'{len(controlid)}'; the allowed length is 1 to {MAX_CONTROLID}.",
        )
    items = children(element)
    if len(items) != 1:
        if items:
            raise GrammarError(_ELEMENT_CONTENT, items[1], f"Element '{items[1].tag}': This element is not expected.")
        raise GrammarError(_ELEMENT_CONTENT, element, "Element 'function': Missing child element(s).")
    body = items[0]
    checker = _FUNCTION_CHECKS.get(body.tag)
    if checker is not None:
        checker(body)
    elif body.tag not in SCHEMA_FUNCTIONS and not _LEGACY_FUNCTION.match(body.tag):
        raise GrammarError(_ELEMENT_CONTENT, body, f"Element '{body.tag}': This element is not expected.")
    return FunctionCall(controlid=controlid, name=body.tag, element=body)


# --- functions ------------------------------------------------------------------------------------


def _check_get_api_session(element: etree._Element) -> None:
    _no_attributes(element)
    items = children(element)
    if len(items) > 1 or (items and items[0].tag != "locationid"):
        bad = items[1] if len(items) > 1 else items[0]
        raise GrammarError(_ELEMENT_CONTENT, bad, f"Element '{bad.tag}': This element is not expected.")
    for item in items:
        _simple(item)


def _check_read_by_query(element: etree._Element) -> None:
    _no_attributes(element)
    found = check_all(element, ("object", "query"), ("pagesize", "fields", "returnFormat", "docparid"))
    for item in found.values():
        _simple(item)
    if "pagesize" in found:
        _integer(found["pagesize"], 1, READBYQUERY_MAX_PAGESIZE)


def _check_read_more(element: etree._Element) -> None:
    _no_attributes(element)
    items = children(element)
    if len(items) != 1 or items[0].tag not in ("object", "view", "reportId", "resultId"):
        if items:
            bad = items[1] if len(items) > 1 else items[0]
            raise GrammarError(_ELEMENT_CONTENT, bad, f"Element '{bad.tag}': This element is not expected.")
        raise GrammarError(
            _ELEMENT_CONTENT, element, "Element 'readMore': Missing child element(s). Expected is one of ( object, view, reportId, resultId )."
        )
    _simple(items[0])


def _check_keys_function(element: etree._Element, optional: Sequence[str], limit: int | None) -> None:
    _no_attributes(element)
    found = check_all(element, ("object", "keys"), optional)
    for item in found.values():
        _simple(item)
    keys = [key for key in text_of(found["keys"]).split(",") if key.strip()]
    if limit is not None and len(keys) > limit:
        raise GrammarError(
            _ELEMENT_CONTENT, found["keys"], f"Element 'keys': {len(keys)} keys given; at most {limit} are allowed."
        )


def _check_read(element: etree._Element) -> None:
    _check_keys_function(element, ("fields", "returnFormat", "docparid"), MAX_READ_KEYS)


def _check_delete(element: etree._Element) -> None:
    _check_keys_function(element, (), MAX_READ_KEYS)


def _check_write(element: etree._Element) -> None:
    _no_attributes(element)
    records = children(element)
    if not records:
        raise GrammarError(_ELEMENT_CONTENT, element, f"Element '{element.tag}': Missing child element(s).")
    if len(records) > MAX_RECORDS_PER_WRITE:
        raise GrammarError(
            _ELEMENT_CONTENT,
            records[MAX_RECORDS_PER_WRITE],
            f"Element '{records[MAX_RECORDS_PER_WRITE].tag}': This element is not expected "
            f"(at most {MAX_RECORDS_PER_WRITE} records per {element.tag}).",
        )


def _check_query(element: etree._Element) -> None:
    _no_attributes(element)
    found = check_all(element, ("select", "object"), ("docparid", "filter", "orderby", "options", "pagesize", "offset"))
    select = found["select"]
    fields = children(select)
    if not fields:
        raise GrammarError(_ELEMENT_CONTENT, select, "Element 'select': Missing child element(s). Expected is one of ( field, count, avg, min, max, sum ).")
    for item in fields:
        if item.tag not in ("field", "count", "avg", "min", "max", "sum"):
            raise GrammarError(_ELEMENT_CONTENT, item, f"Element '{item.tag}': This element is not expected.")
        _simple(item)
    for name in ("object", "docparid"):
        if name in found:
            _simple(found[name])
    if "filter" in found:
        items = children(found["filter"])
        if len(items) != 1:
            bad = items[1] if len(items) > 1 else found["filter"]
            raise GrammarError(_ELEMENT_CONTENT, bad, f"Element '{bad.tag}': exactly one operator is allowed under 'filter'.")
        _check_filter_node(items[0])
    if "orderby" in found:
        orders = children(found["orderby"])
        if not orders:
            raise GrammarError(_ELEMENT_CONTENT, found["orderby"], "Element 'orderby': Missing child element(s). Expected is ( order ).")
        for order in orders:
            if order.tag != "order":
                raise GrammarError(_ELEMENT_CONTENT, order, f"Element '{order.tag}': This element is not expected. Expected is ( order ).")
            parts = check_sequence(order, [("field", 1, 1), ("ascending", 0, 1), ("descending", 0, 1)])
            if parts["ascending"] and parts["descending"]:
                raise GrammarError(_ELEMENT_CONTENT, parts["descending"][0], "Element 'descending': This element is not expected.")
            _simple(parts["field"][0])
    if "options" in found:
        parts = check_sequence(found["options"], [("caseinsensitive", 0, 1), ("showprivate", 0, 1), ("returnformat", 0, 1)])
        for name in ("caseinsensitive", "showprivate"):
            if parts[name]:
                _boolean(parts[name][0])
    if "pagesize" in found:
        _integer(found["pagesize"], 1, QUERY_MAX_PAGESIZE)
    if "offset" in found:
        _integer(found["offset"], 0, None)


def _check_filter_node(node: etree._Element) -> None:
    _no_attributes(node)
    if node.tag in ("and", "or"):
        items = children(node)
        if len(items) < 2:
            raise GrammarError(
                _ELEMENT_CONTENT, node, f"Element '{node.tag}': Missing child element(s). Expected at least 2 conditions."
            )
        for item in items:
            _check_filter_node(item)
        return
    if node.tag not in _FILTER_OPERATORS:
        raise GrammarError(_ELEMENT_CONTENT, node, f"Element '{node.tag}': This element is not expected.")
    if node.tag in ("isnull", "isnotnull"):
        spec: list[tuple[str, int, int | None]] = [("field", 1, 1)]
    elif node.tag == "between":
        spec = [("field", 1, 1), ("value", 2, 2)]
    elif node.tag in ("in", "notin"):
        spec = [("field", 1, 1), ("value", 1, MAX_IN_VALUES)]
    else:
        spec = [("field", 1, 1), ("value", 1, 1)]
    parts = check_sequence(node, spec)
    for items in parts.values():
        for item in items:
            _simple(item)


_FUNCTION_CHECKS: dict[str, Callable[[etree._Element], None]] = {
    "getAPISession": _check_get_api_session,
    "readByQuery": _check_read_by_query,
    "readMore": _check_read_more,
    "read": _check_read,
    "readByName": _check_read,
    "delete": _check_delete,
    "query": _check_query,
    "create": _check_write,
    "update": _check_write,
}
