"""Object definitions the sandbox serves: field names, their types, IDs and required fields.

Written from the reference (VENDOR, CONTACT, APBILL/APBILLITEM, CLASS, DEPARTMENT, LOCATION and a
user-defined dimension custom object); field lists follow the Intacct API pages and SDK fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

# Field types understood by values.py
INT = "int"
NUMBER = "number"
STRING = "string"
DATE = "date"
TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class GroupDef:
    """A nested block of fields, such as DISPLAYCONTACT or MAILADDRESS."""

    fields: Mapping[str, FieldDef]


FieldDef = str | GroupDef


@dataclass(frozen=True)
class OwnedCollection:
    """Line records owned by a header, returned inside ``read`` (e.g. APBILLITEMS/apbillitem)."""

    object_name: str
    parent_key_field: str
    collection_tag: str
    item_tag: str


@dataclass(frozen=True)
class ObjectDef:
    name: str
    key_field: str
    id_field: str | None
    fields: Mapping[str, FieldDef]
    required: tuple[str, ...] = ()
    writable: bool = True
    unique_id: bool = True
    custom_object: bool = False
    legacy_codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    owned: OwnedCollection | None = None
    system_fields: frozenset[str] = frozenset()

    @property
    def lower_tag(self) -> str:
        return self.name.lower()

    def field_type(self, path: str) -> str | None:
        """Type of a dotted field path (``DISPLAYCONTACT.MAILADDRESS.CITY``), or None if unknown."""
        current: Mapping[str, FieldDef] = self.fields
        parts = path.split(".")
        for index, part in enumerate(parts):
            definition = current.get(part)
            if definition is None:
                return None
            if isinstance(definition, GroupDef):
                if index == len(parts) - 1:
                    return None
                current = definition.fields
            elif index == len(parts) - 1:
                return definition
            else:
                return None
        return None

    def scalar_paths(self) -> Iterator[tuple[str, str]]:
        yield from _scalar_paths(self.fields, "")


def _scalar_paths(fields: Mapping[str, FieldDef], prefix: str) -> Iterator[tuple[str, str]]:
    for name, definition in fields.items():
        if isinstance(definition, GroupDef):
            yield from _scalar_paths(definition.fields, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", definition


_S = STRING
_MAILADDRESS = GroupDef(
    {
        name: _S
        for name in ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE", "ZIP", "COUNTRY", "COUNTRYCODE")
    }
)
_CONTACT_FIELDS: dict[str, FieldDef] = {
    name: _S
    for name in (
        "CONTACTNAME",
        "PRINTAS",
        "COMPANYNAME",
        "TAXABLE",
        "TAXGROUP",
        "PREFIX",
        "FIRSTNAME",
        "LASTNAME",
        "INITIAL",
        "PHONE1",
        "PHONE2",
        "CELLPHONE",
        "PAGER",
        "FAX",
        "EMAIL1",
        "EMAIL2",
        "URL1",
        "URL2",
    )
}
_CONTACT_FIELDS["MAILADDRESS"] = _MAILADDRESS
_CONTACT_REF = GroupDef({"CONTACTNAME": _S})
_AUDIT: dict[str, FieldDef] = {"WHENCREATED": TIMESTAMP, "WHENMODIFIED": TIMESTAMP, "CREATEDBY": INT, "MODIFIEDBY": INT}
_AUDIT_NAMES = frozenset({"RECORDNO", "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY"})
_STATUS_CODES = {"STATUS": {"T": "active", "F": "inactive"}}

VENDOR_CUSTOM_FIELDS = ("HUBSPOT_COMPANY_ID", "CUSTOMFIELD1")

VENDOR = ObjectDef(
    name="VENDOR",
    key_field="RECORDNO",
    id_field="VENDORID",
    fields={
        "RECORDNO": INT,
        "VENDORID": _S,
        "NAME": _S,
        "NAME1099": _S,
        "PARENTKEY": INT,
        "PARENTID": _S,
        "PARENTNAME": _S,
        "DISPLAYCONTACT": GroupDef(_CONTACT_FIELDS),
        "CONTACTINFO": _CONTACT_REF,
        "PAYTO": _CONTACT_REF,
        "RETURNTO": _CONTACT_REF,
        "STATUS": _S,
        "ONETIME": _S,
        "HIDEDISPLAYCONTACT": _S,
        "VENDTYPE": _S,
        "GLGROUP": _S,
        "TAXID": _S,
        "FORM1099TYPE": _S,
        "FORM1099BOX": _S,
        "SUPDOCID": _S,
        "APACCOUNT": _S,
        "CREDITLIMIT": NUMBER,
        "TOTALDUE": NUMBER,
        "ONHOLD": _S,
        "DONOTCUTCHECK": _S,
        "COMMENTS": _S,
        "CURRENCY": _S,
        "PAYMETHODKEY": _S,
        "MERGEPAYMENTREQ": _S,
        "PAYMENTNOTIFY": _S,
        "BILLINGTYPE": _S,
        "PAYMENTPRIORITY": _S,
        "TERMNAME": _S,
        "DISPLAYTERMDISCOUNT": _S,
        "ACHENABLED": _S,
        "ACHBANKROUTINGNUMBER": _S,
        "ACHACCOUNTNUMBER": _S,
        "ACHACCOUNTTYPE": _S,
        "ACHREMITTANCETYPE": _S,
        "VENDORACCOUNTNO": _S,
        "DISPLAYACCTNOCHECK": _S,
        "OBJECTRESTRICTION": _S,
        "RESTRICTEDLOCATIONS": _S,
        "RESTRICTEDDEPARTMENTS": _S,
        "MEGAENTITYID": _S,
        **_AUDIT,
        **dict.fromkeys(VENDOR_CUSTOM_FIELDS, _S),
    },
    required=("NAME", "DISPLAYCONTACT.PRINTAS"),
    legacy_codes=_STATUS_CODES,
    system_fields=_AUDIT_NAMES | {"TOTALDUE", "PARENTKEY", "PARENTNAME"},
)

CONTACT = ObjectDef(
    name="CONTACT",
    key_field="RECORDNO",
    id_field="CONTACTNAME",
    fields={"RECORDNO": INT, **_CONTACT_FIELDS, "STATUS": _S, **_AUDIT},
    required=("CONTACTNAME", "PRINTAS"),
    legacy_codes=_STATUS_CODES,
    system_fields=_AUDIT_NAMES,
)

APBILLITEM = ObjectDef(
    name="APBILLITEM",
    key_field="RECORDNO",
    id_field=None,
    unique_id=False,
    writable=False,
    fields={
        "RECORDNO": INT,
        "RECORDKEY": INT,
        "LINE_NO": INT,
        "ACCOUNTNO": _S,
        "ACCOUNTTITLE": _S,
        "OFFSETGLACCOUNTNO": _S,
        "AMOUNT": NUMBER,
        "TRX_AMOUNT": NUMBER,
        "ENTRYDESCRIPTION": _S,
        "ENTRY_DATE": DATE,
        "DEPARTMENTID": _S,
        "LOCATIONID": _S,
        "CLASSID": _S,
        "VENDORID": _S,
        "GLDIMHS_SEGMENT": _S,
        "BILLABLE": _S,
        "STATE": _S,
        "CURRENCY": _S,
        "BASECURR": _S,
        **_AUDIT,
    },
)

APBILL = ObjectDef(
    name="APBILL",
    key_field="RECORDNO",
    id_field="RECORDID",
    unique_id=False,
    writable=False,
    fields={
        "RECORDNO": INT,
        "RECORDID": _S,
        "RECORDTYPE": _S,
        "STATE": _S,
        "RAWSTATE": _S,
        "VENDORID": _S,
        "VENDORNAME": _S,
        "DOCNUMBER": _S,
        "DESCRIPTION": _S,
        "TERMNAME": _S,
        "WHENCREATED": DATE,
        "WHENPOSTED": DATE,
        "WHENDUE": DATE,
        "WHENPAID": DATE,
        "TOTALENTERED": NUMBER,
        "TOTALPAID": NUMBER,
        "TOTALDUE": NUMBER,
        "TRX_TOTALENTERED": NUMBER,
        "TRX_TOTALPAID": NUMBER,
        "TRX_TOTALDUE": NUMBER,
        "CURRENCY": _S,
        "BASECURR": _S,
        "ONHOLD": _S,
        "PAYMENTPRIORITY": _S,
        "MODULEKEY": _S,
        "MEGAENTITYID": _S,
        "WHENMODIFIED": TIMESTAMP,
        "CREATEDBY": INT,
        "MODIFIEDBY": INT,
    },
    legacy_codes={"STATE": {"A": "Posted", "D": "Draft", "PA": "Partially Paid", "P": "Paid", "S": "Selected", "U": "Submitted"}},
    owned=OwnedCollection("APBILLITEM", "RECORDKEY", "APBILLITEMS", "apbillitem"),
)

CLASS = ObjectDef(
    name="CLASS",
    key_field="RECORDNO",
    id_field="CLASSID",
    fields={"RECORDNO": INT, "CLASSID": _S, "NAME": _S, "DESCRIPTION": _S, "STATUS": _S, "PARENTID": _S, **_AUDIT},
    required=("CLASSID", "NAME"),
    legacy_codes=_STATUS_CODES,
    system_fields=_AUDIT_NAMES,
)

DEPARTMENT = ObjectDef(
    name="DEPARTMENT",
    key_field="RECORDNO",
    id_field="DEPARTMENTID",
    fields={"RECORDNO": INT, "DEPARTMENTID": _S, "TITLE": _S, "PARENTID": _S, "STATUS": _S, **_AUDIT},
    required=("DEPARTMENTID", "TITLE"),
    legacy_codes=_STATUS_CODES,
    system_fields=_AUDIT_NAMES,
)

LOCATION = ObjectDef(
    name="LOCATION",
    key_field="RECORDNO",
    id_field="LOCATIONID",
    fields={"RECORDNO": INT, "LOCATIONID": _S, "NAME": _S, "PARENTID": _S, "STATUS": _S, **_AUDIT},
    required=("LOCATIONID", "NAME"),
    legacy_codes=_STATUS_CODES,
    system_fields=_AUDIT_NAMES,
)

# A user-defined dimension is a custom object flagged as a GL dimension: lower-case fields, keyed by id.
HS_SEGMENT = ObjectDef(
    name="HS_SEGMENT",
    key_field="id",
    id_field="name",
    custom_object=True,
    fields={
        "id": INT,
        "name": _S,
        "description": _S,
        "hubspot_id": _S,
        "whenCreated": TIMESTAMP,
        "whenModified": TIMESTAMP,
        "createdBy": INT,
        "updatedBy": INT,
    },
    required=("name",),
    system_fields=frozenset({"id", "whenCreated", "whenModified", "createdBy", "updatedBy"}),
)

OBJECTS: dict[str, ObjectDef] = {
    definition.name: definition
    for definition in (VENDOR, CONTACT, APBILL, APBILLITEM, CLASS, DEPARTMENT, LOCATION, HS_SEGMENT)
}
