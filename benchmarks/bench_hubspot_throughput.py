"""How close HubSpotHook runs to HubSpot's limits without tripping them.

Against the HubSpot sandbox with the real 10-second window at starter tier (100 requests per
10 s), send N plain GETs and report the busiest rolling 10 s (as seen by the sandbox) as a
ratio of the tier's limit, the overall rate, and the 429s seen (expected 0). Then page a
search over M contacts and report pages per second against the search limit.

    python benchmarks/bench_hubspot_throughput.py [--requests 350] [--contacts 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

# Airflow reads its environment at import; keep a benchmark run away from ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="mlc-bench-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

TOKEN = "mlc-sandbox-token"
CONN_ID = "hubspot_bench"


def _hook(url: str, tier: str, **kwargs: Any) -> Any:
    from ml_connector.hubspot.hook import HubSpotHook

    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = json.dumps(
        {"conn_type": "hubspot", "host": url, "password": TOKEN, "extra": json.dumps({"tier": tier})}
    )
    return HubSpotHook(hubspot_conn_id=CONN_ID, audit=False, **kwargs)


def busiest_window(times: list[float], interval: float) -> int:
    """Most requests that arrived within any ``interval`` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= interval:
            start += 1
        best = max(best, end - start + 1)
    return best


def bench_window(n: int) -> dict[str, Any]:
    from ml_connector.sandbox.hubspot import HubSpotSandbox

    sb = HubSpotSandbox(tier="starter")
    with sb.serve() as server:
        sb.bulk_load("contacts", [{"email": "bench@example.com"}])
        hook = _hook(server.url, "starter")
        started = time.monotonic()
        for _ in range(n):
            hook.request("GET", "/crm/v3/objects/contacts", params={"limit": 1})
        elapsed = time.monotonic() - started
        arrivals = sorted(r["at"] for r in sb.request_log)
        peak = busiest_window(arrivals, 10.0)
        return {
            "requests": n,
            "seconds": round(elapsed, 2),
            "per 10 s overall": round(n / elapsed * 10, 1),
            "busiest rolling 10 s": peak,
            "ratio of tier limit (100/10 s)": round(peak / 100, 3),
            "overall ratio": round(n / elapsed * 10 / 100, 3),
            "429s": sb.stats["429"],
            "client wait s": round(hook.rate_limiter.general.waited_seconds, 2),
        }


def bench_search(contacts: int, hook_rps: float, sandbox_rps: float) -> dict[str, Any]:
    from ml_connector.sandbox.hubspot import HubSpotSandbox

    sb = HubSpotSandbox(tier="professional", search_per_second=sandbox_rps)
    base = datetime(2026, 10, 31, tzinfo=UTC)
    with sb.serve() as server:
        sb.bulk_load("contacts", [{"email": f"s{i}@example.com"} for i in range(contacts)], modified_at=base)
        hook = _hook(server.url, "professional", search_requests_per_second=hook_rps)
        started = time.monotonic()
        search = hook.search_modified("contacts", base - timedelta(days=1), base + timedelta(seconds=1))
        seen = sum(1 for _ in search)
        elapsed = time.monotonic() - started
        return {
            "contacts": seen,
            "pages": search.pages,
            "seconds": round(elapsed, 2),
            "pages/s": round(search.pages / elapsed, 2),
            "hook budget/s": hook_rps,
            "sandbox limit/s": sandbox_rps,
            "ratio of sandbox limit": round(search.pages / elapsed / sandbox_rps, 3),
            "records/s": round(seen / elapsed),
            "429s": sb.stats["429"],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=350)
    parser.add_argument("--contacts", type=int, default=10_000)
    args = parser.parse_args()
    print("rolling window, starter tier:", json.dumps(bench_window(args.requests), indent=2))
    print("search, default budget 4/s vs sandbox 5/s:", json.dumps(bench_search(args.contacts, 4, 5), indent=2))
    print("search, budget 5/s vs sandbox 5/s:", json.dumps(bench_search(args.contacts, 5, 5), indent=2))


if __name__ == "__main__":
    main()
