"""Associations: type ids discovered from HubSpot, never guessed.

Invoice association type ids (177/179/409 circulate) are in no HubSpot doc, and a wrong,
direction-swapped id fails with INVALID_FROM_OBJECT. So ids come from the v4 labels API,
fetched once per object pair and app and cached for the life of the process; the
``associate/default`` endpoints, which need no id at all, are offered next to them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ml_connector.hubspot.batches import MAX_BATCH_INPUTS, chunked
from ml_connector.hubspot.errors import HubSpotError, HubSpotNotFoundError
from ml_connector.hubspot.paging import CursorPager
from ml_connector.hubspot.transport import Requester

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"


class AssociationTypeError(HubSpotError):
    """HubSpot offers no association type matching what was asked for."""


@dataclass(frozen=True)
class AssociationSpec:
    category: str
    type_id: int
    label: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"associationCategory": self.category, "associationTypeId": self.type_id}


_CACHE: dict[tuple[str, str, str], tuple[AssociationSpec, ...]] = {}
_CACHE_LOCK = threading.Lock()


class Associations:
    """Association calls for one app; ``cache_key`` separates apps (a fingerprint of URL + token)."""

    def __init__(self, requester: Requester, cache_key: str) -> None:
        self._requester = requester
        self._cache_key = cache_key

    # -- type ids ------------------------------------------------------------------------------
    def types(self, from_type: str, to_type: str) -> tuple[AssociationSpec, ...]:
        key = (self._cache_key, from_type, to_type)
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        try:
            body = self._requester.request("GET", f"/crm/associations/v4/{from_type}/{to_type}/labels")
        except HubSpotNotFoundError:  # portals that only have the older path
            body = self._requester.request("GET", f"/crm/v4/associations/{from_type}/{to_type}/labels")
        specs = tuple(
            AssociationSpec(str(r.get("category") or HUBSPOT_DEFINED), int(r["typeId"]), r.get("label") or None)
            for r in (body or {}).get("results") or []
            if r.get("typeId") is not None
        )
        with _CACHE_LOCK:
            _CACHE[key] = specs
        return specs

    def spec(self, from_type: str, to_type: str, label: str | None = None) -> AssociationSpec:
        """The unlabelled HubSpot-defined type, or the type with ``label``."""
        specs = self.types(from_type, to_type)
        if label is None:
            matches = [s for s in specs if s.category == HUBSPOT_DEFINED and s.label is None]
        else:
            matches = [s for s in specs if s.label == label]
        if len(matches) != 1:
            offered = ", ".join(f"{s.type_id} {s.category} {s.label!r}" for s in specs) or "none"
            wanted = f"label {label!r}" if label else "the unlabelled HubSpot-defined type"
            raise AssociationTypeError(
                f"{from_type} -> {to_type}: {len(matches)} association types match {wanted}; HubSpot offers: {offered}"
            )
        return matches[0]

    def on_create(self, from_type: str, to_type: str, to_ids: Iterable[str], label: str | None = None) -> list[dict[str, Any]]:
        """The ``associations`` entries for a create input (single or batch)."""
        spec = self.spec(from_type, to_type, label)
        return [{"to": {"id": str(i)}, "types": [spec.as_json()]} for i in to_ids]

    # -- writes ----------------------------------------------------------------------------------
    def create(
        self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]], label: str | None = None
    ) -> list[dict[str, Any]]:
        """Associate ``(from_id, to_id)`` pairs with a looked-up type (v4 batch create)."""
        spec = self.spec(from_type, to_type, label)
        inputs = [{"from": {"id": str(f)}, "to": {"id": str(t)}, "types": [spec.as_json()]} for f, t in _unique(pairs)]
        return self._batched(f"/crm/v4/associations/{from_type}/{to_type}/batch/create", inputs)

    def create_default(self, from_type: str, to_type: str, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Associate pairs with HubSpot's default type, no id needed (v4 batch associate/default)."""
        inputs = [{"from": {"id": str(f)}, "to": {"id": str(t)}} for f, t in _unique(pairs)]
        return self._batched(f"/crm/v4/associations/{from_type}/{to_type}/batch/associate/default", inputs)

    def _batched(self, path: str, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for chunk in chunked(inputs, MAX_BATCH_INPUTS):
            body = self._requester.request("POST", path, json={"inputs": chunk}) or {}
            if body.get("errors"):
                first = body["errors"][0]
                raise HubSpotError(
                    f"{len(body['errors'])} of {len(chunk)} associations failed on {path}: {first.get('message')}",
                    status=207,
                    category=first.get("category"),
                    correlation_id=first.get("correlationId"),
                    body=body,
                )
            results.extend(body.get("results") or [])
        return results

    # -- reads ------------------------------------------------------------------------------------
    def read(self, from_type: str, to_type: str, from_ids: Iterable[str]) -> dict[str, list[str]]:
        """``from_id -> [to_id, ...]`` for every id asked (empty list when none), all pages.

        100 ids per batch call; only an id whose associations run past one page costs more calls.
        """
        path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
        out: dict[str, list[str]] = {str(i): [] for i in from_ids}
        for chunk in chunked(list(out), MAX_BATCH_INPUTS):
            body = self._requester.request("POST", path, json={"inputs": [{"id": i} for i in chunk]}) or {}
            for row in body.get("results") or []:
                from_id = str((row.get("from") or {}).get("id"))
                if from_id not in out:
                    continue
                out[from_id].extend(str(t.get("toObjectId")) for t in row.get("to") or [])
                after = ((row.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    out[from_id].extend(self._read_rest(path, from_id, str(after)))
        return out

    def _read_rest(self, path: str, from_id: str, first_after: str) -> Iterator[str]:
        def fetch(after: str | None) -> Mapping[str, Any]:
            item = {"id": from_id, "after": after or first_after}
            body = self._requester.request("POST", path, json={"inputs": [item]}) or {}
            row = next((r for r in body.get("results") or [] if str((r.get("from") or {}).get("id")) == from_id), {})
            return {"results": row.get("to") or [], "paging": row.get("paging")}

        return (str(t.get("toObjectId")) for t in CursorPager(fetch))


def _unique(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((str(f), str(t)) for f, t in pairs))
