"""Airflow provider metadata: lets Airflow list the ``sage_intacct`` and ``hubspot`` connection types.

Airflow 3.2+ reads connection forms from here without importing the hooks, so this module
and the ``connection_type`` modules it reads stay free of heavy imports.
"""

from __future__ import annotations

import logging
from typing import Any

from ml_connector import __version__


def _connection_types() -> list[dict[str, Any]]:
    types: list[dict[str, Any]] = []
    for module in ("ml_connector.intacct.connection_type", "ml_connector.hubspot.connection_type"):
        try:
            mod = __import__(module, fromlist=["CONNECTION_TYPE"])
        except ImportError:  # Airflow must still start, but the missing form has to be explained
            logging.getLogger(__name__).warning("ml-connector: cannot load %s", module, exc_info=True)
            continue
        types.append(mod.CONNECTION_TYPE)
    return types


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "ml-connector",
        "name": "ml-connector (Sage Intacct and HubSpot)",
        "description": "Keeps Sage Intacct and HubSpot in agreement: AP bills to invoices, companies to vendors.",
        "versions": [__version__],
        "integrations": [
            {"integration-name": "Sage Intacct", "external-doc-url": "https://developer.intacct.com/web-services/"},
            {"integration-name": "HubSpot", "external-doc-url": "https://developers.hubspot.com/docs/api/overview"},
        ],
        "hooks": [
            {"integration-name": "Sage Intacct", "python-modules": ["ml_connector.intacct.hook"]},
            {"integration-name": "HubSpot", "python-modules": ["ml_connector.hubspot.hook"]},
        ],
        "connection-types": _connection_types(),
    }
