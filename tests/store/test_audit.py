from __future__ import annotations

import pytest
import sqlalchemy as sa

from ml_connector.store import SyncStore
from ml_connector.store.schema import audit_events

SENDER_PASSWORD = "sender-Pa55-word"
USER_PASSWORD = "user-Pa55-word"
SESSION_ID = "sess-ABCDEFGH1234567890"
TOKEN = "pat-na1-11112222-3333-4444"


def _raw_rows(store: SyncStore) -> str:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(*[sa.cast(c, sa.Text) for c in audit_events.c])).all()
    return "\n".join(str(v) for row in rows for v in row)


def test_an_audit_row_never_contains_a_secret_given_to_it(store: SyncStore) -> None:
    xml = (
        f"<request><control><senderid>mlc</senderid><password>{SENDER_PASSWORD}</password></control>"
        f"<operation><authentication><sessionid>{SESSION_ID}</sessionid></authentication></operation></request>"
    )
    store.audit.record(system="intacct", operation="create VENDOR", request=xml, status="success",
                       response_summary={"message": f"Invalid session {SESSION_ID}"}, secrets=[SESSION_ID])
    store.audit.record(
        system="hubspot", operation="POST /crm/v3/objects/invoices/batch/upsert",
        request={"headers": {"Authorization": f"Bearer {TOKEN}"}, "body": {"inputs": [{"id": "ACME:1"}]},
                 "user_password": USER_PASSWORD, "note": f"retry with {TOKEN}"},
        status="error", http_status=429, correlation_id="c0ffee", secrets=[TOKEN],
    )
    raw = _raw_rows(store)
    for secret in (SENDER_PASSWORD, USER_PASSWORD, SESSION_ID, TOKEN):
        assert secret not in raw
    # what is not secret survives, so the call can be replayed and explained
    assert "ACME:1" in raw and "c0ffee" in raw and "<senderid>mlc</senderid>" in raw


def test_audit_rows_carry_the_airflow_task_that_made_the_call(store: SyncStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "intacct_bills_to_hubspot")
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", "scheduled__2026-11-23T00:00:00+00:00")
    monkeypatch.setenv("AIRFLOW_CTX_TASK_ID", "batch_invoices")
    monkeypatch.setenv("AIRFLOW_CTX_TRY_NUMBER", "2")
    audit_id = store.audit.record(system="hubspot", operation="batch upsert", request={"n": 1}, status="success",
                                  duration_ms=12)
    row = store.audit.get(audit_id)
    assert row is not None
    assert (row["dag_id"], row["task_id"], row["try_number"]) == ("intacct_bills_to_hubspot", "batch_invoices", 2)
    assert row["airflow_run_id"].startswith("scheduled__")
    assert [r["id"] for r in store.audit.list(system="hubspot")] == [audit_id]
