"""IntacctHook against the Intacct sandbox over real HTTP (one "Done when" bullet per test group).

Every request the hook sends is validated against the official (patched) api.xsd after each test.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ml_connector.intacct.envelope import eq, is_in
from ml_connector.intacct.errors import (
    IntacctAuthenticationError,
    IntacctFunctionError,
)
from ml_connector.intacct.hook import IntacctHook
from ml_connector.intacct.writes import WriteItem
from ml_connector.sandbox.intacct import IntacctSandbox
from ml_connector.store import SyncStore
from tests.intacct.conftest import assert_valid

SENDER, SENDER_PW = "mlc-sandbox-sender", "mlc-sandbox-sender-pw"
COMPANY, USER, USER_PW = "MLC-SANDBOX", "mlc-api-user", "mlc-api-user-pw"
CONN_ID = "intacct_test"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    sb = IntacctSandbox(seed=1, vendors=25, bills=100)
    with sb.serve() as server:
        sb.url = server.url + sb.GATEWAY_PATH
        yield sb


@pytest.fixture()
def sb(sandbox: Any, api_schema) -> Iterator[Any]:
    sandbox.reset()
    yield sandbox
    for entry in sandbox.request_log:  # every request the hook sent is valid against api.xsd
        assert_valid(api_schema, entry["body"])


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SyncStore:
    # Every worker of a deployment shares one key (Airflow's fernet key or this one); the
    # second process below must be able to decrypt the session the first one cached.
    from cryptography.fernet import Fernet

    monkeypatch.setenv("ML_CONNECTOR_FERNET_KEY", Fernet.generate_key().decode())
    s = SyncStore.from_url(f"sqlite:///{tmp_path / 'sync.db'}")
    s.upgrade()
    return s


@pytest.fixture()
def define_conn(airflow_conn: Callable[..., str], sb: Any) -> Callable[..., str]:
    def define(conn_id: str = CONN_ID, **extra: Any) -> str:
        fields = {
            "company_id": COMPANY, "user_id": USER, "user_password": USER_PW, "entity": "US-EAST",
            "user_timezone": "-05:00", "retry_min_wait_seconds": 0.01, "retry_max_wait_seconds": 0.05,
            "timeout_seconds": 20,
        }
        fields.update(extra)
        password = fields.pop("sender_password", SENDER_PW)
        return airflow_conn(conn_id, conn_type="sage_intacct", host=sb.url, login=SENDER, password=password,
                            extra=json.dumps(fields))

    return define


@pytest.fixture()
def hook(define_conn: Callable[..., str], store: SyncStore) -> Iterator[IntacctHook]:
    h = IntacctHook(define_conn(), store=store)
    yield h
    h.close()


def _count(sb: Any, function: str) -> int:
    return sum(1 for e in sb.request_log if function in e["functions"])


def _vendor(key: str, name: str, version: str = "v1") -> WriteItem:
    return WriteItem({"VENDORID": key, "NAME": name, "DISPLAYCONTACT": {"PRINTAS": name}},
                     source_key=f"hubspot:{key}", source_version=version)


# --- sessions -------------------------------------------------------------------------------------


def test_one_session_is_shared_by_many_calls_and_a_second_process(
    sb: Any, hook: IntacctHook, store: SyncStore, tmp_path: Path
) -> None:
    vendors = list(hook.read_by_query("VENDOR", "", ["RECORDNO", "VENDORID"], page_size=10))
    assert len(vendors) == 25
    assert len(list(hook.query("VENDOR", ["RECORDNO", "VENDORID"]))) == 25
    assert hook.read("VENDOR", [vendors[0]["RECORDNO"]])[0]["VENDORID"] == vendors[0]["VENDORID"]

    script = (
        "from ml_connector.intacct.hook import IntacctHook\n"
        "from ml_connector.store import SyncStore\n"
        f"h = IntacctHook({CONN_ID!r}, store=SyncStore.from_url({str(store.engine.url)!r}))\n"
        "print(sum(1 for _ in h.query('VENDOR', ['RECORDNO'])))\n"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                           env={**os.environ}, check=False)
    assert other.returncode == 0, other.stderr[-3000:]
    assert other.stdout.strip().splitlines()[-1] == "25"

    assert _count(sb, "getAPISession") == 1
    assert all(e["auth"] == "sessionid" for e in sb.request_log if "getAPISession" not in e["functions"])
    assert len(sb.request_log) >= 6


def test_concurrent_processes_do_not_stampede_get_api_session(sb: Any, hook: IntacctHook, store: SyncStore) -> None:
    sb.faults.add("latency", function="getAPISession", seconds=1.0)  # widen the race window
    script = (
        "from ml_connector.intacct.hook import IntacctHook\n"
        "from ml_connector.store import SyncStore\n"
        f"h = IntacctHook({CONN_ID!r}, store=SyncStore.from_url({str(store.engine.url)!r}))\n"
        "print(len(list(h.query('VENDOR', ['RECORDNO']))))\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ}) for _ in range(3)]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outputs]
    assert [o[0].strip().splitlines()[-1] for o in outputs] == ["25", "25", "25"]
    assert _count(sb, "getAPISession") == 1


def test_calls_go_to_the_sessions_endpoint_not_the_configured_one(
    sb: Any, hook: IntacctHook, store: SyncStore
) -> None:
    session = hook.session()
    assert session.endpoint == sb.url  # what getAPISession answered
    alias = sb.url.replace("127.0.0.1", "localhost")  # pretend the gateway sent us to another host
    store.sessions.put(hook.config.cache_key, session.session_id, alias, session.expires_at)
    other = IntacctHook(CONN_ID, store=store)
    assert len(list(other.query("VENDOR", ["RECORDNO"]))) == 25
    rows = store.audit.list(system="intacct")
    assert {r["request"]["url"] for r in rows if r["operation"] == "query"} == {alias}
    assert {r["request"]["url"] for r in rows if r["operation"] == "getAPISession"} == {sb.url}
    other.close()


def test_session_expired_mid_stream_is_refreshed_transparently(sb: Any, hook: IntacctHook) -> None:
    seen: list[str] = []
    for i, vendor in enumerate(hook.read_by_query("VENDOR", "", ["RECORDNO", "VENDORID"], page_size=10)):
        seen.append(vendor["VENDORID"])
        if i == 12:
            sb.expire_sessions()
    assert len(seen) == len(set(seen)) == 25
    assert _count(sb, "getAPISession") == 2

    sb.faults.add("expire_session", function="query")
    assert len(list(hook.query("VENDOR", ["RECORDNO"]))) == 25
    assert _count(sb, "getAPISession") == 3


@pytest.mark.parametrize(
    ("kind", "params", "status"),
    [
        ("rate_limit", {}, 429),
        ("http_error", {"status": 502}, 502),
        ("http_error", {"status": 503}, 503),
        ("http_error", {"status": 504}, 504),
        ("cloudflare_html", {}, 502),
    ],
)
def test_get_api_session_backs_off_through_transient_failures(
    sb: Any, hook: IntacctHook, kind: str, params: dict[str, Any], status: int
) -> None:
    sb.faults.add(kind, count=3, function="getAPISession", **params)
    assert len(list(hook.query("VENDOR", ["RECORDNO"]))) == 25
    statuses = [e["http_status"] for e in sb.request_log if "getAPISession" in e["functions"]]
    assert statuses == [status, status, status, 200]


def test_queued_faults_each_hit_their_own_request(sb: Any, hook: IntacctHook) -> None:
    sb.faults.add("rate_limit", count=1, function="getAPISession")
    sb.faults.add("http_error", count=1, function="getAPISession", status=503)
    hook.session()
    assert [e["http_status"] for e in sb.request_log] == [429, 503, 200]


def test_bad_credentials_fail_fast_with_a_clear_message(sb: Any, define_conn, store: SyncStore) -> None:
    hook = IntacctHook(define_conn("intacct_bad_user", user_password="wrong-user-pw"), store=store)
    with pytest.raises(IntacctAuthenticationError) as caught:
        list(hook.query("VENDOR", ["RECORDNO"]))
    assert "wrong-user-pw" not in str(caught.value)
    assert len(sb.request_log) == 1  # not retried

    hook = IntacctHook(define_conn("intacct_bad_sender", sender_password="wrong-sender-pw"), store=store)
    ok, message = hook.test_connection()
    assert not ok and "wrong-sender-pw" not in message and "Authentication" in message


def test_the_ui_test_button_needs_no_sync_store(sb: Any, define_conn: Callable[..., str]) -> None:
    hook = IntacctHook(define_conn())
    ok, message = hook.test_connection()
    assert ok, message
    assert hook._store is None  # the store was never opened, so the Test button works on any Airflow


def test_test_connection_opens_a_session(sb: Any, hook: IntacctHook) -> None:
    ok, message = hook.test_connection()
    assert ok, message
    assert _count(sb, "getAPISession") == 1 and COMPANY in message


# --- reads ----------------------------------------------------------------------------------------


def test_query_and_read_stream_pages(sb: Any, hook: IntacctHook) -> None:
    ids = [v["VENDORID"] for v in hook.query("VENDOR", ["RECORDNO", "VENDORID"], page_size=7)]
    assert len(ids) == len(set(ids)) == 25
    assert _count(sb, "query") == 4
    recordnos = [int(v["RECORDNO"]) for v in hook.query("VENDOR", ["RECORDNO"], filter=is_in("VENDORID", ids[:3]))]
    assert len(recordnos) == 3
    assert {r["VENDORID"] for r in hook.read("VENDOR", recordnos)} == set(ids[:3])


def test_one_failing_function_does_not_hide_the_others(sb: Any, hook: IntacctHook) -> None:
    bad = hook.builder.query("NOSUCHOBJECT", ["RECORDNO"])
    good = hook.builder.query("VENDOR", ["RECORDNO", "VENDORID"], filter=eq("RECORDNO", 1))
    response = hook.execute([bad, good])
    assert isinstance(response.result(bad.controlid).error(), IntacctFunctionError)
    assert response.result(good.controlid).ok

    sb.faults.add("dl02000001", function="query")
    assert len(list(hook.query("VENDOR", ["RECORDNO"]))) == 25  # retried once
    sb.faults.add("dl02000001", function="query", count=2)
    with pytest.raises(IntacctFunctionError) as caught:
        list(hook.query("VENDOR", ["RECORDNO"]))
    assert caught.value.errornos[0] == "DL02000001" and caught.value.retriable_once


def test_incremental_bills_cover_the_window_once_in_the_users_time_zone(sb: Any, hook: IntacctHook) -> None:
    truth = {r["RECORDNO"]: r["WHENMODIFIED"] for r in sb.records("APBILL")}  # tz-aware (or None) in the sandbox
    all_bills = list(hook.iter_bills(datetime(2000, 1, 1, tzinfo=UTC), page_size=9))
    recordnos = [b.recordno for b in all_bills]
    assert len(recordnos) == len(set(recordnos)) == len(truth) == 100
    assert all(b.modified_at == truth[b.recordno] for b in all_bills)  # parsed in the user's -05:00
    assert any(b.modified_at is None for b in all_bills)  # NULL WHENMODIFIED bills are not skipped
    keys = [(b.modified_at, b.recordno) for b in all_bills if b.modified_at]
    assert keys == sorted(keys) and len({k[0] for k in keys}) < len(keys)  # same-second ties were split
    lines = {int(line["RECORDNO"]) for line in sb.records("APBILLITEM")}
    assert {int(line["RECORDNO"]) for b in all_bills for line in b.lines} == lines
    assert all(int(line["RECORDKEY"]) == b.recordno for b in all_bills for line in b.lines)

    modified = sorted((b for b in all_bills if b.modified_at), key=lambda b: (b.modified_at, b.recordno))
    start, end = modified[40].modified_at, modified[60].modified_at
    assert start.utcoffset() == timedelta(hours=-5)
    window = list(hook.iter_bills(start.astimezone(UTC), end, page_size=9, with_lines=False,
                                  include_unmodified=False))
    assert [b.recordno for b in window] == [
        n for n, when in sorted(((n, w) for n, w in truth.items() if w), key=lambda x: (x[1], x[0]))
        if start <= when < end
    ]


# --- writes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params"),
    [("timeout_524_after_commit", {}), ("http_error", {"status": 500})],
)
def test_create_retried_after_an_ambiguous_failure_makes_no_duplicate(
    sb: Any, hook: IntacctHook, kind: str, params: dict[str, Any]
) -> None:
    sb.faults.add(kind, function="create", **params)
    report = hook.create("VENDOR", [_vendor("MLC-524", "After Timeout Ltd")], key_field="VENDORID")
    assert [o.status for o in report.outcomes] == ["created"] and report.replays == 1
    assert report.outcomes[0].recordno
    assert [v["VENDORID"] for v in sb.records("VENDOR")].count("MLC-524") == 1
    creates = [e for e in sb.request_log if "create" in e["functions"]]
    assert len(creates) == 2 and creates[0]["controlids"] == creates[1]["controlids"]
    assert all(e["uniqueid"] for e in creates)

    again = hook.create("VENDOR", [_vendor("MLC-524", "After Timeout Ltd")], key_field="VENDORID")
    assert again.outcomes[0].ok  # a later replay of the same version is deduplicated, not duplicated
    assert [v["VENDORID"] for v in sb.records("VENDOR")].count("MLC-524") == 1


def test_create_after_a_client_timeout_makes_no_duplicate(sb: Any, define_conn, store: SyncStore) -> None:
    hook = IntacctHook(define_conn("intacct_impatient", timeout_seconds=0.5), store=store)
    hook.session()
    sb.faults.add("latency", function="create", seconds=1.5)
    report = hook.create("VENDOR", [_vendor("MLC-SLOW", "Slow Answer Ltd")], key_field="VENDORID")
    assert report.outcomes[0].ok and report.replays >= 1
    deadline = time.monotonic() + 20  # wait for the first, delayed request to finish inside the sandbox
    while sum(1 for e in sb.request_log if "create" in e["functions"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    creates = [e for e in sb.request_log if "create" in e["functions"]]
    assert len(creates) >= 2 and len({tuple(e["controlids"]) for e in creates}) == 1
    assert [v["VENDORID"] for v in sb.records("VENDOR")].count("MLC-SLOW") == 1
    hook.close()


def test_a_later_run_with_other_records_alongside_still_deduplicates_an_unanswered_create(
    sb: Any, airflow_conn: Callable[..., str], store: SyncStore
) -> None:
    """Run 1's create is applied but never answered; run 2 stages it again next to a new record.

    Auto-numbered vendors (no VENDORID sent) can only be deduplicated by the function controlid,
    so it must not depend on which other records share the request.
    """
    auto = IntacctSandbox(seed=2, vendors=3, bills=0, document_sequencing=True)
    with auto.serve() as server:
        extra = {"company_id": COMPANY, "user_id": USER, "user_password": USER_PW, "retry_min_wait_seconds": 0.01}
        conn_id = airflow_conn("intacct_auto", conn_type="sage_intacct", host=server.url + auto.GATEWAY_PATH,
                               login=SENDER, password=SENDER_PW, extra=json.dumps(extra))
        hook = IntacctHook(conn_id, store=store)
        alpha = WriteItem({"NAME": "Alpha Supplies", "DISPLAYCONTACT": {"PRINTAS": "Alpha Supplies"}}, "hubspot:1", "v1")
        beta = WriteItem({"NAME": "Beta Supplies", "DISPLAYCONTACT": {"PRINTAS": "Beta Supplies"}}, "hubspot:2", "v1")
        auto.faults.add("timeout_524_after_commit", function="create")
        first = hook.create("VENDOR", [alpha], key_field="VENDORID", ambiguous_replays=0)
        assert [o.status for o in first.outcomes] == ["unknown"]
        assert first.unknown[0].controlid and "Rerun" in first.unknown[0].errors[0].description

        second = hook.create("VENDOR", [beta, alpha], key_field="VENDORID")
        assert [o.status for o in second.outcomes] == ["created", "created"]
        names = [v["NAME"] for v in auto.records("VENDOR")]
        assert names.count("Alpha Supplies") == 1 and names.count("Beta Supplies") == 1
        hook.close()


def test_an_unanswered_group_is_reported_as_unknown_and_the_other_groups_go_on(sb: Any, hook: IntacctHook) -> None:
    sb.faults.add("http_error", count=3, function="create", status=500)  # first send + 2 replays
    items = [_vendor(f"MLC-GROUP-{i}", f"Group {i}") for i in range(3)]
    report = hook.create("VENDOR", items, key_field="VENDORID", functions_per_request=1)
    assert [o.status for o in report.outcomes] == ["unknown", "created", "created"]
    assert [o.key for o in report.unknown] == ["MLC-GROUP-0"] and report.failed == []
    created = {v["VENDORID"] for v in sb.records("VENDOR")}
    assert {"MLC-GROUP-1", "MLC-GROUP-2"} <= created


def test_duplicate_vendor_id_is_a_record_error_and_the_rest_goes_on(sb: Any, hook: IntacctHook) -> None:
    existing = sb.records("VENDOR")[0]["VENDORID"]
    report = hook.create(
        "VENDOR",
        [_vendor(existing, "Clash"), _vendor("MLC-NEW-1", "Fresh One"), _vendor("MLC-NEW-2", "Fresh Two")],
        key_field="VENDORID",
        records_per_function=1,
    )
    by_key = {o.key: o for o in report.outcomes}
    assert by_key[existing].status == "failed"
    assert by_key[existing].errors[0].errorno == "BL34000061"
    assert by_key[existing].errors[0].description2
    assert by_key["MLC-NEW-1"].status == by_key["MLC-NEW-2"].status == "created"
    assert by_key["MLC-NEW-1"].recordno
    assert len([e for e in sb.request_log if "create" in e["functions"]]) == 1  # three functions, one request

    update = hook.update("VENDOR", [WriteItem({"VENDORID": "MLC-NEW-1", "NAME": "Renamed"}, "hubspot:x", "v2")],
                         key_field="VENDORID")
    assert update.outcomes[0].status == "updated"
    assert next(v for v in sb.records("VENDOR") if v["VENDORID"] == "MLC-NEW-1")["NAME"] == "Renamed"


def test_control_characters_and_entity_references_arrive_clean(sb: Any, hook: IntacctHook) -> None:
    name = "Acme\x0b & <Sons>\x00 &#11;&#x1F; &amp; Café"
    report = hook.create("VENDOR", [_vendor("MLC-CLEAN", name)], key_field="VENDORID")
    assert report.outcomes[0].ok
    stored = next(v for v in sb.records("VENDOR") if v["VENDORID"] == "MLC-CLEAN")
    assert stored["NAME"] == "Acme & <Sons>  &amp; Café"
    assert report.sanitized.characters_removed == 4  # \x0b and \x00, in NAME and PRINTAS
    assert report.sanitized.character_references_removed == 4


def test_the_audit_row_of_a_large_write_holds_the_whole_request(
    sb: Any, hook: IntacctHook, store: SyncStore
) -> None:
    """A failed write must be replayable from its audit row alone, however large it was."""
    items = [_vendor(f"MLC-BULK-{i:03d}", f"Bulk Supplier {i:03d} " + "x" * 200) for i in range(300)]
    report = hook.create("VENDOR", items, key_field="VENDORID")
    assert sum(o.status == "created" for o in report.outcomes) == 300
    write_rows = [r for r in store.audit.list(system="intacct", limit=50) if r["request"]["uniqueid"]]
    bodies = "".join(r["request"]["body"] for r in write_rows)
    assert len(bodies) > 64_000
    assert all(r["request"]["body"].rstrip().endswith("</request>") for r in write_rows)
    assert all(f"<VENDORID>MLC-BULK-{i:03d}</VENDORID>" in bodies for i in range(300))


# --- secrets --------------------------------------------------------------------------------------


def test_no_secret_in_logs_audit_or_exceptions(
    sb: Any, hook: IntacctHook, store: SyncStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    list(hook.query("VENDOR", ["RECORDNO"]))
    session_id = hook.session().session_id
    sb.expire_sessions()
    sb.faults.add("rate_limit", function="query")
    list(hook.query("VENDOR", ["RECORDNO"]))
    errors: list[str] = []
    sb.faults.add("unauthorized_401", function="query")
    sb.expire_sessions()
    try:
        list(hook.query("VENDOR", ["RECORDNO"]))
    except Exception as exc:
        errors.append(repr(exc) + str(exc))
    rows = store.audit.list(system="intacct", limit=1000)
    assert len(rows) >= 5 and any(r["session_fingerprint"] for r in rows)
    haystack = caplog.text + json.dumps(rows, default=str) + "".join(errors) + repr(hook.session()) + repr(hook.config)
    for secret in (SENDER_PW, USER_PW, session_id, hook.session().session_id):
        assert secret not in haystack


def test_a_replayed_create_that_fails_is_checked_by_id_before_reporting(sb: Any, hook: IntacctHook) -> None:
    """The gateway's answer to a uniqueid replay is UNCONFIRMED: if it reports a failure, look the record up."""
    from ml_connector.intacct.errors import IntacctErrorDetail
    from ml_connector.intacct.response import FunctionResult
    from ml_connector.intacct.writes import _outcomes

    ours = _vendor("MLC-REPLAY", "Replay Ltd")
    created = hook.create("VENDOR", [ours], key_field="VENDORID").outcomes[0]
    duplicate = FunctionResult("create", "mlc-x", "failure", errors=(
        IntacctErrorDetail("BL34000061", "", "Another Vendor with the given value(s) MLC-REPLAY already exists",
                           "Use a unique value instead."),))
    confirmed = _outcomes(hook, "create", "VENDOR", [ours], "VENDORID", duplicate, maybe_replayed=True)
    assert confirmed[0].status == "created" and confirmed[0].confirmed_by_lookup
    assert confirmed[0].recordno == created.recordno

    someone_else = _vendor("MLC-REPLAY", "A Different Company")
    clash = _outcomes(hook, "create", "VENDOR", [someone_else], "VENDORID", duplicate, maybe_replayed=True)
    assert clash[0].status == "failed" and clash[0].errors[0].errorno == "BL34000061"
    # an earlier run's write whose answer was lost is recognised the same way, without a replay in this call
    earlier_run = _outcomes(hook, "create", "VENDOR", [ours], "VENDORID", duplicate, maybe_replayed=False)
    assert earlier_run[0].status == "created" and earlier_run[0].confirmed_by_lookup
    other_error = FunctionResult("create", "mlc-x", "failure", errors=(
        IntacctErrorDetail("BL01001973", "Could not create Vendor record!", "", ""),))
    assert _outcomes(hook, "create", "VENDOR", [ours], "VENDORID", other_error, maybe_replayed=False)[0].status == "failed"
