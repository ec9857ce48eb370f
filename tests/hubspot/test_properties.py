"""Property ensure against the sandbox: idempotent, and loud about incompatible definitions."""

from __future__ import annotations

from typing import Any

import pytest

from ml_connector.hubspot.properties import PropertyMismatchError, PropertySpec

KEY = PropertySpec(name="intacct_apbill_key", label="Intacct AP bill key", has_unique_value=True,
                   description="Sage Intacct APBILL RECORDNO; upsert key")


def test_ensure_creates_once_then_is_a_no_op(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    hook = make_hook(server)
    created, outcome = hook.ensure_property("invoices", KEY)
    assert outcome == "created" and created["name"] == KEY.name and created["hasUniqueValue"] is True
    assert hook.ensure_properties("invoices", [KEY]) == {KEY.name: "unchanged"}
    posts = [r for r in sb.request_log if r["method"] == "POST" and r["path"] == "/crm/v3/properties/invoices"]
    assert len(posts) == 1


def test_label_drift_is_updated_in_place(hubspot_sandbox: Any, make_hook: Any) -> None:
    _, server = hubspot_sandbox()
    hook = make_hook(server)
    hook.ensure_property("invoices", KEY)
    renamed = PropertySpec(name=KEY.name, label="Intacct bill key", has_unique_value=True)
    updated, outcome = hook.ensure_property("invoices", renamed)
    assert outcome == "updated" and updated["label"] == "Intacct bill key"


def test_existing_property_with_other_uniqueness_is_an_error(hubspot_sandbox: Any, make_hook: Any) -> None:
    _, server = hubspot_sandbox()
    hook = make_hook(server)
    hook.ensure_property("companies", PropertySpec(name="intacct_vendor_id", label="Intacct vendor"))
    with pytest.raises(PropertyMismatchError, match="hasUniqueValue"):
        hook.ensure_property("companies", PropertySpec(name="intacct_vendor_id", label="Intacct vendor",
                                                       has_unique_value=True))


def test_spec_errors_name_the_fields() -> None:
    with pytest.raises(ValueError, match=r"name 'Bad Name'.*type must be"):
        PropertySpec(name="Bad Name", label="x", type="text")
