"""The ``/_sandbox/`` admin namespace: request log, state, faults, reset and webhook delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ml_connector.sandbox.hubspot.errors import validation
from ml_connector.sandbox.hubspot.http import json_object, object_type

if TYPE_CHECKING:
    from ml_connector.sandbox.hubspot.sandbox import HubSpotSandbox


def build_router(sandbox: HubSpotSandbox) -> APIRouter:
    router = APIRouter()

    async def requests_log() -> Response:
        return JSONResponse({"results": sandbox.request_log, "stats": sandbox.stats})

    async def state(type_segment: str) -> Response:
        return JSONResponse({"results": sandbox.records(object_type(type_segment).name)})

    async def list_faults() -> Response:
        return JSONResponse({"results": sandbox.faults.list()})

    async def add_fault(request: Request) -> Response:
        body = await json_object(request)
        params: dict[str, Any] = dict(body.get("params") or {})
        params.update({k: v for k, v in body.items() if k not in ("kind", "count", "path_prefix", "params")})
        try:
            sandbox.faults.add(str(body.get("kind", "")), count=body.get("count", 1),
                               path_prefix=body.get("path_prefix"), **params)
        except ValueError as exc:
            raise validation(str(exc)) from None
        return JSONResponse({"results": sandbox.faults.list()}, status_code=201)

    async def clear_faults() -> Response:
        sandbox.faults.clear()
        return Response(status_code=204)

    async def reset() -> Response:
        sandbox.reset()
        return Response(status_code=204)

    async def register_webhook(request: Request) -> Response:
        url = (await json_object(request)).get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise validation("Body must be {\"url\": \"http(s)://...\"}")
        sandbox.register_webhook(url)
        return JSONResponse({"urls": sandbox.webhooks.urls}, status_code=201)

    def flush_webhooks() -> Response:  # sync: runs in the threadpool, so it may POST to this same server
        return JSONResponse({"delivered": sandbox.flush_webhooks(), "pending": len(sandbox.webhooks.pending)})

    async def set_daily_used(request: Request) -> Response:
        used = (await json_object(request)).get("used")
        if not isinstance(used, int) or used < 0:
            raise validation("Body must be {\"used\": <non-negative integer>}")
        sandbox.limiter.set_daily_used(used)
        return Response(status_code=204)

    router.add_api_route("/requests", requests_log, methods=["GET"])
    router.add_api_route("/state/{type_segment}", state, methods=["GET"])
    router.add_api_route("/faults", list_faults, methods=["GET"])
    router.add_api_route("/faults", add_fault, methods=["POST"])
    router.add_api_route("/faults", clear_faults, methods=["DELETE"])
    router.add_api_route("/reset", reset, methods=["POST"])
    router.add_api_route("/webhooks", register_webhook, methods=["POST"])
    router.add_api_route("/webhooks/flush", flush_webhooks, methods=["POST"])
    router.add_api_route("/limits/daily", set_daily_used, methods=["PUT"])
    return router
