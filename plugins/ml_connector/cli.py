"""The ml-connector command: manage the sync store and run the local sandboxes."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

_SANDBOXES = {
    "intacct": ("ml_connector.sandbox.intacct.cli", "Run the local Sage Intacct XML gateway"),
    "hubspot": ("ml_connector.sandbox.hubspot.cli", "Run the local HubSpot CRM API"),
}


def _build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ml-connector", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    store_url = argparse.ArgumentParser(add_help=False)
    store_url.add_argument(
        "--url",
        help="SQLAlchemy URL of the sync store (default: the Airflow connection ml_connector_db, "
        "else the embedded SQLite file)",
    )
    db = commands.add_parser("db", help="Manage the connector's sync store")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser(
        "upgrade", parents=[store_url], help="Create or migrate the sync store tables to the latest version"
    )
    db_commands.add_parser(
        "status", parents=[store_url], help="Show where the sync store is and whether it is up to date (exit 1 if not)"
    )

    sandbox = commands.add_parser("sandbox", help="Run a local gateway for tests, benchmarks and the demo")
    sandboxes = sandbox.add_subparsers(dest="sandbox", required=True)
    for name, (module_name, help_text) in _SANDBOXES.items():
        sub = sandboxes.add_parser(name, help=help_text, description=help_text)
        # Import a sandbox (FastAPI, uvicorn, seed data) only when that sandbox is asked for.
        if list(argv[:2]) == ["sandbox", name]:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(_sandbox_module=module)
    return parser


def _db(args: argparse.Namespace) -> int:
    import logging

    from ml_connector.store import SyncStore

    logging.getLogger("alembic").setLevel(logging.WARNING)  # the command prints its own summary

    store = SyncStore.from_url(args.url) if args.url else SyncStore.from_airflow()
    if args.db_command == "upgrade":
        store.upgrade()
        status = store.status()
        print(f"sync store at {status.safe_url} is at revision {status.current} (head {status.head})")
        return 0
    status = store.status()
    state = "up to date" if status.up_to_date else "needs 'ml-connector db upgrade'"
    print(f"sync store: {status.safe_url}\nbackend: {status.backend}\nrevision: {status.current}\nhead: {status.head}\n{state}")
    return 0 if status.up_to_date else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _build_parser(argv).parse_args(argv)
    if args.command == "db":
        return _db(args)
    if args.command == "sandbox":
        return int(args._sandbox_module.run_from_args(args) or 0)
    return 2


if __name__ == "__main__":
    sys.exit(main())
