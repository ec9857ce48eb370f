"""Runtime fault injection: 429 storms, 5xx, latency and search lag, for matching requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "rate_limit", "daily_limit", "http_500", "http_502", "http_503", "latency", "search_lag",
    # HubSpot sometimes answers 500 "internal error" under load after it has applied a write
    "http_500_after_apply",
)


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: until cleared
    path_prefix: str | None
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "remaining": self.remaining, "path_prefix": self.path_prefix,
                "params": dict(self.params)}


class Faults:
    """Armed faults; each matching request uses up one count of every fault it triggers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, kind: str, *, count: int | None = 1, path_prefix: str | None = None, **params: Any) -> Fault:
        """Arm a fault; ``count=None`` (or 0) keeps it armed until ``clear()``."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if kind in ("latency", "search_lag"):
            seconds = params.get("seconds")
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
                raise ValueError(f"fault {kind!r} needs a non-negative number 'seconds', got {seconds!r}")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ValueError(f"fault count must be a non-negative integer or None, got {count!r}")
        fault = Fault(kind, count or None, path_prefix, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str, kinds: tuple[str, ...]) -> Fault | None:
        """The first armed fault of one of ``kinds`` matching ``path``; uses up one of its count."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and fault.matches(path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_dict() for f in self._faults]
