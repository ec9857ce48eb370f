"""Small request/response helpers shared by the sandbox's routers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ml_connector.sandbox.hubspot.errors import ApiError, validation
from ml_connector.sandbox.hubspot.schema import ObjectType, resolve_type
from ml_connector.sandbox.hubspot.values import iso_ms

MAX_BATCH_INPUTS = 100
MAX_HISTORY_INPUTS = 50


def now_iso() -> str:
    return iso_ms(datetime.now(UTC))


def object_type(segment: str) -> ObjectType:
    resolved = resolve_type(segment)
    if resolved is None:
        raise validation(f"Unable to infer object type from: {segment}")
    return resolved


async def json_body(request: Request, *, allow_empty: bool = False) -> Any:
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return None
        raise validation("Invalid input JSON: the request body is empty")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise validation(f"Invalid input JSON on line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise validation("Invalid input JSON: expected an object")
    return body


def batch_inputs(body: dict[str, Any], *, limit: int = MAX_BATCH_INPUTS) -> list[Any]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise validation("Some required fields were not set: [inputs]")
    if len(inputs) > limit:
        raise validation(
            f"Too many inputs: {len(inputs)}. The maximum number of inputs supported in a batch request is {limit}",
            context={"inputs": [str(len(inputs))]},
        )
    return inputs


def csv_param(request: Request, name: str) -> list[str] | None:
    """HubSpot takes list query params comma-separated, repeated, or both."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def bool_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation(f"Invalid '{name}' value '{raw}': expected an integer") from None
    if value < 1:
        raise validation(f"Invalid '{name}' value '{raw}': must be at least 1")
    return min(value, maximum)


def batch_envelope(results: list[Any], errors: list[dict[str, Any]], started: str, *, ok_status: int = 200) -> Response:
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    body["startedAt"] = started
    body["completedAt"] = now_iso()
    return JSONResponse(body, status_code=207 if errors else ok_status)


def all_traced(inputs: list[Any]) -> bool:
    """Multi-status mode is on only when every input carries an objectWriteTraceId."""
    return bool(inputs) and all(isinstance(i, dict) and i.get("objectWriteTraceId") for i in inputs)


def input_context(item: Any, index: int) -> dict[str, Any]:
    if isinstance(item, dict) and item.get("objectWriteTraceId"):
        return {"objectWriteTraceId": [str(item["objectWriteTraceId"])]}
    if isinstance(item, dict) and item.get("id") is not None:
        return {"ids": [str(item["id"])]}
    return {"inputIndex": [str(index)]}


def require_dict(item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise validation(f"Each {what} must be an object")
    return item


__all__ = ["ApiError"]
