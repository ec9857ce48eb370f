"""Idempotent "ensure" for the custom properties the connector relies on.

The connector upserts invoices by a unique-value property holding the Intacct key, so that
property must exist with ``hasUniqueValue`` before the first write. Ensuring twice is a no-op;
a property that exists with another type or uniqueness is an error naming the field, because
HubSpot cannot change uniqueness after creation and silently using it would break upserts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ml_connector.hubspot.errors import HubSpotConflictError, HubSpotError, HubSpotNotFoundError
from ml_connector.hubspot.transport import Requester

PROPERTY_TYPES = ("string", "number", "date", "datetime", "enumeration", "bool")
FIELD_TYPES = ("text", "textarea", "number", "date", "select", "radio", "checkbox", "booleancheckbox", "calculation_equation")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

# HubSpot's default property groups; the invoice and line item names are UNCONFIRMED.
DEFAULT_GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "invoices": "invoiceinformation",
    "line_items": "lineiteminformation",
}

EnsureOutcome = Literal["created", "updated", "unchanged"]


class PropertyMismatchError(HubSpotError):
    """The property exists but cannot serve: wrong type or uniqueness."""


@dataclass(frozen=True)
class PropertySpec:
    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    group_name: str | None = None
    description: str = ""
    has_unique_value: bool = False
    options: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self) -> None:
        problems = []
        if not _NAME.match(self.name):
            problems.append(f"name {self.name!r} must be lower-case letters, digits and _ and start with a letter")
        if not self.label.strip():
            problems.append("label is empty")
        if self.type not in PROPERTY_TYPES:
            problems.append(f"type must be one of {', '.join(PROPERTY_TYPES)}, not {self.type!r}")
        if self.field_type not in FIELD_TYPES:
            problems.append(f"field_type must be one of {', '.join(FIELD_TYPES)}, not {self.field_type!r}")
        if self.type == "enumeration" and not self.options:
            problems.append("an enumeration needs options")
        if problems:
            raise ValueError(f"PropertySpec {self.name!r}: " + "; ".join(problems))

    def create_body(self, object_type: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group_name or DEFAULT_GROUPS.get(object_type, f"{object_type.rstrip('s')}information"),
            "description": self.description,
            "hasUniqueValue": self.has_unique_value,
        }
        if self.options:
            body["options"] = [dict(o) for o in self.options]
        return body


def ensure_property(requester: Requester, object_type: str, spec: PropertySpec) -> tuple[dict[str, Any], EnsureOutcome]:
    """Make ``spec`` exist on ``object_type``; returns HubSpot's definition and what was done."""
    path = f"/crm/v3/properties/{object_type}/{spec.name}"
    try:
        existing = requester.request("GET", path)
    except HubSpotNotFoundError:
        try:
            created = requester.request("POST", f"/crm/v3/properties/{object_type}", json=spec.create_body(object_type))
            return dict(created or {}), "created"
        except HubSpotConflictError:  # someone else created it between our GET and POST
            existing = requester.request("GET", path)
    existing = dict(existing or {})
    _check_compatible(object_type, spec, existing)
    changes = {}
    if existing.get("label") != spec.label:
        changes["label"] = spec.label
    if spec.description and existing.get("description") != spec.description:
        changes["description"] = spec.description
    if not changes:
        return existing, "unchanged"
    updated = requester.request("PATCH", path, json=changes)
    return dict(updated or {**existing, **changes}), "updated"


def _check_compatible(object_type: str, spec: PropertySpec, existing: Mapping[str, Any]) -> None:
    problems = []
    if existing.get("type") not in (None, spec.type):
        problems.append(f"type is {existing.get('type')!r}, the connector needs {spec.type!r}")
    unique = existing.get("hasUniqueValue")
    if unique is not None and bool(unique) != spec.has_unique_value:
        problems.append(f"hasUniqueValue is {unique!r}, the connector needs {spec.has_unique_value!r}")
    if problems:
        raise PropertyMismatchError(
            f"{object_type} property {spec.name!r} exists but " + "; ".join(problems)
            + " (HubSpot cannot change this in place: rename the connector's property or fix it in HubSpot)",
            category="PROPERTY_MISMATCH",
        )
