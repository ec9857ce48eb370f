"""HubSpot CRM client. Keep this module import-light: get_provider_info imports connection_type."""
