"""Associations v4: default and labelled, single and batch, reads with paging, and the labels endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ml_connector.sandbox.hubspot.errors import ApiError, not_found, validation
from ml_connector.sandbox.hubspot.http import (
    batch_envelope,
    batch_inputs,
    int_param,
    json_body,
    json_object,
    now_iso,
    object_type,
    require_dict,
)
from ml_connector.sandbox.hubspot.portal import Portal

if TYPE_CHECKING:
    from ml_connector.sandbox.hubspot.sandbox import HubSpotSandbox

READ_PAGE_SIZE = 500


def _types_view(portal: Portal, from_type: str, to_type: str, type_ids: set[int]) -> list[dict[str, Any]]:
    out = []
    for type_id in sorted(type_ids):
        spec = portal.type_by_id(type_id, from_type, to_type)
        out.append({"category": spec.category if spec else "HUBSPOT_DEFINED", "typeId": type_id,
                    "label": spec.label if spec else None})
    return out


def _specs(portal: Portal, from_type: str, to_type: str, raw: Any) -> list[int]:
    if not isinstance(raw, list):
        raise validation(
            "Cannot deserialize value of type `java.util.HashSet<com.hubspot.crm.associations.AssociationSpec>` "
            f"from {type(raw).__name__} value: expected a JSON array of AssociationSpec"
        )
    if not raw:
        raise validation("At least one AssociationSpec is required")
    return [portal.check_association_type(from_type, to_type, spec) for spec in raw]


def _id_of(item: dict[str, Any], side: str) -> str:
    value = item.get(side)
    if not isinstance(value, dict) or value.get("id") in (None, ""):
        raise validation(f"Some required fields were not set: [{side}.id]")
    return str(value["id"])


def build_router(sandbox: HubSpotSandbox) -> APIRouter:
    router = APIRouter()
    portal = sandbox.portal

    async def put_default(from_segment: str, from_id: str, to_segment: str, to_id: str) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        spec = portal.default_association(f.name, t.name)
        started = now_iso()
        portal.plan_association(f.name, from_id, t.name, to_id, [spec.type_id])()
        inverse = portal.default_association(t.name, f.name)
        results = [
            {"from": {"id": from_id}, "to": {"id": to_id},
             "associationSpec": {"associationCategory": spec.category, "associationTypeId": spec.type_id}},
            {"from": {"id": to_id}, "to": {"id": from_id},
             "associationSpec": {"associationCategory": inverse.category, "associationTypeId": inverse.type_id}},
        ]
        return batch_envelope(results, [], started)

    async def put_labelled(from_segment: str, from_id: str, to_segment: str, to_id: str,
                           request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        type_ids = _specs(portal, f.name, t.name, await json_body(request))
        portal.plan_association(f.name, from_id, t.name, to_id, type_ids)()
        return JSONResponse(_labels_result(f.name, from_id, t.name, to_id), status_code=201)

    def _labels_result(f: str, from_id: str, t: str, to_id: str) -> dict[str, Any]:
        types = portal.links(f, int(from_id), t).get(int(to_id), set())
        labels = [v["label"] for v in _types_view(portal, f, t, types) if v["label"]]
        return {"fromObjectTypeId": portal.object_type(f).type_id, "fromObjectId": int(from_id),
                "toObjectTypeId": portal.object_type(t).type_id, "toObjectId": int(to_id), "labels": labels}

    async def delete_pair(from_segment: str, from_id: str, to_segment: str, to_id: str) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        try:
            portal.unlink(f.name, int(from_id), t.name, int(to_id))
        except ValueError:
            raise validation("Object ids must be numeric") from None
        return Response(status_code=204)

    async def list_for(from_segment: str, from_id: str, to_segment: str, request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        record = portal.require(f.name, from_id)
        limit = int_param(request, "limit", READ_PAGE_SIZE, READ_PAGE_SIZE)
        body = _page(f.name, record.id, t.name, request.query_params.get("after"), limit)
        return JSONResponse(body)

    def _page(f: str, from_id: int, t: str, after: Any, limit: int) -> dict[str, Any]:
        links = list(portal.links(f, from_id, t).items())
        try:
            start = int(after) if after not in (None, "") else 0
        except (TypeError, ValueError):
            raise validation(f"Invalid 'after' value '{after}'") from None
        window = links[start:start + limit]
        out: dict[str, Any] = {
            "results": [{"toObjectId": to_id, "associationTypes": _types_view(portal, f, t, types)}
                        for to_id, types in window]
        }
        if start + limit < len(links):
            out["paging"] = {"next": {"after": str(start + limit)}}
        return out

    def _batch(inputs: list[Any], plan: Callable[[dict[str, Any]], Any]) -> tuple[list[Any], list[dict[str, Any]]]:
        """Shape/type errors fail the batch; a missing record is reported per input (207)."""
        results, errors = [], []
        planned = []
        for item in inputs:
            item = require_dict(item, "input")
            try:
                planned.append((item, plan(item)))
            except ApiError as exc:
                if exc.status_code != 404:
                    raise
                errors.append(exc.batch_item({"fromObjectId": [str((item.get("from") or {}).get("id"))]}))
        for item, apply in planned:
            results.append(apply(item))
        return results, errors

    async def batch_create(from_segment: str, to_segment: str, request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        started = now_iso()
        inputs = batch_inputs(await json_object(request))

        def plan(item: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
            type_ids = _specs(portal, f.name, t.name, item.get("types"))
            from_id, to_id = _id_of(item, "from"), _id_of(item, "to")
            write = portal.plan_association(f.name, from_id, t.name, to_id, type_ids)
            return lambda _item: (write(), _labels_result(f.name, from_id, t.name, to_id))[1]

        results, errors = _batch(inputs, plan)
        return batch_envelope(results, errors, started, ok_status=201)

    async def batch_default(from_segment: str, to_segment: str, request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        started = now_iso()
        spec = portal.default_association(f.name, t.name)
        inputs = batch_inputs(await json_object(request))

        def plan(item: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
            from_id, to_id = _id_of(item, "from"), _id_of(item, "to")
            write = portal.plan_association(f.name, from_id, t.name, to_id, [spec.type_id])
            result = {"from": {"id": from_id}, "to": {"id": to_id},
                      "associationSpec": {"associationCategory": spec.category,
                                          "associationTypeId": spec.type_id}}
            return lambda _item: (write(), result)[1]

        results, errors = _batch(inputs, plan)
        return batch_envelope(results, errors, started)

    async def batch_read(from_segment: str, to_segment: str, request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        started = now_iso()
        inputs = batch_inputs(await json_object(request), limit=1000)
        results, missing = [], []
        for item in inputs:
            item = require_dict(item, "input")
            key = str(item.get("id", ""))
            record = portal.get(f.name, key)
            if record is None:
                missing.append(key)
                continue
            page = _page(f.name, record.id, t.name, item.get("after"), READ_PAGE_SIZE)
            if not page["results"]:
                missing.append(key)
                continue
            entry: dict[str, Any] = {"from": {"id": key}, "to": page["results"]}
            if "paging" in page:
                entry["paging"] = page["paging"]
            results.append(entry)
        errors = []
        if missing:
            errors.append(not_found(
                f"No {t.name} is associated with {f.name} {', '.join(missing)}",
                sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
            ).batch_item({"fromObjectId": missing}))
        return batch_envelope(results, errors, started)

    async def batch_archive(from_segment: str, to_segment: str, request: Request) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        for item in batch_inputs(await json_object(request)):
            item = require_dict(item, "input")
            from_id = _id_of(item, "from")
            targets = item.get("to")
            if not isinstance(targets, list):
                raise validation("Some required fields were not set: [to]")
            for target in targets:
                to_id = str((target or {}).get("id", "")) if isinstance(target, dict) else ""
                if from_id.isdigit() and to_id.isdigit():
                    portal.unlink(f.name, int(from_id), t.name, int(to_id))
        return Response(status_code=204)

    async def labels(from_segment: str, to_segment: str) -> Response:
        f, t = object_type(from_segment), object_type(to_segment)
        results = [{"category": a.category, "typeId": a.type_id, "label": a.label}
                   for a in portal.association_types_for(f.name, t.name)]
        return JSONResponse({"results": results})

    objects = "/crm/v4/objects/{from_segment}/{from_id}/associations"
    router.add_api_route(objects + "/default/{to_segment}/{to_id}", put_default, methods=["PUT"])
    router.add_api_route(objects + "/{to_segment}/{to_id}", put_labelled, methods=["PUT"])
    router.add_api_route(objects + "/{to_segment}/{to_id}", delete_pair, methods=["DELETE"])
    router.add_api_route(objects + "/{to_segment}", list_for, methods=["GET"])
    batch = "/crm/v4/associations/{from_segment}/{to_segment}/batch"
    router.add_api_route(batch + "/create", batch_create, methods=["POST"])
    router.add_api_route(batch + "/associate/default", batch_default, methods=["POST"])
    router.add_api_route(batch + "/read", batch_read, methods=["POST"])
    router.add_api_route(batch + "/archive", batch_archive, methods=["POST"])
    router.add_api_route("/crm/associations/v4/{from_segment}/{to_segment}/labels", labels, methods=["GET"])
    router.add_api_route("/crm/v4/associations/{from_segment}/{to_segment}/labels", labels, methods=["GET"])
    return router
