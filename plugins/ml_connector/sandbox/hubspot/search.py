"""CRM search: HubSpot's filter operators, limits, sorts and the 10,000-result paging cap."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ml_connector.sandbox.hubspot.errors import validation
from ml_connector.sandbox.hubspot.schema import PropertyDef
from ml_connector.sandbox.hubspot.values import parse_datetime_ms, parse_number

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS_TOTAL = 25
MAX_LIMIT = 200
MAX_RESULTS = 10_000
OPERATORS = frozenset(
    ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"]
)
_TOKEN_SPLIT = re.compile(r"[\s,;]+")

ValueTest = Callable[[Any], bool]  # takes a column value from ``comparable`` (None when unset)
Filter = tuple[str, ValueTest]


@dataclass(frozen=True)
class SearchPlan:
    """A validated search request: what matches, in which order, and which page."""

    groups: list[list[Filter]]  # OR of ANDs; no groups matches everything
    query: str | None
    sort_property: str
    sort_type: str
    descending: bool
    offset: int
    limit: int
    properties: list[str] | None
    cache_key: str


def _as_comparable(prop: PropertyDef, raw: Any) -> Any:
    text = str(raw).strip()
    if prop.type == "number":
        number = parse_number(text)
        if number is None:
            raise validation(f"Invalid value '{raw}' for number property {prop.name}")
        return number
    if prop.type in ("datetime", "date"):
        ms = parse_datetime_ms(text)
        if ms is None:
            raise validation(f"Invalid value '{raw}' for date property {prop.name}")
        return ms
    if prop.type == "enumeration":
        return text
    return text.lower()


def comparable(prop: PropertyDef, value: str | None) -> Any:
    """A stored string as search compares it: float for numbers and dates, lower-case text otherwise."""
    if value is None or value == "":
        return None
    if prop.type == "number":
        return parse_number(value)
    if prop.type in ("datetime", "date"):
        return parse_datetime_ms(value)
    if prop.type == "enumeration":
        return value
    return value.lower()


def _token_match(value: Any, pattern: str) -> bool:
    if value is None:
        return False
    pat = pattern.lower()
    text = str(value).lower()
    if fnmatch.fnmatchcase(text, pat):
        return True
    return any(fnmatch.fnmatchcase(token, pat) for token in _TOKEN_SPLIT.split(text) if token)


def _compile_filter(flt: dict[str, Any], props: dict[str, PropertyDef]) -> Filter:
    if not isinstance(flt, dict):
        raise validation("Each filter must be an object with propertyName and operator")
    name = flt.get("propertyName")
    operator = flt.get("operator", "EQ")
    if not isinstance(name, str) or not name:
        raise validation("Some required fields were not set: [propertyName]")
    if operator not in OPERATORS:
        raise validation(
            f"Invalid operator '{operator}'. Operator must be one of: {', '.join(sorted(OPERATORS))}"
        )
    prop = props.get(name)
    if prop is None:
        raise validation(f"There was a problem with the request: property '{name}' does not exist",
                         context={"propertyName": [name]})

    def needs(field: str) -> Any:
        if flt.get(field) is None:
            raise validation(f"Filter on {name} with operator {operator} requires '{field}'")
        return flt[field]

    if operator == "HAS_PROPERTY":
        return name, lambda v: v is not None
    if operator == "NOT_HAS_PROPERTY":
        return name, lambda v: v is None
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(needs("value"))
        if operator == "CONTAINS_TOKEN":
            return name, lambda v: _token_match(v, token)
        return name, lambda v: not _token_match(v, token)
    if operator in ("IN", "NOT_IN"):
        raw_values = needs("values")
        if not isinstance(raw_values, list):
            raise validation(f"Filter on {name} with operator {operator} requires 'values' to be a list")
        wanted = {_as_comparable(prop, v) for v in raw_values}
        if operator == "IN":
            return name, lambda v: v in wanted
        return name, lambda v: v not in wanted
    if operator == "BETWEEN":
        low = _as_comparable(prop, needs("value"))
        high = _as_comparable(prop, needs("highValue"))
        return name, lambda v: v is not None and low <= v <= high
    target = _as_comparable(prop, needs("value"))
    tests: dict[str, ValueTest] = {
        "EQ": lambda v: v == target,
        "NEQ": lambda v: v != target,
        "LT": lambda v: v is not None and v < target,
        "LTE": lambda v: v is not None and v <= target,
        "GT": lambda v: v is not None and v > target,
        "GTE": lambda v: v is not None and v >= target,
    }
    return name, tests[operator]


def query_matches(query: str, values: Iterable[str | None]) -> bool:
    """The free-text ``query``: every word must appear in one of the type's searchable properties."""
    haystack = " ".join((v or "").lower() for v in values)
    return all(word in haystack for word in query.lower().split())


