"""HubSpot's error bodies, built in one place so every endpoint fails the way the real API does."""

from __future__ import annotations

import uuid
from typing import Any


def new_correlation_id() -> str:
    return str(uuid.uuid4())


class ApiError(Exception):
    """An HTTP error the sandbox answers with HubSpot's ``{"status":"error",...}`` body."""

    def __init__(
        self,
        status_code: int,
        category: str,
        message: str,
        *,
        context: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        sub_category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.category = category
        self.message = message
        self.context = context
        self.errors = errors
        self.sub_category = sub_category

    def body(self, correlation_id: str) -> dict[str, Any]:
        """The top-level error body (HubSpot's ``Error`` schema plus ``status``)."""
        out: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id,
            "category": self.category,
        }
        if self.sub_category:
            out["subCategory"] = self.sub_category
        if self.errors:
            out["errors"] = self.errors
        if self.context:
            out["context"] = self.context
        return out

    def batch_item(self, context: dict[str, Any]) -> dict[str, Any]:
        """One entry of a 207 response's ``errors[]`` (HubSpot's ``StandardError``)."""
        out: dict[str, Any] = {
            "status": "error",
            "category": self.category,
            "message": self.message,
            "context": {**(self.context or {}), **context},
            "errors": self.errors or [],
            "links": {},
        }
        if self.sub_category:
            out["subCategory"] = self.sub_category
        return out


def validation(message: str, **kwargs: Any) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, **kwargs)


def not_found(message: str, **kwargs: Any) -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", message, **kwargs)


def conflict(message: str, **kwargs: Any) -> ApiError:
    return ApiError(409, "CONFLICT", message, **kwargs)


def invalid_property_values(problems: list[dict[str, str]]) -> ApiError:
    """HubSpot's "Property values were not valid" 400, one entry per bad property."""
    details = ", ".join(
        f'{{"isValid":false,"message":"{p["message"]}","error":"{p["error"]}","name":"{p["name"]}"}}'
        for p in problems
    )
    return ApiError(
        400,
        "VALIDATION_ERROR",
        f"Property values were not valid: [{details}]",
        errors=[
            {"message": p["message"], "code": p["error"], "context": {"propertyName": [p["name"]]}}
            for p in problems
        ],
    )


def unauthenticated() -> ApiError:
    return ApiError(
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
        "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
    )


def rate_limit_body(policy: str, correlation_id: str, portal_id: int) -> dict[str, Any]:
    """The 429 body: ``errorType`` and ``policyName``, and no ``category`` (as HubSpot sends it)."""
    messages = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "DAILY": "You have reached your daily limit.",
        "SECONDLY": "You have reached your secondly limit.",
    }
    groups = {
        "TEN_SECONDLY_ROLLING": f"publicapi:private-app-api-calls-ten-secondly:{portal_id}",
        "DAILY": f"publicapi:private-app-api-calls-daily:{portal_id}",
        "SECONDLY": f"publicapi:crm-search-secondly:{portal_id}",
    }
    return {
        "status": "error",
        "message": messages[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id,
        "policyName": policy,
        "groupName": groups[policy],
        "requestId": str(uuid.uuid4()),
    }
