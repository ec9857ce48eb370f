"""A 10,000-bill incremental read streams page by page: every bill once, memory bounded by a page.

The sandbox runs in its own process here so that tracemalloc measures the hook alone.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ml_connector.intacct.hook import IntacctHook
from ml_connector.store import SyncStore
from tests.intacct.sandbox_process import GATEWAY_PATH, sandbox_process, sandbox_requests, sandbox_state

BILLS = 10_000
PAGE_SIZE = 1000


@pytest.fixture(scope="module")
def big_sandbox() -> Iterator[str]:
    with sandbox_process(bills=BILLS) as base:
        yield base


@pytest.mark.slow
def test_ten_thousand_bills_stream_in_pages_with_bounded_memory(
    big_sandbox: str, airflow_conn: Callable[..., str], tmp_path: Path
) -> None:
    store = SyncStore.from_url(f"sqlite:///{tmp_path / 'sync.db'}")
    store.upgrade()
    conn_id = airflow_conn(
        "intacct_big", conn_type="sage_intacct", host=big_sandbox + GATEWAY_PATH, login="mlc-sandbox-sender",
        password="mlc-sandbox-sender-pw",
        extra=json.dumps({"company_id": "MLC-SANDBOX", "user_id": "mlc-api-user", "user_password": "mlc-api-user-pw",
                          "user_timezone": "-05:00", "page_size": PAGE_SIZE}),
    )
    hook = IntacctHook(conn_id, store=store)
    since = datetime(1990, 1, 1, tzinfo=UTC)
    hook.session()  # open the session outside the measurement

    gc.collect()
    tracemalloc.start()
    seen: dict[int, int] = {}
    lines = 0
    for bill in hook.iter_bills(since):
        seen[bill.recordno] = seen.get(bill.recordno, 0) + 1
        lines += len(bill.lines)
    _, streaming_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert len(seen) == BILLS and set(seen.values()) == {1}
    assert lines == len(sandbox_state(big_sandbox, "APBILLITEM"))
    assert sum(1 for r in sandbox_requests(big_sandbox) if "getAPISession" in r["functions"]) == 1

    gc.collect()
    tracemalloc.start()
    held = list(hook.iter_bills(since))
    holding_all, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(held) == BILLS
    # Streaming keeps about one page of bills and their lines, not 10,000 bills.
    assert streaming_peak < holding_all / 3, (streaming_peak, holding_all)
    hook.close()
