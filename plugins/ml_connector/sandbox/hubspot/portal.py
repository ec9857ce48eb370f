"""The portal's state and HubSpot's write rules: records, unique values, associations, invoice status.

Every write is planned (validated, nothing changed) before it is applied, so a batch can be all-or-nothing
or, with ``objectWriteTraceId`` on every input, apply the good inputs and report the bad ones.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ml_connector.sandbox.hubspot.errors import (
    ApiError,
    conflict,
    invalid_property_values,
    not_found,
    validation,
)
from ml_connector.sandbox.hubspot.schema import (
    INVOICE_STATUSES,
    OBJECT_TYPES,
    AssociationIds,
    AssociationType,
    ObjectType,
    PropertyDef,
    association_types,
    builtin_properties,
    inverse_pairs,
)
from ml_connector.sandbox.hubspot.search import SearchPlan, comparable, matching_ids, ordered, query_matches
from ml_connector.sandbox.hubspot.values import check_value, iso_ms, parse_number, to_wire_string
from ml_connector.sandbox.hubspot.webhooks import WebhookQueue

MAX_UNIQUE_PROPERTIES = 10
_OPEN_INVOICE_TRANSITIONS = {
    "draft": {"draft", "open", "voided"},
    "open": {"open", "paid", "voided"},
    "paid": {"paid"},
    "voided": {"voided"},
}
_WEBHOOK_TYPES = {"contacts": "contact", "companies": "company", "line_items": "line_item"}
_SEARCHABLE = {
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "companies": ("name", "domain", "website", "phone"),
    "line_items": ("name", "description", "hs_sku"),
    "invoices": ("hs_number", "hs_comments", "hs_purchase_order_number"),
}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Record:
    id: int
    object_type: str
    properties: dict[str, str]
    created_at: str
    updated_at: str
    written_mono: float
    archived: bool = False
    archived_at: str | None = None
    history: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class InvoiceRules:
    """Invoice rules that the reference cannot pin down exactly, so tests and demos can relax them."""

    open_requires_contact: bool = True
    open_requires_line_items: bool = True
    paid_invoices_locked: bool = True
    due_days: int = 30


Apply = Callable[[], Any]


class Portal:
    """One HubSpot account's CRM data. Thread-safe: API handlers and test code share it."""

    def __init__(self, *, association_ids: AssociationIds, webhooks: WebhookQueue,
                 invoice_rules: InvoiceRules | None = None) -> None:
        self.lock = threading.RLock()
        self.association_ids = association_ids
        self.webhooks = webhooks
        self.invoice_rules = invoice_rules or InvoiceRules()
        self._assoc_types = association_types(association_ids)
        self._inverse = inverse_pairs(association_ids)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._next_id = itertools.count(1001)
            self.records: dict[str, dict[int, Record]] = {t: {} for t in OBJECT_TYPES}
            self.properties: dict[str, dict[str, PropertyDef]] = {
                t: {p.name: p for p in builtin_properties(t)} for t in OBJECT_TYPES
            }
            self._unique: dict[str, dict[str, dict[str, int]]] = {t: {} for t in OBJECT_TYPES}
            self._unique["contacts"]["email"] = {}
            # (from_type, from_id, to_type) -> {to_id: {typeId, ...}}
            self._assoc: dict[tuple[str, int, str], dict[int, set[int]]] = {}
            self._versions: dict[str, int] = dict.fromkeys(OBJECT_TYPES, 0)
            self._search_cache: dict[tuple[str, str], tuple[int, list[int]]] = {}
            self._columns: dict[tuple[str, str], tuple[int, dict[int, Any]]] = {}

    # ----- properties -------------------------------------------------------------------------------

    def unique_properties(self, object_type: str) -> set[str]:
        return set(self._unique[object_type])

    def can_identify_by(self, object_type: str, name: str) -> bool:
        """What batch upsert/update/read accept as ``idProperty``: unique-value properties, and contact email."""
        return name in self._unique[object_type]

    def create_property(self, object_type: str, body: dict[str, Any]) -> PropertyDef:
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
        if missing:
            raise validation(f"Some required fields were not set: [{', '.join(missing)}]")
        name = str(body["name"])
        if body["type"] not in ("string", "number", "date", "datetime", "enumeration", "bool"):
            raise validation(f"Invalid property type '{body['type']}'")
        with self.lock:
            if name in self.properties[object_type]:
                raise ApiError(409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists.")
            unique = bool(body.get("hasUniqueValue", False))
            if unique and len(self._unique[object_type]) - (object_type == "contacts") >= MAX_UNIQUE_PROPERTIES:
                raise validation(
                    f"Cannot create more than {MAX_UNIQUE_PROPERTIES} unique-value properties on {object_type}"
                )
            options = tuple(str(o.get("value")) for o in body.get("options") or [] if isinstance(o, dict))
            prop = PropertyDef(
                name, str(body["label"]), str(body["type"]), str(body["fieldType"]), str(body["groupName"]),
                has_unique_value=unique, options=options, custom=True, description=str(body.get("description", "")),
            )
            self.properties[object_type][name] = prop
            if unique:
                self._unique[object_type][name] = {}
            return prop

    def update_property(self, object_type: str, name: str, body: dict[str, Any]) -> PropertyDef:
        with self.lock:
            prop = self.properties[object_type].get(name)
            if prop is None:
                raise not_found(f"Unable to find property {name} for object type {object_type}")
            if not prop.custom:
                raise validation(f"Property {name} is HubSpot-defined; its definition is read-only")
            if "hasUniqueValue" in body and bool(body["hasUniqueValue"]) != prop.has_unique_value:
                raise validation("hasUniqueValue cannot be changed after a property is created")
            for key, attr in (("label", "label"), ("groupName", "group_name"), ("fieldType", "field_type"),
                              ("description", "description")):
                if key in body:
                    setattr(prop, attr, str(body[key]))
            if "options" in body:
                prop.options = tuple(str(o.get("value")) for o in body["options"] or [] if isinstance(o, dict))
            return prop

    # ----- reading -----------------------------------------------------------------------------------

    def get(self, object_type: str, key: str, id_property: str | None = None, *,
            archived: bool = False) -> Record | None:
        with self.lock:
            if id_property and id_property != "hs_object_id":
                index = self._unique[object_type].get(id_property)
                if index is None:
                    return None
                rid = index.get(self._normal(id_property, key))
                record = self.records[object_type].get(rid) if rid is not None else None
            else:
                try:
                    record = self.records[object_type].get(int(key))
                except ValueError:
                    return None
            if record is None or record.archived != archived:
                return None
            return record

    def require(self, object_type: str, key: str, id_property: str | None = None) -> Record:
        record = self.get(object_type, key, id_property)
        if record is None:
            raise not_found("Object not found.  objectId are usually numeric.", context={"id": [key]})
        return record

    def page(self, object_type: str, *, after: str | None, limit: int, archived: bool) -> tuple[list[Record], str | None]:
        with self.lock:
            start = 0
            if after:
                try:
                    start = int(after)
                except ValueError:
                    raise validation(f"Invalid 'after' value '{after}'") from None
            rows = [r for rid, r in self.records[object_type].items() if rid >= start and r.archived == archived]
        page = rows[:limit]
        next_after = str(rows[limit].id) if len(rows) > limit else None
        return page, next_after

    def _column(self, object_type: str, name: str) -> dict[int, Any]:
        """Comparable values of one property for live records, cached until the type is next written."""
        key = (object_type, name)
        version = self._versions[object_type]
        cached = self._columns.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        prop = self.properties[object_type][name]
        values = {rid: comparable(prop, r.properties.get(name))
                  for rid, r in self.records[object_type].items() if not r.archived}
        self._columns[key] = (version, values)
        return values

    def search(self, object_type: str, plan: SearchPlan, lag_seconds: float | None) -> tuple[int, list[Record]]:
        """Total and one page; with ``lag_seconds``, records written that recently are not yet indexed."""
        with self.lock:
            table = self.records[object_type]
            key = (object_type, plan.cache_key)
            cached = self._search_cache.get(key)
            if not lag_seconds and cached is not None and cached[0] == self._versions[object_type]:
                ids = cached[1]
            else:
                if lag_seconds:
                    horizon = time.monotonic() - lag_seconds
                    universe = {rid for rid, r in table.items() if not r.archived and r.written_mono <= horizon}
                else:
                    universe = {rid for rid, r in table.items() if not r.archived}
                matched = matching_ids(plan, universe, lambda name: self._column(object_type, name))
                if plan.query:
                    fields = self.searchable(object_type)
                    matched = {rid for rid in matched
                               if query_matches(plan.query, (table[rid].properties.get(f) for f in fields))}
                ids = ordered(plan, matched, self._column(object_type, plan.sort_property))
                if not lag_seconds:
                    if len(self._search_cache) > 64:
                        self._search_cache.clear()
                    self._search_cache[key] = (self._versions[object_type], ids)
            window = ids[plan.offset:plan.offset + plan.limit]
            return len(ids), [table[i] for i in window]

    @staticmethod
    def searchable(object_type: str) -> tuple[str, ...]:
        return _SEARCHABLE[object_type]

    # ----- associations --------------------------------------------------------------------------------

    def association_types_for(self, from_type: str, to_type: str) -> list[AssociationType]:
        return [a for a in self._assoc_types if a.from_type == from_type and a.to_type == to_type]

    def default_association(self, from_type: str, to_type: str) -> AssociationType:
        for a in self.association_types_for(from_type, to_type):
            if a.label is None:
                return a
        raise validation(f"There is no default association type between {from_type} and {to_type}",
                         sub_category="crm.associations.INVALID_OBJECT_TYPE_PAIR")

    def check_association_type(self, from_type: str, to_type: str, spec: Any) -> int:
        """Validate one AssociationSpec; a type id from another direction is the classic INVALID_FROM_OBJECT."""
        if not isinstance(spec, dict):
            raise validation(
                "Cannot deserialize value of type `java.util.HashSet<com.hubspot.crm.associations.AssociationSpec>`"
                f" from {type(spec).__name__} value"
            )
        missing = [k for k in ("associationCategory", "associationTypeId") if spec.get(k) in (None, "")]
        if missing:
            raise validation(f"Some required fields were not set: [{', '.join(missing)}]")
        category = spec["associationCategory"]
        if category not in ("HUBSPOT_DEFINED", "INTEGRATOR_DEFINED", "USER_DEFINED", "WORK"):
            raise validation(f"Invalid associationCategory '{category}'")
        try:
            type_id = int(spec["associationTypeId"])
        except (TypeError, ValueError):
            raise validation(f"Invalid associationTypeId '{spec['associationTypeId']}'") from None
        allowed = {a.type_id for a in self.association_types_for(from_type, to_type)}
        if type_id not in allowed:
            owner = next((a for a in self._assoc_types if a.type_id == type_id), None)
            where = f" (it is defined from {owner.from_type} to {owner.to_type})" if owner else ""
            raise validation(
                f"{category} association type {type_id} is not valid from {from_type} to {to_type}{where}. "
                f"Valid ids: {sorted(allowed)}",
                sub_category="crm.associations.INVALID_FROM_OBJECT_TYPE",
                context={"associationTypeId": [str(type_id)], "fromObjectType": [from_type],
                         "toObjectType": [to_type]},
            )
        return type_id

    def _link(self, from_type: str, from_id: int, to_type: str, to_id: int, type_ids: Iterable[int]) -> None:
        forward = self._assoc.setdefault((from_type, from_id, to_type), {}).setdefault(to_id, set())
        backward = self._assoc.setdefault((to_type, to_id, from_type), {}).setdefault(from_id, set())
        for type_id in type_ids:
            forward.add(type_id)
            backward.add(self._inverse.get(type_id, type_id))

    def plan_association(self, from_type: str, from_id: str, to_type: str, to_id: str,
                         type_ids: list[int]) -> Apply:
        """Both records must exist; returns the write to apply."""
        source = self.require(from_type, from_id)
        target = self.get(to_type, to_id)
        if target is None:
            raise not_found(f"No {to_type} with id {to_id} exists", context={"toObjectId": [to_id]},
                            sub_category="crm.associations.TO_OBJECT_NOT_FOUND")

        def apply() -> None:
            with self.lock:
                self._link(from_type, source.id, to_type, target.id, type_ids)
                self._bump(from_type)
                self._bump(to_type)

        return apply

    def unlink(self, from_type: str, from_id: int, to_type: str, to_id: int,
               type_ids: Iterable[int] | None = None) -> None:
        with self.lock:
            forward = self._assoc.get((from_type, from_id, to_type), {})
            backward = self._assoc.get((to_type, to_id, from_type), {})
            if type_ids is None:
                forward.pop(to_id, None)
                backward.pop(from_id, None)
                return
            for type_id in type_ids:
                forward.get(to_id, set()).discard(type_id)
                backward.get(from_id, set()).discard(self._inverse.get(type_id, type_id))
            if not forward.get(to_id):
                forward.pop(to_id, None)
            if not backward.get(from_id):
                backward.pop(from_id, None)

    def links(self, from_type: str, from_id: int, to_type: str) -> dict[int, set[int]]:
        with self.lock:
            targets = self._assoc.get((from_type, from_id, to_type), {})
            live = self.records[to_type]
            return {tid: set(types) for tid, types in sorted(targets.items())
                    if tid in live and not live[tid].archived}

    def type_by_id(self, type_id: int, from_type: str, to_type: str) -> AssociationType | None:
        return next((a for a in self.association_types_for(from_type, to_type) if a.type_id == type_id), None)

    # ----- writing -------------------------------------------------------------------------------------

    @staticmethod
    def _normal(name: str, value: str) -> str:
        return value.strip().lower() if name == "email" else value

    def _bump(self, object_type: str) -> None:
        self._versions[object_type] += 1

    def _clean(self, object_type: str, raw: Any) -> dict[str, str]:
        """Unknown, read-only and malformed properties fail with HubSpot's PROPERTY_DOESNT_EXIST-style 400."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise validation("properties must be an object of property name to value")
        defs = self.properties[object_type]
        out: dict[str, str] = {}
        problems: list[dict[str, str]] = []
        for name, value in raw.items():
            prop = defs.get(name)
            if prop is None:
                problems.append({"name": name, "error": "PROPERTY_DOESNT_EXIST",
                                 "message": f'Property \\"{name}\\" does not exist'})
                continue
            if prop.read_only:
                problems.append({"name": name, "error": "READ_ONLY_VALUE",
                                 "message": f'\\"{name}\\" is a read only property; its value cannot be set.'})
                continue
            text = "" if value is None else to_wire_string(value)
            if name == "email":
                text = text.strip().lower()
            problem = check_value(prop, text)
            if problem:
                problems.append(problem)
                continue
            out[name] = text
        if problems:
            raise invalid_property_values(problems)
        return out

    def _check_unique(self, object_type: str, changes: dict[str, str], self_id: int | None,
                      claims: dict[tuple[str, str, str], object]) -> list[tuple[str, str]]:
        """Unique values already held by another record, or claimed earlier in the same batch, conflict."""
        claimant: object = self_id if self_id is not None else object()
        keys: list[tuple[str, str]] = []
        for name, index in self._unique[object_type].items():
            value = changes.get(name)
            if not value:
                continue
            normal = self._normal(name, value)
            owner = index.get(normal)
            claim_key = (object_type, name, normal)
            earlier = claims.get(claim_key)
            taken_in_batch = earlier is not None and earlier != claimant
            if taken_in_batch or (owner is not None and owner != self_id):
                existing = f" Existing ID: {owner}" if owner is not None and owner != self_id else ""
                if object_type == "contacts" and name == "email":
                    raise conflict(f"Contact already exists.{existing}",
                                   context={"id": [str(owner)]} if existing else None)
                raise conflict(
                    f"A {OBJECT_TYPES[object_type].singular} with the unique value '{value}' for property "
                    f"'{name}' already exists.{existing}",
                    context={"propertyName": [name]},
                )
            keys.append((name, normal))
            claims[claim_key] = claimant
        return keys

    def _invoice_rules_on(self, current: dict[str, str], changes: dict[str, str], *, creating: bool,
                          contacts: int, line_items: int) -> None:
        rules = self.invoice_rules
        if creating and not changes.get("hs_currency"):
            raise invalid_property_values([{"name": "hs_currency", "error": "REQUIRED_PROPERTY",
                                            "message": "hs_currency is required to create an invoice"}])
        if not creating and "hs_currency" in changes and not changes["hs_currency"]:
            raise invalid_property_values([{"name": "hs_currency", "error": "REQUIRED_PROPERTY",
                                            "message": "hs_currency cannot be cleared"}])
        old = current.get("hs_invoice_status", "draft")
        new = changes.get("hs_invoice_status") or old
        if new not in INVOICE_STATUSES:
            raise validation(f"Invalid hs_invoice_status '{new}'")
        if not creating and old == "paid" and rules.paid_invoices_locked:
            raise validation("This invoice is paid and can no longer be edited.",
                             sub_category="INVOICE_LOCKED")
        if new not in _OPEN_INVOICE_TRANSITIONS[old]:
            raise validation(f"Cannot change an invoice's status from {old} to {new}.",
                             sub_category="INVALID_INVOICE_STATUS_TRANSITION")
        if (new != old and new == "open") or (creating and new in ("open", "paid")):
            missing = []
            if rules.open_requires_contact and contacts < 1:
                missing.append("an associated contact")
            if rules.open_requires_line_items and line_items < 1:
                missing.append("at least one associated line item")
            if missing:
                raise validation(
                    f"An invoice needs {' and '.join(missing)} before it can be set to {new}.",
                    sub_category="INVOICE_MISSING_REQUIRED_ASSOCIATIONS",
                )

    @staticmethod
    def _derive_line_item(current: dict[str, str], changes: dict[str, str]) -> None:
        if "amount" in changes or not ({"quantity", "price"} & changes.keys()):
            return
        quantity = parse_number(changes.get("quantity", current.get("quantity", "")) or "")
        price = parse_number(changes.get("price", current.get("price", "")) or "")
        if quantity is not None and price is not None:
            total = round(quantity * price, 6)
            changes["amount"] = to_wire_string(total)

    def _parse_create_associations(self, object_type: str, raw: Any) -> list[tuple[str, str, list[int]]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise validation("associations must be a list of {to: {id}, types: [...]}")
        out: list[tuple[str, str, list[int]]] = []
        for item in raw:
            to_id = str(((item or {}).get("to") or {}).get("id", "")) if isinstance(item, dict) else ""
            types = item.get("types") if isinstance(item, dict) else None
            if not to_id or not isinstance(types, list) or not types:
                raise validation("Each association needs 'to': {'id'} and a non-empty 'types' list")
            type_ids = [self._type_id_any_target(object_type, spec) for spec in types]
            target_type = self._target_type(object_type, type_ids[0])
            if self.get(target_type, to_id) is None:
                raise validation(
                    f"The {target_type} with id {to_id} in 'associations' does not exist",
                    sub_category="crm.associations.TO_OBJECT_NOT_FOUND", context={"toObjectId": [to_id]},
                )
            out.append((target_type, to_id, type_ids))
        return out

    def _type_id_any_target(self, from_type: str, spec: Any) -> int:
        """Associations on create name no target type: the type id decides it, and must start here."""
        if not isinstance(spec, dict) or spec.get("associationTypeId") in (None, ""):
            raise validation("Some required fields were not set: [associationCategory, associationTypeId]")
        try:
            type_id = int(spec["associationTypeId"])
        except (TypeError, ValueError):
            raise validation(f"Invalid associationTypeId '{spec['associationTypeId']}'") from None
        match = next((a for a in self._assoc_types if a.type_id == type_id and a.from_type == from_type), None)
        if match is None:
            owner = next((a for a in self._assoc_types if a.type_id == type_id), None)
            where = f" (it is defined from {owner.from_type} to {owner.to_type})" if owner else ""
            raise validation(
                f"Association type {type_id} is not valid from {from_type}{where}",
                sub_category="crm.associations.INVALID_FROM_OBJECT_TYPE",
                context={"associationTypeId": [str(type_id)], "fromObjectType": [from_type]},
            )
        return type_id

    def _target_type(self, from_type: str, type_id: int) -> str:
        return next(a.to_type for a in self._assoc_types if a.type_id == type_id and a.from_type == from_type)

    def plan_create(self, object_type: str, raw_properties: Any, raw_associations: Any = None, *,
                    claims: dict[tuple[str, str, str], object] | None = None,
                    modified_at: datetime | None = None) -> Callable[[], Record]:
        claims = {} if claims is None else claims
        with self.lock:
            changes = {k: v for k, v in self._clean(object_type, raw_properties).items() if v != ""}
            links = self._parse_create_associations(object_type, raw_associations)
            if object_type == "line_items":
                self._derive_line_item({}, changes)
            if object_type == "invoices":
                changes.setdefault("hs_invoice_status", "draft")
                self._invoice_rules_on({}, changes, creating=True,
                                       contacts=sum(1 for t, _, _ in links if t == "contacts"),
                                       line_items=sum(1 for t, _, _ in links if t == "line_items"))
            keys = self._check_unique(object_type, changes, None, claims)

        def apply() -> Record:
            with self.lock:
                for name, normal in keys:  # re-check at apply time: another request may have won the race
                    if normal in self._unique[object_type][name]:
                        self._check_unique(object_type, {name: normal}, None, {})
                record = self._insert(object_type, changes, modified_at)
                for name, normal in keys:
                    self._unique[object_type][name][normal] = record.id
                for target_type, to_id, type_ids in links:
                    target = self.get(target_type, to_id)
                    if target is not None:
                        self._link(object_type, record.id, target_type, target.id, type_ids)
                        self._bump(target_type)
                self._emit(object_type, "creation", record.id)
                return record

        return apply

    def _insert(self, object_type: str, changes: dict[str, str], modified_at: datetime | None) -> Record:
        t = OBJECT_TYPES[object_type]
        moment = modified_at or _now()
        stamp = iso_ms(moment)
        rid = next(self._next_id)
        props = dict(changes)
        if object_type == "invoices":
            today = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            props.setdefault("hs_invoice_date", str(int(today.timestamp() * 1000)))
            due = today + timedelta(days=self.invoice_rules.due_days)
            props.setdefault("hs_due_date", str(int(due.timestamp() * 1000)))
        props["hs_object_id"] = str(rid)
        props[t.created_property] = stamp
        props[t.modified_property] = stamp
        record = Record(rid, object_type, props, stamp, stamp, time.monotonic(),
                        history={k: [(v, stamp)] for k, v in props.items()})
        self.records[object_type][rid] = record
        self._bump(object_type)
        return record

    def plan_update(self, object_type: str, record: Record, raw_properties: Any, *,
                    claims: dict[tuple[str, str, str], object] | None = None) -> Callable[[], Record]:
        claims = {} if claims is None else claims
        with self.lock:
            changes = self._clean(object_type, raw_properties)
            if object_type == "line_items":
                self._derive_line_item(record.properties, changes)
            if object_type == "invoices":
                self._invoice_rules_on(
                    record.properties, changes, creating=False,
                    contacts=len(self.links("invoices", record.id, "contacts")),
                    line_items=len(self.links("invoices", record.id, "line_items")),
                )
            keys = self._check_unique(object_type, changes, record.id, claims)

        def apply() -> Record:
            with self.lock:
                self._apply_changes(record, changes, keys)
                return record

        return apply

    def _apply_changes(self, record: Record, changes: dict[str, str], keys: list[tuple[str, str]]) -> None:
        t = OBJECT_TYPES[record.object_type]
        stamp = iso_ms(_now())
        for name, index in self._unique[record.object_type].items():
            if name in changes:
                old = record.properties.get(name)
                if old and index.get(self._normal(name, old)) == record.id:
                    del index[self._normal(name, old)]
        for name, normal in keys:
            self._unique[record.object_type][name][normal] = record.id
        changed = []
        for name, value in changes.items():
            if record.properties.get(name, "") == value:
                continue
            if value == "":
                record.properties.pop(name, None)
            else:
                record.properties[name] = value
            record.history.setdefault(name, []).append((value, stamp))
            changed.append((name, value))
        record.properties[t.modified_property] = stamp
        record.updated_at = stamp
        record.written_mono = time.monotonic()
        self._bump(record.object_type)
        for name, value in changed:
            self._emit(record.object_type, "propertyChange", record.id, name, value)

    def archive(self, object_type: str, record: Record) -> None:
        with self.lock:
            if record.archived:
                return
            for name, index in self._unique[object_type].items():
                value = record.properties.get(name)
                if value and index.get(self._normal(name, value)) == record.id:
                    del index[self._normal(name, value)]
            record.archived = True
            record.archived_at = iso_ms(_now())
            record.written_mono = time.monotonic()
            self._bump(object_type)
            self._emit(object_type, "deletion", record.id)

    def _emit(self, object_type: str, action: str, object_id: int, name: str | None = None,
              value: str | None = None) -> None:
        singular = _WEBHOOK_TYPES.get(object_type)
        if singular is not None:
            self.webhooks.record(f"{singular}.{action}", object_id, property_name=name, property_value=value)
        else:
            self.webhooks.record(f"object.{action}", object_id, object_type_id=OBJECT_TYPES[object_type].type_id,
                                 property_name=name, property_value=value)

    # ----- fast seeding ----------------------------------------------------------------------------------

    def bulk_insert(self, object_type: str, rows: list[dict[str, Any]], modified_at: datetime | None) -> list[str]:
        """Validated like the API (unknown properties, unique values) but without events or limits."""
        ids: list[str] = []
        with self.lock:
            claims: dict[tuple[str, str, str], object] = {}
            applies = [self.plan_create(object_type, row, None, claims=claims, modified_at=modified_at)
                       for row in rows]
            queue_urls, self.webhooks.urls = self.webhooks.urls, []
            try:
                ids = [str(apply().id) for apply in applies]
            finally:
                self.webhooks.urls = queue_urls
        return ids

    def object_type(self, name: str) -> ObjectType:
        return OBJECT_TYPES[name]
