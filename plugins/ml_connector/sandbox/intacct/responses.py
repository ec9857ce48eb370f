"""Response XML in the shape of ``intacct_response.v2.1.dtd`` (plus ``sessiontimeout``).

Built as text rather than a tree: pages of 2000 records are the hot path, and each record's
rendering is cached until the record is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from ml_connector.sandbox.intacct.objects import GroupDef, ObjectDef
from ml_connector.sandbox.intacct.values import render_value

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPE = 'text/xml; encoding="UTF-8"'


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def element(tag: str, text: str | None) -> str:
    return f"<{tag}>{esc(text or '')}</{tag}>"


@dataclass(frozen=True)
class GatewayError:
    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    def xml(self) -> str:
        return (
            "<error>"
            + element("errorno", self.errorno)
            + element("description", self.description)
            + element("description2", self.description2)
            + element("correction", self.correction)
            + "</error>"
        )


def errormessage_xml(errors: Iterable[GatewayError]) -> str:
    return "<errormessage>" + "".join(error.xml() for error in errors) + "</errormessage>"


ROLLED_BACK = GatewayError(
    "XL03000009", description2="The entire transaction in this operation has been rolled back due to an error."
)


@dataclass
class FunctionResult:
    status: str  # success | failure | aborted
    function: str
    controlid: str
    data: str | None = None
    errors: list[GatewayError] = field(default_factory=list)

    def xml(self) -> str:
        parts = ["<result>", element("status", self.status), element("function", self.function),
                 element("controlid", self.controlid)]
        if self.data is not None:
            parts.append(self.data)
        if self.errors:
            parts.append(errormessage_xml(self.errors))
        parts.append("</result>")
        return "".join(parts)


def data_xml(attributes: Mapping[str, Any] | None, body: str) -> str:
    attrs = "".join(f' {name}="{esc_attr(str(value))}"' for name, value in (attributes or {}).items())
    return f"<data{attrs}>{body}</data>" if body else f"<data{attrs}/>"


def control_xml(status: str, senderid: str, controlid: str, uniqueid: str | None, dtdversion: str | None) -> str:
    parts = ["<control>", element("status", status), element("senderid", senderid), element("controlid", controlid)]
    if uniqueid is not None:
        parts.append(element("uniqueid", uniqueid))
    if dtdversion is not None:
        parts.append(element("dtdversion", dtdversion))
    parts.append("</control>")
    return "".join(parts)


def authentication_xml(
    status: str,
    userid: str,
    companyid: str,
    locationid: str | None,
    timestamp: str | None = None,
    timeout: str | None = None,
) -> str:
    parts = ["<authentication>", element("status", status), element("userid", userid), element("companyid", companyid)]
    if locationid is not None:
        parts.append(element("locationid", locationid))
    if timestamp is not None:
        parts.append(element("sessiontimestamp", timestamp))
    if timeout is not None:
        parts.append(element("sessiontimeout", timeout))
    parts.append("</authentication>")
    return "".join(parts)


def response_xml(*parts: str) -> bytes:
    return (XML_DECLARATION + "<response>" + "".join(parts) + "</response>").encode("utf-8")


class RecordRenderer:
    """Renders records as XML elements; caches each record's text until the record is replaced."""

    def __init__(self, tz: timezone) -> None:
        self._tz = tz
        # The cached record object itself is kept (not its id()), so a replaced record never matches.
        self._cache: dict[tuple[str, int, str, tuple[str, ...] | None], tuple[Mapping[str, Any], str]] = {}

    def clear(self) -> None:
        self._cache.clear()

    def render(self, definition: ObjectDef, record: Mapping[str, Any], tag: str, fields: Sequence[str] | None) -> str:
        fields_key = tuple(fields) if fields is not None else None
        key = (definition.name, record[definition.key_field], tag, fields_key)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is record:
            return cached[1]
        if fields is None:
            body = self._group(definition.fields, record)
        else:
            body = self._selected(definition, record, fields)
        text = f"<{tag}>{body}</{tag}>"
        self._cache[key] = (record, text)
        return text

    def _group(self, fields: Mapping[str, Any], values: Mapping[str, Any] | None) -> str:
        values = values or {}
        parts = []
        tz = self._tz
        for name, definition in fields.items():
            value = values.get(name)
            if isinstance(definition, GroupDef):
                parts.append(f"<{name}>{self._group(definition.fields, value)}</{name}>")
            else:
                parts.append(f"<{name}>{esc(render_value(value, tz))}</{name}>")
        return "".join(parts)

    def _selected(self, definition: ObjectDef, record: Mapping[str, Any], fields: Sequence[str]) -> str:
        """Selected fields in request order; dotted paths render nested under their group."""
        tree: dict[str, Any] = {}
        for path in fields:
            node = tree
            parts = path.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node.setdefault(parts[-1], None)
        return self._subset(definition.fields, tree, record)

    def _subset(self, fields: Mapping[str, Any], tree: Mapping[str, Any], values: Mapping[str, Any] | None) -> str:
        values = values or {}
        parts = []
        for name, subtree in tree.items():
            definition = fields[name]
            value = values.get(name)
            if isinstance(definition, GroupDef):
                inner = self._group(definition.fields, value) if subtree is None else self._subset(definition.fields, subtree, value)
                parts.append(f"<{name}>{inner}</{name}>")
            else:
                parts.append(f"<{name}>{esc(render_value(value, self._tz))}</{name}>")
        return "".join(parts)
