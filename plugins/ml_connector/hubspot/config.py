"""Validated HubSpot settings read from an Airflow connection.

Errors name the connection fields involved, so a misconfigured connection is fixed from the
message alone. The token and client secret never appear in the repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from ml_connector.hubspot.connection_type import TIERS

DEFAULT_BASE_URL = "https://api.hubapi.com"
TEN_SECONDS_MS = 10_000

# Requests per rolling 10 s per app, and per day per account (usage-guidelines page; 625k vs
# 650k for professional is disputed between HubSpot's own pages, so the lower figure is used).
TIER_WINDOW_MAX: dict[str, int] = {
    "free": 100,
    "starter": 100,
    "professional": 190,
    "enterprise": 190,
    "api_limit_increase": 250,
}
TIER_DAILY_MAX: dict[str, int] = {
    "free": 250_000,
    "starter": 250_000,
    "professional": 625_000,
    "enterprise": 1_000_000,
    "api_limit_increase": 1_250_000,
}


class HubSpotConfigError(ValueError):
    """The HubSpot connection is unusable as configured; the message names the fields."""


@dataclass(frozen=True)
class HubSpotConfig:
    access_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    tier: str = "starter"
    client_secret: str | None = field(default=None, repr=False)
    search_requests_per_second: float = 4.0
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.access_token or not self.access_token.strip():
            problems.append("password (the Private App access token) is empty")
        elif any(c.isspace() for c in self.access_token):
            problems.append("password (the Private App access token) contains whitespace")
        if self.tier not in TIERS:
            problems.append(f"extra.tier must be one of {', '.join(TIERS)}, not {self.tier!r}")
        parsed = urlparse(self.base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"host (base URL) must look like https://api.hubapi.com, not {self.base_url!r}")
        if not self.search_requests_per_second > 0:
            problems.append(
                f"extra.search_requests_per_second must be > 0, not {self.search_requests_per_second!r}"
            )
        if not self.timeout_seconds > 0:
            problems.append(f"extra.timeout_seconds must be > 0, not {self.timeout_seconds!r}")
        if problems:
            raise HubSpotConfigError("HubSpot connection: " + "; ".join(problems))

    @property
    def window_max(self) -> int:
        """Requests per 10 s the tier allows, before the server's headers say otherwise."""
        return TIER_WINDOW_MAX[self.tier]

    @property
    def daily_max(self) -> int:
        return TIER_DAILY_MAX[self.tier]

    @classmethod
    def from_connection(cls, conn: Any) -> HubSpotConfig:
        """Build from an Airflow Connection: password = token, host = base URL, extras for the rest."""
        extra: Mapping[str, Any] = getattr(conn, "extra_dejson", None) or {}

        def get(name: str) -> Any:
            # Airflow stores form fields either plainly or as extra__hubspot__<name>.
            value = extra.get(name)
            if value in (None, ""):
                value = extra.get(f"extra__hubspot__{name}")
            return None if value == "" else value

        token = conn.password or get("access_token")
        other = get("access_token")
        if conn.password and other and other != conn.password:
            raise HubSpotConfigError(
                "HubSpot connection: password and extra.access_token hold two different tokens; keep one"
            )
        kwargs: dict[str, Any] = {
            "access_token": token or "",
            "base_url": _base_url(conn),
        }
        if (tier := get("tier")) is not None:
            kwargs["tier"] = str(tier).strip().lower()
        if (secret := get("client_secret")) is not None:
            kwargs["client_secret"] = str(secret)
        for name in ("search_requests_per_second", "timeout_seconds"):
            if (raw := get(name)) is not None:
                try:
                    kwargs[name] = float(raw)
                except (TypeError, ValueError):
                    raise HubSpotConfigError(
                        f"HubSpot connection: extra.{name} must be a number, not {raw!r}"
                    ) from None
        return cls(**kwargs)


def _base_url(conn: Any) -> str:
    host = (conn.host or "").strip()
    if not host:
        return DEFAULT_BASE_URL
    if "://" not in host:
        host = f"{conn.schema or 'https'}://{host}"
    if conn.port and urlparse(host).port is None:
        host = f"{host}:{conn.port}"
    return host.rstrip("/")