def _parse_sort(sorts: Any, props: dict[str, PropertyDef]) -> tuple[str, bool]:
    if not sorts:
        return "hs_object_id", False
    if not isinstance(sorts, list):
        raise validation("sorts must be a list")
    first = sorts[0]  # HubSpot honours one sort
    if isinstance(first, str):
        descending = first.startswith("-")
        name = first.lstrip("-")
    elif isinstance(first, dict):
        name = first.get("propertyName", "")
        direction = str(first.get("direction", "ASCENDING")).upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise validation(f"Invalid sort direction '{direction}'; use ASCENDING or DESCENDING")
        descending = direction == "DESCENDING"
    else:
        raise validation("Each sort must be an object with propertyName and direction, or a property name")
    if name not in props:
        raise validation(f"Cannot sort by unknown property '{name}'")
    return name, descending


def plan_search(body: dict[str, Any], props: dict[str, PropertyDef]) -> SearchPlan:
    """Validate a search body against HubSpot's limits and compile it; raises ApiError (400)."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list):
        raise validation("filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise validation(
            f"Too many filter groups ({len(groups)}). The maximum number of filter groups is {MAX_GROUPS}.",
            sub_category="VALIDATION_ERROR.TOO_MANY_FILTER_GROUPS",
        )
    total = 0
    compiled_groups: list[list[Filter]] = []
    for group in groups:
        filters = (group or {}).get("filters") or [] if isinstance(group, dict) else None
        if filters is None or not isinstance(filters, list):
            raise validation("Each filter group must be an object with a 'filters' list")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation(
                f"Too many filters in a filter group ({len(filters)}). The maximum number of filters per "
                f"group is {MAX_FILTERS_PER_GROUP}.",
                sub_category="VALIDATION_ERROR.TOO_MANY_FILTERS_IN_GROUP",
            )
        total += len(filters)
        compiled_groups.append([_compile_filter(f, props) for f in filters])
    if total > MAX_FILTERS_TOTAL:
        raise validation(
            f"Too many filters ({total}). The maximum number of filters across all groups is {MAX_FILTERS_TOTAL}.",
            sub_category="VALIDATION_ERROR.TOO_MANY_FILTERS",
        )
    query = str(body["query"]) if body.get("query") else None
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise validation(f"Invalid limit '{limit}'; limit must be a positive integer")
    if limit > MAX_LIMIT:
        raise validation(f"Requested limit {limit} exceeds the maximum of {MAX_LIMIT}")
    after_raw = body.get("after")
    offset = 0
    if after_raw not in (None, ""):
        try:
            offset = int(str(after_raw))
        except ValueError:
            raise validation(f"Invalid 'after' value '{after_raw}'") from None
        if offset < 0:
            raise validation(f"Invalid 'after' value '{after_raw}'")
    if offset >= MAX_RESULTS:
        raise validation(
            f"Cannot page beyond {MAX_RESULTS} results: 'after' was {offset}. Narrow the query "
            "(e.g. filter hs_object_id GT the last id) instead of paging further.",
            sub_category="VALIDATION_ERROR.PAGING_LIMIT_EXCEEDED",
        )
    sort_name, descending = _parse_sort(body.get("sorts"), props)
    properties = body.get("properties")
    if properties is not None and not isinstance(properties, list):
        raise validation("properties must be a list of property names")
    cache_key = repr((groups, query, sort_name, descending))
    return SearchPlan(
        compiled_groups, query, sort_name, props[sort_name].type, descending, offset, limit, properties, cache_key
    )


def matching_ids(plan: SearchPlan, universe: set[int], column: Callable[[str], dict[int, Any]]) -> set[int]:
    """Evaluate the filter groups column by column: set intersections (AND) and unions (OR)."""
    if not plan.groups:
        return set(universe)
    matched: set[int] = set()
    for group in plan.groups:
        current = set(universe)
        for name, test in group:
            values = column(name)
            current = {rid for rid in current if test(values.get(rid))}
            if not current:
                break
        matched |= current
    return matched


def ordered(plan: SearchPlan, ids: Iterable[int], sort_values: dict[int, Any]) -> list[int]:
    """Ids in the plan's order; unset values last (ascending), ties broken by id ascending."""
    ordered_ids = sorted(ids)
    if plan.sort_property == "hs_object_id":
        return ordered_ids[::-1] if plan.descending else ordered_ids
    present = [rid for rid in ordered_ids if sort_values.get(rid) is not None]
    absent = [rid for rid in ordered_ids if sort_values.get(rid) is None]
    present.sort(key=lambda rid: sort_values[rid], reverse=plan.descending)
    return absent + present if plan.descending else present + absent
