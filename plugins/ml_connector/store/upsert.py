"""``INSERT ... ON CONFLICT`` for the two supported backends (same API in both dialects)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert(engine: sa.Engine, table: sa.Table) -> Any:
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    if engine.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"sync store does not support {engine.dialect.name}")
