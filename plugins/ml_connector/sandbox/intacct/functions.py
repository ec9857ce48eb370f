"""What each function does to the company's records, and the result it reports.

Each executor takes the function's element and an ExecutionContext and returns a FunctionResult;
failures are results, never exceptions, so the other functions of the request still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from typing import Any

from lxml import etree

from ml_connector.sandbox.intacct.clock import SandboxClock
from ml_connector.sandbox.intacct.conditions import QueryError, sort_records
from ml_connector.sandbox.intacct.grammar import children, text_of
from ml_connector.sandbox.intacct.objects import GroupDef, ObjectDef
from ml_connector.sandbox.intacct.query_filter import compile_filter
from ml_connector.sandbox.intacct.query_language import compile_query
from ml_connector.sandbox.intacct.responses import FunctionResult, GatewayError, RecordRenderer, data_xml, esc
from ml_connector.sandbox.intacct.resultsets import ResultSetStore
from ml_connector.sandbox.intacct.sessions import Session, SessionManager
from ml_connector.sandbox.intacct.store import Record, RecordStore
from ml_connector.sandbox.intacct.values import ValueFormatError, parse_value

API_USER_KEY = 2
READBYQUERY_DEFAULT_PAGESIZE = 100
QUERY_DEFAULT_PAGESIZE = 100
WRITE_FUNCTIONS = frozenset({"create", "update", "delete"})


@dataclass
class ExecutionContext:
    store: RecordStore
    renderer: RecordRenderer
    tz: timezone
    clock: SandboxClock
    sessions: SessionManager
    session: Session
    result_sets: ResultSetStore
    entities: tuple[str, ...]
    document_sequencing: bool
    endpoint_url: str


class FunctionFailure(Exception):
    """Raised inside an executor to end it with a failure result carrying these errors."""

    def __init__(self, *errors: GatewayError) -> None:
        super().__init__(errors[0].description2 or errors[0].errorno)
        self.errors = list(errors)


def _failure(name: str, controlid: str, errors: list[GatewayError], data: str | None = None) -> FunctionResult:
    return FunctionResult("failure", name, controlid, data=data, errors=errors)


def _object(ctx: ExecutionContext, raw: str, errorno: str = "Query Failed") -> ObjectDef:
    definition = ctx.store.definition(raw.strip())
    if definition is None:
        raise FunctionFailure(GatewayError(errorno, description2=f"Object definition {raw.strip()} not found"))
    return definition


def _fields(definition: ObjectDef, raw: str | None) -> tuple[str, ...] | None:
    """``*``/empty means every field; otherwise a validated, comma-separated list."""
    if raw is None or raw.strip() in ("", "*"):
        return None
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    for name in names:
        if name not in definition.fields and definition.field_type(name) is None:
            raise FunctionFailure(GatewayError(f"Invalid fields list {name}"))
    return names


def _child_text(element: etree._Element, name: str) -> str | None:
    found = element.find(name)
    return None if found is None else text_of(found)


def _return_format(raw: str | None) -> None:
    if raw is not None and raw.strip().lower() not in ("", "xml"):
        raise FunctionFailure(
            GatewayError("Unsupported returnFormat", description2=f"The sandbox serves returnFormat xml only, not {raw.strip()}.")
        )


# --- sessions -------------------------------------------------------------------------------------


def get_api_session(ctx: ExecutionContext, element: etree._Element) -> str:
    target = ctx.session.locationid
    location = element.find("locationid")
    if location is not None:
        target = text_of(location).strip()
        if target and target not in ctx.entities:
            raise FunctionFailure(
                GatewayError("XL03000006", description2=f"Invalid location/entity {target} for this user.",
                             correction="Use a valid entity ID or an empty locationid for the top level.")
            )
    session = ctx.session
    if target != session.locationid:
        session = ctx.sessions.create(session.userid, session.companyid, target)
    body = (
        "<api>" + f"<sessionid>{esc(session.sessionid)}</sessionid>" + f"<endpoint>{esc(ctx.endpoint_url)}</endpoint>"
        + f"<locationid>{esc(session.locationid)}</locationid>" + "</api>"
    )
    return data_xml(None, body)


# --- reading --------------------------------------------------------------------------------------


def _page_xml(
    ctx: ExecutionContext, definition: ObjectDef, keys: list[int], fields: tuple[str, ...] | None, tag: str
) -> tuple[int, str]:
    parts = []
    for key in keys:
        record = ctx.store.get(definition.name, key)
        if record is not None:
            parts.append(ctx.renderer.render(definition, record, tag, fields))
    return len(parts), "".join(parts)


def read_by_query(ctx: ExecutionContext, element: etree._Element) -> str:
    definition = _object(ctx, _child_text(element, "object") or "")
    fields = _fields(definition, _child_text(element, "fields"))
    _return_format(_child_text(element, "returnFormat"))
    pagesize = int((_child_text(element, "pagesize") or "").strip() or READBYQUERY_DEFAULT_PAGESIZE)
    try:
        predicate = compile_query(definition, _child_text(element, "query") or "", ctx.tz)
        keys = [record[definition.key_field] for record in ctx.store.records(definition.name) if predicate(record)]
    except QueryError as exc:
        raise FunctionFailure(GatewayError("Query Failed", description2=str(exc))) from exc
    page, rest = keys[:pagesize], len(keys) - min(pagesize, len(keys))
    result_id = ""
    if rest:
        owner = ctx.session.companyid
        result_id = ctx.result_sets.create(definition.name, keys, len(page), pagesize, fields, owner).result_id
    count, body = _page_xml(ctx, definition, page, fields, definition.lower_tag)
    attributes = {"listtype": definition.lower_tag, "count": count, "totalcount": len(keys), "numremaining": rest,
                  "resultId": result_id}
    return data_xml(attributes, body)


def read_more(ctx: ExecutionContext, element: etree._Element) -> str:
    item = children(element)[0]
    owner = ctx.session.companyid
    value = text_of(item).strip()
    if item.tag == "resultId":
        result_set = ctx.result_sets.find(value, owner)
    elif item.tag == "object":
        definition = _object(ctx, value, errorno="readMore failed")
        result_set = ctx.result_sets.latest_for_object(definition.name, owner)
    else:
        raise FunctionFailure(GatewayError("readMore failed", description2=f"readMore by {item.tag} is not served by the sandbox."))
    if result_set is None:
        raise FunctionFailure(
            GatewayError("readMore failed", description2=f"Attempt to readMore with an invalid or expired resultId: {value}")
        )
    definition = _object(ctx, result_set.object_name)
    page = result_set.keys[result_set.position : result_set.position + result_set.pagesize]
    result_set.position += len(page)
    rest = len(result_set.keys) - result_set.position
    if rest == 0:
        ctx.result_sets.discard(result_set.result_id)
    count, body = _page_xml(ctx, definition, page, result_set.fields, definition.lower_tag)
    attributes = {"listtype": definition.lower_tag, "count": count, "totalcount": len(result_set.keys),
                  "numremaining": rest, "resultId": result_set.result_id}
    return data_xml(attributes, body)


def _read_records(ctx: ExecutionContext, definition: ObjectDef, records: list[Record], fields: tuple[str, ...] | None) -> str:
    parts = []
    owned = definition.owned
    for record in records:
        text = ctx.renderer.render(definition, record, definition.name, fields)
        if owned is not None and fields is None:
            child_def = ctx.store.definition(owned.object_name)
            assert child_def is not None
            lines = ctx.store.children_of(owned.object_name, record[definition.key_field])
            inner = "".join(ctx.renderer.render(child_def, line, owned.item_tag, None) for line in lines)
            text = text[: -len(f"</{definition.name}>")] + f"<{owned.collection_tag}>{inner}</{owned.collection_tag}></{definition.name}>"
        parts.append(text)
    return data_xml({"listtype": definition.name, "count": len(records)}, "".join(parts))


def _keys(raw: str) -> list[str]:
    return [key.strip() for key in raw.split(",") if key.strip()]


def read(ctx: ExecutionContext, element: etree._Element) -> str:
    definition = _object(ctx, _child_text(element, "object") or "")
    fields = _fields(definition, _child_text(element, "fields"))
    _return_format(_child_text(element, "returnFormat"))
    records = []
    for key in _keys(_child_text(element, "keys") or ""):
        if not key.lstrip("-").isdigit():
            raise FunctionFailure(GatewayError("Invalid key", description2=f"'{key}' is not a valid {definition.key_field}."))
        record = ctx.store.get(definition.name, int(key))
        if record is not None:
            records.append(record)
    return _read_records(ctx, definition, records, fields)


def read_by_name(ctx: ExecutionContext, element: etree._Element) -> str:
    definition = _object(ctx, _child_text(element, "object") or "")
    fields = _fields(definition, _child_text(element, "fields"))
    _return_format(_child_text(element, "returnFormat"))
    records = []
    if definition.id_field:
        for key in _keys(_child_text(element, "keys") or ""):
            record = ctx.store.find_by_id(definition.name, key) if definition.unique_id else None
            if record is not None:
                records.append(record)
    return _read_records(ctx, definition, records, fields)


def query(ctx: ExecutionContext, element: etree._Element) -> str:
    definition = _object(ctx, _child_text(element, "object") or "")
    select = children(element.find("select"))
    aggregates = [item.tag for item in select if item.tag != "field"]
    if aggregates:
        raise FunctionFailure(
            GatewayError("Query Failed", description2=f"The sandbox does not serve aggregate functions ({', '.join(aggregates)}).")
        )
    fields = tuple(text_of(item).strip() for item in select)
    try:
        for name in fields:
            if name not in definition.fields and definition.field_type(name) is None:
                raise QueryError(f"Invalid field '{name}' in select for object {definition.name}")
        options = element.find("options")
        case_insensitive = False
        if options is not None:
            case_insensitive = (_child_text(options, "caseinsensitive") or "").strip() in ("true", "1")
            _return_format(_child_text(options, "returnformat"))
        records = ctx.store.records(definition.name)
        filter_element = element.find("filter")
        if filter_element is not None:
            predicate = compile_filter(definition, children(filter_element)[0], ctx.tz, case_insensitive)
            records = [record for record in records if predicate(record)]
        orderby = element.find("orderby")
        if orderby is not None:
            orders = [
                (text_of(order.find("field")).strip(), order.find("descending") is not None) for order in children(orderby)
            ]
            records = sort_records(definition, records, orders)
    except QueryError as exc:
        raise FunctionFailure(GatewayError("Query Failed", description2=str(exc))) from exc
    pagesize = int((_child_text(element, "pagesize") or "").strip() or QUERY_DEFAULT_PAGESIZE)
    offset = int((_child_text(element, "offset") or "").strip() or 0)
    page = records[offset : offset + pagesize]
    body = "".join(ctx.renderer.render(definition, record, definition.name, fields) for record in page)
    attributes = {"listtype": definition.name, "totalcount": len(records), "offset": offset, "count": len(page),
                  "numremaining": max(0, len(records) - offset - len(page))}
    return data_xml(attributes, body)


# --- writing --------------------------------------------------------------------------------------


def _parse_fields(definition: ObjectDef, fields: dict[str, Any], element: etree._Element, tz: timezone, prefix: str) -> dict[str, Any]:
    """Typed values of a record element; unknown fields and bad values are specific errors."""
    values: dict[str, Any] = {}
    for child in children(element):
        path = f"{prefix}{child.tag}"
        spec = fields.get(child.tag)
        if spec is None:
            raise FunctionFailure(
                GatewayError("BL01001973", description2=f"Field {path} is not defined for object {definition.name}.",
                             correction="Check the field's integration name.")
            )
        if isinstance(spec, GroupDef):
            values[child.tag] = _parse_fields(definition, dict(spec.fields), child, tz, f"{path}.")
            continue
        if children(child):
            raise FunctionFailure(GatewayError("BL01001973", description2=f"Field {path} takes a value, not elements."))
        text = text_of(child)
        if text.strip() == "":
            values[child.tag] = "" if spec == "string" else None
            continue
        try:
            values[child.tag] = parse_value(spec, text, tz)
        except ValueFormatError as exc:
            raise FunctionFailure(GatewayError("BL01001973", description2=f"Invalid value for {path}: {exc}.")) from exc
    return values


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for name, value in changes.items():
        if isinstance(value, dict):
            merged[name] = _merge(current.get(name) or {}, value)
        else:
            merged[name] = value
    return merged


def _path_value(record: dict[str, Any], path: str) -> Any:
    current: Any = record
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return current


def _display_name(definition: ObjectDef) -> str:
    """``Vendor``, ``Contact``, ``HS_SEGMENT``: how the gateway names an object in error text."""
    return definition.name if definition.custom_object else definition.name.capitalize()


def _echo(definition: ObjectDef, record: Record) -> str:
    parts = [f"<{definition.key_field}>{record[definition.key_field]}</{definition.key_field}>"]
    if definition.id_field and definition.id_field != definition.key_field:
        value = record.get(definition.id_field)
        parts.append(f"<{definition.id_field}>{esc('' if value is None else str(value))}</{definition.id_field}>")
    return f"<{definition.lower_tag}>{''.join(parts)}</{definition.lower_tag}>"


def _stamp(definition: ObjectDef, record: dict[str, Any], now: Any, created: bool) -> None:
    names = ("whenCreated", "whenModified", "createdBy", "updatedBy") if definition.custom_object else (
        "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY")
    if created:
        record[names[0]] = now
        record[names[2]] = API_USER_KEY
    record[names[1]] = now
    record[names[3]] = API_USER_KEY


def _writable(ctx: ExecutionContext, tag: str, verb: str) -> ObjectDef:
    definition = ctx.store.definition(tag)
    if definition is None:
        raise FunctionFailure(GatewayError("BL01001973", description2=f"Object definition {tag} not found",
                                           correction="Use the object's integration name."))
    if not definition.writable:
        raise FunctionFailure(
            GatewayError("BL01001973", description2=f"The sandbox does not {verb} {definition.name} records.")
        )
    return definition


def _duplicate(definition: ObjectDef, value: str) -> FunctionFailure:
    return FunctionFailure(
        GatewayError("BL34000061", description2=f"Another {_display_name(definition)} with the given value(s) {value}  already exists",
                     correction="Use a unique value instead."),
        GatewayError("BL01001973", description2=f"Could not create {definition.lower_tag} record!"),
    )


def _create_one(ctx: ExecutionContext, element: etree._Element) -> Record:
    definition = _writable(ctx, element.tag, "create")
    values = _parse_fields(definition, dict(definition.fields), element, ctx.tz, "")
    for name in definition.system_fields:
        values.pop(name, None)
    values.pop(definition.key_field, None)
    id_field = definition.id_field
    if id_field and definition.name == "VENDOR" and not values.get(id_field):
        if not ctx.document_sequencing:
            raise FunctionFailure(
                GatewayError("BL01001973", description2="VENDORID is required because the company does not use document sequencing for vendors.",
                             correction="Provide a VENDORID."),
                GatewayError("BL01001973", description2="Could not create vendor record!"),
            )
        number = ctx.store.allocate_key("VENDOR")
        values[id_field] = f"VEN-{number:05d}"
        while ctx.store.find_by_id("VENDOR", values[id_field]) is not None:
            values[id_field] = f"VEN-{ctx.store.allocate_key('VENDOR'):05d}"
    missing = [path for path in definition.required if _path_value(values, path) in (None, "")]
    if missing:
        raise FunctionFailure(
            GatewayError("BL01001973", description2=f"Required field(s) missing: {', '.join(missing)}.",
                         correction="Provide a value for each required field."),
            GatewayError("BL01001973", description2=f"Could not create {definition.lower_tag} record!"),
        )
    if id_field and definition.unique_id and ctx.store.find_by_id(definition.name, values[id_field]) is not None:
        raise _duplicate(definition, values[id_field])
    if definition.name == "VENDOR":
        _vendor_contact(ctx, values)
    record: dict[str, Any] = {definition.key_field: ctx.store.allocate_key(definition.name)}
    if "STATUS" in definition.fields:
        record["STATUS"] = "active"
    record.update(values)
    _stamp(definition, record, ctx.clock.now(), created=True)
    return ctx.store.insert(definition.name, record)


def _vendor_contact(ctx: ExecutionContext, values: dict[str, Any]) -> None:
    """A vendor's display contact is a CONTACT record: default name ``NAME(VVENDORID)``, names unique."""
    display = values.setdefault("DISPLAYCONTACT", {})
    explicit = bool(display.get("CONTACTNAME"))
    if not explicit:
        display["CONTACTNAME"] = f"{values['NAME']}(V{values['VENDORID']})"
    contact_def = ctx.store.definition("CONTACT")
    assert contact_def is not None
    existing = ctx.store.find_by_id("CONTACT", display["CONTACTNAME"])
    if existing is not None:
        raise FunctionFailure(
            GatewayError("BL34000061", description2=f"Another Contact with the given value(s) {display['CONTACTNAME']}  already exists",
                         correction="Use a unique value instead."),
            GatewayError("BL01001973", description2="Could not create vendor record!"),
        )
    contact = {"RECORDNO": ctx.store.allocate_key("CONTACT"), "STATUS": "active",
               **{name: value for name, value in display.items() if name in contact_def.fields}}
    _stamp(contact_def, contact, ctx.clock.now(), created=True)
    ctx.store.insert("CONTACT", contact)


