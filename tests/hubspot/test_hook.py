"""HubSpotHook against the HubSpot sandbox over real HTTP: the issue's "done when" list."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ml_connector.hubspot.errors import (
    HubSpotAuthError,
    HubSpotConnectionError,
    HubSpotDailyLimitError,
    HubSpotNotFoundError,
)
from ml_connector.hubspot.properties import PropertySpec
from tests.hubspot.conftest import TOKEN

BASE = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)


def test_hook_reads_no_connection_in_init_and_never_shows_the_token(make_hook: Any) -> None:
    from ml_connector.hubspot.hook import HubSpotHook

    hook = HubSpotHook(hubspot_conn_id="does_not_exist", audit=False)  # no connection lookup yet
    assert "config" not in hook.__dict__
    assert TOKEN not in repr(hook)


def test_test_connection_reports_the_rate_limit_headers(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(tier="starter")
    hook = make_hook(server, audit=True)  # what an operator's hook looks like: audited, shared budget on
    ok, message = hook.test_connection()
    assert ok, message
    assert "of 100 requests left per 10000 ms" in message
    assert sb.stats["requests"] == 1
    assert hook._store is None  # the UI's Test button never opened (or migrated) a sync store
    assert hook._audit_enabled and hook.shared_budget  # and the hook is left as it was


def test_bearer_token_is_sent_and_a_wrong_one_is_a_clear_fatal_error(
    hubspot_sandbox: Any, make_hook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sb, server = hubspot_sandbox()
    wrong = "pat-na1-wrong-token-0000"
    hook = make_hook(server, token=wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(HubSpotAuthError) as info:
        list(hook.iter_objects("contacts"))
    assert info.value.status == 401 and info.value.category == "INVALID_AUTHENTICATION"
    assert len(sb.request_log) == 1  # a 401 is not retried
    ok, message = hook.test_connection()
    assert not ok and "401" in message
    for text in (str(info.value), repr(info.value), repr(info.value.body), message, caplog.text, repr(hook)):
        assert wrong not in text


def test_list_paging_streams_every_record_once(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(tier="api_limit_increase")
    ids = sb.bulk_load("companies", [{"name": f"Co {i}", "domain": f"co{i}.example"} for i in range(1050)])
    hook = make_hook(server, tier="api_limit_increase")
    seen = [r["id"] for r in hook.iter_objects("companies", properties=["name"])]
    assert len(seen) == len(set(seen)) == 1050
    assert set(seen) == {str(i) for i in ids}
    assert sum(1 for r in sb.request_log if r["path"] == "/crm/v3/objects/companies") == 11  # 100 a page


@pytest.mark.slow
def test_25000_contacts_12000_sharing_one_timestamp_page_completely(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(tier="api_limit_increase", search_per_second=100)
    expected: list[str] = []
    tied = [{"email": f"tied{i}@example.com", "firstname": f"T{i}"} for i in range(12_000)]
    expected += [str(i) for i in sb.bulk_load("contacts", tied, modified_at=BASE)]
    for group in range(13):  # 13,000 more spread over 13 earlier minutes
        rows = [{"email": f"g{group}-{i}@example.com"} for i in range(1000)]
        expected += [str(i) for i in sb.bulk_load("contacts", rows, modified_at=BASE - timedelta(minutes=group + 1))]
    assert len(set(expected)) == 25_000

    hook = make_hook(server, tier="api_limit_increase", search_requests_per_second=100)
    search = hook.search_modified("contacts", since=BASE - timedelta(days=1), until=BASE + timedelta(seconds=1))
    seen = [r["id"] for r in search]

    assert len(seen) == 25_000
    assert not [i for i, n in Counter(seen).items() if n > 1]
    assert set(seen) == set(expected)
    assert sb.stats["429"] == 0
    searches = [r for r in sb.request_log if r["path"].endswith("/search")]
    assert all(r["status"] == 200 for r in searches)  # never a 400 from the 10,000 cap
    assert len(searches) == search.pages == 126  # 125 full pages of 200 and one empty


def test_search_window_excludes_records_outside_it(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(search_per_second=50)
    inside = sb.bulk_load("contacts", [{"email": f"in{i}@x.com"} for i in range(5)], modified_at=BASE)
    sb.bulk_load("contacts", [{"email": f"before{i}@x.com"} for i in range(3)], modified_at=BASE - timedelta(hours=2))
    sb.bulk_load("contacts", [{"email": f"after{i}@x.com"} for i in range(3)], modified_at=BASE + timedelta(hours=2))
    hook = make_hook(server, search_requests_per_second=50)
    found = {r["id"] for r in hook.search_modified("contacts", BASE - timedelta(hours=1), BASE + timedelta(hours=1))}
    assert found == {str(i) for i in inside}


def test_three_windows_of_work_finish_without_a_single_429(hubspot_sandbox: Any, make_hook: Any) -> None:
    """The sandbox allows 20 per 2 s; the hook starts from its starter figure (100 per 10 s) and learns."""
    sb, server = hubspot_sandbox(tier="starter", rate_max=20, rate_interval_ms=2000)
    sb.bulk_load("contacts", [{"email": f"c{i}@x.com"} for i in range(5)])
    hooks = [make_hook(server), make_hook(server)]  # two hooks, one token: one shared budget
    errors: list[BaseException] = []
    counts = Counter()

    def work(hook: Any, n: int) -> None:
        try:
            for _ in range(n):
                counts[id(hook)] += len(list(hook.iter_objects("contacts")))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(h, 33)) for h in hooks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sb.stats["429"] == 0
    assert sb.stats["requests"] == 66 >= 3 * 20
    assert all(r["status"] == 200 for r in sb.request_log)
    assert sum(counts.values()) == 66 * 5
    assert hooks[0].rate_limiter is hooks[1].rate_limiter
    assert (hooks[0].rate_limiter.general.max_requests, hooks[0].rate_limiter.general.interval) == (20, 2.0)


def test_injected_429s_and_5xx_are_retried_and_nothing_is_lost(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(rate_interval_ms=2000)
    sb.faults.add("rate_limit", count=2, path_prefix="/crm/v3/objects/contacts/batch/upsert")
    sb.faults.add("http_500", count=1, path_prefix="/crm/v3/objects/contacts/batch/upsert")
    sb.faults.add("http_503", count=1, path_prefix="/crm/v3/objects/contacts/batch/upsert")
    hook = make_hook(server)
    rows = [{"email": f"p{i}@x.com", "firstname": f"P{i}"} for i in range(250)]
    result = hook.upsert_by("contacts", "email", rows)
    assert len(result.succeeded) == 250 and not result.failed
    assert sb.stats["429"] == 2
    assert sb.stats["429_by_policy"].get("TEN_SECONDLY_ROLLING") == 2
    emails = sorted(r["properties"]["email"] for r in sb.records("contacts") if not r["archived"])
    assert emails == sorted(r["email"] for r in rows)


def test_a_create_that_may_have_been_applied_is_reported_not_resent(hubspot_sandbox: Any, make_hook: Any) -> None:
    """A 5xx on batch/create may come after HubSpot created the rows: resending would duplicate them."""
    sb, server = hubspot_sandbox()
    sb.faults.add("http_500_after_apply", count=1, path_prefix="/crm/v3/objects/line_items/batch/create")
    hook = make_hook(server)
    rows = [{"properties": {"name": f"Line {i}", "quantity": "1", "price": "10"}} for i in range(150)]
    result = hook.batch_create("line_items", rows)
    creates = [e for e in sb.request_log if e["path"] == "/crm/v3/objects/line_items/batch/create"]
    assert [e["status"] for e in creates] == [500, 201]  # the failed chunk was not sent again
    assert len(result.succeeded) == 50 and len(result.failed) == 100
    assert all("outcome is unknown" in (r.error.message or "") for r in result.failed)
    names = [r["properties"]["name"] for r in sb.records("line_items")]
    assert len(names) == len(set(names)) == 150  # the applied chunk exists once, not twice
    # an upsert is idempotent, so the same fault is simply retried
    sb.faults.add("http_500", count=1, path_prefix="/crm/v3/objects/contacts/batch/upsert")
    upserted = hook.upsert_by("contacts", "email", [{"email": "once@x.com"}])
    assert len(upserted.succeeded) == 1


@pytest.mark.parametrize("kind", ["http_500_after_apply", "http_500"])
def test_a_lost_create_answer_is_settled_by_reading_back_the_unique_property(
    hubspot_sandbox: Any, make_hook: Any, kind: str
) -> None:
    """Applied then failed: the rows are found and count as created. Failed before applying: they
    are not found and are sent once more. Either way every contact exists exactly once."""
    sb, server = hubspot_sandbox()
    sb.faults.add(kind, count=1, path_prefix="/crm/v3/objects/contacts/batch/create")
    rows = [{"properties": {"email": f"Lost{i}@X.com", "firstname": f"L{i}"}} for i in range(150)]
    result = make_hook(server).batch_create("contacts", rows, unique_property="email")
    assert len(result.succeeded) == 150 and not result.failed
    assert all(r.outcome == "created" and r.id for r in result.items)
    emails = [r["properties"]["email"] for r in sb.records("contacts")]
    assert sorted(emails) == sorted(r["properties"]["email"].lower() for r in rows)
    creates = [e["status"] for e in sb.request_log if e["path"].endswith("/contacts/batch/create")]
    assert creates == ([500, 201] if kind == "http_500_after_apply" else [500, 201, 201])


def test_daily_limit_stops_at_once_with_a_clear_error(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    sb.faults.add("daily_limit", count=5)
    with pytest.raises(HubSpotDailyLimitError, match="daily") as info:
        list(make_hook(server).iter_objects("contacts"))
    assert info.value.policy == "DAILY" and not info.value.retriable
    assert len(sb.request_log) == 1


def test_connection_errors_retry_with_backoff_then_fail_clearly(make_hook: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    slept: list[float] = []
    hook = make_hook(url, max_retries=3, sleep=slept.append)
    with pytest.raises(HubSpotConnectionError):
        hook.get_object("contacts", "1")
    assert len(slept) == 3 and slept == sorted(slept)  # backoff grows
    assert TOKEN not in str(slept)


def test_batch_with_bad_rows_lands_the_good_ones_and_reports_each_bad_one(
    hubspot_sandbox: Any, make_hook: Any
) -> None:
    sb, server = hubspot_sandbox()
    hook = make_hook(server)
    inputs = [{"properties": {"email": f"b{i}@x.com", "firstname": f"B{i}"}} for i in range(130)]
    for bad in (5, 64, 120):
        inputs[bad]["properties"]["no_such_property_xyz"] = "boom"
    result = hook.batch_create("contacts", inputs, unique_property="email")
    assert {r.index for r in result.failed} == {5, 64, 120}
    for r in result.failed:
        assert r.error is not None and r.error.message and r.error.category
    assert len(result.succeeded) == 127 and all(r.outcome == "created" and r.id for r in result.succeeded)
    landed = {r["properties"]["email"] for r in sb.records("contacts")}
    assert landed == {f"b{i}@x.com" for i in range(130)} - {"b5@x.com", "b64@x.com", "b120@x.com"}
    writes = [r for r in sb.request_log if r["path"].endswith("/batch/create")]
    assert all(r["status"] in (200, 201, 207) for r in writes)  # trace ids make it 207, not a whole-batch 400


def test_duplicate_keys_are_merged_before_batching(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    hook = make_hook(server)
    result = hook.upsert_by("contacts", "email", [
        {"email": "dup@x.com", "firstname": "First"},
        {"email": "other@x.com"},
        {"email": "dup@x.com", "lastname": "Last"},
    ])
    assert [r.ok for r in result] == [True, True, True]
    assert result.items[2].duplicate_of == 0 and result.items[2].id == result.items[0].id
    [dup] = [r for r in sb.records("contacts") if r["properties"]["email"] == "dup@x.com"]
    assert dup["properties"]["firstname"] == "First" and dup["properties"]["lastname"] == "Last"


def test_upsert_replayed_twice_leaves_one_record_each(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    hook = make_hook(server)
    hook.ensure_property("invoices", PropertySpec(
        name="intacct_apbill_key", label="Intacct AP bill key", has_unique_value=True))
    bills = [{"intacct_apbill_key": f"APBILL-{i}", "hs_currency": "USD"} for i in range(120)]
    first = hook.upsert_by("invoices", "intacct_apbill_key", bills)
    second = hook.upsert_by("invoices", "intacct_apbill_key", bills)
    assert [r.outcome for r in first] == ["created"] * 120
    assert [r.outcome for r in second] == ["updated"] * 120
    assert [r.id for r in first] == [r.id for r in second]
    live = [r for r in sb.records("invoices") if not r["archived"]]
    assert len(live) == 120
    assert sorted(r["properties"]["intacct_apbill_key"] for r in live) == sorted(b["intacct_apbill_key"] for b in bills)


def test_batch_read_reports_missing_ids_per_input(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    [a, b] = sb.bulk_load("contacts", [{"email": "r1@x.com"}, {"email": "r2@x.com"}])
    result = make_hook(server).batch_read("contacts", [str(a), "999999991", str(b)], properties=["email"])
    assert [r.outcome for r in result] == ["read", "error", "read"]
    assert result.items[0].record["properties"]["email"] == "r1@x.com"
    assert result.items[1].error is not None


def test_get_object_not_found_is_classified(hubspot_sandbox: Any, make_hook: Any) -> None:
    _, server = hubspot_sandbox()
    with pytest.raises(HubSpotNotFoundError) as info:
        make_hook(server).get_object("contacts", "424242")
    assert info.value.status == 404 and info.value.correlation_id


def test_every_call_is_audited_without_secrets(hubspot_sandbox: Any, make_hook: Any, tmp_path: Any) -> None:
    from ml_connector.store import SyncStore

    store = SyncStore.from_url(f"sqlite:///{tmp_path}/audit.db")
    store.upgrade()
    sb, server = hubspot_sandbox()
    hook = make_hook(server, store=store, audit=True)
    hook.upsert_by("contacts", "email", [{"email": "a@x.com"}])
    with pytest.raises(HubSpotNotFoundError):
        hook.get_object("contacts", "424242")
    rows = store.audit.list(system="hubspot")
    assert len(rows) == len(sb.request_log) == 2
    assert {r["status"] for r in rows} == {"ok", "error"}
    assert all(r["correlation_id"] for r in rows if r["status"] == "error")
    assert TOKEN not in repr(rows)
    from tests.hubspot.conftest import CLIENT_SECRET

    assert CLIENT_SECRET not in repr(rows)



_CHILD = """
import sys
from ml_connector.hubspot.hook import HubSpotHook
from ml_connector.store import SyncStore

