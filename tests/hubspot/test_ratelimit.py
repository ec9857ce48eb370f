"""Limiter arithmetic with an injected clock: no sleeping, no sockets."""

from __future__ import annotations

import pytest

from ml_connector.hubspot.ratelimit import HubSpotRateLimiter, RollingWindow, _search_window


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def window(max_requests: int = 3, interval: float = 10.0, **kw: object) -> tuple[RollingWindow, Clock]:
    clock = Clock()
    return RollingWindow(max_requests, interval, clock=clock, sleep=clock.sleep, **kw), clock


def test_full_window_waits_until_the_oldest_response_leaves_it() -> None:
    w, clock = window()
    for offset in (0.0, 1.0, 2.0):
        clock.now = 1000.0 + offset
        w.complete(w.acquire())
    assert w.delay() == pytest.approx(8.0)  # oldest finished at 1000, window 10 s, now 1002
    clock.now = 1010.0
    assert w.delay() == 0.0
    assert w.try_acquire() is not None
    assert w.try_acquire() is None  # 1001 and 1002 are still inside


def test_blocking_acquire_sleeps_exactly_until_a_slot_frees() -> None:
    w, clock = window(max_requests=2, interval=5.0)
    for _ in range(2):
        w.complete(w.acquire())
    w.acquire()
    assert clock.slept == [pytest.approx(5.0)]
    assert w.waited_seconds == pytest.approx(5.0)


def test_slot_is_stamped_when_the_response_arrives_not_when_sent() -> None:
    w, clock = window(max_requests=1, interval=10.0)
    slot = w.acquire()
    clock.now += 3.0  # a slow response
    w.complete(slot)
    assert w.delay() == pytest.approx(10.0)


def test_in_flight_requests_count_against_the_window() -> None:
    w, _ = window(max_requests=2)
    w.acquire()
    w.acquire()
    assert w.try_acquire() is None
    assert w.in_window() == 2


def test_headers_shrink_the_window_and_add_calls_made_by_other_clients() -> None:
    w, clock = window(max_requests=100, interval=10.0)
    w.complete(w.acquire())
    w.observe(max_requests=20, remaining=15, interval_ms=2000)  # server saw 5 calls, we made 1
    assert (w.max_requests, w.interval) == (20, 2.0)
    assert w.in_window() == 5
    w.observe(max_requests=20, remaining=0, interval_ms=2000)
    assert w.in_window() == 20
    assert w.delay() == pytest.approx(2.0)
    clock.now += 2.0
    assert w.delay() == 0.0


def test_remaining_above_our_count_never_frees_our_own_slots() -> None:
    w, _ = window(max_requests=10)
    for _ in range(4):
        w.complete(w.acquire())
    w.observe(max_requests=10, remaining=9, interval_ms=10_000)
    assert w.in_window() == 4


def test_before_the_first_headers_only_one_request_is_in_flight() -> None:
    w, _ = window(max_requests=100, learn_first=True)
    first = w.acquire()
    assert w.try_acquire() is None
    w.observe(max_requests=100, remaining=99, interval_ms=10_000)
    w.complete(first)
    assert w.try_acquire() is not None
    assert w.try_acquire() is not None


def test_429_backoff_starts_at_one_second_doubles_and_is_capped_by_the_window() -> None:
    w, clock = window(max_requests=100, interval=5.0)
    assert w.penalize() == pytest.approx(1.0)
    assert w.penalize() == pytest.approx(2.0)
    assert w.penalize() == pytest.approx(4.0)
    assert w.penalize() == pytest.approx(5.0)
    assert w.delay() == pytest.approx(5.0)
    clock.now += 5.0
    assert w.delay() == 0.0
    w.observe(max_requests=100, remaining=100, interval_ms=5000)  # a success resets the backoff
    assert w.penalize() == pytest.approx(1.0)


def test_429_waits_at_least_until_our_oldest_call_leaves_the_window() -> None:
    w, clock = window(max_requests=3, interval=10.0)
    w.complete(w.acquire())
    clock.now += 2.0
    assert w.penalize() == pytest.approx(8.0)


@pytest.mark.parametrize(("rate", "expected"), [(4, (4, 1.0)), (5.0, (5, 1.0)), (0.5, (1, 2.0)), (2.5, (2, 0.8))])
def test_search_budget_as_requests_per_window(rate: float, expected: tuple[int, float]) -> None:
    limit, interval = _search_window(rate)
    assert (limit, interval) == (expected[0], pytest.approx(expected[1]))


def test_search_headers_do_not_touch_the_general_window() -> None:
    limiter = HubSpotRateLimiter(100, 4)
    headers = {"X-HubSpot-RateLimit-Max": "5", "X-HubSpot-RateLimit-Remaining": "0",
               "X-HubSpot-RateLimit-Interval-Milliseconds": "1000", "X-HubSpot-RateLimit-Daily-Remaining": "7"}
    limiter.observe(headers, search=True)
    assert (limiter.general.max_requests, limiter.general.interval) == (100, 10.0)
    assert limiter.daily.remaining == 7
    limiter.observe(headers, search=False)
    assert (limiter.general.max_requests, limiter.general.interval) == (5, 1.0)


def test_search_calls_take_from_both_budgets() -> None:
    limiter = HubSpotRateLimiter(100, 2)
    limiter.general._calibrated = True
    for _ in range(2):
        limiter.complete(limiter.acquire(search=True))
    assert limiter.search.try_acquire() is None
    assert limiter.general.in_window() == 2


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="max_requests"):
        RollingWindow(0, 10)
    with pytest.raises(ValueError, match="search_requests_per_second"):
        _search_window(0)


def test_retry_after_can_only_lengthen_the_backoff() -> None:
    w, _ = window(max_requests=100, interval=10.0)
    assert w.penalize(at_least=7.0) == pytest.approx(7.0)
    assert w.penalize(at_least=0.5) == pytest.approx(2.0)
