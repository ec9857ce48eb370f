"""Invoice associations against the sandbox: type ids come from the labels API, looked up once."""

from __future__ import annotations

from typing import Any

import pytest

from ml_connector.hubspot.associations import AssociationTypeError


def _seed(sb: Any) -> tuple[str, str, list[str]]:
    [contact] = sb.bulk_load("contacts", [{"email": "buyer@x.com"}])
    [company] = sb.bulk_load("companies", [{"name": "Buyer Inc", "domain": "buyer.example"}])
    lines = sb.bulk_load("line_items", [{"name": f"Line {i}", "quantity": "1", "price": "10"} for i in range(3)])
    return str(contact), str(company), [str(i) for i in lines]


def test_invoice_associated_on_create(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    contact, company, lines = _seed(sb)
    hook = make_hook(server)
    assoc = hook.invoice_associations_on_create(contact_ids=[contact], company_ids=[company], line_item_ids=lines)
    result = hook.batch_create("invoices", [{"properties": {"hs_currency": "USD"}, "associations": assoc}])
    assert result.items[0].ok, result.items[0].error
    invoice = result.items[0].id
    assert sb.associations("invoices", invoice, "contacts") == [contact]
    assert sb.associations("invoices", invoice, "companies") == [company]
    assert sorted(sb.associations("invoices", invoice, "line_items")) == sorted(lines)


def test_invoice_associated_through_v4_batch_and_labels_are_fetched_once(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    contact, company, lines = _seed(sb)
    hook = make_hook(server)
    invoices = [r.id for r in hook.batch_create("invoices", [{"properties": {"hs_currency": "EUR"}}])]
    invoices += [r.id for r in hook.batch_create("invoices", [{"properties": {"hs_currency": "USD"}}])]
    for invoice in invoices:
        hook.associate_invoice(invoice, contact_ids=[contact], company_ids=[company], line_item_ids=lines)
        assert sb.associations("invoices", invoice, "contacts") == [contact]
        assert sb.associations("invoices", invoice, "companies") == [company]
        assert sorted(sb.associations("invoices", invoice, "line_items")) == sorted(lines)
    label_calls = [r["path"] for r in sb.request_log if r["path"].endswith("/labels")]
    assert len(label_calls) == len(set(label_calls))  # each pair looked up once, even for the second invoice
    assert {p.split("/")[-3] for p in label_calls} == {"invoices"}
    assert {p.split("/")[-2] for p in label_calls} == {"contacts", "companies", "line_items"}
    read = hook.associations.read("invoices", "line_items", invoices)
    assert {k: sorted(v) for k, v in read.items()} == {i: sorted(lines) for i in invoices}


def test_default_association_needs_no_type_id(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    contact, _, _ = _seed(sb)
    hook = make_hook(server)
    [invoice] = [r.id for r in hook.batch_create("invoices", [{"properties": {"hs_currency": "USD"}}])]
    hook.associations.create_default("invoices", "contacts", [(invoice, contact)])
    assert sb.associations("invoices", invoice, "contacts") == [contact]


def test_unknown_label_is_refused_with_what_hubspot_offers(hubspot_sandbox: Any, make_hook: Any) -> None:
    _, server = hubspot_sandbox()
    with pytest.raises(AssociationTypeError, match="HubSpot offers"):
        make_hook(server).associations.spec("invoices", "contacts", label="No Such Label")
