"""Client-side rolling-window limits for one HubSpot app, shared by every hook in the process.

HubSpot counts requests per app in a rolling 10-second window (100/190/250 by tier) and the
search endpoints separately (about 4-5 per second). A limiter that only reacts to 429s wastes
requests and, past 5% errors, fails Marketplace rules, so requests wait *before* they are sent:

* the window starts from the tier's figure and is corrected by ``X-HubSpot-RateLimit-Max``,
  ``-Interval-Milliseconds`` and ``-Remaining`` (``Remaining`` below our own count means another
  client shares the token, so its calls are added to the window);
* a slot is stamped when its response *arrives*, which is never earlier than when HubSpot
  counted it, so our window never frees a slot before HubSpot's does;
* until the first headers are seen only one request is in flight, so a smaller server window is
  learnt before a burst can overrun it;
* a 429 blocks everyone sharing the limiter, backing off 1 s, 2 s, 4 s ... up to the window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

HEADER_MAX = "X-HubSpot-RateLimit-Max"
HEADER_REMAINING = "X-HubSpot-RateLimit-Remaining"
HEADER_INTERVAL = "X-HubSpot-RateLimit-Interval-Milliseconds"
HEADER_DAILY = "X-HubSpot-RateLimit-Daily"
HEADER_DAILY_REMAINING = "X-HubSpot-RateLimit-Daily-Remaining"


@dataclass
class Slot:
    """One granted request: ``at`` is None while in flight, then the arrival time of its response."""

    at: float | None = None


class RollingWindow:
    """At most ``max_requests`` in any ``interval`` seconds; thread-safe; clock and sleep injectable."""

    def __init__(
        self,
        max_requests: int,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        learn_first: bool = False,
    ) -> None:
        if max_requests < 1 or interval <= 0:
            raise ValueError(f"max_requests ({max_requests}) must be >= 1 and interval ({interval}) > 0")
        self.max_requests = max_requests
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._slots: list[Slot] = []
        self._blocked_until = 0.0
        self._penalties = 0
        self._calibrated = not learn_first
        self.waited_seconds = 0.0

    # -- arithmetic (no waiting) ------------------------------------------------------------
    def _prune(self, now: float) -> None:
        edge = now - self.interval
        self._slots = [s for s in self._slots if s.at is None or s.at > edge]

    def in_window(self, now: float | None = None) -> int:
        with self._cond:
            self._prune(self._clock() if now is None else now)
            return len(self._slots)

    def delay(self, now: float | None = None) -> float:
        """Seconds until one more request may be sent (0 = now)."""
        with self._cond:
            return self._delay(self._clock() if now is None else now)

    def _delay(self, now: float) -> float:
        self._prune(now)
        if now < self._blocked_until:
            return self._blocked_until - now
        in_flight = sum(1 for s in self._slots if s.at is None)
        if not self._calibrated and in_flight:
            return 0.005  # wait for the first response's headers
        if len(self._slots) < self.max_requests:
            return 0.0
        finished = [s.at for s in self._slots if s.at is not None]
        if not finished:
            return 0.005  # the window is all in flight: wait for a response
        return max(0.001, min(finished) + self.interval - now)

    def try_acquire(self, now: float | None = None) -> Slot | None:
        with self._cond:
            if self._delay(self._clock() if now is None else now) > 0:
                return None
            slot = Slot()
            self._slots.append(slot)
            return slot

    # -- blocking ----------------------------------------------------------------------------
    def acquire(self) -> Slot:
        """Block until a request may be sent; the caller must ``complete`` the slot."""
        with self._cond:
            while True:
                wait = self._delay(self._clock())
                if wait <= 0:
                    slot = Slot()
                    self._slots.append(slot)
                    return slot
                self.waited_seconds += wait
                if self._sleep is None:
                    self._cond.wait(wait)
                else:  # injected sleep (tests): release the lock while "sleeping"
                    self._cond.release()
                    try:
                        self._sleep(wait)
                    finally:
                        self._cond.acquire()

    def complete(self, slot: Slot, now: float | None = None) -> None:
        with self._cond:
            slot.at = self._clock() if now is None else now
            self._cond.notify_all()

    # -- corrections ---------------------------------------------------------------------------
    def observe(
        self,
        max_requests: int | None,
        remaining: int | None,
        interval_ms: int | None,
        now: float | None = None,
        *,
        success: bool = True,
    ) -> None:
        """Adopt the server's window and account for calls other clients made with the same token."""
        with self._cond:
            now = self._clock() if now is None else now
            if interval_ms and interval_ms > 0:
                self.interval = interval_ms / 1000
            if max_requests and max_requests > 0:
                self.max_requests = max_requests
                self._calibrated = True
            if success:
                self._penalties = 0
            if remaining is not None and max_requests:
                self._prune(now)
                server_used = max_requests - remaining
                unseen = server_used - len(self._slots)
                for _ in range(max(0, unseen)):
                    self._slots.append(Slot(at=now))
            self._cond.notify_all()

    def penalize(self, now: float | None = None, at_least: float = 0.0) -> float:
        """After a 429: hold every request back, 1 s then doubling, never beyond one window
        unless the server asked for longer (``at_least``, from ``Retry-After``)."""
        with self._cond:
            now = self._clock() if now is None else now
            self._prune(now)
            finished = [s.at for s in self._slots if s.at is not None]
            until_oldest_leaves = (min(finished) + self.interval - now) if finished else 0.0
            backoff = min(self.interval, max(1.0 * (2**self._penalties), until_oldest_leaves))
            backoff = max(backoff, 1.0, at_least)
            self._penalties += 1
            self._blocked_until = max(self._blocked_until, now + backoff)
            self._calibrated = True
            self._cond.notify_all()
            return backoff

    def snapshot(self) -> dict[str, float]:
        with self._cond:
            self._prune(self._clock())
            return {"max": self.max_requests, "interval_s": self.interval, "in_window": len(self._slots)}


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


