"""The properties API: list, read, create (incl. unique-value), 409 on an existing name, PATCH."""

from __future__ import annotations

from tests.sandbox.hubspot.conftest import Api

NEW = {"name": "intacct_key", "label": "Intacct key", "type": "string", "fieldType": "text",
       "groupName": "companyinformation", "hasUniqueValue": True}


def test_builtin_properties_are_listed(api: Api) -> None:
    names = {p["name"] for p in api.get("/crm/v3/properties/invoices").json()["results"]}
    assert {"hs_currency", "hs_invoice_status", "hs_due_date", "hs_amount_billed", "hs_balance_due"} <= names
    status = api.get("/crm/v3/properties/0-53/hs_invoice_status").json()
    assert [o["value"] for o in status["options"]] == ["draft", "open", "paid", "voided"]


def test_create_then_409_then_patch(api: Api) -> None:
    created = api.post("/crm/v3/properties/companies", json=NEW)
    assert created.status_code == 201 and created.json()["hasUniqueValue"] is True
    again = api.post("/crm/v3/properties/companies", json=NEW)
    assert again.status_code == 409
    patched = api.patch("/crm/v3/properties/companies/intacct_key", json={"label": "Vendor key"})
    assert patched.status_code == 200 and patched.json()["label"] == "Vendor key"
    assert api.get("/crm/v3/properties/companies/intacct_key").json()["label"] == "Vendor key"
    assert api.get("/crm/v3/properties/companies/nope").status_code == 404


def test_missing_required_fields_are_named(api: Api) -> None:
    response = api.post("/crm/v3/properties/companies", json={"name": "x"})
    assert response.status_code == 400
    assert "label" in response.json()["message"] and "groupName" in response.json()["message"]
