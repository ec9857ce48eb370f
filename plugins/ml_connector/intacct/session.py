"""One API session per login, shared by every task process through the sync store.

Expiry is the earlier of the gateway's ``sessiontimeout`` (minus a margin) and a maximum age
counted from when the session was opened; each response slides it forward within that cap.
Refreshing goes through ``store.sessions.get_or_create`` so concurrent processes never
stampede the gateway with getAPISession calls.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ml_connector.store.types import utcnow

if TYPE_CHECKING:
    from ml_connector.store import CachedSession, SyncStore

log = logging.getLogger(__name__)

# Only write a new expiry to the store when it moves by at least this much (one write per minute, not per call).
_EXTEND_GRANULARITY = timedelta(seconds=60)

OpenSession = Callable[[], tuple[str, str, "datetime | None"]]


def session_expiry(
    opened_at: datetime, session_timeout: datetime | None, *, max_age: timedelta, margin: timedelta,
    now: datetime | None = None,
) -> datetime:
    """min(opened_at + max_age, sessiontimeout - margin); the margin never eats more than a fifth of what is left."""
    cap = opened_at + max_age
    if session_timeout is None:
        return cap
    remaining = session_timeout - (now or utcnow())
    effective_margin = min(margin, max(remaining, timedelta(0)) / 5)
    return min(cap, session_timeout - effective_margin)


class SessionManager:
    """Hands out a live session for one cache key; knows nothing about HTTP."""

    def __init__(
        self,
        store: Callable[[], SyncStore],
        cache_key: str,
        open_session: OpenSession,
        *,
        max_age: timedelta,
        margin: timedelta,
    ) -> None:
        self._store = store
        self._cache_key = cache_key
        self._open_session = open_session
        self._max_age = max_age
        self._margin = margin
        self._local: CachedSession | None = None
        self.opened = 0  # getAPISession calls made by this process

    def current(self) -> CachedSession:
        now = utcnow()
        if self._local is not None and self._local.expires_at > now:
            return self._local
        self._local = self._store().sessions.get_or_create(self._cache_key, self._create)
        return self._local

    def _create(self) -> tuple[str, str, datetime]:
        opened_at = utcnow()
        session_id, endpoint, session_timeout = self._open_session()
        self.opened += 1
        expires_at = session_expiry(opened_at, session_timeout, max_age=self._max_age, margin=self._margin)
        log.info("Opened an Intacct API session (endpoint %s, cached until %s)", endpoint, expires_at.isoformat())
        return session_id, endpoint, expires_at

    def observe(self, session: CachedSession, session_timeout: datetime | None) -> None:
        """Slide the cached expiry after a successful call, never past the maximum age."""
        if session_timeout is None or self._local is None or self._local.session_id != session.session_id:
            return
        opened_at = session.created_at or (session.expires_at - self._max_age)
        new_expiry = session_expiry(opened_at, session_timeout, max_age=self._max_age, margin=self._margin)
        if new_expiry - self._local.expires_at >= _EXTEND_GRANULARITY:
            self._store().sessions.extend(self._cache_key, new_expiry)
            self._local = dataclasses.replace(self._local, expires_at=new_expiry)

    def invalidate(self, session: CachedSession) -> None:
        """The gateway refused this session: forget it (only if the store still holds this one)."""
        self._store().sessions.invalidate(self._cache_key, session.session_id)
        if self._local is not None and self._local.session_id == session.session_id:
            self._local = None