def _update_one(ctx: ExecutionContext, element: etree._Element) -> Record:
    definition = _writable(ctx, element.tag, "update")
    changes = _parse_fields(definition, dict(definition.fields), element, ctx.tz, "")
    key = changes.pop(definition.key_field, None)
    id_field = definition.id_field
    if key is not None:
        current = ctx.store.get(definition.name, key)
        lookup = f"{definition.key_field}={key}"
    elif id_field and changes.get(id_field):
        current = ctx.store.find_by_id(definition.name, changes[id_field])
        lookup = f"{id_field}={changes[id_field]}"
    else:
        names = " or ".join(name for name in (definition.key_field, id_field) if name)
        raise FunctionFailure(GatewayError(f"Cannot update {definition.name} without {names}."))
    if current is None:
        raise FunctionFailure(GatewayError(f"Cannot update non-existing {definition.name} with {lookup}."))
    if id_field and id_field in changes and changes[id_field] != current.get(id_field) and definition.name == "VENDOR":
        raise FunctionFailure(GatewayError("BL01001973", description2=f"{id_field} cannot be changed once the record exists."))
    for name in definition.system_fields:
        changes.pop(name, None)
    renamed = id_field and id_field in changes and changes[id_field] != current.get(id_field)
    if renamed and definition.unique_id and ctx.store.find_by_id(definition.name, changes[id_field]) is not None:
        raise _duplicate(definition, changes[id_field])
    updated = _merge(current, changes)
    missing = [path for path in definition.required if _path_value(updated, path) in (None, "")]
    if missing:
        raise FunctionFailure(GatewayError("BL01001973", description2=f"Required field(s) cannot be emptied: {', '.join(missing)}."))
    _stamp(definition, updated, ctx.clock.now(), created=False)
    return ctx.store.replace(definition.name, updated)


