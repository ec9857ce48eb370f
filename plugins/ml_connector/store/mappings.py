"""Intacct <-> HubSpot id mappings, unique on each side, safe under concurrent writers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

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


class MappingConflictsError(Exception):
    """Several rows of one batch conflicted; each is in ``conflicts``."""

    def __init__(self, conflicts: list[MappingConflictError]) -> None:
        self.conflicts = conflicts
        super().__init__(f"{len(conflicts)} mappings conflict; first: {conflicts[0]}")


class NewMapping(NamedTuple):
    intacct_object: str
    intacct_key: str
    hubspot_object_type: str
    hubspot_id: str
    source_system: str | None = None
    source_hash: str | None = None


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
        self.upsert_many(
            [
                NewMapping(intacct_object, intacct_key, hubspot_object_type, str(hubspot_id), source_system, source_hash)
            ],
            run_id=run_id,
        )
        found = self.by_intacct(intacct_object, intacct_key)
        assert found is not None
        return found

    def upsert_many(self, mappings: Sequence[NewMapping], run_id: int | None = None) -> None:
        """Link a whole batch in one statement (a HubSpot batch is 100 records).

        If any row would link a HubSpot record that another Intacct record already holds, the
        batch is retried row by row so every other row lands and the conflict names its row.
        """
        if not mappings:
            return
        try:
            with self._engine.begin() as conn:
                conn.execute(self._upsert_statement(mappings, run_id))
        except sa.exc.IntegrityError:
            if len(mappings) == 1:
                self._raise_conflict(mappings[0])
                raise
            conflicts: list[MappingConflictError] = []
            for mapping in mappings:
                try:
                    self.upsert_many([mapping], run_id)
                except MappingConflictError as exc:
                    conflicts.append(exc)
            if conflicts:
                raise conflicts[0] if len(conflicts) == 1 else MappingConflictsError(conflicts) from None

    def _upsert_statement(self, mappings: Sequence[NewMapping], run_id: int | None) -> Any:
        now = utcnow()
        # one row per Intacct key: PostgreSQL refuses to touch the same row twice in one statement
        unique = {(m.intacct_object, m.intacct_key): m for m in mappings}
        stmt = insert(self._engine, t).values([
            {
                "intacct_object": m.intacct_object, "intacct_key": m.intacct_key,
                "hubspot_object_type": m.hubspot_object_type, "hubspot_id": str(m.hubspot_id),
                "source_system": m.source_system, "source_hash": m.source_hash, "last_run_id": run_id,
                "created_at": now, "updated_at": now,
            }
            for m in unique.values()
        ])
        return stmt.on_conflict_do_update(
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

    def _raise_conflict(self, mapping: NewMapping) -> None:
        existing = self.by_hubspot(mapping.hubspot_object_type, mapping.hubspot_id)
        if existing is not None and (existing.intacct_object, existing.intacct_key) != (
            mapping.intacct_object, mapping.intacct_key
        ):
            raise MappingConflictError(
                (mapping.intacct_object, mapping.intacct_key),
                (mapping.hubspot_object_type, mapping.hubspot_id),
                (existing.intacct_object, existing.intacct_key),
            )

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
