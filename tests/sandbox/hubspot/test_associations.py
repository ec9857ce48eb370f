"""Associations v4: on create, default and labelled, batch, reads with paging, labels, wrong direction."""

from __future__ import annotations

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api


def _spec(type_id: int) -> dict[str, object]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


def test_associations_on_create_are_directional_and_visible_both_ways(api: Api, sb: HubSpotSandbox) -> None:
    contact = api.create("contacts", {"email": "buyer@example.com"})
    item = api.create("line_items", {"name": "Widget", "quantity": 1, "price": 5})
    invoice = api.create("invoices", {"hs_currency": "USD"}, associations=[
        {"to": {"id": contact["id"]}, "types": [_spec(177)]},
        {"to": {"id": item["id"]}, "types": [_spec(409)]},
    ])
    assert sb.associations("invoices", invoice["id"], "contacts") == [contact["id"]]
    assert sb.associations("line_items", item["id"], "invoices") == [invoice["id"]]
    got = api.get(f"/crm/v3/objects/invoices/{invoice['id']}", params={"associations": "contacts,line_items"}).json()
    assert got["associations"]["contacts"]["results"] == [{"id": contact["id"], "type": "invoice_to_contact"}]
    assert got["associations"]["line_items"]["results"][0]["id"] == item["id"]
    back = api.get(f"/crm/v4/objects/contacts/{contact['id']}/associations/invoices").json()
    assert back["results"] == [{"toObjectId": int(invoice["id"]),
                                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 178, "label": None}]}]


def test_wrong_direction_type_id_is_400(api: Api) -> None:
    item = api.create("line_items", {"name": "Widget"})
    company = api.create("companies", {"name": "Acme"})
    on_create = api.post("/crm/v3/objects/invoices", json={
        "properties": {"hs_currency": "USD"}, "associations": [{"to": {"id": item["id"]}, "types": [_spec(180)]}]})
    assert on_create.status_code == 400
    assert "INVALID_FROM_OBJECT" in on_create.json()["subCategory"]
    invoice = api.create("invoices", {"hs_currency": "USD"})
    labelled = api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/line_items/{item['id']}",
                       json=[_spec(410)])
    assert labelled.status_code == 400 and "410" in labelled.json()["message"]
    batch = api.post("/crm/v4/associations/invoices/companies/batch/create", json={"inputs": [
        {"from": {"id": invoice["id"]}, "to": {"id": company["id"]}, "types": [_spec(180)]}]})
    assert batch.status_code == 400


def test_single_default_and_labelled_put(api: Api, sb: HubSpotSandbox) -> None:
    invoice = api.create("invoices", {"hs_currency": "EUR"})
    company = api.create("companies", {"name": "Acme"})
    item = api.create("line_items", {"name": "W"})
    default = api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/default/companies/{company['id']}")
    assert default.status_code == 200
    assert default.json()["results"][0]["associationSpec"]["associationTypeId"] == 179
    labelled = api.put(f"/crm/v4/objects/0-53/{invoice['id']}/associations/0-8/{item['id']}", json=[_spec(409)])
    assert labelled.status_code == 201 and labelled.json()["toObjectTypeId"] == "0-8"
    assert sb.associations("invoices", invoice["id"], "line_items") == [item["id"]]
    wrong_shape = api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/line_items/{item['id']}",
                          json="invoice_to_line_item")
    assert wrong_shape.status_code == 400 and "deserialize" in wrong_shape.json()["message"]
    missing_fields = api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/line_items/{item['id']}",
                             json=[{"associationTypeId": 409}])
    assert "Some required fields were not set" in missing_fields.json()["message"]
    gone = api.put(f"/crm/v4/objects/invoices/{invoice['id']}/associations/default/companies/999999")
    assert gone.status_code == 404
    assert api.delete(f"/crm/v4/objects/invoices/{invoice['id']}/associations/companies/{company['id']}").status_code == 204
    assert sb.associations("companies", company["id"], "invoices") == []


