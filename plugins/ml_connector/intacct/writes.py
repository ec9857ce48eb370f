"""create/update in batches, idempotent by construction.

Each function's ``controlid`` is a hash of (operation, object, source keys and versions), and
every write request carries ``uniqueid=true``: the gateway executes a given function controlid
at most once, so resending the exact same request after an ambiguous failure (HTTP 524, 500
without XML, client timeout) cannot create a second record. A write is never resent under new
control IDs. Because the gateway's answer to such a replay is UNCONFIRMED, a replayed create
that comes back as a failure is checked by looking the records up by their ID field before
anything is reported as failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_connector.intacct.envelope import MAX_RECORDS_PER_WRITE, Function, is_in
from ml_connector.intacct.errors import (
    IntacctAmbiguousWriteError,
    IntacctErrorDetail,
    IntacctRequestError,
)
from ml_connector.intacct.response import FunctionResult, field_value
from ml_connector.intacct.sanitize import SanitizeStats, sanitize_text

if TYPE_CHECKING:
    from ml_connector.intacct.hook import IntacctHook

log = logging.getLogger(__name__)

CONTROLID_PREFIX = "mlc-"
# One record per function keeps every controlid a function of that record alone (see write_records);
# the gateway documents no cap on functions per request.
DEFAULT_RECORDS_PER_FUNCTION = 1
DEFAULT_FUNCTIONS_PER_REQUEST = 100
DEFAULT_AMBIGUOUS_REPLAYS = 2
DUPLICATE_ERRORNO = "BL34000061"


@dataclass(frozen=True)
class WriteItem:
    """One record to write, and where it came from (which makes its controlid deterministic)."""

    fields: Mapping[str, Any]
    source_key: str
    source_version: str


@dataclass(frozen=True)
class WriteOutcome:
    source_key: str
    key: str | None
    status: str  # "created" | "updated" | "failed" | "unknown" (sent, but the gateway's answer never came)
    recordno: str | None
    controlid: str
    errors: tuple[IntacctErrorDetail, ...] = ()
    confirmed_by_lookup: bool = False

    @property
    def ok(self) -> bool:
        return self.status in ("created", "updated")


@dataclass
class WriteReport:
    operation: str
    object_name: str
    outcomes: list[WriteOutcome] = field(default_factory=list)
    sanitized: SanitizeStats = field(default_factory=SanitizeStats)
    requests: int = 0
    replays: int = 0

    @property
    def succeeded(self) -> list[WriteOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[WriteOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def unknown(self) -> list[WriteOutcome]:
        """Sent, outcome never confirmed: rerun with the same records and versions (same controlids)."""
        return [o for o in self.outcomes if o.status == "unknown"]


def function_controlid(operation: str, object_name: str, items: Sequence[WriteItem]) -> str:
    """Stable across retries and processes: same records at the same versions -> same controlid."""
    canonical = json.dumps(
        [operation, object_name, [[i.source_key, i.source_version] for i in items]],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return CONTROLID_PREFIX + hashlib.sha1(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def write_records(
    hook: IntacctHook,
    operation: str,
    object_name: str,
    items: Sequence[WriteItem],
    *,
    key_field: str,
    records_per_function: int = DEFAULT_RECORDS_PER_FUNCTION,
    functions_per_request: int = DEFAULT_FUNCTIONS_PER_REQUEST,
    ambiguous_replays: int = DEFAULT_AMBIGUOUS_REPLAYS,
) -> WriteReport:
    """Write ``items``; every item gets an outcome, failures keep their errors intact.

    A function's controlid hashes the records it carries. With one record per function (the
    default) that is (operation, object, source key, version), so a later run that stages a
    different mix of records still replays the same controlid for the same record version and
    the gateway deduplicates it. More records per function save bytes but dedupe only while
    the same records travel together.
    """
    if not 1 <= records_per_function <= MAX_RECORDS_PER_WRITE:
        raise IntacctRequestError(f"records_per_function must be 1-{MAX_RECORDS_PER_WRITE}")
    if functions_per_request < 1:
        raise IntacctRequestError("functions_per_request must be >= 1")
    report = WriteReport(operation, object_name)
    before = _snapshot(hook.sanitized)
    batches = [list(c) for c in _chunks(list(items), records_per_function)]
    built: list[tuple[Function, list[WriteItem]]] = [
        (
            hook.builder.write(
                operation, object_name, [b.fields for b in batch], function_controlid(operation, object_name, batch)
            ),
            batch,
        )
        for batch in batches
    ]
    for group in _chunks(built, functions_per_request):
        report.outcomes.extend(_send_group(hook, operation, object_name, list(group), key_field,
                                           ambiguous_replays, report))
    report.sanitized = _delta(before, hook.sanitized)
    if report.sanitized.changed:
        log.warning("Intacct %s %s: sanitized %s", operation, object_name, report.sanitized.as_dict())
    return report


def _send_group(
    hook: IntacctHook,
    operation: str,
    object_name: str,
    group: list[tuple[Function, list[WriteItem]]],
    key_field: str,
    ambiguous_replays: int,
    report: WriteReport,
) -> list[WriteOutcome]:
    functions = [fn for fn, _ in group]
    sends_before = hook.write_sends
    attempt = 0
    while True:
        report.requests += 1
        try:
            response = hook.execute(functions, is_write=True)
            break
        except IntacctAmbiguousWriteError as exc:
            if attempt >= ambiguous_replays:
                log.error("Intacct %s %s: outcome still unknown after %d replays (%s); reported as unknown, "
                          "the other groups go on", operation, object_name, attempt, exc)
                unknown = (IntacctErrorDetail(
                    "mlc-outcome-unknown",
                    f"The gateway never confirmed this {operation} ({exc}). Rerun with the same record "
                    "version: the same controlid lets the gateway deduplicate it.",
                ),)
                return [o for fn, batch in group for o in _failed(batch, key_field, fn.controlid, unknown, "unknown")]
            attempt += 1
            report.replays += 1
            log.warning("Intacct %s %s ended ambiguously (%s); replaying with the same controlids (%d/%d)",
                        operation, object_name, exc, attempt, ambiguous_replays)
            time.sleep(min(hook.config.retry_max_wait_seconds, hook.config.retry_min_wait_seconds * 2**attempt))
    maybe_replayed = hook.write_sends - sends_before > 1
    outcomes: list[WriteOutcome] = []
    for fn, batch in group:
        result = next((r for r in response.results if r.controlid == fn.controlid), None)
        if result is None:
            missing = (IntacctErrorDetail("mlc-missing-result", "The gateway returned no result for this function"),)
            outcomes.extend(_failed(batch, key_field, fn.controlid, missing))
            continue
        outcomes.extend(_outcomes(hook, operation, object_name, batch, key_field, result, maybe_replayed))
    return outcomes


def _key(item: WriteItem, key_field: str) -> str | None:
    value = field_value(dict(item.fields), key_field)
    return str(value) if value not in (None, "") else None


def _failed(batch: Sequence[WriteItem], key_field: str, controlid: str,
            errors: tuple[IntacctErrorDetail, ...], status: str = "failed") -> list[WriteOutcome]:
    return [WriteOutcome(i.source_key, _key(i, key_field), status, None, controlid, errors) for i in batch]


def _outcomes(
    hook: IntacctHook,
    operation: str,
    object_name: str,
    batch: list[WriteItem],
    key_field: str,
    result: FunctionResult,
    maybe_replayed: bool,
) -> list[WriteOutcome]:
    done = "created" if operation == "create" else "updated"
    echoed = {str(field_value(r, key_field)): r for r in result.records if field_value(r, key_field) is not None}
    outcomes: list[WriteOutcome] = []
    for position, item in enumerate(batch):
        key = _key(item, key_field)
        echo = echoed.get(key) if key is not None else None
        if echo is None and key is None and result.ok and position < len(result.records):
            echo = result.records[position]  # auto-numbered IDs: the gateway echoes in request order
            key = str(field_value(echo, key_field) or "") or None
        if echo is not None:
            outcomes.append(WriteOutcome(item.source_key, key, done, _recordno(echo), result.controlid))
        elif result.ok:
            outcomes.append(WriteOutcome(item.source_key, key, done, None, result.controlid))
        else:
            outcomes.append(WriteOutcome(item.source_key, key, "failed", None, result.controlid, result.errors))
    # "already exists" may be our own earlier write (a replay in this call, or a run whose answer was
    # lost): it counts as created only if the record found holds exactly what we sent
    already_exists = any(e.errorno == DUPLICATE_ERRORNO for e in result.errors)
    if operation == "create" and not result.ok and (maybe_replayed or already_exists):
        outcomes = _confirm_by_lookup(hook, object_name, key_field, batch, outcomes)
    return outcomes


def _recordno(record: Mapping[str, Any]) -> str | None:
    value = field_value(dict(record), "RECORDNO")
    return str(value) if value not in (None, "") else None


def _comparable_fields(item: WriteItem, key_field: str) -> dict[str, str]:
    """Top-level text fields as the gateway stored them (sanitized), to recognise our own record."""
    return {
        name: sanitize_text(value)
        for name, value in item.fields.items()
        if isinstance(value, str) and name.upper() != key_field.upper()
    }


def _confirm_by_lookup(
    hook: IntacctHook,
    object_name: str,
    key_field: str,
    batch: list[WriteItem],
    outcomes: list[WriteOutcome],
) -> list[WriteOutcome]:
    """A replayed create failed: the first attempt may have created the records. Look them up by ID.

    A record only counts as ours when its text fields equal what we sent; a genuine ID clash
    with someone else's record stays a failure.
    """
    wanted = {o.key: item for o, item in zip(outcomes, batch, strict=True) if not o.ok and o.key}
    if not wanted:
        return outcomes
    fields = sorted({"RECORDNO", key_field, *(f for i in wanted.values() for f in _comparable_fields(i, key_field))})
    found = {
        str(field_value(r, key_field)): r
        for r in hook.query(object_name, fields, filter=is_in(key_field, list(wanted)), order_by=(("RECORDNO", True),))
    }
    confirmed: list[WriteOutcome] = []
    for o in outcomes:
        record = found.get(o.key or "")
        item = wanted.get(o.key) if o.key else None
        if item is not None and record is not None and all(
            str(field_value(record, name) or "") == value for name, value in _comparable_fields(item, key_field).items()
        ):
            log.info("Intacct replayed create of %s %s: our record exists (RECORDNO %s); not a failure",
                     object_name, o.key, _recordno(record))
            confirmed.append(WriteOutcome(o.source_key, o.key, "created", _recordno(record), o.controlid,
                                          o.errors, confirmed_by_lookup=True))
        else:
            confirmed.append(o)
    return confirmed


def _snapshot(stats: SanitizeStats) -> SanitizeStats:
    return SanitizeStats(stats.values_changed, stats.characters_removed, stats.character_references_removed)


def _delta(before: SanitizeStats, after: SanitizeStats) -> SanitizeStats:
    return SanitizeStats(
        after.values_changed - before.values_changed,
        after.characters_removed - before.characters_removed,
        after.character_references_removed - before.character_references_removed,
    )
