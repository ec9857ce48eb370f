"""Single-record CRUD, list paging and the record shape, over real HTTP."""

from __future__ import annotations

import pytest

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api


def test_create_returns_string_values_and_system_properties(api: Api) -> None:
    body = api.create("line_items", {"name": "Widget", "quantity": 3, "price": "2.5"})
    assert body["id"].isdigit()
    props = body["properties"]
    assert props["hs_object_id"] == body["id"]
    assert props["quantity"] == "3"
    assert props["amount"] == "7.5"  # derived from quantity x price, as a string
    assert props["createdate"] == body["createdAt"] and props["hs_lastmodifieddate"] == body["updatedAt"]
    assert body["archived"] is False


def test_type_ids_and_dated_prefix_reach_the_same_records(api: Api) -> None:
    created = api.create("contacts", {"email": "a@example.com", "firstname": "A"})
    for path in ("/crm/v3/objects/0-1/", "/crm/objects/2026-03/contacts/", "/crm/objects/2026-03/0-1/"):
        response = api.get(path + created["id"])
        assert response.status_code == 200, path
        assert response.json()["properties"]["email"] == "a@example.com"


def test_get_defaults_and_requested_unset_properties_are_null(api: Api) -> None:
    created = api.create("contacts", {"email": "b@example.com", "phone": "123"})
    default = api.get(f"/crm/v3/objects/contacts/{created['id']}").json()["properties"]
    assert set(default) == {"firstname", "lastname", "email", "hs_object_id", "createdate", "lastmodifieddate"}
    assert default["firstname"] is None and "phone" not in default
    chosen = api.get(f"/crm/v3/objects/contacts/{created['id']}", params={"properties": "phone,jobtitle"}).json()
    assert chosen["properties"]["phone"] == "123" and chosen["properties"]["jobtitle"] is None


def test_patch_bumps_modified_date_and_empty_string_clears(api: Api) -> None:
    created = api.create("companies", {"name": "Acme", "city": "Berlin"})
    response = api.patch(f"/crm/v3/objects/companies/{created['id']}", json={"properties": {"city": ""}})
    assert response.status_code == 200
    after = api.get(f"/crm/v3/objects/companies/{created['id']}", params={"properties": "city"}).json()
    assert after["properties"]["city"] is None
    assert after["properties"]["hs_lastmodifieddate"] >= created["properties"]["hs_lastmodifieddate"]


def test_unknown_and_read_only_properties_are_rejected_by_name(api: Api) -> None:
    response = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "c@example.com", "shoe": "9"}})
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR" and "PROPERTY_DOESNT_EXIST" in body["message"]
    assert "shoe" in body["message"]
    read_only = api.post("/crm/v3/objects/contacts", json={"properties": {"hs_object_id": "5"}})
    assert read_only.status_code == 400 and "READ_ONLY_VALUE" in read_only.json()["message"]
    bad_number = api.post("/crm/v3/objects/line_items", json={"properties": {"quantity": "lots"}})
    assert bad_number.status_code == 400 and "quantity" in bad_number.json()["message"]


def test_duplicate_contact_email_is_409_with_existing_id(api: Api) -> None:
    first = api.create("contacts", {"email": "dup@example.com"})
    response = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "DUP@example.com"}})
    assert response.status_code == 409
    body = response.json()
    assert body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {first['id']}"
    other = api.create("contacts", {"email": "other@example.com"})
    change = api.patch(f"/crm/v3/objects/contacts/{other['id']}", json={"properties": {"email": "dup@example.com"}})
    assert change.status_code == 409


def test_missing_record_is_404_object_not_found(api: Api) -> None:
    response = api.get("/crm/v3/objects/contacts/999999")
    assert response.status_code == 404
    assert response.json()["category"] == "OBJECT_NOT_FOUND"
    assert api.get("/crm/v3/objects/unicorns").json()["category"] == "VALIDATION_ERROR"