hook = HubSpotHook("hubspot_parallel", store=SyncStore.from_url(sys.argv[1]), audit=False, shared_budget=True)
for _ in range(int(sys.argv[2])):
    hook.request("GET", "/crm/v3/objects/contacts", params={"limit": 1})
"""


def _worker_processes(
    hubspot_sandbox: Any, airflow_conn: Any, tmp_path: Any, **sandbox_kwargs: Any
) -> tuple[Any, Callable[[str], subprocess.Popen[bytes]]]:
    """A sandbox, a shared store, and a way to start a task-like process that makes N calls."""
    from ml_connector.store import SyncStore

    sb, server = hubspot_sandbox(**sandbox_kwargs)
    url = f"sqlite:///{tmp_path}/store.db"
    SyncStore.from_url(url).upgrade()
    airflow_conn("hubspot_parallel", conn_type="hubspot", host=server.url, password=TOKEN,
                 extra=json.dumps({"tier": "starter"}))

    def start(calls: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", _CHILD, url, calls], env=dict(os.environ),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    return sb, start


def _finish(child: subprocess.Popen[bytes]) -> None:
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()[-2000:]


@pytest.mark.slow
def test_parallel_worker_processes_share_one_budget_through_the_store(
    hubspot_sandbox: Any, airflow_conn: Any, tmp_path: Any
) -> None:
    sb, start = _worker_processes(hubspot_sandbox, airflow_conn, tmp_path, rate_max=10, rate_interval_ms=2000)
    for child in [start("15"), start("15")]:
        _finish(child)
    assert sb.stats["requests"] == 30 >= 3 * 10
    assert sb.stats["429"] == 0


@pytest.mark.slow
def test_a_fresh_process_obeys_the_limit_another_process_learnt(
    hubspot_sandbox: Any, airflow_conn: Any, tmp_path: Any
) -> None:
    """The second task's first call must not trust its tier (100 per 10 s) over the server's 10 per 6 s."""
    sb, start = _worker_processes(hubspot_sandbox, airflow_conn, tmp_path, rate_max=10, rate_interval_ms=6000)
    for calls in ("10", "1"):  # the first fills the window, the second starts while it is still full
        _finish(start(calls))
    assert sb.stats["requests"] == 11
    assert sb.stats["429"] == 0


def test_search_429s_from_a_tighter_server_limit_are_retried_without_loss(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox(tier="professional", search_per_second=2)
    ids = sb.bulk_load("contacts", [{"email": f"s{i}@x.com"} for i in range(1000)], modified_at=BASE)
    hook = make_hook(server, tier="professional", search_requests_per_second=20)  # too generous on purpose
    seen = [r["id"] for r in hook.search_modified("contacts", BASE - timedelta(hours=1), BASE + timedelta(hours=1))]
    assert sorted(seen, key=int) == [str(i) for i in sorted(ids)]
    assert sb.stats["429"] > 0  # the sandbox did push back, and nothing was lost


def test_upsert_by_a_non_unique_property_fails_every_input_without_bisecting(
    hubspot_sandbox: Any, make_hook: Any
) -> None:
    sb, server = hubspot_sandbox()
    result = make_hook(server).upsert_by("contacts", "firstname", [{"firstname": f"N{i}"} for i in range(100)])
    assert len(result.failed) == 100
    assert all("non-unique" in r.error.message and r.error.category == "VALIDATION_ERROR" for r in result.failed)
    assert len(sb.request_log) == 1
    assert sb.records("contacts") == []


def test_batch_update_lands_good_rows_and_names_missing_and_invalid_ones(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    a, b = (str(i) for i in sb.bulk_load("contacts", [{"email": "u1@x.com"}, {"email": "u2@x.com"}]))
    result = make_hook(server).batch_update("contacts", [
        {"id": a, "properties": {"firstname": "Ann"}},
        {"id": "987654321", "properties": {"firstname": "Ghost"}},
        {"id": b, "properties": {"no_such_property_xyz": "1"}},
        {"properties": {"firstname": "No id"}},
    ])
    assert [r.outcome for r in result] == ["updated", "error", "error", "error"]
    assert result.items[1].error.category == "OBJECT_NOT_FOUND"
    assert result.items[2].error.category == "VALIDATION_ERROR"
    assert result.items[3].error.category == "INVALID_INPUT"
    names = {r["id"]: r["properties"].get("firstname") for r in sb.records("contacts")}
    assert names[a] == "Ann" and not names[b]


def test_batch_read_by_unique_property(hubspot_sandbox: Any, make_hook: Any) -> None:
    sb, server = hubspot_sandbox()
    [a] = sb.bulk_load("contacts", [{"email": "byemail@x.com", "firstname": "E"}])
    result = make_hook(server).batch_read("contacts", ["byemail@x.com", "nobody@x.com"],
                                          properties=["firstname"], id_property="email")
    assert [r.outcome for r in result] == ["read", "error"]
    assert result.items[0].id == str(a) and result.items[0].record["properties"]["firstname"] == "E"


def test_search_window_ends_behind_now_for_eventual_consistency(make_hook: Any) -> None:
    hook = make_hook("http://127.0.0.1:9", consistency_lag=timedelta(seconds=30))
    before = datetime.now(UTC)
    search = hook.search_modified("invoices", since=before - timedelta(days=1))  # lazy: nothing is sent yet
    lag_ms = before.timestamp() * 1000 - search.window_end_ms
    assert 29_000 <= lag_ms <= 31_000
    assert search.body(0)["filterGroups"][0]["filters"][0]["propertyName"] == "hs_lastmodifieddate"
    with pytest.raises(ValueError, match="naive"):
        hook.search_modified("contacts", since=datetime(2026, 1, 1))
