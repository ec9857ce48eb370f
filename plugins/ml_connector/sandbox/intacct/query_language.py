"""readByQuery's string query language, e.g. ``WHENMODIFIED >= '04/19/2021 12:00:00' AND STATUS = 'T'``.

Grammar: ``or := and (OR and)*``, ``and := not (AND not)*``, ``not := NOT not | '(' or ')' | test``,
where a test is ``field op value``, ``field [NOT] IN (v, ...)``, ``field [NOT] LIKE v`` or
``field IS [NOT] NULL``. Strings are single-quoted with ``\\'`` escaping a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone

from ml_connector.sandbox.intacct.conditions import (
    Predicate,
    QueryError,
    all_of,
    any_of,
    build_condition,
    negation,
)
from ml_connector.sandbox.intacct.objects import ObjectDef

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
      | (?P<op><=|>=|<>|!=|=|<|>)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True)
class _Token:
    kind: str  # string | number | word | keyword | op | punct | end
    text: str


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    query = query.rstrip()
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise QueryError(f"Invalid query syntax near '{query[position:position + 20].strip()}'")
        position = match.end()
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind == "string":
            text = _ESCAPE.sub(r"\1", text[1:-1])
        elif kind == "word" and text.upper() in _KEYWORDS:
            kind, text = "keyword", text.upper()
        tokens.append(_Token(kind, text))
    tokens.append(_Token("end", ""))
    return tokens


class _Parser:
    def __init__(self, definition: ObjectDef, tokens: list[_Token], tz: timezone) -> None:
        self._definition = definition
        self._tokens = tokens
        self._index = 0
        self._tz = tz

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _take(self) -> _Token:
        token = self._tokens[self._index]
        self._index += 1
        return token

    def _expect(self, kind: str, text: str | None = None) -> _Token:
        token = self._take()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            found = token.text or "end of query"
            raise QueryError(f"Invalid query syntax: expected {wanted} but found '{found}'")
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token.kind == "keyword" and token.text == word:
            self._index += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._peek().kind != "end":
            raise QueryError(f"Invalid query syntax near '{self._peek().text}'")
        return predicate

    def _or(self) -> Predicate:
        items = [self._and()]
        while self._keyword("OR"):
            items.append(self._and())
        return items[0] if len(items) == 1 else any_of(items)

    def _and(self) -> Predicate:
        items = [self._not()]
        while self._keyword("AND"):
            items.append(self._not())
        return items[0] if len(items) == 1 else all_of(items)

    def _not(self) -> Predicate:
        if self._keyword("NOT"):
            return negation(self._not())
        token = self._peek()
        if token.kind == "punct" and token.text == "(":
            self._take()
            inner = self._or()
            self._expect("punct", ")")
            return inner
        return self._test()

    def _operand(self) -> str | None:
        token = self._take()
        if token.kind in ("string", "number"):
            return token.text
        if token.kind == "word":
            return None  # an unquoted word matches nothing (observed: intacct-sdk-php#90)
        raise QueryError(f"Invalid query syntax: expected a value but found '{token.text or 'end of query'}'")

    def _test(self) -> Predicate:
        field = self._expect("word").text
        definition, tz = self._definition, self._tz
        if self._keyword("IS"):
            negated = self._keyword("NOT")
            self._expect("keyword", "NULL")
            return build_condition(definition, field, "isnotnull" if negated else "isnull", (), tz)
        negated = self._keyword("NOT")
        if self._keyword("IN"):
            self._expect("punct", "(")
            values = [self._operand()]
            while self._peek().kind == "punct" and self._peek().text == ",":
                self._take()
                values.append(self._operand())
            self._expect("punct", ")")
            known = [value for value in values if value is not None]
            if not known:
                build_condition(definition, field, "isnull", (), tz)  # still reject unknown fields
                return lambda record: False
            return build_condition(definition, field, "notin" if negated else "in", known, tz)
        if self._keyword("LIKE"):
            pattern = self._operand()
            if pattern is None:
                return lambda record: False
            return build_condition(definition, field, "notlike" if negated else "like", (pattern,), tz)
        if negated:
            raise QueryError("Invalid query syntax: NOT must be followed by IN or LIKE here")
        operator = self._expect("op").text
        operand = self._operand()
        if operand is None:
            build_condition(definition, field, "isnull", (), tz)  # still reject unknown fields
            return lambda record: False
        return build_condition(definition, field, "!=" if operator == "<>" else operator, (operand,), tz)


def compile_query(definition: ObjectDef, query: str, tz: timezone) -> Predicate:
    """Compile a readByQuery ``<query>``; an empty query selects every record."""
    if not query.strip():
        return lambda record: True
    return _Parser(definition, _tokenize(query), tz).parse()
