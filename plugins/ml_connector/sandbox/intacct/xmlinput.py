"""Safe parsing of request bodies, and the parser's own error text for XL03000003.

The gateway parses with libxml2 before anything else; its messages read
"XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: ... Line: 18, column: 62."
lxml is libxml2, so the codes and wording carry over (control characters included).
"""

from __future__ import annotations

import re

from lxml import etree

_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "remove_comments": True}
_CONTROL_FIELD = re.compile(rb"<(senderid|controlid|uniqueid|dtdversion)>([^<]{0,256})</\1>")


class XmlParseFailure(Exception):
    """The body is not well-formed XML (or uses a DTD/entities, which the gateway refuses)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_request(body: bytes) -> etree._Element:
    """Parse without entity expansion, network access or DTDs; raises XmlParseFailure."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        entries = [entry for entry in parser.error_log if entry.level >= etree.ErrorLevels.ERROR]
        messages = [
            f"XML Parse schema error: Fatal Error {entry.type}: {entry.message.strip()}. "
            f"Line: {entry.line}, column: {entry.column}."
            for entry in entries
        ] or [f"XML Parse schema error: Fatal Error: {exc}."]
        raise XmlParseFailure(messages) from exc
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise XmlParseFailure([f"XML Parse schema error: Fatal Error: {exc}."]) from exc
    if root.getroottree().docinfo.doctype:
        raise XmlParseFailure(["XML Parse schema error: Fatal Error: DOCTYPE is not allowed."])
    return root


def control_fields_from_raw(body: bytes) -> dict[str, str]:
    """Best-effort senderid/controlid from an unparseable body, echoed in the control block."""
    fields: dict[str, str] = {}
    for match in _CONTROL_FIELD.finditer(body[:8192]):
        name = match.group(1).decode("ascii")
        fields.setdefault(name, match.group(2).decode("utf-8", "replace"))
    return fields
