"""Batch writes and reads that account for every input.

What HubSpot does, and what this module does about it:

* batches take at most 100 inputs (50 with ``propertiesWithHistory``): inputs are chunked;
* duplicate keys inside one batch are rejected after part of it committed (Segment's upsert
  bug): duplicates are merged *before* batching, and each duplicate is answered with the
  outcome of the input it was merged into;
* without ``objectWriteTraceId`` one bad input fails the whole batch; with one per input a
  partial failure comes back as 207 and the good rows land: every write input carries one;
* a whole-batch 4xx still happens (e.g. a malformed input on update): the chunk is bisected
  until the bad inputs stand alone, so the good ones land and each bad one gets its own error
  (unless the error is about the request itself, like a non-unique ``idProperty``);
* the 207 ``errors[].context`` shape is not documented: errors are matched by trace id or id
  where they name one, and inputs that no result and no error names are re-sent alone.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ml_connector.hubspot.errors import (
    HubSpotAmbiguousWriteError,
    HubSpotAuthError,
    HubSpotClientError,
    HubSpotError,
)

MAX_BATCH_INPUTS = 100
MAX_HISTORY_BATCH_INPUTS = 50
TRACE_PREFIX = "mlc-"

Operation = Literal["create", "read", "update", "upsert"]
Outcome = Literal["created", "updated", "read", "error"]
# send(inputs) -> parsed response body of a 2xx (200/201/207); raises HubSpotError otherwise
Sender = Callable[[list[dict[str, Any]]], Mapping[str, Any]]
# read_back(unique values) -> the records that exist, keyed by their normalized unique value
ReadBack = Callable[[list[str]], Mapping[str, Mapping[str, Any]]]


@dataclass(frozen=True)
class ItemError:
    """Why one input failed, in HubSpot's terms."""

    message: str
    category: str | None = None
    status: int | None = None
    correlation_id: str | None = None
    context: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class BatchItemResult:
    """The outcome for the input at ``index`` in the caller's list."""

    index: int
    outcome: Outcome
    record: Mapping[str, Any] | None = None
    error: ItemError | None = None
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "error"

    @property
    def id(self) -> str | None:
        return str(self.record["id"]) if self.record and self.record.get("id") is not None else None


@dataclass
class BatchResult:
    items: list[BatchItemResult] = field(default_factory=list)
    requests: int = 0

    @property
    def succeeded(self) -> list[BatchItemResult]:
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[BatchItemResult]:
        return [i for i in self.items if not i.ok]

    def __iter__(self) -> Iterator[BatchItemResult]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def chunked(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    if size < 1:
        raise ValueError(f"chunk size must be >= 1, not {size}")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def input_key(operation: Operation, item: Mapping[str, Any], unique_property: str | None = None) -> Hashable | None:
    """What makes two inputs the same HubSpot record (``None``: cannot tell, never merged)."""
    if operation == "create":
        if unique_property is None:
            return None
        value = (item.get("properties") or {}).get(unique_property)
        return None if value in (None, "") else (unique_property, normalize_unique_value(unique_property, value))
    if item.get("id") in (None, ""):
        return None
    prop = item.get("idProperty") or "hs_object_id"
    return (prop, normalize_unique_value(prop, item["id"]))


def normalize_unique_value(prop: str, value: Any) -> str:
    """How HubSpot compares unique values: email case-insensitively, the rest exactly."""
    text = str(value).strip()
    return text.lower() if prop == "email" else text


def dedupe(
    operation: Operation, inputs: Sequence[Mapping[str, Any]], unique_property: str | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, int]]:
    """Merge inputs that address the same record; later property values win.

    Returns the kept ``(index, input)`` pairs (at the first occurrence's index) and a map from
    each dropped index to the index it was merged into.
    """
    kept: dict[Hashable, int] = {}
    merged: dict[int, dict[str, Any]] = {}
    duplicates: dict[int, int] = {}
    for index, raw in enumerate(inputs):
        item = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in raw.items()}
        key = input_key(operation, item, unique_property)
        if key is None or key not in kept:
            if key is not None:
                kept[key] = index
            merged[index] = item
            continue
        first = kept[key]
        duplicates[index] = first
        target = merged[first]
        if "properties" in item:
            target["properties"] = {**(target.get("properties") or {}), **(item["properties"] or {})}
        if "associations" in item:
            target["associations"] = [*(target.get("associations") or []), *item["associations"]]
    return sorted(merged.items()), duplicates


