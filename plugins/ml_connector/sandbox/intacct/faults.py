"""Faults injected at runtime: the failures a real gateway and its CDN produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = (
    "rate_limit",
    "http_error",
    "cloudflare_html",
    "timeout_524_after_commit",
    "latency",
    "expire_session",
    "dl02000001",
    "unauthorized_401",
)
HTTP_ERROR_STATUSES = (500, 502, 503, 504)


class FaultConfigError(ValueError):
    """A fault request the sandbox cannot honour; the message names the offending field."""


@dataclass
class Fault:
    kind: str
    remaining: int
    function: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.remaining, "function": self.function, **self.params}


def _validate(kind: str, count: int, params: dict[str, Any]) -> dict[str, Any]:
    if kind not in FAULT_KINDS:
        raise FaultConfigError(f"kind: unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise FaultConfigError(f"count: must be a whole number >= 1, got {count!r}")
    allowed = {"http_error": {"status"}, "latency": {"seconds"}}.get(kind, set())
    unknown = set(params) - allowed
    if unknown:
        raise FaultConfigError(f"{', '.join(sorted(unknown))}: not a parameter of fault {kind!r}")
    if kind == "http_error":
        status = int(params.get("status", 500))
        if status not in HTTP_ERROR_STATUSES:
            raise FaultConfigError(f"status: must be one of {HTTP_ERROR_STATUSES}, got {status!r}")
        return {"status": status}
    if kind == "latency":
        seconds = float(params.get("seconds", 1.0))
        if not 0 <= seconds <= 600:
            raise FaultConfigError(f"seconds: must be between 0 and 600, got {seconds!r}")
        return {"seconds": seconds}
    return {}


# Faults that change the conditions of a request rather than its answer.
_CONDITIONS = frozenset({"latency", "expire_session"})


class FaultInjector:
    """Faults waiting for matching requests; each matching request consumes one of ``count``."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, kind: str, *, count: int = 1, function: str | None = None, **params: Any) -> Fault:
        fault = Fault(kind, count, function or None, _validate(kind, count, params))
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        return [fault.as_dict() for fault in self._faults]

    def take(self, function_names: list[str]) -> list[Fault]:
        """Faults that apply to a request with these functions, consumed.

        A request gets at most one fault that replaces its answer (a 429, a 5xx, a 524, ...),
        oldest first; latency and session expiry are conditions that combine with it. Two queued
        answer faults therefore hit two requests, as ``count`` promises.
        """
        taken: list[Fault] = []
        slots: set[str] = set()
        for fault in list(self._faults):
            slot = fault.kind if fault.kind in _CONDITIONS else "answer"
            if slot in slots:
                continue
            if fault.function is not None and fault.function not in function_names:
                continue
            taken.append(fault)
            slots.add(slot)
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
        return taken
