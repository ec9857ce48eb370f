"""Incremental AP bill read through IntacctHook against the sandbox: time, calls, memory.

Reads every bill (with its lines) of a seeded sandbox through ``IntacctHook.iter_bills`` over
real HTTP and reports wall time, gateway calls made against the minimum the page limits
allow (ceil(bills/2000) + ceil(lines/2000) + 1 getAPISession), and tracemalloc's peak while
streaming versus the memory needed to hold every bill. The sandbox runs in its own process
(its CLI), so the memory figures are the hook's alone.

    python benchmarks/bench_intacct_read.py [--bills 10000] [--page-size 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import re
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bills", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=2000)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="mlc-bench-intacct-"))
    os.environ.setdefault("AIRFLOW_HOME", str(home / "airflow"))
    os.environ.setdefault("ML_CONNECTOR_HOME", str(home))
    sys.path.insert(0, str(ROOT))

    from tests.intacct.sandbox_process import GATEWAY_PATH, sandbox_process, sandbox_requests, sandbox_state

    from ml_connector.intacct.hook import IntacctHook
    from ml_connector.store import SyncStore

    store = SyncStore.from_url(f"sqlite:///{home / 'sync.db'}")
    store.upgrade()
    started = time.perf_counter()
    with sandbox_process(bills=args.bills, vendors=200, seed=1) as base:
        print(f"sandbox process with {args.bills} bills ready in {time.perf_counter() - started:.1f}s")
        os.environ["AIRFLOW_CONN_INTACCT_BENCH"] = json.dumps({
            "conn_type": "sage_intacct", "host": base + GATEWAY_PATH, "login": "mlc-sandbox-sender",
            "password": "mlc-sandbox-sender-pw",
            "extra": json.dumps({"company_id": "MLC-SANDBOX", "user_id": "mlc-api-user",
                                 "user_password": "mlc-api-user-pw", "user_timezone": "-05:00",
                                 "page_size": args.page_size}),
        })
        hook = IntacctHook("intacct_bench", store=store)
        since = datetime(1990, 1, 1, tzinfo=UTC)

        t0 = time.perf_counter()
        plain_count = sum(1 for _ in hook.iter_bills(since))
        plain_wall = time.perf_counter() - t0
        calls_per_read = len(sandbox_requests(base))

        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        bills = lines = 0
        seen: set[int] = set()
        for bill in hook.iter_bills(since):
            bills += 1
            lines += len(bill.lines)
            seen.add(bill.recordno)
        wall = time.perf_counter() - t0
        _, streaming_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        log = sandbox_requests(base)[calls_per_read:]
        by_function: dict[str, int] = {}
        for entry in log:
            objects = re.findall(r"<object>([^<]+)</object>", str(entry.get("body", "")))
            for name, obj in zip(entry["functions"], objects or [""] * len(entry["functions"]), strict=False):
                label = f"{name} {obj}".strip()
                by_function[label] = by_function.get(label, 0) + 1
        expected_lines = len(sandbox_state(base, "APBILLITEM"))

        gc.collect()
        tracemalloc.start()
        held = list(hook.iter_bills(since))
        holding_all, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del held
        hook.close()

    minimum = math.ceil(bills / 2000) + math.ceil(lines / 2000) + 1
    print(f"bills read: {bills} (distinct {len(seen)}), lines read: {lines} (sandbox holds {expected_lines})")
    print(f"wall time: {plain_wall:.2f}s for {plain_count} bills ({plain_count / plain_wall:.0f} bills/s, "
          f"{(plain_count + lines) / plain_wall:.0f} records/s incl. lines; session opened in this pass)")
    print(f"wall time (streaming, tracemalloc on): {wall:.2f}s  ({bills / wall:.0f} bills/s, "
          f"{(bills + lines) / wall:.0f} records/s)")
    print(f"gateway calls (first read, incl. getAPISession): {calls_per_read}; second read: {len(log)} "
          f"{by_function}; minimum allowed by page limits: {minimum}")
    print(f"hook memory: streaming peak {streaming_peak / 1e6:.1f} MB; holding every bill {holding_all / 1e6:.1f} MB "
          f"(ratio {streaming_peak / holding_all:.2f})")


if __name__ == "__main__":
    main()