class BatchRunner:
    """Runs one batch operation over any number of inputs and answers for each input."""

    def __init__(
        self,
        operation: Operation,
        send: Sender,
        *,
        chunk_size: int = MAX_BATCH_INPUTS,
        unique_property: str | None = None,
        id_property: str | None = None,
        read_back: ReadBack | None = None,
    ) -> None:
        if not 1 <= chunk_size <= MAX_BATCH_INPUTS:
            raise ValueError(f"chunk_size must be 1..{MAX_BATCH_INPUTS}, not {chunk_size}")
        self.operation = operation
        self._send = send
        self.chunk_size = chunk_size
        self.unique_property = unique_property
        self.id_property = id_property
        self._read_back = read_back

    def run(self, inputs: Sequence[Mapping[str, Any]]) -> BatchResult:
        entries, duplicates = dedupe(self.operation, inputs, self.unique_property)
        result = BatchResult()
        by_index: dict[int, BatchItemResult] = {}
        if self.operation != "create":  # an input without an id can only fail; answer it without a call
            for index, _item in [e for e in entries if e[1].get("id") in (None, "")]:
                by_index[index] = BatchItemResult(
                    index, "error", error=ItemError(f"{self.operation} input has no 'id'", category="INVALID_INPUT")
                )
            entries = [e for e in entries if e[0] not in by_index]
        if self.operation != "read":
            for index, item in entries:
                item["objectWriteTraceId"] = f"{TRACE_PREFIX}{index}"
        for chunk in chunked(entries, self.chunk_size):
            for item_result in self._run_chunk(chunk, result):
                by_index[item_result.index] = item_result
        for dup, first in duplicates.items():
            base = by_index[first]
            by_index[dup] = BatchItemResult(dup, base.outcome, base.record, base.error, duplicate_of=first)
        result.items = [by_index[i] for i in sorted(by_index)]
        missing = set(range(len(inputs))) - set(by_index)
        if missing:  # cannot happen unless this module is wrong; never drop an input silently
            raise HubSpotError(f"batch {self.operation}: no outcome for inputs {sorted(missing)}")
        return result

    # -- one chunk ---------------------------------------------------------------------------
    def _run_chunk(
        self, chunk: list[tuple[int, dict[str, Any]]], result: BatchResult, *, settling: bool = False
    ) -> list[BatchItemResult]:
        result.requests += 1
        try:
            body = self._send([item for _, item in chunk])
        except HubSpotAuthError:
            raise  # a bad token or scope is not about any one row
        except HubSpotAmbiguousWriteError as exc:
            # HubSpot may have created these rows: never resend blindly
            if settling or self._read_back is None or not self.unique_property:
                return [BatchItemResult(index, "error", error=_item_error_from_exc(exc)) for index, _ in chunk]
            return self._settle(chunk, result, exc)
        except HubSpotClientError as exc:
            if len(chunk) == 1 or _about_the_request(exc):
                return [BatchItemResult(index, "error", error=_item_error_from_exc(exc)) for index, _ in chunk]
            mid = len(chunk) // 2
            return self._run_chunk(chunk[:mid], result) + self._run_chunk(chunk[mid:], result)
        return self._match(chunk, body, result)

    def _match(
        self, chunk: list[tuple[int, dict[str, Any]]], body: Mapping[str, Any], result: BatchResult
    ) -> list[BatchItemResult]:
        pending = dict(chunk)
        out: list[BatchItemResult] = []
        unmatched_records: list[Mapping[str, Any]] = []
        for record in body.get("results") or []:
            index = self._index_for_record(record, pending)
            if index is None:
                unmatched_records.append(record)
                continue
            del pending[index]
            out.append(BatchItemResult(index, self._outcome(record), record=record))
        unmatched_errors: list[Mapping[str, Any]] = []
        for error in body.get("errors") or []:
            indexes = self._indexes_for_error(error, pending)
            if not indexes:
                unmatched_errors.append(error)
            for index in indexes:
                del pending[index]
                out.append(BatchItemResult(index, "error", error=_item_error(error)))
        if not pending:
            return out
        remaining = sorted(pending.items())
        if unmatched_records and len(unmatched_records) == len(remaining) and not unmatched_errors:
            # every input got a result but HubSpot echoed no key we could match: same order
            for (index, _), record in zip(remaining, unmatched_records, strict=True):
                out.append(BatchItemResult(index, self._outcome(record), record=record))
            return out
        if len(remaining) == 1 and len(unmatched_errors) == 1 and not unmatched_records:
            out.append(BatchItemResult(remaining[0][0], "error", error=_item_error(unmatched_errors[0])))
            return out
        if unmatched_records and self.operation == "create":
            # some creates landed under no name we know: re-sending could duplicate them
            for index, _ in remaining:
                out.append(
                    BatchItemResult(
                        index,
                        "error",
                        error=ItemError(
                            "outcome unknown: HubSpot's 207 answer did not say whether this input was created; "
                            "check before re-sending",
                            category="UNMATCHED_RESULT",
                        ),
                    )
                )
            return out
        # nothing landed under an unknown name, so re-sending each input alone is safe
        for entry in remaining:
            out.extend(self._run_chunk([entry], result))
        return out

    def _settle(
        self, chunk: list[tuple[int, dict[str, Any]]], result: BatchResult, exc: HubSpotAmbiguousWriteError
    ) -> list[BatchItemResult]:
        """Read the chunk back by its unique property: found rows were created, missing ones were
        never applied and are sent once more; rows without a unique value stay unknown."""
        assert self._read_back is not None and self.unique_property is not None
        prop = self.unique_property
        values = {index: (item.get("properties") or {}).get(prop) for index, item in chunk}
        result.requests += 1
        found = self._read_back([str(v) for v in values.values() if v not in (None, "")])
        out: list[BatchItemResult] = []
        resend: list[tuple[int, dict[str, Any]]] = []
        for index, item in chunk:
            value = values[index]
            if value in (None, ""):
                out.append(BatchItemResult(index, "error", error=_item_error_from_exc(exc)))
            elif (record := found.get(normalize_unique_value(prop, value))) is not None:
                out.append(BatchItemResult(index, "created", record=record))
            else:
                resend.append((index, item))
        if resend:
            out.extend(self._run_chunk(resend, result, settling=True))
        return out

    def _outcome(self, record: Mapping[str, Any]) -> Outcome:
        if self.operation == "create":
            return "created"
        if self.operation == "read":
            return "read"
        if self.operation == "upsert":
            return "created" if record.get("new") in (True, "true") else "updated"
        return "updated"

    def _index_for_record(self, record: Mapping[str, Any], pending: Mapping[int, dict[str, Any]]) -> int | None:
        trace = record.get("objectWriteTraceId")
        if trace:
            index = _trace_index(str(trace))
            if index in pending:
                return index
        record_id = str(record.get("id", ""))
        props = record.get("properties") or {}
        for index, item in pending.items():
            wanted = item.get("id")
            if wanted in (None, ""):
                continue
            prop = item.get("idProperty") or self.id_property
            if not prop or prop == "hs_object_id":
                if str(wanted) == record_id:
                    return index
            elif prop in props and normalize_unique_value(prop, props[prop]) == normalize_unique_value(prop, wanted):
                return index
        if self.operation == "create" and self.unique_property:
            for index, item in pending.items():
                value = (item.get("properties") or {}).get(self.unique_property)
                if value not in (None, "") and normalize_unique_value(self.unique_property, props.get(self.unique_property, "")) == normalize_unique_value(
                    self.unique_property, value
                ):
                    return index
        return None

    def _indexes_for_error(self, error: Mapping[str, Any], pending: Mapping[int, dict[str, Any]]) -> list[int]:
        """Inputs an error names: by trace id first; by id only when it names no trace id.

        A conflict's context may also carry the id of the *other* record, so ids are trusted
        only when nothing more specific is given.
        """
        context = error.get("context") if isinstance(error.get("context"), Mapping) else {}
        traces = _strings(context.get("objectWriteTraceId")) | _strings(error.get("objectWriteTraceId"))
        if traces:
            return [i for i in pending if f"{TRACE_PREFIX}{i}" in traces]
        ids = {normalize_unique_value("email", v) for v in _strings(context.get("ids")) | _strings(context.get("id")) | _strings(error.get("id"))}
        return [i for i, item in pending.items() if item.get("id") not in (None, "") and normalize_unique_value("email", item["id"]) in ids]


