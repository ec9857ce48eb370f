"""The ``--fault KIND[:COUNT][:NAME=VALUE...]`` syntax both sandbox commands accept."""

from __future__ import annotations

from typing import NamedTuple


class FaultSpec(NamedTuple):
    kind: str
    count: int | None  # None: armed until cleared ("*" or "0")
    params: dict[str, str]


def parse_fault_spec(spec: str) -> FaultSpec:
    """``rate_limit``, ``http_error:3:status=503``, ``latency:*:seconds=0.5``; values stay strings."""
    kind, *rest = (part.strip() for part in spec.split(":"))
    if not kind:
        raise ValueError(f"--fault {spec!r}: expected KIND[:COUNT][:NAME=VALUE...]")
    count: int | None = 1
    params: dict[str, str] = {}
    for index, part in enumerate(rest):
        if "=" in part:
            name, _, value = part.partition("=")
            params[name.strip()] = value.strip()
        elif index == 0 and part in ("*", "0"):
            count = None
        elif index == 0 and part.isdigit():
            count = int(part)
        else:
            raise ValueError(f"--fault {spec!r}: COUNT must be a whole number or '*', then NAME=VALUE pairs")
    return FaultSpec(kind, count, params)
