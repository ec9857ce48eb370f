"""Shared fixtures for the Intacct hook tests: the official schema (patched once) and the fixtures folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

_ARGUMENTS_CHOICE = re.compile(
    r'(<xs:element name="arguments">\s*<xs:complexType>\s*<xs:sequence>\s*)<xs:choice>.*?</xs:choice>',
    re.DOTALL,
)


def load_patched_api_xsd(specs: Path) -> etree.XMLSchema:
    """api.xsd with SOURCES.md's one-spot patch: the non-deterministic ``arguments`` choice becomes xs:any."""
    text = (specs / "schemas" / "v3.0" / "api.xsd").read_text(encoding="utf-8")
    patched, count = _ARGUMENTS_CHOICE.subn(
        r'\1<xs:sequence maxOccurs="unbounded"><xs:any processContents="skip"/></xs:sequence>', text
    )
    assert count == 1, "the api.xsd patch spot was not found exactly once"
    return etree.XMLSchema(etree.fromstring(patched.encode("utf-8"), etree.XMLParser(huge_tree=True)))


@pytest.fixture(scope="session")
def api_schema(intacct_specs: Path) -> etree.XMLSchema:
    return load_patched_api_xsd(intacct_specs)


@pytest.fixture(scope="session")
def fixtures_dir(intacct_specs: Path) -> Path:
    return intacct_specs / "fixtures"


def assert_valid(schema: etree.XMLSchema, body: bytes) -> None:
    doc = etree.fromstring(body)
    if not schema.validate(doc):
        raise AssertionError(f"request does not validate against api.xsd: {schema.error_log}\n{body[:2000]!r}")