def test_contact_company_primary_and_unlabelled(api: Api, sb: HubSpotSandbox) -> None:
    contact = api.create("contacts", {"email": "p@example.com"})
    company = api.create("companies", {"name": "Acme"}, associations=[
        {"to": {"id": contact["id"]}, "types": [_spec(280), _spec(2)]}])
    read = api.get(f"/crm/v4/objects/contacts/{contact['id']}/associations/companies").json()
    types = read["results"][0]["associationTypes"]
    assert {(t["typeId"], t["label"]) for t in types} == {(1, "Primary"), (279, None)}
    assert sb.associations("contacts", contact["id"], "companies") == [company["id"]]


def test_batch_default_read_with_paging_and_archive(api: Api, sb: HubSpotSandbox) -> None:
    invoice = api.create("invoices", {"hs_currency": "USD"})
    items = sb.bulk_load("line_items", [{"name": f"I{i}"} for i in range(3)])
    response = api.post("/crm/v4/associations/invoices/line_items/batch/associate/default", json={
        "inputs": [{"from": {"id": invoice["id"]}, "to": {"id": i}} for i in items]})
    assert response.status_code == 200
    assert {r["associationSpec"]["associationTypeId"] for r in response.json()["results"]} == {409}
    listed = api.get(f"/crm/v4/objects/invoices/{invoice['id']}/associations/line_items", params={"limit": 2}).json()
    assert len(listed["results"]) == 2 and listed["paging"]["next"]["after"] == "2"
    read = api.post("/crm/v4/associations/invoices/line_items/batch/read", json={
        "inputs": [{"id": invoice["id"]}, {"id": "999999"}]})
    assert read.status_code == 207
    assert [t["toObjectId"] for t in read.json()["results"][0]["to"]] == [int(i) for i in items]
    assert read.json()["errors"][0]["context"]["fromObjectId"] == ["999999"]
    archive = api.post("/crm/v4/associations/invoices/line_items/batch/archive", json={
        "inputs": [{"from": {"id": invoice["id"]}, "to": [{"id": items[0]}]}]})
    assert archive.status_code == 204
    assert sb.associations("invoices", invoice["id"], "line_items") == items[1:]


def test_batch_create_labelled_reports_missing_objects_per_input(api: Api) -> None:
    invoice = api.create("invoices", {"hs_currency": "USD"})
    contact = api.create("contacts", {"email": "c@example.com"})
    response = api.post("/crm/v4/associations/invoices/contacts/batch/create", json={"inputs": [
        {"from": {"id": invoice["id"]}, "to": {"id": contact["id"]}, "types": [_spec(177)]},
        {"from": {"id": invoice["id"]}, "to": {"id": "999999"}, "types": [_spec(177)]}]})
    assert response.status_code == 207
    assert response.json()["results"][0]["toObjectId"] == int(contact["id"])
    assert response.json()["numErrors"] == 1


def test_labels_endpoints_serve_the_configured_ids(api: Api) -> None:
    for path in ("/crm/associations/v4/invoices/contacts/labels", "/crm/v4/associations/0-53/0-1/labels"):
        body = api.get(path).json()
        assert body["results"] == [{"category": "HUBSPOT_DEFINED", "typeId": 177, "label": None}]
    pairs = api.get("/crm/associations/v4/contacts/companies/labels").json()["results"]
    assert {(r["typeId"], r["label"]) for r in pairs} == {(279, None), (1, "Primary")}


def test_invoice_type_ids_are_configurable() -> None:
    from ml_connector.sandbox.hubspot.schema import AssociationIds

    sb = HubSpotSandbox(association_ids=AssociationIds(invoice_to_line_item=181, line_item_to_invoice=182))
    with sb.serve() as server:
        from tests.sandbox.hubspot.conftest import Api as Client

        api = Client(server.url, token="mlc-sandbox-token")
        labels = api.get("/crm/associations/v4/invoices/line_items/labels").json()["results"]
        assert [r["typeId"] for r in labels] == [181]
