"""CRM object endpoints: single and batch CRUD, upsert, list, search, and the properties API."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ml_connector.sandbox.hubspot.errors import ApiError, not_found, validation
from ml_connector.sandbox.hubspot.http import (
    MAX_HISTORY_INPUTS,
    all_traced,
    batch_envelope,
    batch_inputs,
    bool_param,
    csv_param,
    input_context,
    int_param,
    json_object,
    now_iso,
    object_type,
    require_dict,
)
from ml_connector.sandbox.hubspot.portal import Portal, Record
from ml_connector.sandbox.hubspot.search import plan_search

if TYPE_CHECKING:
    from ml_connector.sandbox.hubspot.sandbox import HubSpotSandbox

OBJECT_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03")


def render(portal: Portal, record: Record, properties: list[str] | None = None, *,
           history: list[str] | None = None, associations: list[str] | None = None,
           all_set: bool = False) -> dict[str, Any]:
    """A SimplePublicObject: requested-but-unset properties are ``null``; unknown names are skipped."""
    t = portal.object_type(record.object_type)
    always = ("hs_object_id", t.created_property, t.modified_property)
    defs = portal.properties[record.object_type]
    if all_set:
        names = list(record.properties)
    else:
        wanted = properties if properties is not None else list(t.default_properties)
        names = [n for n in (*wanted, *always) if n in defs]
    props = {n: record.properties.get(n) for n in dict.fromkeys(names)}
    out: dict[str, Any] = {
        "id": str(record.id),
        "properties": props,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "archived": record.archived,
    }
    if record.archived_at:
        out["archivedAt"] = record.archived_at
    if history:
        out["propertiesWithHistory"] = {
            n: [{"value": v, "timestamp": ts, "sourceType": "API", "sourceId": "sandbox"}
                for v, ts in reversed(record.history.get(n, []))]
            for n in history if n in defs
        }
    if associations:
        assoc: dict[str, Any] = {}
        for segment in associations:
            target = object_type(segment)
            links = portal.links(record.object_type, record.id, target.name)
            if not links:
                continue
            results = []
            for to_id, type_ids in links.items():
                for type_id in sorted(type_ids):
                    spec = portal.type_by_id(type_id, record.object_type, target.name)
                    results.append({"id": str(to_id), "type": spec.name if spec else str(type_id)})
            assoc[target.name] = {"results": results}
        if assoc:
            out["associations"] = assoc
    return out


def _traced(item: Any, rendered: dict[str, Any]) -> dict[str, Any]:
    if isinstance(item, dict) and item.get("objectWriteTraceId"):
        rendered["objectWriteTraceId"] = str(item["objectWriteTraceId"])
    return rendered


def run_batch(inputs: list[Any], plan: Callable[[Any], Callable[[], Any]]) -> tuple[list[tuple[Any, Any]], list[dict[str, Any]]]:
    """Plan every input first; without trace ids the first failure fails the whole batch (nothing written)."""
    traced = all_traced(inputs)
    applies: list[tuple[Any, Callable[[], Any]]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(inputs):
        try:
            applies.append((item, plan(item)))
        except ApiError as exc:
            if not traced:
                raise
            errors.append(exc.batch_item(input_context(item, index)))
    return [(item, apply()) for item, apply in applies], errors


def _check_id_property(portal: Portal, type_name: str, id_property: Any) -> str | None:
    if id_property in (None, ""):
        return None
    if not isinstance(id_property, str) or not portal.can_identify_by(type_name, id_property):
        t = portal.object_type(type_name)
        raise validation(
            f"Unable to perform update/upsert by non-unique {t.type_id} property {id_property}. "
            "idProperty must be a property with hasUniqueValue set to true.",
            context={"idProperty": [str(id_property)]},
        )
    return id_property


def build_router(sandbox: HubSpotSandbox) -> APIRouter:
    router = APIRouter()
    portal = sandbox.portal

    async def create_one(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        body = await json_object(request)
        record = portal.plan_create(t.name, body.get("properties"), body.get("associations"))()
        return JSONResponse(render(portal, record, all_set=True), status_code=201)

    async def list_objects(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        limit = int_param(request, "limit", 10, 100)
        rows, next_after = portal.page(t.name, after=request.query_params.get("after"), limit=limit,
                                       archived=bool_param(request, "archived"))
        properties = csv_param(request, "properties")
        history = csv_param(request, "propertiesWithHistory")
        assoc = csv_param(request, "associations")
        body: dict[str, Any] = {
            "results": [render(portal, r, properties, history=history, associations=assoc) for r in rows]
        }
        if next_after is not None:
            base = str(request.url).split("?")[0]
            body["paging"] = {"next": {"after": next_after, "link": f"{base}?after={next_after}&limit={limit}"}}
        return JSONResponse(body)

    async def get_one(type_segment: str, object_id: str, request: Request) -> Response:
        t = object_type(type_segment)
        id_property = request.query_params.get("idProperty")
        record = portal.get(t.name, object_id, id_property, archived=bool_param(request, "archived"))
        if record is None:
            raise not_found("Object not found.  objectId are usually numeric.", context={"id": [object_id]})
        return JSONResponse(render(portal, record, csv_param(request, "properties"),
                                   history=csv_param(request, "propertiesWithHistory"),
                                   associations=csv_param(request, "associations")))

    async def update_one(type_segment: str, object_id: str, request: Request) -> Response:
        t = object_type(type_segment)
        body = await json_object(request)
        id_property = _check_id_property(portal, t.name, request.query_params.get("idProperty"))
        record = portal.require(t.name, object_id, id_property)
        portal.plan_update(t.name, record, body.get("properties"))()
        return JSONResponse(render(portal, record, all_set=True))

    async def archive_one(type_segment: str, object_id: str) -> Response:
        t = object_type(type_segment)
        record = portal.get(t.name, object_id)
        if record is not None:
            portal.archive(t.name, record)
        return Response(status_code=204)

    async def batch_create(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        started = now_iso()
        inputs = batch_inputs(await json_object(request))
        claims: dict[tuple[str, str, str], object] = {}

        def plan(item: Any) -> Callable[[], Any]:
            item = require_dict(item, "input")
            return portal.plan_create(t.name, item.get("properties"), item.get("associations"), claims=claims)

        done, errors = run_batch(inputs, plan)
        results = [_traced(item, render(portal, rec, all_set=True)) for item, rec in done]
        return batch_envelope(results, errors, started, ok_status=201)

    async def batch_update(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        started = now_iso()
        inputs = batch_inputs(await json_object(request))
        for item in inputs:
            if isinstance(item, dict):
                _check_id_property(portal, t.name, item.get("idProperty"))
        claims: dict[tuple[str, str, str], object] = {}
        seen: set[int] = set()

        def plan(item: Any) -> Callable[[], Any]:
            item = require_dict(item, "input")
            record = portal.require(t.name, str(item.get("id", "")), item.get("idProperty") or None)
            if record.id in seen:
                raise validation(f"Duplicate IDs found in batch input: [{item.get('id')}]. IDs must be unique")
            seen.add(record.id)
            return portal.plan_update(t.name, record, item.get("properties"), claims=claims)

        done, errors = run_batch(inputs, plan)
        results = [_traced(item, render(portal, rec, all_set=True)) for item, rec in done]
        return batch_envelope(results, errors, started)

    async def batch_upsert(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        started = now_iso()
        inputs = batch_inputs(await json_object(request))
        keys: list[tuple[str | None, str]] = []
        for item in inputs:
            item = require_dict(item, "input")
            id_property = _check_id_property(portal, t.name, item.get("idProperty"))
            key = str(item.get("id") or "")
            if not key:
                raise validation("Some required fields were not set: [id]")
            keys.append((id_property, key.lower() if id_property == "email" else key))
        duplicates = sorted({k for _, k in keys if sum(1 for _, k2 in keys if k2 == k) > 1})
        if duplicates:
            raise validation(f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique",
                             context={"ids": duplicates})
        claims: dict[tuple[str, str, str], object] = {}

        def plan(item: Any) -> Callable[[], Any]:
            id_property = item.get("idProperty") or None
            key = str(item["id"])
            existing = portal.get(t.name, key, id_property)
            if existing is not None:
                apply = portal.plan_update(t.name, existing, item.get("properties"), claims=claims)
                return lambda: (apply(), False)
            if id_property is None:
                raise not_found(f"No {t.name} with id {key} exists to update, and no idProperty was given "
                                "to create one", context={"ids": [key]})
            props = {**(item.get("properties") or {}), id_property: key}
            create = portal.plan_create(t.name, props, item.get("associations"), claims=claims)
            return lambda: (create(), True)

        done, errors = run_batch(inputs, plan)
        results = [_traced(item, {**render(portal, rec, all_set=True), "new": new})
                   for item, (rec, new) in done]
        return batch_envelope(results, errors, started)

    async def batch_read(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        started = now_iso()
        body = await json_object(request)
        history = body.get("propertiesWithHistory") or None
        inputs = batch_inputs(body, limit=MAX_HISTORY_INPUTS if history else 100)
        id_property = body.get("idProperty") or None
        if id_property is not None:
            _check_id_property(portal, t.name, id_property)
        if not isinstance(body.get("properties", []), list):
            raise validation("properties must be a list of property names")
        archived = bool_param(request, "archived")
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        for item in inputs:
            key = str(require_dict(item, "input").get("id", ""))
            record = portal.get(t.name, key, id_property, archived=archived)
            if record is None:
                missing.append(key)
            else:
                results.append(render(portal, record, body.get("properties"), history=history))
        errors = []
        if missing:
            errors.append(not_found(
                f"Could not get some {t.singular.upper()} objects, they may be deleted or not exist. "
                "Check that ids are valid."
            ).batch_item({"ids": missing}))
        return batch_envelope(results, errors, started)

    async def batch_archive(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        inputs = batch_inputs(await json_object(request))
        for item in inputs:
            record = portal.get(t.name, str(require_dict(item, "input").get("id", "")))
            if record is not None:
                portal.archive(t.name, record)
        return Response(status_code=204)

    async def search(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        body = await json_object(request)
        props = portal.properties[t.name]
        plan = plan_search(body, props)
        lag = sandbox.faults.take(request.url.path, ("search_lag",))
        total, rows = portal.search(t.name, plan, lag.params["seconds"] if lag else None)
        out: dict[str, Any] = {"total": total, "results": [render(portal, r, plan.properties) for r in rows]}
        next_offset = plan.offset + len(rows)
        if next_offset < total:
            out["paging"] = {"next": {"after": str(next_offset)}}
        return JSONResponse(out)

    for prefix in OBJECT_PREFIXES:
        base = prefix + "/{type_segment}"
        router.add_api_route(base, list_objects, methods=["GET"])
        router.add_api_route(base, create_one, methods=["POST"])
        router.add_api_route(base + "/search", search, methods=["POST"])
        router.add_api_route(base + "/batch/create", batch_create, methods=["POST"])
        router.add_api_route(base + "/batch/read", batch_read, methods=["POST"])
        router.add_api_route(base + "/batch/update", batch_update, methods=["POST"])
        router.add_api_route(base + "/batch/upsert", batch_upsert, methods=["POST"])
        router.add_api_route(base + "/batch/archive", batch_archive, methods=["POST"])
        router.add_api_route(base + "/{object_id}", get_one, methods=["GET"])
        router.add_api_route(base + "/{object_id}", update_one, methods=["PATCH"])
        router.add_api_route(base + "/{object_id}", archive_one, methods=["DELETE"])

    async def list_properties(type_segment: str) -> Response:
        t = object_type(type_segment)
        return JSONResponse({"results": [p.to_api() for p in portal.properties[t.name].values()]})

    async def get_property(type_segment: str, name: str) -> Response:
        t = object_type(type_segment)
        prop = portal.properties[t.name].get(name)
        if prop is None:
            raise not_found(f"Unable to find property {name} for object type {t.name}")
        return JSONResponse(prop.to_api())

    async def create_property(type_segment: str, request: Request) -> Response:
        t = object_type(type_segment)
        prop = portal.create_property(t.name, await json_object(request))
        return JSONResponse(prop.to_api(), status_code=201)

    async def update_property(type_segment: str, name: str, request: Request) -> Response:
        t = object_type(type_segment)
        return JSONResponse(portal.update_property(t.name, name, await json_object(request)).to_api())

    router.add_api_route("/crm/v3/properties/{type_segment}", list_properties, methods=["GET"])
    router.add_api_route("/crm/v3/properties/{type_segment}", create_property, methods=["POST"])
    router.add_api_route("/crm/v3/properties/{type_segment}/{name}", get_property, methods=["GET"])
    router.add_api_route("/crm/v3/properties/{type_segment}/{name}", update_property, methods=["PATCH"])
    return router
