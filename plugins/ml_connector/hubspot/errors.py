"""HubSpot failures, classified as retriable or fatal before anyone decides to retry.

``classify`` turns one HTTP response into an exception (or ``None`` for success); the hook's
retry loop only ever looks at ``HubSpotError.retriable``. Messages carry HubSpot's own message,
category and correlation id, and are redacted of known secrets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ml_connector.redaction import redact, redact_text

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
SECONDLY = "SECONDLY"
DAILY = "DAILY"


class HubSpotError(Exception):
    """Base class; ``retriable`` says whether the same request may succeed later."""

    retriable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        category: str | None = None,
        correlation_id: str | None = None,
        operation: str | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.status = status
        self.category = category
        self.correlation_id = correlation_id
        self.operation = operation
        self.body = body
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"HubSpot {self.status}" if self.status else "HubSpot"]
        if self.category:
            parts.append(self.category)
        head = " ".join(parts)
        where = f" on {self.operation}" if self.operation else ""
        tail = f" (correlationId {self.correlation_id})" if self.correlation_id else ""
        return f"{head}{where}: {self.message}{tail}"


class HubSpotRetriableError(HubSpotError):
    retriable = True


class HubSpotRateLimitError(HubSpotRetriableError):
    """429 from a rolling window (TEN_SECONDLY_ROLLING, SECONDLY, or unnamed): wait and retry."""

    def __init__(self, message: str, *, policy: str | None, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(message, **kwargs)


class HubSpotDailyLimitError(HubSpotError):
    """429 DAILY: the account's allowance is gone until midnight in its time zone. Fatal."""

    def __init__(self, message: str, *, policy: str | None = DAILY, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(message, **kwargs)


class HubSpotServerError(HubSpotRetriableError):
    """5xx: HubSpot also answers overload with 500 "internal error"."""


class HubSpotConnectionError(HubSpotRetriableError):
    """No HTTP answer at all (refused, reset, timed out)."""


class HubSpotAmbiguousWriteError(HubSpotError):
    """A create failed in a way HubSpot may already have applied (5xx, a connection lost after
    sending). Fatal for that request: resending a create could make a duplicate record."""


class HubSpotClientError(HubSpotError):
    """A 4xx other than 429: retrying the same request cannot help."""


class HubSpotValidationError(HubSpotClientError):
    """400: a bad property, value or request shape."""


class HubSpotAuthError(HubSpotClientError):
    """401/403: bad token or missing scope. Never a signal to refresh a Private App token."""


class HubSpotNotFoundError(HubSpotClientError):
    """404."""


class HubSpotConflictError(HubSpotClientError):
    """409, e.g. "Contact already exists. Existing ID: N"."""

    @property
    def existing_id(self) -> str | None:
        marker = "Existing ID:"
        if self.message and marker in self.message:
            return self.message.split(marker, 1)[1].strip().split()[0].rstrip(".") or None
        return None


class HubSpotPagingError(HubSpotError):
    """The server sent a cursor or page we already saw: following it would loop forever."""


class HubSpotBatchError(HubSpotError):
    """A batch could not be resolved into per-input outcomes."""


def parse_body(raw: bytes | str | None) -> Any:
    """JSON body if there is one, else the text; HubSpot says every error field is optional."""
    if raw in (None, b"", ""):
        return None
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        return text


def classify(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    *,
    operation: str | None = None,
    secrets: Iterable[str | None] = (),
) -> HubSpotError | None:
    """The exception this response stands for, or ``None`` when it is a success (2xx)."""
    if 200 <= status < 300:
        return None
    fields = body if isinstance(body, Mapping) else {}
    known = list(secrets)
    message = fields.get("message") or (body if isinstance(body, str) and body else None) or f"HTTP {status}"
    message = redact_text(str(message)[:2000], known)
    correlation_id = fields.get("correlationId") or (headers or {}).get("X-HubSpot-Correlation-Id")
    category = fields.get("category") or fields.get("errorType")
    common: dict[str, Any] = {
        "status": status,
        "category": category,
        "correlation_id": correlation_id,
        "operation": operation,
        "body": redact(body, known),
    }
    if status == 429:
        policy = fields.get("policyName")
        if policy == DAILY:
            return HubSpotDailyLimitError(message, policy=policy, **common)
        return HubSpotRateLimitError(message, policy=policy, **common)
    if status >= 500:
        return HubSpotServerError(message, **common)
    if status == 400:
        return HubSpotValidationError(message, **common)
    if status in (401, 403):
        return HubSpotAuthError(message, **common)
    if status == 404:
        return HubSpotNotFoundError(message, **common)
    if status == 409:
        return HubSpotConflictError(message, **common)
    if status == 408:
        return HubSpotServerError(message, **common)
    return HubSpotClientError(message, **common)
