"""The ``hubspot`` Airflow connection type, as plain data.

Airflow 3.2+ builds the connection form from this dict without importing the hook, so this
module imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

TIERS: tuple[str, ...] = ("free", "starter", "professional", "enterprise", "api_limit_increase")

CONNECTION_TYPE: dict[str, Any] = {
    "connection-type": "hubspot",
    "hook-class-name": "ml_connector.hubspot.hook.HubSpotHook",
    "hook-name": "HubSpot",
    "ui-field-behaviour": {
        "hidden-fields": ["schema", "port", "login"],
        "relabeling": {"host": "Base URL", "password": "Private App access token"},
        "placeholders": {
            "host": "https://api.hubapi.com",
            "password": "pat-na1-...",
        },
    },
    "conn-fields": {
        "tier": {
            "label": "Account tier",
            "description": "Sizes the 10-second request budget: free/starter 100, professional/enterprise 190, "
            "api_limit_increase 250. The X-HubSpot-RateLimit-* response headers correct it at run time.",
            "schema": {"type": "string", "enum": list(TIERS), "default": "starter"},
        },
        "access_token": {
            "label": "Private App access token (alternative)",
            "description": "Only when the Password field is left empty; sent as 'Authorization: Bearer'.",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "client_secret": {
            "label": "Webhook client secret",
            "description": "The app's client secret, used to verify X-HubSpot-Signature-v3 on webhooks.",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "search_requests_per_second": {
            "label": "Search requests per second",
            "description": "Budget for the CRM search endpoints, which HubSpot limits separately.",
            "schema": {"type": ["number", "null"], "minimum": 0.1, "default": 4},
        },
        "timeout_seconds": {
            "label": "HTTP timeout (seconds)",
            "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
        },
    },
}
