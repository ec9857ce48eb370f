"""Encryption at rest for the cached Intacct session id.

Key order: ``ML_CONNECTOR_FERNET_KEY`` (comma-separated, newest first, for rotation), then
Airflow's own ``[core] fernet_key``, then a key generated once into ``$ML_CONNECTOR_HOME/fernet.key``
(mode 0600). Workers that do not share a key simply miss the cache and open a new session.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ml_connector.store.location import connector_home


class UndecryptableError(Exception):
    """The ciphertext was written with a key this process does not have."""


def _configured_keys() -> list[str]:
    env = os.environ.get("ML_CONNECTOR_FERNET_KEY", "")
    keys = [k.strip() for k in env.split(",") if k.strip()]
    if keys:
        return keys
    try:
        from airflow.configuration import conf

        airflow_key = conf.get("core", "fernet_key", fallback="") or ""
    except Exception:  # Airflow not configured here (e.g. the bare CLI): use the local key
        airflow_key = ""
    return [k.strip() for k in airflow_key.split(",") if k.strip()]


def _local_key(home: Path) -> str:
    path = home / "fernet.key"
    if not path.exists():
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
    return path.read_text().strip()


class SecretBox:
    """Encrypts and decrypts short secrets; the key never leaves this object."""

    def __init__(self, keys: list[str] | None = None) -> None:
        keys = keys or _configured_keys() or [_local_key(connector_home())]
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise UndecryptableError("cached secret was encrypted with another key") from exc

    def __repr__(self) -> str:
        return "SecretBox(<keys hidden>)"
