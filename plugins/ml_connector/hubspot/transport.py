"""The one call the helper modules need from the hook, so they can be tested without Airflow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Requester(Protocol):
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        search: bool = False,
    ) -> Any:
        """Send one HubSpot API call (rate-limited, retried, audited); the parsed body, or raise."""
        ...
