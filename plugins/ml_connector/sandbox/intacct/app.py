"""The HTTP face of the sandbox: the gateway path, and the ``/_sandbox/`` admin namespace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from ml_connector.sandbox.intacct.faults import FaultConfigError
from ml_connector.sandbox.intacct.gateway import mask_secrets

if TYPE_CHECKING:
    from ml_connector.sandbox.intacct.sandbox import IntacctSandbox

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"


def create_app(sandbox: IntacctSandbox) -> FastAPI:
    app = FastAPI(title="Intacct sandbox", docs_url="/_sandbox/docs", openapi_url="/_sandbox/openapi.json", redoc_url=None)

    @app.post(GATEWAY_PATH)
    async def gateway(request: Request) -> Response:
        body = await request.body()
        endpoint = str(request.url.replace(query=""))
        # Handled in a worker thread: injected latency sleeps there, not on the event loop.
        reply = await run_in_threadpool(sandbox.gateway.handle, body, endpoint)
        headers = {"content-type": reply.content_type, **reply.headers}
        return Response(content=reply.body, status_code=reply.status_code, headers=headers)

    @app.get("/_sandbox/requests")
    def requests_log() -> list[dict[str, Any]]:
        with sandbox.gateway.lock:
            entries = list(sandbox.gateway.request_log)
        return [{**entry, "body": mask_secrets(entry["body"]).decode("utf-8", "replace")} for entry in entries]

    @app.get("/_sandbox/state/{object_name}")
    def state(object_name: str) -> list[dict[str, Any]]:
        try:
            return sandbox.records_as_text(object_name)
        except KeyError as exc:
            raise HTTPException(404, f"unknown object {object_name!r}") from exc

    @app.get("/_sandbox/faults")
    def pending_faults() -> list[dict[str, Any]]:
        with sandbox.gateway.lock:
            return sandbox.faults.pending()

    @app.post("/_sandbox/faults")
    async def add_fault(request: Request) -> list[dict[str, Any]]:
        try:
            spec = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "body must be JSON: {\"kind\": ..., \"count\": ..., \"function\": ...}") from exc
        if not isinstance(spec, dict) or "kind" not in spec:
            raise HTTPException(400, "kind: required")
        params = {name: value for name, value in spec.items() if name not in ("kind", "count", "function")}
        try:
            with sandbox.gateway.lock:
                sandbox.faults.add(str(spec["kind"]), count=spec.get("count", 1), function=spec.get("function"), **params)
                return sandbox.faults.pending()
        except FaultConfigError as exc:
            raise HTTPException(400, str(exc)) from exc

    @app.delete("/_sandbox/faults")
    def clear_faults() -> dict[str, str]:
        with sandbox.gateway.lock:
            sandbox.faults.clear()
        return {"status": "cleared"}

    @app.post("/_sandbox/sessions/expire")
    def expire_sessions() -> dict[str, str]:
        sandbox.expire_sessions()
        return {"status": "expired"}

    @app.post("/_sandbox/clock/advance")
    async def advance_clock(request: Request) -> dict[str, str]:
        spec = await request.json()
        try:
            sandbox.clock.advance(float(spec["seconds"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise HTTPException(400, "seconds: a number >= 0 is required") from exc
        return {"now": sandbox.clock.now().isoformat()}

    @app.post("/_sandbox/reset")
    def reset() -> dict[str, str]:
        sandbox.reset()
        return {"status": "reset"}

    return app
