"""Typed field values: how text from requests becomes Python values, and back to gateway text.

Timestamps are held as aware UTC instants and rendered/parsed in the API user's fixed GMT offset
(``mm/dd/yyyy HH:MM:SS``); dates are ``mm/dd/yyyy``; amounts are Decimals with two places.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ml_connector.sandbox.intacct.objects import DATE, INT, NUMBER, TIMESTAMP

_CENT = Decimal("0.01")


class ValueFormatError(ValueError):
    """A request value that cannot be read as the field's type."""


def user_timezone(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


def parse_value(field_type: str, text: str, tz: timezone) -> Any:
    """Read request text as a value of ``field_type``; raises ValueFormatError."""
    text = text.strip() if field_type != "string" else text
    if field_type == INT:
        try:
            return int(text)
        except ValueError as exc:
            raise ValueFormatError(f"'{text}' is not a whole number") from exc
    if field_type == NUMBER:
        try:
            return Decimal(text).quantize(_CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise ValueFormatError(f"'{text}' is not a number") from exc
    if field_type == DATE:
        try:
            return datetime.strptime(text, "%m/%d/%Y").date()
        except ValueError as exc:
            raise ValueFormatError(f"'{text}' is not a date in mm/dd/yyyy format") from exc
    if field_type == TIMESTAMP:
        return parse_timestamp(text, tz)
    return text


def parse_timestamp(text: str, tz: timezone) -> datetime:
    """``mm/dd/yyyy HH:MM:SS`` (or a bare ``mm/dd/yyyy``, meaning midnight) in the user's offset."""
    for pattern in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"):
        try:
            local = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return local.replace(tzinfo=tz).astimezone(UTC)
    raise ValueFormatError(f"'{text}' is not a timestamp in mm/dd/yyyy HH:MM:SS format")


def render_value(value: Any, tz: timezone) -> str:
    """Gateway text for a stored value; None renders as an empty element."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def iso_timestamp(moment: datetime, tz: timezone) -> str:
    """ISO-8601 with offset, as in ``<sessiontimestamp>`` / ``<sessiontimeout>``."""
    return moment.astimezone(tz).isoformat(timespec="seconds")


def coerce_operand(field_type: str, text: str, tz: timezone, codes: dict[str, str] | None = None) -> Any:
    """A query operand compared against a field: numbers numerically, timestamps as instants."""
    if codes and text in codes:
        text = codes[text]
    if field_type == DATE:
        # A timestamp operand against a date field compares on the date part.
        try:
            return parse_value(DATE, text, tz)
        except ValueFormatError:
            return parse_timestamp(text, tz).astimezone(tz).date()
    return parse_value(field_type, text, tz)
