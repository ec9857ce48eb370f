"""Field comparisons shared by readByQuery's string language and query's XML filter.

Semantics follow an Oracle-backed gateway: a NULL (missing or empty) value never satisfies a
comparison, strings compare case-sensitively unless asked otherwise, numbers numerically and
timestamps as instants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timezone
from typing import Any

from ml_connector.sandbox.intacct.objects import STRING, ObjectDef
from ml_connector.sandbox.intacct.values import ValueFormatError, coerce_operand

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
Getter = Callable[[Record], Any]

MAX_IN_VALUES = 1000


class QueryError(Exception):
    """The query cannot run (unknown field, bad operand, syntax); a function-level failure."""


def is_null(value: Any) -> bool:
    return value is None or value == ""


def field_getter(definition: ObjectDef, path: str) -> tuple[Getter, str]:
    """A fast accessor for a (possibly dotted) field path and that field's type."""
    field_type = definition.field_type(path)
    if field_type is None:
        raise QueryError(f"Invalid field '{path}' for object {definition.name}")
    parts = path.split(".")
    if len(parts) == 1:
        name = parts[0]
        return (lambda record: record.get(name)), field_type

    def nested(record: Record) -> Any:
        current: Any = record
        for part in parts:
            if not isinstance(current, dict):
                return None
            current = current.get(part)
        return current

    return nested, field_type


def like_pattern(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    """SQL LIKE (``%`` any run, ``_`` one character) as an anchored regular expression."""
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if case_insensitive else 0))


def build_condition(
    definition: ObjectDef,
    path: str,
    operator: str,
    operands: Sequence[str],
    tz: timezone,
    case_insensitive: bool = False,
) -> Predicate:
    """Compile one ``field operator operand(s)`` test into a predicate over stored records."""
    getter, field_type = field_getter(definition, path)
    codes = dict(definition.legacy_codes.get(path, {}))
    fold = case_insensitive and field_type == STRING

    if operator in ("isnull", "isnotnull"):
        want_null = operator == "isnull"
        return lambda record: is_null(getter(record)) is want_null

    if operator in ("like", "notlike"):
        regex = like_pattern(operands[0], case_insensitive)
        negate = operator == "notlike"

        def like(record: Record) -> bool:
            value = getter(record)
            if is_null(value):
                return False
            return (regex.fullmatch(str(value)) is not None) is not negate

        return like

    try:
        values = [coerce_operand(field_type, text, tz, codes) for text in operands]
    except ValueFormatError as exc:
        raise QueryError(f"Invalid value for field {path}: {exc}") from exc
    if fold:
        values = [value.casefold() for value in values]

    def current(record: Record) -> Any:
        value = getter(record)
        if is_null(value):
            return None
        return value.casefold() if fold else value

    if operator in ("in", "notin"):
        if len(values) > MAX_IN_VALUES:
            raise QueryError(f"Too many values in an IN list (at most {MAX_IN_VALUES})")
        members = set(values)
        negate = operator == "notin"

        def member(record: Record) -> bool:
            value = current(record)
            return value is not None and ((value in members) is not negate)

        return member

    if operator == "between":
        low, high = values

        def between(record: Record) -> bool:
            value = current(record)
            return value is not None and low <= value <= high

        return between

    compare = _COMPARATORS.get(operator)
    if compare is None:
        raise QueryError(f"Unsupported operator {operator}")
    operand = values[0]

    def comparison(record: Record) -> bool:
        value = current(record)
        return value is not None and compare(value, operand)

    return comparison


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def all_of(predicates: Sequence[Predicate]) -> Predicate:
    items = tuple(predicates)
    return lambda record: all(predicate(record) for predicate in items)


def any_of(predicates: Sequence[Predicate]) -> Predicate:
    items = tuple(predicates)
    return lambda record: any(predicate(record) for predicate in items)


def negation(predicate: Predicate) -> Predicate:
    return lambda record: not predicate(record)


def sort_records(definition: ObjectDef, records: list[Record], orders: Sequence[tuple[str, bool]]) -> list[Record]:
    """Sort by several fields; NULLs sort last ascending and first descending (Oracle's default)."""
    result = list(records)
    for path, descending in reversed(orders):
        getter, _ = field_getter(definition, path)

        def key(record: Record, getter: Getter = getter) -> tuple[bool, Any]:
            value = getter(record)
            return (True, 0) if is_null(value) else (False, value)

        result.sort(key=key, reverse=descending)
    return result
