"""What HubSpot's portal knows before anyone writes: object types, built-in properties, association types.

Written from docs/reference, not from the connector's hook, so the two cannot share a mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ObjectType:
    name: str  # plural API name, e.g. "contacts"
    type_id: str  # e.g. "0-1"
    singular: str  # e.g. "contact" (association type names, webhook subscription types)
    created_property: str
    modified_property: str
    default_properties: tuple[str, ...]


OBJECT_TYPES: dict[str, ObjectType] = {
    "contacts": ObjectType(
        "contacts", "0-1", "contact", "createdate", "lastmodifieddate", ("firstname", "lastname", "email")
    ),
    "companies": ObjectType(
        "companies", "0-2", "company", "createdate", "hs_lastmodifieddate", ("name", "domain")
    ),
    "line_items": ObjectType(
        "line_items", "0-8", "line_item", "createdate", "hs_lastmodifieddate", ("name", "quantity", "price", "amount")
    ),
    "invoices": ObjectType(
        "invoices", "0-53", "invoice", "hs_createdate", "hs_lastmodifieddate", ("hs_currency", "hs_invoice_status")
    ),
}
_BY_ID = {t.type_id: t for t in OBJECT_TYPES.values()}
_ALIASES = {"contact": "contacts", "company": "companies", "line_item": "line_items", "invoice": "invoices"}


def resolve_type(segment: str) -> ObjectType | None:
    """Accept the plural name, the singular name or the ``0-x`` id, as HubSpot does."""
    key = segment.lower()
    if key in OBJECT_TYPES:
        return OBJECT_TYPES[key]
    if key in _BY_ID:
        return _BY_ID[key]
    if key in _ALIASES:
        return OBJECT_TYPES[_ALIASES[key]]
    return None


@dataclass
class PropertyDef:
    name: str
    label: str
    type: str  # string | number | date | datetime | enumeration | bool
    field_type: str
    group_name: str
    has_unique_value: bool = False
    read_only: bool = False
    options: tuple[str, ...] = ()
    custom: bool = False
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group_name,
            "description": self.description,
            "hasUniqueValue": self.has_unique_value,
            "hidden": False,
            "calculated": False,
            "externalOptions": False,
            "formField": not self.read_only,
            "hubspotDefined": not self.custom,
            "modificationMetadata": {
                "archivable": self.custom,
                "readOnlyDefinition": not self.custom,
                "readOnlyValue": self.read_only,
            },
            "options": [
                {"label": o.title(), "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ],
            **self.extra,
        }


def _p(name: str, type_: str = "string", **kwargs: Any) -> PropertyDef:
    field_types = {
        "string": "text",
        "number": "number",
        "date": "date",
        "datetime": "date",
        "enumeration": "select",
        "bool": "booleancheckbox",
    }
    group = kwargs.pop("group", "information")
    return PropertyDef(name, name.replace("_", " ").title(), type_, field_types[type_], group, **kwargs)


def _system(created: str, modified: str) -> list[PropertyDef]:
    return [
        _p("hs_object_id", "number", read_only=True),
        _p(created, "datetime", read_only=True),
        _p(modified, "datetime", read_only=True),
    ]


INVOICE_STATUSES = ("draft", "open", "paid", "voided")


def builtin_properties(object_type: str) -> list[PropertyDef]:
    """A fresh copy of the portal's HubSpot-defined properties for one object type."""
    t = OBJECT_TYPES[object_type]
    system = _system(t.created_property, t.modified_property)
    if object_type == "contacts":
        return [
            *system,
            _p("email", has_unique_value=False, group="contactinformation"),
            *(
                _p(n, group="contactinformation")
                for n in ("firstname", "lastname", "phone", "mobilephone", "company", "website", "jobtitle",
                          "address", "city", "state", "zip", "country")
            ),
            _p("lifecyclestage", "enumeration", group="contactinformation",
               options=("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                        "customer", "evangelist", "other")),
            _p("hs_lead_status", group="contactinformation"),
        ]
    if object_type == "companies":
        return [
            *system,
            *(
                _p(n, group="companyinformation")
                for n in ("name", "domain", "phone", "website", "address", "city", "state", "zip", "country",
                          "industry", "description")
            ),
            _p("numberofemployees", "number", group="companyinformation"),
            _p("annualrevenue", "number", group="companyinformation"),
        ]
    if object_type == "line_items":
        return [
            *system,
            _p("name", group="lineiteminformation"),
            _p("description", group="lineiteminformation"),
            _p("quantity", "number", group="lineiteminformation"),
            _p("price", "number", group="lineiteminformation"),
            _p("amount", "number", group="lineiteminformation"),
            _p("hs_product_id", "number", group="lineiteminformation"),
            _p("hs_sku", group="lineiteminformation"),
            _p("hs_line_item_currency_code", group="lineiteminformation"),
            _p("hs_discount_percentage", "number", group="lineiteminformation"),
            _p("tax", "number", group="lineiteminformation"),
        ]
    return [
        *system,
        _p("hs_currency", group="invoiceinformation"),
        _p("hs_invoice_status", "enumeration", group="invoiceinformation", options=INVOICE_STATUSES),
        _p("hs_invoice_date", "datetime", group="invoiceinformation"),
        _p("hs_due_date", "datetime", group="invoiceinformation"),
        _p("hs_amount_billed", "number", group="invoiceinformation"),
        _p("hs_balance_due", "number", group="invoiceinformation"),
        _p("hs_number", group="invoiceinformation"),
        _p("hs_comments", group="invoiceinformation"),
        _p("hs_language", group="invoiceinformation"),
        _p("hs_purchase_order_number", group="invoiceinformation"),
        _p("hs_tax_id", group="invoiceinformation"),
        _p("hs_invoice_source", group="invoiceinformation"),
        _p("hs_external_invoice_status", group="invoiceinformation"),
    ]


@dataclass(frozen=True)
class AssociationType:
    from_type: str
    to_type: str
    type_id: int
    label: str | None
    name: str  # e.g. "contact_to_company" (the v3 ``type`` string on GET ?associations=)
    category: str = "HUBSPOT_DEFINED"


@dataclass(frozen=True)
class AssociationIds:
    """Directional HubSpot-defined type ids. The invoice ones are UNCONFIRMED, hence configurable."""

    invoice_to_contact: int = 177
    contact_to_invoice: int = 178
    invoice_to_company: int = 179
    company_to_invoice: int = 180
    invoice_to_line_item: int = 409
    line_item_to_invoice: int = 410
    contact_to_company: int = 279
    company_to_contact: int = 280
    contact_to_company_primary: int = 1
    company_to_contact_primary: int = 2


def association_types(ids: AssociationIds) -> list[AssociationType]:
    """Every (from, to, typeId) the portal accepts; the first unlabelled one per pair is the default."""
    return [
        AssociationType("contacts", "companies", ids.contact_to_company, None, "contact_to_company_unlabeled"),
        AssociationType("contacts", "companies", ids.contact_to_company_primary, "Primary", "contact_to_company"),
        AssociationType("companies", "contacts", ids.company_to_contact, None, "company_to_contact_unlabeled"),
        AssociationType("companies", "contacts", ids.company_to_contact_primary, "Primary", "company_to_contact"),
        AssociationType("invoices", "contacts", ids.invoice_to_contact, None, "invoice_to_contact"),
        AssociationType("contacts", "invoices", ids.contact_to_invoice, None, "contact_to_invoice"),
        AssociationType("invoices", "companies", ids.invoice_to_company, None, "invoice_to_company"),
        AssociationType("companies", "invoices", ids.company_to_invoice, None, "company_to_invoice"),
        AssociationType("invoices", "line_items", ids.invoice_to_line_item, None, "invoice_to_line_item"),
        AssociationType("line_items", "invoices", ids.line_item_to_invoice, None, "line_item_to_invoice"),
    ]


def inverse_pairs(ids: AssociationIds) -> dict[int, int]:
    """Each type id and the id HubSpot records on the other side of the same association."""
    pairs = [
        (ids.contact_to_company, ids.company_to_contact),
        (ids.contact_to_company_primary, ids.company_to_contact_primary),
        (ids.invoice_to_contact, ids.contact_to_invoice),
        (ids.invoice_to_company, ids.company_to_invoice),
        (ids.invoice_to_line_item, ids.line_item_to_invoice),
    ]
    out: dict[int, int] = {}
    for a, b in pairs:
        out[a] = b
        out[b] = a
    return out
