"""The ``sage_intacct`` Airflow connection type, as plain data.

Airflow 3.2+ builds the connection form from this dict without importing the hook, so this
module imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

DEFAULT_ENDPOINT = "https://api.intacct.com/ia/xml/xmlgw.phtml"

CONNECTION_TYPE: dict[str, Any] = {
    "connection-type": "sage_intacct",
    "hook-class-name": "ml_connector.intacct.hook.IntacctHook",
    "hook-name": "Sage Intacct",
    "ui-field-behaviour": {
        "hidden-fields": ["schema", "port"],
        "relabeling": {"host": "Gateway endpoint URL", "login": "Sender ID", "password": "Sender password"},
        "placeholders": {
            "host": DEFAULT_ENDPOINT,
            "login": "Web Services sender ID",
            "password": "Web Services sender password",
        },
    },
    "conn-fields": {
        "company_id": {
            "label": "Company ID",
            "description": "Intacct company ID (console logins may use 'console|client').",
            "schema": {"type": "string", "minLength": 1},
        },
        "user_id": {
            "label": "User ID",
            "description": "Web Services user of the company.",
            "schema": {"type": "string", "minLength": 1},
        },
        "user_password": {
            "label": "User password",
            "schema": {"type": "string", "format": "password"},
        },
        "entity": {
            "label": "Entity (location ID)",
            "description": "Multi-entity companies: the entity to log in to. Empty means the top level.",
            "schema": {"type": ["string", "null"]},
        },
        "user_timezone": {
            "label": "API user's time zone",
            "description": "The GMT offset of the API user's preferences, e.g. '-05:00' (preferred: Intacct "
            "user time zones do not follow DST), or an IANA name such as 'America/New_York'. "
            "WHENMODIFIED filters are written and read in it.",
            "schema": {"type": ["string", "null"], "default": "+00:00"},
        },
        "timeout_seconds": {
            "label": "HTTP timeout (seconds)",
            "description": "A write that times out is treated as ambiguous and replayed only with the same "
            "function control IDs.",
            "schema": {"type": ["number", "null"], "minimum": 1, "default": 300},
        },
        "page_size": {
            "label": "Page size",
            "description": "Records per page: query takes up to 2000, readByQuery up to 1000.",
            "schema": {"type": ["integer", "null"], "minimum": 1, "maximum": 2000, "default": 2000},
        },
        "session_max_age_minutes": {
            "label": "Session maximum age (minutes)",
            "description": "A cached API session is renewed after this long, or earlier when the gateway's "
            "sessiontimeout says so.",
            "schema": {"type": ["integer", "null"], "minimum": 1, "default": 50},
        },
        "max_retries": {
            "label": "Retries on transient failures",
            "description": "HTTP 429/502/503/504, gateway HTML error pages and connection errors.",
            "schema": {"type": ["integer", "null"], "minimum": 0, "maximum": 20, "default": 5},
        },
    },
}