def _strings(value: Any) -> set[str]:
    values = value if isinstance(value, list | tuple | set) else [value]
    return {str(v) for v in values if isinstance(v, str | int) and str(v)}


def _about_the_request(exc: HubSpotError) -> bool:
    """A whole-batch error no single row causes (a non-unique idProperty): splitting cannot help."""
    body = exc.body if isinstance(exc.body, Mapping) else {}
    context = body.get("context") if isinstance(body.get("context"), Mapping) else {}
    return "idProperty" in context or "non-unique" in (exc.message or "")


def _trace_index(trace: str) -> int | None:
    if trace.startswith(TRACE_PREFIX) and trace[len(TRACE_PREFIX) :].isdigit():
        return int(trace[len(TRACE_PREFIX) :])
    return None


def _item_error(error: Mapping[str, Any]) -> ItemError:
    status = error.get("status")
    return ItemError(
        message=str(error.get("message") or "unknown error"),
        category=error.get("category"),
        status=int(status) if isinstance(status, int | str) and str(status).isdigit() else None,
        correlation_id=error.get("correlationId"),
        context=error.get("context") if isinstance(error.get("context"), Mapping) else None,
    )


def _item_error_from_exc(exc: HubSpotError) -> ItemError:
    body = exc.body if isinstance(exc.body, Mapping) else {}
    return ItemError(
        message=exc.message,
        category=exc.category,
        status=exc.status,
        correlation_id=exc.correlation_id,
        context=body.get("context") if isinstance(body.get("context"), Mapping) else None,
    )
