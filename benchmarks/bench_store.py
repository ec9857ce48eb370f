"""How much headroom the sync store leaves the API calls it records.

Every downstream call writes one audit row (and HubSpot calls may take a slot in the shared
rate budget); a batch writes up to 100 mappings. This measures those writes per second on
PostgreSQL and on the SQLite default and prints them as a ratio of the fastest rate the APIs
allow (HubSpot's API-limit-increase tier: 250 calls per 10 s = 25 calls/s).

    python benchmarks/bench_store.py [--pg postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from ml_connector.store import NewMapping, SyncStore

HUBSPOT_MAX_CALLS_PER_SECOND = 250 / 10


def _rate(n: int, action: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        action(i)
    return n / (time.perf_counter() - start)


def bench(store: SyncStore, n: int) -> dict[str, float]:
    request = {"inputs": [{"id": f"ACME:{i}", "properties": {"amount": "12.50"}} for i in range(100)]}
    return {
        "audit rows/s": _rate(n, lambda i: store.audit.record(
            system="hubspot", operation="batch upsert", request=request, status="success", secrets=["tok-secret"])),
        "mapping upserts/s": _rate(n, lambda i: store.mappings.upsert(
            intacct_object="APBILL", intacct_key=f"ACME:{i}", hubspot_object_type="invoices", hubspot_id=str(i))),
        # a 100-record batch per call, as HubSpot batches come back: records/s, compared below with calls/s x 100
        "mapping batches/s": _rate(max(1, n // 10), lambda i: store.mappings.upsert_many([
            NewMapping("APBILL", f"ACME:b{i}:{j}", "invoices", f"{i}-{j}") for j in range(100)])),
        "rate-budget grants/s": _rate(n, lambda i: store.rate_budget.try_acquire("bench", 10**9, 10_000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("-n", type=int, default=500)
    args = parser.parse_args()

    targets: list[tuple[str, str, Callable[[], None]]] = []
    tmp = Path(tempfile.mkdtemp())
    targets.append(("sqlite", f"sqlite:///{tmp / 'bench.db'}", lambda: None))
    name = f"mlc_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        pg_url = sa.engine.make_url(args.pg).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        targets.append(("postgresql", pg_url, drop))
    except sa.exc.OperationalError:
        print("PostgreSQL not reachable; SQLite only")

    for backend, url, cleanup in targets:
        store = SyncStore.from_url(url)
        store.upgrade()
        for metric, per_second in bench(store, args.n).items():
            ratio = per_second / HUBSPOT_MAX_CALLS_PER_SECOND
            print(f"{backend:10s} {metric:22s} {per_second:9.0f}  = {ratio:6.1f}x HubSpot's fastest allowed call rate")
        store.dispose()
        cleanup()


if __name__ == "__main__":
    main()
