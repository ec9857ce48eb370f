"""The local HubSpot CRM API (sandbox). Shares no code with ml_connector.hubspot."""
