"""In-memory records of every object, with ID indexes and an undo journal for transactions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ml_connector.sandbox.intacct.objects import ObjectDef

Record = dict[str, Any]


class RecordStore:
    """Tables keyed by each object's key field; ``begin``/``rollback`` undo writes of one operation."""

    def __init__(self, definitions: Mapping[str, ObjectDef]) -> None:
        self._definitions = dict(definitions)
        self._tables: dict[str, dict[int, Record]] = {name: {} for name in definitions}
        self._next_key: dict[str, int] = dict.fromkeys(definitions, 1)
        self._ids: dict[str, dict[str, int]] = {name: {} for name in definitions}
        self._children: dict[str, dict[int, list[int]]] = {}
        self._journal: list[tuple[str, int, Record | None]] | None = None
        self.version = 0

    # --- reading ----------------------------------------------------------------------------------

    def definition(self, name: str) -> ObjectDef | None:
        return self._definitions.get(name.upper()) or self._definitions.get(name)

    def records(self, name: str) -> list[Record]:
        """Current records in key order."""
        return list(self._tables[name].values())

    def get(self, name: str, key: int) -> Record | None:
        return self._tables[name].get(key)

    def find_by_id(self, name: str, value: str) -> Record | None:
        key = self._ids[name].get(value)
        return None if key is None else self._tables[name].get(key)

    def children_of(self, child_name: str, parent_key: int) -> list[Record]:
        table = self._tables[child_name]
        return [table[key] for key in self._children.get(child_name, {}).get(parent_key, []) if key in table]

    # --- writing ----------------------------------------------------------------------------------

    def allocate_key(self, name: str) -> int:
        """Next key of the object's sequence; like a database sequence it is not rolled back."""
        key = self._next_key[name]
        self._next_key[name] = key + 1
        return key

    def insert(self, name: str, record: Record) -> Record:
        definition = self._definitions[name]
        key = record[definition.key_field]
        self._next_key[name] = max(self._next_key[name], key + 1)
        self._write(name, key, record)
        return record

    def replace(self, name: str, record: Record) -> Record:
        definition = self._definitions[name]
        self._write(name, record[definition.key_field], record)
        return record

    def delete(self, name: str, key: int) -> None:
        self._write(name, key, None)

    def _write(self, name: str, key: int, record: Record | None) -> None:
        definition = self._definitions[name]
        table = self._tables[name]
        previous = table.get(key)
        if self._journal is not None:
            self._journal.append((name, key, previous))
        if previous is not None and definition.unique_id and definition.id_field:
            old_id = previous.get(definition.id_field)
            if old_id is not None and self._ids[name].get(old_id) == key:
                del self._ids[name][old_id]
        if record is None:
            table.pop(key, None)
        else:
            table[key] = record
            if definition.unique_id and definition.id_field and record.get(definition.id_field) is not None:
                self._ids[name][record[definition.id_field]] = key
            self._index_child(name, key, record)
        self.version += 1

    def _index_child(self, name: str, key: int, record: Record) -> None:
        for parent in self._definitions.values():
            owned = parent.owned
            if owned is not None and owned.object_name == name:
                parent_key = record.get(owned.parent_key_field)
                keys = self._children.setdefault(name, {}).setdefault(parent_key, [])
                if key not in keys:
                    keys.append(key)

    # --- transactions -----------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._journal is not None

    def begin(self) -> None:
        self._journal = []

    def commit(self) -> None:
        self._journal = None

    def rollback(self) -> None:
        journal, self._journal = self._journal or [], None
        for name, key, previous in reversed(journal):
            self._write(name, key, previous)
