"""Which OAuth/private-app scope each API call needs, so a token without it gets HubSpot's 403 MISSING_SCOPES."""

from __future__ import annotations

from ml_connector.sandbox.hubspot.errors import ApiError
from ml_connector.sandbox.hubspot.schema import OBJECT_TYPES, resolve_type

ALL_SCOPES = frozenset(
    scope
    for name in OBJECT_TYPES
    for scope in (f"crm.objects.{name}.read", f"crm.objects.{name}.write",
                  f"crm.schemas.{name}.read", f"crm.schemas.{name}.write")
)
_READ_POSTS = ("/search", "/batch/read")


def required_scope(method: str, path: str) -> str | None:
    """The scope a request needs, or None for paths that need none (or unknown paths, which 404 anyway)."""
    parts = [p for p in path.split("/") if p]
    reading = method in ("GET", "HEAD") or path.endswith(_READ_POSTS)
    kind = "read" if reading else "write"
    segment: str | None = None
    family = "objects"
    if parts[:3] == ["crm", "v3", "objects"] or parts[:3] == ["crm", "objects", "2026-03"]:
        segment = parts[3] if len(parts) > 3 else None
    elif parts[:3] == ["crm", "v3", "properties"]:
        segment, family = (parts[3] if len(parts) > 3 else None), "schemas"
    elif parts[:3] in (["crm", "v4", "objects"], ["crm", "v4", "associations"], ["crm", "associations", "v4"]):
        segment = parts[3] if len(parts) > 3 else None
        if path.endswith("/labels"):
            kind = "read"
    resolved = resolve_type(segment) if segment else None
    if resolved is None:
        return None
    return f"crm.{family}.{resolved.name}.{kind}"


def missing_scopes(scope: str) -> ApiError:
    return ApiError(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes "
        "here: https://developers.hubspot.com/scopes.",
        errors=[{"message": "One or more of the following scopes are required.",
                 "context": {"requiredGranularScopes": [scope]}}],
    )
