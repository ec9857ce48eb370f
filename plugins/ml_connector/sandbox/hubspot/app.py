"""The ASGI app: authentication, rate limits, faults and the request log wrap HubSpot's API routes.

The ``/_sandbox/`` admin namespace sits beside the API and is never authenticated, limited or logged.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ml_connector.sandbox.hubspot import api_admin, api_associations, api_objects
from ml_connector.sandbox.hubspot.errors import ApiError, new_correlation_id, rate_limit_body, unauthenticated
from ml_connector.sandbox.hubspot.limits import Decision
from ml_connector.sandbox.hubspot.scopes import missing_scopes, required_scope

if TYPE_CHECKING:
    from ml_connector.sandbox.hubspot.sandbox import HubSpotSandbox

ADMIN_PREFIX = "/_sandbox"
_ERROR_FAULTS = ("rate_limit", "daily_limit", "http_500", "http_502", "http_503")


def _is_search(path: str) -> bool:
    return path.endswith("/search")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def create_app(sandbox: HubSpotSandbox) -> FastAPI:
    app = FastAPI(title="ml-connector HubSpot sandbox", docs_url=None, redoc_url=None, openapi_url=None)

    def rate_headers(decision: Decision) -> dict[str, str]:
        limiter = sandbox.limiter
        return {
            "X-HubSpot-RateLimit-Daily": str(limiter.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, decision.daily_remaining)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(limiter.interval_ms),
            "X-HubSpot-RateLimit-Max": str(limiter.window_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, decision.window_remaining)),
        }

    def rate_limited(policy: str, correlation_id: str, decision: Decision | None, search: bool) -> Response:
        headers = {} if search or decision is None else rate_headers(decision)
        return JSONResponse(rate_limit_body(policy, correlation_id, sandbox.portal_id), status_code=429,
                            headers=headers)

    def fault_response(kind: str, correlation_id: str, search: bool, token: str) -> Response:
        if kind == "rate_limit":
            return rate_limited("TEN_SECONDLY_ROLLING", correlation_id,
                                Decision(False, None, 0, sandbox.limiter.snapshot(token).daily_remaining), search)
        if kind == "daily_limit":
            return rate_limited("DAILY", correlation_id, Decision(False, None, 0, 0), search)
        status = int(kind.split("_")[1])
        message = {500: "internal error", 502: "Bad Gateway", 503: "Service Unavailable"}[status]
        return JSONResponse({"status": "error", "message": message, "correlationId": correlation_id},
                            status_code=status)

    @app.middleware("http")
    async def hubspot_gateway(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        correlation_id = new_correlation_id()
        request.state.correlation_id = correlation_id
        path = request.url.path
        if path.startswith(ADMIN_PREFIX + "/") or path == ADMIN_PREFIX:
            response = await call_next(request)
            response.headers["X-HubSpot-Correlation-Id"] = correlation_id
            return response
        search = _is_search(path)
        token = _bearer(request)
        decision: Decision | None = None
        policy: str | None = None
        if token is None or not hmac.compare_digest(token.encode(), sandbox.access_token.encode()):
            error = unauthenticated()
            response = JSONResponse(error.body(correlation_id), status_code=401)
        elif (scope := required_scope(request.method, path)) is not None and scope not in sandbox.scopes:
            response = JSONResponse(missing_scopes(scope).body(correlation_id), status_code=403)
        else:
            latency = sandbox.faults.take(path, ("latency",))
            if latency is not None:
                await asyncio.sleep(float(latency.params["seconds"]))
            fault = sandbox.faults.take(path, _ERROR_FAULTS)
            if fault is not None:
                response = fault_response(fault.kind, correlation_id, search, token)
                policy = {"rate_limit": "TEN_SECONDLY_ROLLING", "daily_limit": "DAILY"}.get(fault.kind)
            else:
                decision = sandbox.limiter.admit(token, search=search)
                if not decision.allowed:
                    policy = decision.policy or "TEN_SECONDLY_ROLLING"
                    response = rate_limited(policy, correlation_id, decision, search)
                else:
                    applied_then_failed = sandbox.faults.take(path, ("http_500_after_apply",))
                    response = await call_next(request)
                    if applied_then_failed is not None:  # the write stands; its answer is lost
                        response = fault_response("http_500", correlation_id, search, token)
                    elif not search:
                        response.headers.update(rate_headers(decision))
        response.headers["X-HubSpot-Correlation-Id"] = correlation_id
        sandbox.log_request(request.method, path, response.status_code, policy, correlation_id)
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return JSONResponse(exc.body(_cid(request)), status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            error = ApiError(405, "VALIDATION_ERROR", f"Method {request.method} is not supported on {request.url.path}")
        else:
            error = ApiError(exc.status_code, "OBJECT_NOT_FOUND" if exc.status_code == 404 else "VALIDATION_ERROR",
                             f"No API route for {request.method} {request.url.path}"
                             if exc.status_code == 404 else str(exc.detail))
        return JSONResponse(error.body(_cid(request)), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        error = ApiError(400, "VALIDATION_ERROR", f"Invalid request: {exc.errors()}")
        return JSONResponse(error.body(_cid(request)), status_code=400)

    app.include_router(api_objects.build_router(sandbox))
    app.include_router(api_associations.build_router(sandbox))
    app.include_router(api_admin.build_router(sandbox), prefix=ADMIN_PREFIX)
    return app


def _cid(request: Request) -> str:
    return getattr(request.state, "correlation_id", None) or new_correlation_id()


__all__ = ["create_app"]
