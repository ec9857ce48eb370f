"""Function controlids are deterministic per source record and version (what makes replays safe)."""

from __future__ import annotations

from ml_connector.intacct.writes import WriteItem, function_controlid


def _item(key: str, version: str) -> WriteItem:
    return WriteItem({"VENDORID": key, "NAME": key}, source_key=key, source_version=version)


def test_controlid_is_stable_and_version_sensitive() -> None:
    a = function_controlid("create", "VENDOR", [_item("hs-1", "v1"), _item("hs-2", "v1")])
    assert a == function_controlid("create", "VENDOR", [_item("hs-1", "v1"), _item("hs-2", "v1")])
    assert a.startswith("mlc-") and len(a) == 44
    assert a != function_controlid("create", "VENDOR", [_item("hs-1", "v2"), _item("hs-2", "v1")])
    assert a != function_controlid("update", "VENDOR", [_item("hs-1", "v1"), _item("hs-2", "v1")])
    assert a != function_controlid("create", "CUSTOMER", [_item("hs-1", "v1"), _item("hs-2", "v1")])
