"""The ``query`` function's XML filter (``<filter><and><equalto>...``) compiled to a predicate.

The grammar (one operator under filter, >= 2 children under and/or, value counts) was already
checked by grammar.py; this module gives the operators their meaning.
"""

from __future__ import annotations

from datetime import timezone

from lxml import etree

from ml_connector.sandbox.intacct.conditions import Predicate, all_of, any_of, build_condition
from ml_connector.sandbox.intacct.grammar import children, text_of
from ml_connector.sandbox.intacct.objects import ObjectDef

_OPERATORS = {
    "equalto": "=",
    "notequalto": "!=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
    "between": "between",
    "in": "in",
    "notin": "notin",
    "like": "like",
    "notlike": "notlike",
    "isnull": "isnull",
    "isnotnull": "isnotnull",
}


def compile_filter(definition: ObjectDef, node: etree._Element, tz: timezone, case_insensitive: bool) -> Predicate:
    if node.tag in ("and", "or"):
        parts = [compile_filter(definition, child, tz, case_insensitive) for child in children(node)]
        return all_of(parts) if node.tag == "and" else any_of(parts)
    field = text_of(node.find("field")).strip()
    values = [text_of(value) for value in node.findall("value")]
    return build_condition(definition, field, _OPERATORS[node.tag], values, tz, case_insensitive)
