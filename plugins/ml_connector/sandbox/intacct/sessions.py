"""API sessions with a sliding timeout: every authenticated call pushes expiry to now + duration."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ml_connector.sandbox.intacct.clock import SandboxClock


@dataclass
class Session:
    sessionid: str
    userid: str
    companyid: str
    locationid: str
    expires_at: datetime

    def __repr__(self) -> str:  # the id is a credential
        return f"Session(userid={self.userid!r}, companyid={self.companyid!r}, locationid={self.locationid!r})"


class SessionManager:
    def __init__(self, clock: SandboxClock, duration_seconds: int) -> None:
        if duration_seconds <= 0:
            raise ValueError("session_duration_seconds must be positive")
        self._clock = clock
        self.duration = timedelta(seconds=duration_seconds)
        self._sessions: dict[str, Session] = {}

    def create(self, userid: str, companyid: str, locationid: str) -> Session:
        sessionid = secrets.token_urlsafe(30) + ".."
        session = Session(sessionid, userid, companyid, locationid, self._clock.now() + self.duration)
        self._sessions[sessionid] = session
        return session

    def find(self, sessionid: str) -> Session | None:
        """The live session with that id, or None (unknown or expired; expired ones are dropped)."""
        session = self._sessions.get(sessionid)
        if session is None:
            return None
        if session.expires_at <= self._clock.now():
            del self._sessions[sessionid]
            return None
        return session

    def touch(self, session: Session) -> None:
        """Slide the timeout: a call before expiry resets it to now + duration."""
        session.expires_at = max(session.expires_at, self._clock.now() + self.duration)

    def expire(self, sessionid: str) -> None:
        self._sessions.pop(sessionid, None)

    def expire_all(self) -> None:
        self._sessions.clear()

    def __len__(self) -> int:
        return len(self._sessions)
