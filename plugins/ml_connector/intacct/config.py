"""Validated settings for one Intacct gateway login, built from an Airflow Connection.

Errors name the connection fields involved, so a user can fix the form without reading code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ml_connector.intacct.connection_type import DEFAULT_ENDPOINT

_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})$")
MAX_QUERY_PAGE_SIZE = 2000


class IntacctConfigError(ValueError):
    """The connection is incomplete or contradictory; the message names the fields."""


def parse_timezone(value: str) -> tzinfo:
    """``-05:00`` / ``+0530`` / ``UTC`` / an IANA name -> tzinfo (fixed offsets preferred: no DST in Intacct)."""
    text = value.strip()
    if text.upper() in {"UTC", "GMT", "Z", ""}:
        return UTC
    match = _OFFSET.match(text)
    if match:
        minutes = int(match["h"]) * 60 + int(match["m"])
        if minutes > 14 * 60:
            raise IntacctConfigError(f"user_timezone {value!r}: offset beyond ±14:00")
        return timezone(timedelta(minutes=minutes if match["sign"] == "+" else -minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise IntacctConfigError(
            f"user_timezone {value!r} is neither a GMT offset like '-05:00' nor an IANA time zone name"
        ) from exc


@dataclass(frozen=True)
class IntacctConfig:
    """Everything needed to log in and talk to one company; secrets are hidden from repr."""

    sender_id: str
    sender_password: str = field(repr=False)
    company_id: str
    user_id: str
    user_password: str = field(repr=False)
    endpoint: str = DEFAULT_ENDPOINT
    entity: str | None = None
    user_timezone: str = "+00:00"
    timeout_seconds: float = 300.0
    page_size: int = MAX_QUERY_PAGE_SIZE
    session_max_age_minutes: int = 50
    session_expiry_margin_seconds: int = 300
    max_retries: int = 5
    retry_min_wait_seconds: float = 1.0
    retry_max_wait_seconds: float = 60.0

    def __post_init__(self) -> None:
        missing = [
            name
            for name, label in (
                ("sender_id", "login (Sender ID)"),
                ("sender_password", "password (Sender password)"),
                ("company_id", "extra company_id"),
                ("user_id", "extra user_id"),
                ("user_password", "extra user_password"),
            )
            if not getattr(self, name)
        ]
        if missing:
            raise IntacctConfigError(f"Intacct connection is missing required field(s): {', '.join(missing)}")
        parsed = urlparse(self.endpoint)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise IntacctConfigError(f"host (endpoint URL) {self.endpoint!r} must be an http(s) URL")
        if not 1 <= self.page_size <= MAX_QUERY_PAGE_SIZE:
            raise IntacctConfigError(f"page_size {self.page_size} must be between 1 and {MAX_QUERY_PAGE_SIZE}")
        if self.timeout_seconds <= 0:
            raise IntacctConfigError(f"timeout_seconds {self.timeout_seconds} must be positive")
        if self.session_max_age_minutes < 1:
            raise IntacctConfigError(f"session_max_age_minutes {self.session_max_age_minutes} must be >= 1")
        if self.session_expiry_margin_seconds < 0:
            raise IntacctConfigError("session_expiry_margin_seconds must be >= 0")
        if self.max_retries < 0:
            raise IntacctConfigError(f"max_retries {self.max_retries} must be >= 0")
        if self.retry_min_wait_seconds < 0 or self.retry_max_wait_seconds < self.retry_min_wait_seconds:
            raise IntacctConfigError(
                "retry_min_wait_seconds and retry_max_wait_seconds must satisfy 0 <= min <= max"
            )
        parse_timezone(self.user_timezone)

    @property
    def tz(self) -> tzinfo:
        return parse_timezone(self.user_timezone)

    @property
    def session_max_age(self) -> timedelta:
        return timedelta(minutes=self.session_max_age_minutes)

    @property
    def cache_key(self) -> str:
        """Identifies the login without containing any password: one cached session per key."""
        parts = "\x1f".join((self.endpoint, self.sender_id, self.company_id, self.user_id, self.entity or ""))
        return "intacct:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:40]

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.sender_password, self.user_password)

    @classmethod
    def from_connection(cls, conn: Any, **overrides: Any) -> IntacctConfig:
        """Map an Airflow Connection (host/login/password + extras) onto the config."""
        extra: dict[str, Any] = dict(conn.extra_dejson or {})
        values: dict[str, Any] = {
            "endpoint": (conn.host or "").strip() or DEFAULT_ENDPOINT,
            "sender_id": conn.login or extra.get("sender_id") or "",
            "sender_password": conn.password or extra.get("sender_password") or "",
            "company_id": extra.get("company_id") or "",
            "user_id": extra.get("user_id") or "",
            "user_password": extra.get("user_password") or "",
            "entity": extra.get("entity") or None,
        }
        if "://" not in values["endpoint"]:
            values["endpoint"] = f"{conn.schema or 'https'}://{values['endpoint']}"
        typed: dict[str, type] = {
            "user_timezone": str,
            "timeout_seconds": float,
            "page_size": int,
            "session_max_age_minutes": int,
            "session_expiry_margin_seconds": int,
            "max_retries": int,
            "retry_min_wait_seconds": float,
            "retry_max_wait_seconds": float,
        }
        for name, kind in typed.items():
            raw = extra.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[name] = kind(raw)
            except (TypeError, ValueError) as exc:
                raise IntacctConfigError(f"extra {name}={raw!r} is not a valid {kind.__name__}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
