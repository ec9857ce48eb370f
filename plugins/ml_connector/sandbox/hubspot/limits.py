"""HubSpot's rate limits: a rolling window per token, a daily counter, and search's own per-second limit."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Tier:
    per_window: int
    per_day: int


TIERS: dict[str, Tier] = {
    "free": Tier(100, 250_000),
    "starter": Tier(100, 250_000),
    "professional": Tier(190, 625_000),
    "enterprise": Tier(190, 1_000_000),
    # One API limit increase pack on a Starter portal: 250 per 10 s, 250,000 + 1,000,000 a day.
    "api_limit_increase": Tier(250, 1_250_000),
}


@dataclass(frozen=True)
class Decision:
    """The outcome of one admission check, and what the rate-limit headers should say."""

    allowed: bool
    policy: str | None
    window_remaining: int
    daily_remaining: int


class RateLimiter:
    """Admits or refuses requests; refused requests do not use up the window or the day."""

    def __init__(self, *, interval_ms: int, window_max: int, daily_limit: int, search_per_second: float) -> None:
        self.interval_ms = interval_ms
        self.window_max = window_max
        self.daily_limit = daily_limit
        self.search_per_second = search_per_second
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._search: dict[str, deque[float]] = {}
        self._day = self._today()
        self._daily_used = 0

    @staticmethod
    def _today() -> str:
        # The daily limit resets at midnight in the portal's time zone; the sandbox portal is on UTC.
        return datetime.now(UTC).date().isoformat()

    def _roll_day(self) -> None:
        today = self._today()
        if today != self._day:
            self._day = today
            self._daily_used = 0

    def admit(self, token: str, *, search: bool) -> Decision:
        now = time.monotonic()
        with self._lock:
            self._roll_day()
            window = self._windows.setdefault(token, deque())
            horizon = now - self.interval_ms / 1000.0
            while window and window[0] <= horizon:
                window.popleft()
            if self._daily_used >= self.daily_limit:
                return Decision(False, "DAILY", max(0, self.window_max - len(window)), 0)
            if search:
                recent = self._search.setdefault(token, deque())
                while recent and recent[0] <= now - 1.0:
                    recent.popleft()
                if len(recent) >= self.search_per_second:
                    return Decision(False, "SECONDLY", max(0, self.window_max - len(window)),
                                    self.daily_limit - self._daily_used)
                recent.append(now)
            else:
                if len(window) >= self.window_max:
                    return Decision(False, "TEN_SECONDLY_ROLLING", 0, self.daily_limit - self._daily_used)
                window.append(now)
            self._daily_used += 1
            return Decision(True, None, max(0, self.window_max - len(window)), self.daily_limit - self._daily_used)

    def snapshot(self, token: str) -> Decision:
        now = time.monotonic()
        with self._lock:
            self._roll_day()
            window = self._windows.get(token, deque())
            used = sum(1 for t in window if t > now - self.interval_ms / 1000.0)
            return Decision(True, None, max(0, self.window_max - used), self.daily_limit - self._daily_used)

    def set_daily_used(self, used: int) -> None:
        """Lets tests and demos start a day close to its limit."""
        with self._lock:
            self._roll_day()
            self._daily_used = used

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self._search.clear()
            self._daily_used = 0