@dataclass
class DailyUsage:
    limit: int | None = None
    remaining: int | None = None


class HubSpotRateLimiter:
    """The general 10-second window plus the search budget for one app (token) and base URL.

    Search requests count against both: HubSpot's docs call search an "exception" to the
    general headers, but whether its calls also use the 10-second budget is not documented,
    and counting them twice can only slow us down, never cause a 429.
    """

    def __init__(
        self,
        window_max: int,
        search_per_second: float,
        *,
        window_ms: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.general = RollingWindow(window_max, window_ms / 1000, clock=clock, sleep=sleep, learn_first=True)
        self.search = RollingWindow(*_search_window(search_per_second), clock=clock, sleep=sleep)
        self.daily = DailyUsage()

    def set_search_rate(self, per_second: float) -> None:
        limit, interval = _search_window(per_second)
        with self.search._cond:
            self.search.max_requests, self.search.interval = limit, interval

    def acquire(self, *, search: bool) -> tuple[Slot, Slot | None]:
        search_slot = self.search.acquire() if search else None
        return self.general.acquire(), search_slot

    def complete(self, slots: tuple[Slot, Slot | None]) -> None:
        general, search = slots
        self.general.complete(general)
        if search is not None:
            self.search.complete(search)

    def observe(self, headers: Mapping[str, str], *, search: bool, success: bool = True) -> None:
        """Correct the windows from response headers.

        Headers on search responses are not applied to the general window: HubSpot may omit
        them there or describe another budget, and mixing the two would corrupt both.
        """
        daily = _int_header(headers, HEADER_DAILY)
        daily_remaining = _int_header(headers, HEADER_DAILY_REMAINING)
        if daily is not None:
            self.daily.limit = daily
        if daily_remaining is not None:
            self.daily.remaining = daily_remaining
        if search:
            return
        self.general.observe(
            _int_header(headers, HEADER_MAX),
            _int_header(headers, HEADER_REMAINING),
            _int_header(headers, HEADER_INTERVAL),
            success=success,
        )

    def penalize(self, *, search: bool, at_least: float = 0.0) -> float:
        return (self.search if search else self.general).penalize(at_least=at_least)


def _search_window(per_second: float) -> tuple[int, float]:
    """``n`` per second as a whole number of requests over a window (0.5/s -> 1 per 2 s)."""
    if per_second <= 0:
        raise ValueError(f"search_requests_per_second must be > 0, not {per_second}")
    if per_second >= 1:
        return int(per_second), int(per_second) / per_second
    return 1, 1 / per_second


_REGISTRY: dict[str, HubSpotRateLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_limiter(key: str, window_max: int, search_per_second: float) -> HubSpotRateLimiter:
    """The process-wide limiter for ``key`` (a fingerprint of base URL + token), created once."""
    with _REGISTRY_LOCK:
        limiter = _REGISTRY.get(key)
        if limiter is None:
            limiter = _REGISTRY[key] = HubSpotRateLimiter(window_max, search_per_second)
        return limiter
