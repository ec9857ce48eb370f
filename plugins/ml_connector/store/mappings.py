"""Intacct <-> HubSpot id mappings, unique on each side, safe under concurrent writers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ml_connector.store.schema import id_mappings as t
from ml_connector.store.types import utcnow
from ml_connector.store.upsert import insert


class MappingConflictError(Exception):
    """The HubSpot record is already mapped to a different Intacct record."""

    def __init__(self, intacct: tuple[str, str], hubspot: tuple[str, str], existing_intacct: tuple[str, str] | None):
        self.intacct, self.hubspot, self.existing_intacct = intacct, hubspot, existing_intacct
        held_by = f"{existing_intacct[0]} {existing_intacct[1]}" if existing_intacct else "another record"
        super().__init__(
            f"HubSpot {hubspot[0]} {hubspot[1]} is already linked to Intacct {held_by}; "
            f"refusing to also link it to Intacct {intacct[0]} {intacct[1]}"
        )


@dataclass(frozen=True)
class IdMapping:
    intacct_object: str
    intacct_key: str
    hubspot_object_type: str
    hubspot_id: str
    source_system: str | None
    source_hash: str | None
    updated_at: datetime


def _to_mapping(row: sa.RowMapping) -> IdMapping:
    return IdMapping(
        row["intacct_object"], row["intacct_key"], row["hubspot_object_type"], row["hubspot_id"],
        row["source_system"], row["source_hash"], row["updated_at"],
    )


class IdMappings:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def upsert(
        self,
        *,
        intacct_object: str,
        intacct_key: str,
        hubspot_object_type: str,
        hubspot_id: str,
        source_system: str | None = None,
        source_hash: str | None = None,
        run_id: int | None = None,
    ) -> IdMapping:
        """Link the two records; replaying the same link is a no-op apart from the hash and time."""
        now = utcnow()
        stmt = insert(self._engine, t).values(
            intacct_object=intacct_object, intacct_key=intacct_key,
            hubspot_object_type=hubspot_object_type, hubspot_id=str(hubspot_id),
            source_system=source_system, source_hash=source_hash, last_run_id=run_id,
            created_at=now, updated_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.intacct_object, t.c.intacct_key],
            set_={
                "hubspot_object_type": stmt.excluded.hubspot_object_type,
                "hubspot_id": stmt.excluded.hubspot_id,
                "source_system": sa.func.coalesce(stmt.excluded.source_system, t.c.source_system),
                "source_hash": sa.func.coalesce(stmt.excluded.source_hash, t.c.source_hash),
                "last_run_id": sa.func.coalesce(stmt.excluded.last_run_id, t.c.last_run_id),
                "updated_at": stmt.excluded.updated_at,
            },
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(stmt)
        except sa.exc.IntegrityError as exc:
            existing = self.by_hubspot(hubspot_object_type, str(hubspot_id))
            if existing is None or (existing.intacct_object, existing.intacct_key) == (intacct_object, intacct_key):
                raise
            raise MappingConflictError(
                (intacct_object, intacct_key), (hubspot_object_type, str(hubspot_id)),
                (existing.intacct_object, existing.intacct_key),
            ) from exc
        found = self.by_intacct(intacct_object, intacct_key)
        assert found is not None
        return found

    def by_intacct(self, intacct_object: str, intacct_key: str) -> IdMapping | None:
        return self._one((t.c.intacct_object == intacct_object) & (t.c.intacct_key == intacct_key))

    def by_hubspot(self, hubspot_object_type: str, hubspot_id: str) -> IdMapping | None:
        return self._one((t.c.hubspot_object_type == hubspot_object_type) & (t.c.hubspot_id == str(hubspot_id)))

    def many_by_intacct(self, intacct_object: str, intacct_keys: Iterable[str]) -> dict[str, IdMapping]:
        keys = list(dict.fromkeys(intacct_keys))
        found: dict[str, IdMapping] = {}
        for start in range(0, len(keys), 500):
            query = sa.select(t).where(t.c.intacct_object == intacct_object, t.c.intacct_key.in_(keys[start : start + 500]))
            with self._engine.connect() as conn:
                found.update({r["intacct_key"]: _to_mapping(r) for r in conn.execute(query).mappings()})
        return found

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())

    def _one(self, where: sa.ColumnElement[bool]) -> IdMapping | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(where)).mappings().first()
        return _to_mapping(row) if row else None
