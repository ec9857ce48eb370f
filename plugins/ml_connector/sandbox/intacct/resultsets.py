"""readByQuery result sets behind ``resultId``: the matched keys, a cursor and a lifetime."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ml_connector.sandbox.intacct.clock import SandboxClock


@dataclass
class ResultSet:
    result_id: str
    object_name: str
    keys: list[int]
    position: int
    pagesize: int
    fields: tuple[str, ...] | None
    owner: str
    expires_at: datetime


class ResultSetStore:
    """Result sets live ``ttl`` after their last use (sliding) and vanish once fully read."""

    def __init__(self, clock: SandboxClock, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            raise ValueError("result_id_ttl_seconds must be positive")
        self._clock = clock
        self.ttl = timedelta(seconds=ttl_seconds)
        self._sets: dict[str, ResultSet] = {}
        self._latest_by_object: dict[tuple[str, str], str] = {}

    def create(
        self, object_name: str, keys: list[int], position: int, pagesize: int, fields: tuple[str, ...] | None, owner: str
    ) -> ResultSet:
        self._drop_expired()
        # Shaped like the gateway's ids (hex-ish prefix, base64-ish tail), opaque to clients.
        result_id = secrets.token_hex(5) + secrets.token_urlsafe(18).replace("-", "@")
        result_set = ResultSet(
            result_id, object_name, keys, position, pagesize, fields, owner, self._clock.now() + self.ttl
        )
        self._sets[result_id] = result_set
        self._latest_by_object[(owner, object_name)] = result_id
        return result_set

    def find(self, result_id: str, owner: str) -> ResultSet | None:
        result_set = self._sets.get(result_id)
        if result_set is None or result_set.owner != owner:
            return None
        if result_set.expires_at <= self._clock.now():
            self.discard(result_id)
            return None
        result_set.expires_at = self._clock.now() + self.ttl
        return result_set

    def latest_for_object(self, object_name: str, owner: str) -> ResultSet | None:
        result_id = self._latest_by_object.get((owner, object_name))
        return None if result_id is None else self.find(result_id, owner)

    def discard(self, result_id: str) -> None:
        result_set = self._sets.pop(result_id, None)
        if result_set is not None:
            key = (result_set.owner, result_set.object_name)
            if self._latest_by_object.get(key) == result_id:
                del self._latest_by_object[key]

    def expire_all(self) -> None:
        self._sets.clear()
        self._latest_by_object.clear()

    def _drop_expired(self) -> None:
        now = self._clock.now()
        for result_id in [rid for rid, rs in self._sets.items() if rs.expires_at <= now]:
            self.discard(result_id)
