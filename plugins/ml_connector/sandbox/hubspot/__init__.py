"""The local HubSpot CRM API (sandbox). Shares no code with ml_connector.hubspot."""

from __future__ import annotations

from ml_connector.sandbox.hubspot.sandbox import DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_SECRET, HubSpotSandbox

__all__ = ["DEFAULT_ACCESS_TOKEN", "DEFAULT_CLIENT_SECRET", "HubSpotSandbox"]