def test_delete_archives_and_frees_the_email(api: Api) -> None:
    created = api.create("contacts", {"email": "gone@example.com"})
    assert api.delete(f"/crm/v3/objects/contacts/{created['id']}").status_code == 204
    assert api.get(f"/crm/v3/objects/contacts/{created['id']}").status_code == 404
    archived = api.get(f"/crm/v3/objects/contacts/{created['id']}", params={"archived": "true"}).json()
    assert archived["archived"] is True and "archivedAt" in archived
    listed = api.get("/crm/v3/objects/contacts", params={"archived": "true"}).json()["results"]
    assert [r["id"] for r in listed] == [created["id"]]
    api.create("contacts", {"email": "gone@example.com"})


def test_list_pages_with_opaque_after_and_no_paging_on_last_page(api: Api, sb: HubSpotSandbox) -> None:
    ids = sb.bulk_load("companies", [{"name": f"C{i}"} for i in range(25)])
    first = api.get("/crm/v3/objects/companies").json()
    assert len(first["results"]) == 10  # default limit
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": 100 if after is None else 7}
        if after:
            params["after"] = after
        page = api.get("/crm/v3/objects/companies", params=params).json()
        seen += [r["id"] for r in page["results"]]
        pages += 1
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
        assert page["paging"]["next"]["link"].startswith("http")
    assert seen == ids and pages == 1
    capped = api.get("/crm/v3/objects/companies", params={"limit": 500}).json()
    assert len(capped["results"]) == 25  # max 100 per page; 25 exist
    paged = api.get("/crm/v3/objects/companies", params={"limit": 10, "after": first["paging"]["next"]["after"]})
    assert [r["id"] for r in paged.json()["results"]] == ids[10:20]


def test_bulk_load_stamps_identical_modified_time(sb: HubSpotSandbox) -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)
    sb.bulk_load("contacts", [{"email": f"m{i}@example.com"} for i in range(3)], modified_at=moment)
    stamps = {r["properties"]["lastmodifieddate"] for r in sb.records("contacts")}
    assert stamps == {"2026-01-31T23:59:59.000Z"}
    with pytest.raises(ValueError, match="modified_at"):
        sb.bulk_load("contacts", [], modified_at=datetime(2026, 1, 1))


def test_sandbox_repr_hides_token_and_secret() -> None:
    sb = HubSpotSandbox(access_token="very-secret-token", client_secret="very-secret-secret")
    assert "very-secret" not in repr(sb)


def test_get_and_patch_by_unique_id_property(api: Api) -> None:
    created = api.create("contacts", {"email": "id@example.com", "firstname": "Ida"})
    got = api.get("/crm/v3/objects/contacts/ID@example.com", params={"idProperty": "email"})
    assert got.status_code == 200 and got.json()["id"] == created["id"]
    patched = api.patch("/crm/v3/objects/contacts/id@example.com", params={"idProperty": "email"},
                        json={"properties": {"firstname": "Idris"}})
    assert patched.status_code == 200 and patched.json()["properties"]["firstname"] == "Idris"
    by_first = api.patch("/crm/v3/objects/contacts/Idris", params={"idProperty": "firstname"},
                         json={"properties": {"lastname": "X"}})
    assert by_first.status_code == 400 and "non-unique" in by_first.json()["message"]


def test_malformed_json_is_a_validation_error(api: Api) -> None:
    response = api.post("/crm/v3/objects/contacts", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["category"] == "VALIDATION_ERROR"


def test_properties_with_history_lists_newest_first(api: Api) -> None:
    created = api.create("companies", {"name": "Old name"})
    api.patch(f"/crm/v3/objects/companies/{created['id']}", json={"properties": {"name": "New name"}})
    body = api.get(f"/crm/v3/objects/companies/{created['id']}", params={"propertiesWithHistory": "name"}).json()
    assert [h["value"] for h in body["propertiesWithHistory"]["name"]] == ["New name", "Old name"]
