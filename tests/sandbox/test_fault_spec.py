from __future__ import annotations

import pytest

from ml_connector.sandbox.fault_spec import FaultSpec, parse_fault_spec


@pytest.mark.parametrize(("spec", "expected"), [
    ("rate_limit", FaultSpec("rate_limit", 1, {})),
    ("http_error:3:status=503", FaultSpec("http_error", 3, {"status": "503"})),
    ("latency:*:seconds=0.5", FaultSpec("latency", None, {"seconds": "0.5"})),
    ("http_500:0", FaultSpec("http_500", None, {})),
    ("latency:seconds=2", FaultSpec("latency", 1, {"seconds": "2"})),
])
def test_fault_specs(spec: str, expected: FaultSpec) -> None:
    assert parse_fault_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", ":3", "latency:x", "rate_limit:2:3"])
def test_malformed_fault_specs_say_what_is_expected(spec: str) -> None:
    with pytest.raises(ValueError, match="--fault"):
        parse_fault_spec(spec)
