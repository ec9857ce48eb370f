"""Session expiry rules and sharing through the sync store (no HTTP here; see test_hook for the gateway)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ml_connector.intacct.session import SessionManager, session_expiry, utcnow
from ml_connector.store import SyncStore

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=utcnow().tzinfo)
MAX_AGE = timedelta(minutes=50)
MARGIN = timedelta(minutes=5)


def test_expiry_is_the_earlier_of_max_age_and_gateway_timeout() -> None:
    assert session_expiry(T0, T0 + timedelta(hours=24), max_age=MAX_AGE, margin=MARGIN, now=T0) == T0 + MAX_AGE
    assert session_expiry(T0, T0 + timedelta(minutes=30), max_age=MAX_AGE, margin=MARGIN, now=T0) == (
        T0 + timedelta(minutes=25))
    assert session_expiry(T0, None, max_age=MAX_AGE, margin=MARGIN, now=T0) == T0 + MAX_AGE


def test_margin_never_eats_a_short_session() -> None:
    expiry = session_expiry(T0, T0 + timedelta(seconds=60), max_age=MAX_AGE, margin=MARGIN, now=T0)
    assert expiry == T0 + timedelta(seconds=48)


@pytest.fixture()
def store(tmp_path: Path) -> SyncStore:
    s = SyncStore.from_url(f"sqlite:///{tmp_path / 'sync.db'}")
    s.upgrade()
    return s


def _manager(store: SyncStore, opened: list[str], timeout: timedelta | None = timedelta(hours=2)) -> SessionManager:
    def open_session() -> tuple[str, str, datetime | None]:
        opened.append(f"sid-{len(opened)}")
        return opened[-1], "https://na1.example/ia/xml/xmlgw.phtml", (utcnow() + timeout) if timeout else None

    return SessionManager(lambda: store, "intacct:test", open_session, max_age=MAX_AGE, margin=MARGIN)


def test_two_managers_share_one_session(store: SyncStore) -> None:
    opened: list[str] = []
    first, second = _manager(store, opened), _manager(store, opened)
    assert first.current().session_id == second.current().session_id == "sid-0"
    assert opened == ["sid-0"]
    assert first.current().endpoint == "https://na1.example/ia/xml/xmlgw.phtml"


def test_invalidate_only_forgets_the_refused_session(store: SyncStore) -> None:
    opened: list[str] = []
    first, second = _manager(store, opened), _manager(store, opened)
    stale = first.current()
    first.invalidate(stale)
    fresh = first.current()
    assert fresh.session_id == "sid-1"
    second._local = stale  # a process still holding the old id is refused by the gateway…
    second.invalidate(stale)  # …and must not delete the fresh session the other process stored
    assert second.current().session_id == "sid-1"
    assert opened == ["sid-0", "sid-1"]


def test_observe_slides_expiry_but_never_past_max_age(store: SyncStore) -> None:
    opened: list[str] = []
    manager = _manager(store, opened, timeout=timedelta(minutes=20))
    session = manager.current()
    assert session.expires_at <= utcnow() + timedelta(minutes=16)
    manager.observe(session, utcnow() + timedelta(hours=5))
    extended = store.sessions.get("intacct:test")
    assert extended is not None
    assert extended.expires_at <= session.created_at + MAX_AGE + timedelta(seconds=1)
    assert extended.expires_at > session.expires_at + timedelta(minutes=20)
