"""The connector's own tables (SQLAlchemy Core + Alembic), on PostgreSQL or an embedded SQLite file."""

from __future__ import annotations

from ml_connector.store.mappings import IdMapping, MappingConflictError, MappingConflictsError, NewMapping
from ml_connector.store.migrate import StoreStatus
from ml_connector.store.sessions import CachedSession
from ml_connector.store.staging import StagedRecord, payload_hash
from ml_connector.store.sync_store import StoreNotCurrentError, SyncStore

__all__ = [
    "CachedSession",
    "IdMapping",
    "MappingConflictError",
    "MappingConflictsError",
    "NewMapping",
    "StagedRecord",
    "StoreNotCurrentError",
    "StoreStatus",
    "SyncStore",
    "payload_hash",
]
