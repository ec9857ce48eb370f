"""``SyncStore``: the one object tasks and hooks use to reach the connector's tables."""

from __future__ import annotations

from functools import cached_property

import sqlalchemy as sa

from ml_connector.store import migrate
from ml_connector.store.audit import AuditLog
from ml_connector.store.crypto import SecretBox
from ml_connector.store.inbox import WebhookInbox
from ml_connector.store.location import DEFAULT_CONN_ID, default_sqlite_url, make_engine, url_from_airflow
from ml_connector.store.locks import LockManager
from ml_connector.store.mappings import IdMappings
from ml_connector.store.rate_budget import SharedRateBudget
from ml_connector.store.runs import SyncRuns
from ml_connector.store.sessions import SessionCache
from ml_connector.store.staging import StagedRecords


class StoreNotCurrentError(RuntimeError):
    """The store's tables are older than this version of ml-connector expects."""


class SyncStore:
    """Runs, id mappings, staged records, audit events, Intacct sessions, the webhook inbox and the shared rate budget."""

    def __init__(self, engine: sa.Engine, secret_box: SecretBox | None = None) -> None:
        self.engine = engine
        self._secret_box = secret_box

    @classmethod
    def from_url(cls, url: str, secret_box: SecretBox | None = None) -> SyncStore:
        return cls(make_engine(url), secret_box)

    @classmethod
    def from_airflow(cls, conn_id: str = DEFAULT_CONN_ID) -> SyncStore:
        """The Airflow connection ``conn_id`` when defined, else the embedded SQLite file."""
        return cls.from_url(url_from_airflow(conn_id) or default_sqlite_url())

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @cached_property
    def locks(self) -> LockManager:
        return LockManager(self.engine)

    @cached_property
    def sessions(self) -> SessionCache:
        return SessionCache(self.engine, self._secret_box or SecretBox(), self.locks)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.engine)

    @cached_property
    def mappings(self) -> IdMappings:
        return IdMappings(self.engine)

    @cached_property
    def staging(self) -> StagedRecords:
        return StagedRecords(self.engine)

    @cached_property
    def runs(self) -> SyncRuns:
        return SyncRuns(self.engine)

    @cached_property
    def inbox(self) -> WebhookInbox:
        return WebhookInbox(self.engine)

    @cached_property
    def rate_budget(self) -> SharedRateBudget:
        return SharedRateBudget(self.engine, self.locks)

    def upgrade(self) -> None:
        migrate.upgrade(self.engine, self.locks)

    def ensure_current(self) -> SyncStore:
        """Make sure the tables are at the latest revision before task code uses them.

        The embedded SQLite file manages itself; a shared database is migrated by an operator
        (``ml-connector db upgrade``, as the compose stack's init does), never by each task.
        """
        status = self.status()
        if status.up_to_date:
            return self
        if self.backend == "sqlite":
            self.upgrade()
            return self
        raise StoreNotCurrentError(
            f"the sync store at {status.safe_url} is at revision {status.current or 'none'}, "
            f"this ml-connector needs {status.head}: run 'ml-connector db upgrade'"
        )

    def status(self) -> migrate.StoreStatus:
        return migrate.status(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SyncStore({self.engine.url.render_as_string(hide_password=True)})"
