"""Deterministic seed data: the same seed number and anchor day always give the same company.

Vendors carry awkward names (quotes, ampersands, angle brackets, accents, CJK) and four currencies;
bills have one to five lines, WHENMODIFIED spread over the last four weeks with several bills
sharing a second, and one bill with a NULL WHENMODIFIED, as real tenants have.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ml_connector.sandbox.intacct.store import RecordStore

ODD_VENDOR_NAMES = (
    "O'Brien & Sons <Intl>",
    "Café Zürich GmbH",
    '"Quoted" Supplies',
    "Smith, Jones & Partners",
    "Æther Logistics ÅB",
    "東京 Trading Co.",
    "Backslash \\ Tools",
    "100% Pure <Water> & Ice",
)
_ADJECTIVES = ("Acme", "Blue", "Summit", "Northern", "Granite", "Pioneer", "Vertex", "Harbor", "Maple", "Atlas")
_NOUNS = ("Analytics", "Paper", "Logistics", "Software", "Catering", "Consulting", "Freight", "Print", "Energy", "Labs")
_SUFFIXES = ("Inc", "LLC", "Ltd", "GmbH", "S.A.", "Co.", "plc", "Corp")
CURRENCIES = ("USD", "EUR", "GBP", "CAD")
RATES_TO_USD = {"USD": Decimal("1"), "EUR": Decimal("1.08"), "GBP": Decimal("1.27"), "CAD": Decimal("0.73")}
_CITIES = (
    ("New York", "NY", "10001", "United States", "US"),
    ("Zürich", "", "8001", "Switzerland", "CH"),
    ("London", "", "EC1A 1BB", "United Kingdom", "GB"),
    ("Toronto", "ON", "M5H 2N2", "Canada", "CA"),
    ("Berlin", "", "10115", "Germany", "DE"),
)
_ACCOUNTS = (("6000", "Office Supplies"), ("6100", "Software Subscriptions"), ("6200", "Travel"), ("6300", "Professional Fees"))
_DEPARTMENTS = (("D100", "Sales"), ("D200", "Engineering"), ("D300", "Operations"), ("D400", "R&D <Labs>"))
_CLASSES = (("C-SMB", "Small business"), ("C-ENT", "Enterprise"), ("C-GOV", "Public sector"))
_SEGMENTS = ("Enterprise", "Mid-Market", "SMB & Startups", "Ünïcode Segment")
_BILL_STATES = (("Posted", "A"), ("Paid", "P"), ("Partially Paid", "PA"), ("Draft", "D"))
SEED_USER = 1
_CENT = Decimal("0.01")


def seed_company(
    store: RecordStore,
    *,
    seed: int,
    vendors: int,
    bills: int,
    entities: Sequence[str],
    anchor: datetime,
) -> None:
    """Fill an empty store. ``anchor`` is an aware UTC instant, normally midnight of today."""
    rng = random.Random(seed)
    _seed_dimensions(store, entities, anchor)
    vendor_records = [_seed_vendor(store, rng, index, anchor) for index in range(vendors)]
    if vendor_records:
        _seed_bills(store, rng, bills, vendor_records, entities, anchor)


def _audit(created: datetime, modified: datetime | None) -> dict[str, object]:
    return {"WHENCREATED": created, "WHENMODIFIED": modified, "CREATEDBY": SEED_USER, "MODIFIEDBY": SEED_USER}


def _seed_dimensions(store: RecordStore, entities: Sequence[str], anchor: datetime) -> None:
    created = anchor - timedelta(days=400)
    for location_id in [*entities, "HQ"]:
        store.insert(
            "LOCATION",
            {"RECORDNO": store.allocate_key("LOCATION"), "LOCATIONID": location_id, "NAME": f"Location {location_id}",
             "PARENTID": None, "STATUS": "active", **_audit(created, created)},
        )
    for department_id, title in _DEPARTMENTS:
        store.insert(
            "DEPARTMENT",
            {"RECORDNO": store.allocate_key("DEPARTMENT"), "DEPARTMENTID": department_id, "TITLE": title,
             "PARENTID": None, "STATUS": "active", **_audit(created, created)},
        )
    for class_id, name in _CLASSES:
        store.insert(
            "CLASS",
            {"RECORDNO": store.allocate_key("CLASS"), "CLASSID": class_id, "NAME": name, "DESCRIPTION": "",
             "STATUS": "active", "PARENTID": None, **_audit(created, created)},
        )
    for index, name in enumerate(_SEGMENTS):
        store.insert(
            "HS_SEGMENT",
            {"id": store.allocate_key("HS_SEGMENT"), "name": name, "description": f"HubSpot segment {index + 1}",
             "hubspot_id": None, "whenCreated": created, "whenModified": created, "createdBy": SEED_USER,
             "updatedBy": SEED_USER},
        )


def _vendor_name(rng: random.Random, index: int) -> str:
    if index < len(ODD_VENDOR_NAMES):
        return ODD_VENDOR_NAMES[index]
    return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(_SUFFIXES)} {index + 1}"


def _seed_vendor(store: RecordStore, rng: random.Random, index: int, anchor: datetime) -> dict[str, object]:
    name = _vendor_name(rng, index)
    vendor_id = f"V{index + 1:05d}"
    city, state, zip_code, country, country_code = rng.choice(_CITIES)
    created = anchor - timedelta(days=rng.randint(60, 400), seconds=rng.randint(0, 86399))
    modified = anchor - timedelta(days=rng.randint(0, 27), seconds=rng.randint(0, 86399))
    contact_name = f"{name}(V{vendor_id})"
    first, last = rng.choice(("Ana", "Bjørn", "Chloé", "Dev", "Erin")), rng.choice(("Lee", "Müller", "O'Neil", "Park"))
    slug = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:12] or "vendor"
    display = {
        "CONTACTNAME": contact_name,
        "PRINTAS": name,
        "COMPANYNAME": name,
        "FIRSTNAME": first,
        "LASTNAME": last,
        "PHONE1": f"+1 555 {rng.randint(1000000, 9999999)}",
        "EMAIL1": f"ap@{slug}.example.com",
        "MAILADDRESS": {
            "ADDRESS1": f"{rng.randint(1, 999)} Main Street",
            "CITY": city,
            "STATE": state,
            "ZIP": zip_code,
            "COUNTRY": country,
            "COUNTRYCODE": country_code,
        },
    }
    record = {
        "RECORDNO": store.allocate_key("VENDOR"),
        "VENDORID": vendor_id,
        "NAME": name,
        "DISPLAYCONTACT": display,
        "STATUS": "inactive" if rng.random() < 0.1 else "active",
        "ONETIME": "false",
        "HIDEDISPLAYCONTACT": "false",
        "CURRENCY": CURRENCIES[index % len(CURRENCIES)] if index < len(CURRENCIES) * 2 else rng.choice(CURRENCIES),
        "TERMNAME": rng.choice(("N30", "N45", "Due on receipt")),
        "CREDITLIMIT": Decimal(rng.randint(1, 50) * 1000).quantize(_CENT),
        "TOTALDUE": Decimal("0.00"),
        "ONHOLD": "false",
        "HUBSPOT_COMPANY_ID": str(rng.randint(10**9, 10**10)) if rng.random() < 0.5 else None,
        **_audit(created, modified),
    }
    store.insert("VENDOR", record)
    store.insert(
        "CONTACT",
        {"RECORDNO": store.allocate_key("CONTACT"), **{k: v for k, v in display.items()}, "STATUS": "active",
         **_audit(created, modified)},
    )
    return record


def _seed_bills(
    store: RecordStore,
    rng: random.Random,
    count: int,
    vendors: list[dict[str, object]],
    entities: Sequence[str],
    anchor: datetime,
) -> None:
    previous_modified: datetime | None = None
    segments = [record["name"] for record in store.records("HS_SEGMENT")]
    for index in range(count):
        vendor = rng.choice(vendors)
        currency = str(vendor["CURRENCY"])
        rate = RATES_TO_USD[currency]
        bill_date = (anchor - timedelta(days=rng.randint(1, 90))).date()
        if index % 7 in (1, 2) and previous_modified is not None:
            modified: datetime | None = previous_modified  # several bills saved in the same second
        else:
            modified = anchor - timedelta(days=rng.randint(0, 27), seconds=rng.randint(0, 86399))
        if index == 4:
            modified = None  # a NULL WHENMODIFIED, as seen in real tenants
        previous_modified = modified if modified is not None else previous_modified
        state, raw_state = rng.choice(_BILL_STATES)
        bill_key = store.allocate_key("APBILL")
        entity = rng.choice(list(entities)) if entities else None
        lines = []
        for line_no in range(1, rng.randint(1, 5) + 1):
            account, title = rng.choice(_ACCOUNTS)
            trx_amount = Decimal(rng.randint(500, 500000)) / 100
            lines.append(
                {
                    "RECORDNO": store.allocate_key("APBILLITEM"),
                    "RECORDKEY": bill_key,
                    "LINE_NO": line_no,
                    "ACCOUNTNO": account,
                    "ACCOUNTTITLE": title,
                    "OFFSETGLACCOUNTNO": "2000",
                    "AMOUNT": (trx_amount * rate).quantize(_CENT),
                    "TRX_AMOUNT": trx_amount.quantize(_CENT),
                    "ENTRYDESCRIPTION": f"Line {line_no} of bill {index + 1}: {title.lower()}",
                    "ENTRY_DATE": bill_date,
                    "DEPARTMENTID": rng.choice(_DEPARTMENTS)[0],
                    "LOCATIONID": entity,
                    "CLASSID": rng.choice(_CLASSES)[0],
                    "VENDORID": vendor["VENDORID"],
                    "GLDIMHS_SEGMENT": rng.choice(segments) if segments else None,
                    "BILLABLE": "false",
                    "STATE": state,
                    "CURRENCY": currency,
                    "BASECURR": "USD",
                    "WHENCREATED": datetime.combine(bill_date, datetime.min.time(), anchor.tzinfo) + timedelta(hours=12),
                    "WHENMODIFIED": modified,
                    "CREATEDBY": SEED_USER,
                    "MODIFIEDBY": SEED_USER,
                }
            )
        trx_total = sum((line["TRX_AMOUNT"] for line in lines), Decimal("0.00"))
        total = sum((line["AMOUNT"] for line in lines), Decimal("0.00"))
        paid_share = {"Paid": Decimal(1), "Partially Paid": Decimal("0.5")}.get(state, Decimal(0))
        store.insert(
            "APBILL",
            {
                "RECORDNO": bill_key,
                "RECORDID": f"BILL-{index + 1:05d}",
                "RECORDTYPE": "apbill",
                "STATE": state,
                "RAWSTATE": raw_state,
                "VENDORID": vendor["VENDORID"],
                "VENDORNAME": vendor["NAME"],
                "DOCNUMBER": f"INV-{rng.randint(10000, 99999)}",
                "DESCRIPTION": f"Bill {index + 1} from {vendor['NAME']}",
                "TERMNAME": vendor["TERMNAME"],
                "WHENCREATED": bill_date,
                "WHENPOSTED": bill_date if raw_state != "D" else None,
                "WHENDUE": bill_date + timedelta(days=30),
                "WHENPAID": bill_date + timedelta(days=20) if state == "Paid" else None,
                "TOTALENTERED": total,
                "TOTALPAID": (total * paid_share).quantize(_CENT),
                "TOTALDUE": total - (total * paid_share).quantize(_CENT),
                "TRX_TOTALENTERED": trx_total,
                "TRX_TOTALPAID": (trx_total * paid_share).quantize(_CENT),
                "TRX_TOTALDUE": trx_total - (trx_total * paid_share).quantize(_CENT),
                "CURRENCY": currency,
                "BASECURR": "USD",
                "ONHOLD": "false",
                "PAYMENTPRIORITY": "normal",
                "MODULEKEY": "3.AP",
                "MEGAENTITYID": entity,
                "WHENMODIFIED": modified,
                "CREATEDBY": SEED_USER,
                "MODIFIEDBY": SEED_USER,
            },
        )
        for line in lines:
            store.insert("APBILLITEM", line)
