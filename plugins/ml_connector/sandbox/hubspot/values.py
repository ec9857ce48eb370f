"""Property values: HubSpot stores and returns strings; these helpers coerce, validate and compare them."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ml_connector.sandbox.hubspot.schema import PropertyDef


def iso_ms(moment: datetime) -> str:
    """HubSpot's timestamp form: ISO-8601 UTC with milliseconds and ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_wire_string(value: Any) -> str:
    """Clients may send numbers or booleans; HubSpot keeps and returns their string form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(value: str) -> float | None:
    try:
        number = float(Decimal(value.strip()))
    except (InvalidOperation, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def parse_datetime_ms(value: str) -> float | None:
    """Epoch-ms strings and ISO dates both work wherever HubSpot takes a datetime."""
    text = value.strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return float(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000.0


def check_value(prop: PropertyDef, value: str) -> dict[str, str] | None:
    """A problem entry in HubSpot's "Property values were not valid" shape, or None when fine."""
    if value == "":
        return None
    if prop.type == "number" and parse_number(value) is None:
        return {"name": prop.name, "error": "INVALID_FLOAT", "message": f'"{value}" is not a valid number.'}
    if prop.type in ("datetime", "date") and parse_datetime_ms(value) is None:
        return {"name": prop.name, "error": "INVALID_DATE", "message": f'"{value}" is not a valid date.'}
    if prop.type == "bool" and value.lower() not in ("true", "false"):
        return {"name": prop.name, "error": "INVALID_BOOLEAN", "message": f'"{value}" is not a valid boolean.'}
    if prop.type == "enumeration" and prop.options:
        bad = [v for v in value.split(";") if v not in prop.options]
        if bad:
            allowed = ", ".join(prop.options)
            return {
                "name": prop.name,
                "error": "INVALID_OPTION",
                "message": f"{bad[0]} was not one of the allowed options: [{allowed}]",
            }
    return None
