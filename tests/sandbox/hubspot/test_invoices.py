"""Invoice rules: hs_currency required, autoset dates, status values and transitions, paid lock."""

from __future__ import annotations

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api


def _set_status(api: Api, invoice_id: str, status: str) -> object:
    return api.patch(f"/crm/v3/objects/invoices/{invoice_id}", json={"properties": {"hs_invoice_status": status}})


def test_currency_is_required_and_dates_and_draft_are_autoset(api: Api) -> None:
    missing = api.post("/crm/v3/objects/invoices", json={"properties": {"hs_comments": "x"}})
    assert missing.status_code == 400 and "hs_currency" in missing.json()["message"]
    invoice = api.create("invoices", {"hs_currency": "USD"})["properties"]
    assert invoice["hs_invoice_status"] == "draft"
    assert int(invoice["hs_due_date"]) > int(invoice["hs_invoice_date"]) > 0
    assert "hs_createdate" in invoice and "hs_lastmodifieddate" in invoice


def test_invalid_status_is_400(api: Api) -> None:
    invoice = api.create("invoices", {"hs_currency": "USD"})
    response = _set_status(api, invoice["id"], "sent")
    assert response.status_code == 400 and "sent" in response.json()["message"]


def test_open_needs_a_contact_and_a_line_item(api: Api, sb: HubSpotSandbox) -> None:
    invoice = api.create("invoices", {"hs_currency": "USD"})
    refused = _set_status(api, invoice["id"], "open")
    assert refused.status_code == 400
    message = refused.json()["message"]
    assert "contact" in message and "line item" in message
    contact = api.create("contacts", {"email": "buyer@example.com"})
    api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/default/contacts/{contact['id']}")
    still = _set_status(api, invoice["id"], "open")
    assert still.status_code == 400 and "line item" in still.json()["message"]
    item = api.create("line_items", {"name": "W", "quantity": 1, "price": 9})
    api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/default/line_items/{item['id']}")
    assert _set_status(api, invoice["id"], "open").status_code == 200
    assert sb.records("invoices")[0]["properties"]["hs_invoice_status"] == "open"


def test_paid_invoices_are_locked_and_transitions_are_enforced(api: Api) -> None:
    contact = api.create("contacts", {"email": "b@example.com"})
    item = api.create("line_items", {"name": "W"})
    invoice = api.create("invoices", {"hs_currency": "USD", "hs_invoice_status": "open"}, associations=[
        {"to": {"id": contact["id"]}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 177}]},
        {"to": {"id": item["id"]}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 409}]},
    ])
    assert _set_status(api, invoice["id"], "paid").status_code == 200
    edit = api.patch(f"/crm/v3/objects/invoices/{invoice['id']}", json={"properties": {"hs_comments": "late"}})
    assert edit.status_code == 400 and "paid" in edit.json()["message"]
    draft = api.create("invoices", {"hs_currency": "USD"})
    assert _set_status(api, draft["id"], "paid").status_code == 400
    assert _set_status(api, draft["id"], "voided").status_code == 200
    assert _set_status(api, draft["id"], "draft").status_code == 400


def test_rules_can_be_relaxed() -> None:
    from ml_connector.sandbox.hubspot.portal import InvoiceRules
    from tests.sandbox.hubspot.conftest import Api as Client

    sb = HubSpotSandbox(invoice_rules=InvoiceRules(open_requires_contact=False, open_requires_line_items=False))
    with sb.serve() as server:
        api = Client(server.url, token="mlc-sandbox-token")
        invoice = api.create("invoices", {"hs_currency": "USD"})
        assert _set_status(api, invoice["id"], "open").status_code == 200
