"""Alembic, driven from code: ``upgrade`` to head and ``status``, with the script folder inside the package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ml_connector.store.locks import LockManager
from ml_connector.store.schema import VERSION_TABLE

_SCRIPTS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class StoreStatus:
    safe_url: str
    backend: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: sa.Engine, locks: LockManager, revision: str = "head") -> None:
    """Bring the store to ``revision``; a lock keeps two workers from migrating at once."""
    with locks.hold("ml-connector-migrate"), engine.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def status(engine: sa.Engine) -> StoreStatus:
    return StoreStatus(
        safe_url=engine.url.render_as_string(hide_password=True),
        backend=engine.dialect.name,
        current=current_revision(engine),
        head=head_revision(),
    )
