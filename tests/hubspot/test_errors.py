"""Classification happens before any retry decision."""

from __future__ import annotations

import pytest

from ml_connector.hubspot.errors import (
    HubSpotAuthError,
    HubSpotClientError,
    HubSpotConflictError,
    HubSpotDailyLimitError,
    HubSpotNotFoundError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotValidationError,
    classify,
    parse_body,
)


def test_success_is_not_an_error() -> None:
    assert classify(200, {}) is None and classify(207, {}) is None and classify(204, None) is None


def test_ten_secondly_429_is_retriable_and_keeps_its_policy() -> None:
    err = classify(429, {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                         "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", "correlationId": "c-1"})
    assert isinstance(err, HubSpotRateLimitError) and err.retriable
    assert err.policy == "TEN_SECONDLY_ROLLING" and err.category == "RATE_LIMIT"


def test_daily_429_is_fatal() -> None:
    err = classify(429, {"message": "You have reached your daily limit.", "policyName": "DAILY", "errorType": "RATE_LIMIT"})
    assert isinstance(err, HubSpotDailyLimitError) and not err.retriable
    assert "daily limit" in str(err)


@pytest.mark.parametrize(("status", "cls", "retriable"), [
    (500, HubSpotServerError, True), (502, HubSpotServerError, True), (503, HubSpotServerError, True),
    (400, HubSpotValidationError, False), (401, HubSpotAuthError, False), (403, HubSpotAuthError, False),
    (404, HubSpotNotFoundError, False), (409, HubSpotConflictError, False), (422, HubSpotClientError, False),
])
def test_status_classes(status: int, cls: type, retriable: bool) -> None:
    err = classify(status, {"message": "m", "category": "C"})
    assert type(err) is cls and err.retriable is retriable


def test_message_names_category_correlation_id_and_operation() -> None:
    err = classify(409, {"status": "error", "message": "Contact already exists. Existing ID: 123",
                         "correlationId": "abc-123", "category": "CONFLICT"}, operation="POST /crm/v3/objects/contacts")
    assert isinstance(err, HubSpotConflictError)
    assert err.existing_id == "123"
    text = str(err)
    assert "409" in text and "CONFLICT" in text and "abc-123" in text and "POST /crm/v3/objects/contacts" in text


def test_correlation_id_falls_back_to_the_header_and_text_bodies_survive() -> None:
    err = classify(502, "<html>Bad gateway</html>", {"X-HubSpot-Correlation-Id": "h-9"})
    assert err is not None and err.correlation_id == "h-9" and "Bad gateway" in err.message
    assert parse_body(b"") is None and parse_body(b"not json") == "not json"


def test_known_secrets_never_reach_the_message_or_body() -> None:
    token = "pat-na1-11111111-2222-3333-4444-555555555555"
    err = classify(401, {"message": f"token {token} is invalid", "echo": token}, secrets=[token])
    assert err is not None
    assert token not in str(err) and token not in repr(err.body)