def _write_many(ctx: ExecutionContext, element: etree._Element, one: Callable[[ExecutionContext, etree._Element], Record]) -> tuple[str, list[GatewayError]]:
    """Each record on its own: successes are kept and echoed even when a sibling record fails."""
    echoes: list[str] = []
    errors: list[GatewayError] = []
    for record_element in children(element):
        try:
            record = one(ctx, record_element)
        except FunctionFailure as failure:
            errors.extend(failure.errors)
            continue
        definition = ctx.store.definition(record_element.tag)
        assert definition is not None
        echoes.append(_echo(definition, record))
    return data_xml({"listtype": "objects", "count": len(echoes)}, "".join(echoes)), errors


def delete(ctx: ExecutionContext, element: etree._Element) -> str:
    definition = _writable(ctx, (_child_text(element, "object") or "").strip(), "delete")
    for key in _keys(_child_text(element, "keys") or ""):
        if not key.isdigit() or ctx.store.get(definition.name, int(key)) is None:
            raise FunctionFailure(GatewayError(f"Cannot delete non-existing {definition.name} with {definition.key_field}={key}."))
        ctx.store.delete(definition.name, int(key))
    return data_xml({"listtype": "objects", "count": 0}, "")


ReadExecutor = Callable[[ExecutionContext, etree._Element], str]

READ_EXECUTORS: dict[str, ReadExecutor] = {
    "getAPISession": get_api_session,
    "readByQuery": read_by_query,
    "readMore": read_more,
    "read": read,
    "readByName": read_by_name,
    "query": query,
    "delete": delete,
}


def execute(ctx: ExecutionContext, name: str, controlid: str, element: etree._Element) -> FunctionResult:
    """Run one function; every problem becomes a failure result, never an exception."""
    try:
        if name in ("create", "update"):
            data, errors = _write_many(ctx, element, _create_one if name == "create" else _update_one)
            return FunctionResult("failure" if errors else "success", name, controlid, data=data, errors=errors)
        executor = READ_EXECUTORS.get(name)
        if executor is None:
            return _failure(name, controlid, [GatewayError(
                "Function not supported", description2=f"The Intacct sandbox does not implement <{name}>.")])
        return FunctionResult("success", name, controlid, data=executor(ctx, element))
    except FunctionFailure as failure:
        return _failure(name, controlid, failure.errors)
