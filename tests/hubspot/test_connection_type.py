"""Airflow sees the ``hubspot`` connection type, its form fields and which of them are secret."""

from __future__ import annotations

import json
import warnings

from ml_connector.hubspot.connection_type import CONNECTION_TYPE


def test_connection_type_is_plain_json_with_sensitive_fields_marked() -> None:
    json.dumps(CONNECTION_TYPE)
    fields = CONNECTION_TYPE["conn-fields"]
    assert fields["client_secret"]["schema"]["format"] == "password"
    assert fields["access_token"]["schema"]["format"] == "password"
    assert set(fields["tier"]["schema"]["enum"]) == {"free", "starter", "professional", "enterprise", "api_limit_increase"}
    assert CONNECTION_TYPE["hook-class-name"] == "ml_connector.hubspot.hook.HubSpotHook"


def test_airflow_registers_the_hubspot_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        manager = ProvidersManager()
        hook = manager.hooks["hubspot"]
        widgets = {k: v for k, v in manager.connection_form_widgets.items() if k.startswith("extra__hubspot__")}
        behaviour = manager.field_behaviours["hubspot"]
    assert hook is not None
    assert (hook.hook_class_name, hook.connection_id_attribute_name) == (
        "ml_connector.hubspot.hook.HubSpotHook", "hubspot_conn_id")
    assert {w.field_name for w in widgets.values() if w.is_sensitive} == {"access_token", "client_secret"}
    assert behaviour["relabeling"]["password"] == "Private App access token"


def test_hook_class_matches_the_declared_names() -> None:
    from ml_connector.hubspot.hook import HubSpotHook

    assert (HubSpotHook.conn_type, HubSpotHook.default_conn_name, HubSpotHook.conn_name_attr) == (
        "hubspot", "hubspot_default", "hubspot_conn_id")
