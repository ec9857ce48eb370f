from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ml_connector.store import SyncStore
from ml_connector.store.rate_budget import SharedRateBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_window_grants_up_to_the_limit_then_names_the_wait(store: SyncStore) -> None:
    clock = FakeClock()
    budget = SharedRateBudget(store.engine, store.locks, clock=clock)
    for i in range(5):
        clock.now += 0.1 * (i > 0)
        assert budget.try_acquire("hubspot:abc", limit=5, interval_ms=10_000) == 0
    # the sixth call must wait until the first one (at t0) leaves the 10 s window
    assert budget.try_acquire("hubspot:abc", limit=5, interval_ms=10_000) == pytest.approx(9.6, abs=0.01)
    clock.now += 9.6
    assert budget.try_acquire("hubspot:abc", limit=5, interval_ms=10_000) == 0
    # buckets are independent
    assert budget.try_acquire("hubspot:other", limit=5, interval_ms=10_000) == 0


def test_rejects_a_meaningless_limit(store: SyncStore) -> None:
    with pytest.raises(ValueError, match=r"limit \(0\)"):
        store.rate_budget.try_acquire("b", limit=0, interval_ms=1000)


def test_parallel_workers_never_exceed_the_shared_window(store: SyncStore) -> None:
    """Four workers each try to make 10 calls against a budget of 8 per 500 ms."""
    limit, interval_ms = 8, 500
    grants: list[float] = []
    lock = threading.Lock()

    def worker(_: int) -> None:
        for _ in range(10):
            store.rate_budget.acquire("shared", limit, interval_ms)
            with lock:
                grants.append(time.time())

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, range(4)))
    grants.sort()
    assert len(grants) == 40
    for i, start in enumerate(grants):
        in_window = [g for g in grants[i:] if g - start < interval_ms / 1000 - 0.02]
        assert len(in_window) <= limit


def test_a_reserved_slot_counts_from_when_the_call_finished(store: SyncStore) -> None:
    clock = FakeClock()
    budget = SharedRateBudget(store.engine, store.locks, clock=clock)
    with budget.reserve("b", limit=1, interval_ms=1000, sleep=lambda s: None):
        clock.now += 5.0  # a slow call: the server may have counted it late
    # granted at t0, but it finished at t0+5 s: the window is full until t0+6 s
    assert budget.try_acquire("b", limit=1, interval_ms=1000) == pytest.approx(1.0, abs=0.01)
    clock.now += 1.0
    assert budget.try_acquire("b", limit=1, interval_ms=1000) == 0


def test_a_learnt_server_limit_binds_a_process_that_has_not_learnt_it_yet(store: SyncStore) -> None:
    clock = FakeClock()
    budget = SharedRateBudget(store.engine, store.locks, clock=clock)
    budget.learn("hubspot:t", limit=2, interval_ms=1000)
    # a fresh process still believes its tier's 100 per 10 s; the learnt 2 per 1 s wins
    assert budget.try_acquire("hubspot:t", limit=100, interval_ms=1000) == 0
    assert budget.try_acquire("hubspot:t", limit=100, interval_ms=1000) == 0
    assert budget.try_acquire("hubspot:t", limit=100, interval_ms=1000) > 0
