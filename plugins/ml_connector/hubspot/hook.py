"""``HubSpotHook``: the HubSpot CRM API on top of Airflow's ``HttpHook``.

``HttpHook`` gives the connection -> ``requests.Session`` plumbing, keep-alive adapter and
``run_and_check``; this hook adds what HubSpot needs: a Bearer token (never logged, raised or
audited), rate limits enforced *before* sending, error classification before any retry
decision, paging that cannot loop or hit the search cap, batches that answer per input,
association type discovery, property ensure, webhook verification and one audit row per call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import requests
import tenacity
from airflow.providers.http.hooks.http import HttpHook

from ml_connector.http_failures import request_never_left
from ml_connector.hubspot.associations import Associations
from ml_connector.hubspot.batches import (
    MAX_BATCH_INPUTS,
    MAX_HISTORY_BATCH_INPUTS,
    BatchResult,
    BatchRunner,
    Operation,
    normalize_unique_value,
)
from ml_connector.hubspot.config import DEFAULT_BASE_URL, HubSpotConfig
from ml_connector.hubspot.errors import (
    TEN_SECONDLY,
    HubSpotAmbiguousWriteError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotRateLimitError,
    HubSpotServerError,
    classify,
    parse_body,
)
from ml_connector.hubspot.paging import LIST_PAGE_SIZE, CursorPager, KeysetSearch, to_epoch_ms
from ml_connector.hubspot.properties import EnsureOutcome, PropertySpec, ensure_property
from ml_connector.hubspot.ratelimit import (
    HEADER_DAILY_REMAINING,
    HEADER_INTERVAL,
    HEADER_MAX,
    HEADER_REMAINING,
    HubSpotRateLimiter,
    shared_limiter,
)
from ml_connector.hubspot.webhooks import verify_request
from ml_connector.redaction import fingerprint, redact_text

if TYPE_CHECKING:
    from ml_connector.store import SyncStore

API_V3 = "/crm/v3/objects"
CORRELATION_HEADER = "X-HubSpot-Correlation-Id"
SHARED_BUDGET_MARGIN_MS = 250


class HubSpotHook(HttpHook):
    """HubSpot CRM client for one Airflow connection (``hubspot``, default ``hubspot_default``).

    No I/O happens in ``__init__``; the connection is read on first use. Every call is written
    to ``store.audit`` unless ``audit=False``; ``store`` defaults to ``SyncStore.from_airflow()``.
    Calls wait for the process-wide window of this token and, by default, for the store's
    cross-process window too: Airflow runs each task in its own process, so parallel tasks
    share one budget only through the store (``shared_budget=False`` turns that off).
    """

    conn_name_attr = "hubspot_conn_id"
    default_conn_name = "hubspot_default"
    conn_type = "hubspot"
    hook_name = "HubSpot"
    default_host = DEFAULT_BASE_URL

    def __init__(
        self,
        hubspot_conn_id: str = default_conn_name,
        store: SyncStore | None = None,
        *,
        audit: bool = True,
        search_requests_per_second: float | None = None,
        max_retries: int = 5,
        max_rate_limit_retries: int = 10,
        backoff_base_seconds: float = 0.5,
        backoff_max_seconds: float = 30.0,
        consistency_lag: timedelta = timedelta(seconds=30),
        shared_budget: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(method="GET", http_conn_id=hubspot_conn_id)
        self.hubspot_conn_id = hubspot_conn_id
        self._store = store
        self._audit_enabled = audit
        self._search_rps_override = search_requests_per_second
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self.backoff_base_seconds = backoff_base_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.consistency_lag = consistency_lag
        self.shared_budget = shared_budget
        self._shared_window_learnt: tuple[int, int] | None = None
        self._sleep = sleep
        self._session: requests.Session | None = None
        self.last_rate_headers: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"HubSpotHook(hubspot_conn_id={self.hubspot_conn_id!r})"

    # -- connection -----------------------------------------------------------------------------
    @cached_property
    def config(self) -> HubSpotConfig:
        config = HubSpotConfig.from_connection(self.get_connection(self.hubspot_conn_id))
        if self._search_rps_override is not None:  # hook arguments override connection extras
            config = dataclasses.replace(config, search_requests_per_second=self._search_rps_override)
        return config

    @property
    def _secrets(self) -> list[str]:
        return [s for s in (self.config.access_token, self.config.client_secret) if s]

    @cached_property
    def app_key(self) -> str:
        """Who HubSpot counts our calls against: base URL + token, fingerprinted."""
        return fingerprint(f"{self.config.base_url}\n{self.config.access_token}")

    @cached_property
    def rate_limiter(self) -> HubSpotRateLimiter:
        limiter = shared_limiter(self.app_key, self.config.window_max, self.config.search_requests_per_second)
        if self._search_rps_override is not None:
            limiter.set_search_rate(self._search_rps_override)
        return limiter

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> requests.Session:
        """One ``requests.Session`` per hook, with the Bearer token and JSON headers.

        ``HttpHook.get_conn`` would copy every connection extra into the HTTP headers, which
        would send the webhook client secret to HubSpot, so the session is built here.
        """
        if self._session is None:
            session = requests.Session()
            self.base_url = self.config.base_url
            self._base_url_initialized = True
            session.headers.update(
                {
                    "Authorization": f"Bearer {self.config.access_token}",
                    "Accept": "application/json",
                    "User-Agent": "ml-connector (Airflow HubSpotHook)",
                }
            )
            self._session = self._configure_session_from_mount_adapters(session)
        if headers:
            self._session.headers.update(headers)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    @property
    def store(self) -> SyncStore:
        """The sync store for audit rows and the cross-process budget, opened on first use."""
        if self._store is None:
            from ml_connector.store import SyncStore

            self._store = SyncStore.from_airflow().ensure_current()
        return self._store

    # -- transport --------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        search: bool = False,
        operation: str | None = None,
        idempotent: bool = True,
    ) -> Any:
        """One API call: wait for the rate budget, send, classify, retry what is retriable.

        Returns the parsed JSON body (``None`` for 204). Raises a ``HubSpotError`` subclass;
        ``HubSpotDailyLimitError`` and 4xx are raised at once, never retried. A non-idempotent
        call (a create) that fails in a way HubSpot may have applied raises
        ``HubSpotAmbiguousWriteError`` instead of being resent.
        """
        op = operation or f"{method.upper()} {path}"
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, HubSpotError) and e.retriable),
            stop=self._stop,
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )
        return retrying(self._send_once, method.upper(), path, params, json, search, op, idempotent)

    def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        search: bool,
        op: str,
        idempotent: bool = True,
    ) -> Any:
        session = self.get_conn()
        url = self.url_from_endpoint(path)
        slots = self.rate_limiter.acquire(search=search)
        response: requests.Response | None = None
        started = time.monotonic()
        try:
            with self._shared_slot():
                started = time.monotonic()
                prepped = session.prepare_request(requests.Request(method, url, params=params, json=body))
                response = self.run_and_check(
                    session, prepped, {"timeout": self.config.timeout_seconds, "check_response": False}
                )
        except requests.RequestException as exc:
            detail = redact_text(f"{type(exc).__name__}: {exc}", self._secrets)
            error = (
                HubSpotConnectionError(detail, operation=op)
                if idempotent or request_never_left(exc)
                else HubSpotAmbiguousWriteError(f"the outcome is unknown, not resent: {detail}", operation=op)
            )
            self._record(op, method, path, params, body, error=error, started=started)
            raise error from None
        finally:
            if response is None:  # never leave a slot in flight, whatever went wrong
                self.rate_limiter.complete(slots)
        is_429 = response.status_code == 429
        self.rate_limiter.observe(response.headers, search=search, success=not is_429)
        if self.shared_budget and not search:
            self._share_learnt_window()
        self.rate_limiter.complete(slots)
        if not search:
            self.last_rate_headers = {
                k: v
                for k, v in response.headers.items()
                if k.lower().startswith("x-hubspot-ratelimit")
            }
        parsed = parse_body(response.content)
        error = classify(response.status_code, parsed, response.headers, operation=op, secrets=self._secrets)
        if isinstance(error, HubSpotServerError) and not idempotent:
            error = HubSpotAmbiguousWriteError(
                f"the outcome is unknown, not resent: {error.message}", status=error.status,
                correlation_id=error.correlation_id, operation=op, body=error.body,
            )
        if isinstance(error, HubSpotRateLimitError):
            # a search may also trip the app's 10-second window; its policy says which one
            at_least = _retry_after(response.headers.get("Retry-After"))
            if not search or error.policy == TEN_SECONDLY:
                self.rate_limiter.penalize(search=False, at_least=at_least)
            if search:
                self.rate_limiter.penalize(search=True, at_least=at_least)
        self._record(
            op, method, path, params, body, error=error, started=started, response=response, parsed=parsed
        )
        if error is not None:
            raise error
        return parsed

    def _share_learnt_window(self) -> None:
        """Tell the other task processes the window HubSpot advertised (only when it changed)."""
        window = self.rate_limiter.general
        learnt = (window.max_requests, int(window.interval * 1000))
        if learnt != self._shared_window_learnt:
            self.store.rate_budget.learn(f"hubspot:{self.app_key}", *learnt)
            self._shared_window_learnt = learnt

    def _shared_slot(self) -> contextlib.AbstractContextManager[object]:
        """With ``shared_budget``, hold a slot in the store's cross-process window for this call.

        The store stamps the slot when the call has finished, never before HubSpot counted it,
        and its window is ``SHARED_BUDGET_MARGIN_MS`` longer than HubSpot's for clock skew.
        """
        if not self.shared_budget:
            return contextlib.nullcontext()
        window = self.rate_limiter.general
        return self.store.rate_budget.reserve(
            f"hubspot:{self.app_key}",
            window.max_requests,
            int(window.interval * 1000) + SHARED_BUDGET_MARGIN_MS,
            sleep=self._sleep,
        )

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        limit = self.max_rate_limit_retries if isinstance(exc, HubSpotRateLimitError) else self.max_retries
        return state.attempt_number > limit

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HubSpotRateLimitError):
            return 0.0  # the shared limiter already holds every request back
        delay = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (state.attempt_number - 1))
        return delay * (0.5 + random.random() / 2)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        self.log.warning("HubSpot call failed (attempt %d), retrying: %s", state.attempt_number, exc)

    def _record(
        self,
        op: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        *,
        error: HubSpotError | None,
        started: float,
        response: requests.Response | None = None,
        parsed: Any = None,
    ) -> None:
        if not self._audit_enabled:
            return
        correlation_id = (
            (error.correlation_id if error else None)
            or (response.headers.get(CORRELATION_HEADER) if response is not None else None)
            or (parsed.get("correlationId") if isinstance(parsed, Mapping) else None)
        )
        try:
            self.store.audit.record(
                system="hubspot",
                operation=op,
                request={"method": method, "path": path, "params": dict(params or {}), "json": body},
                status="error" if error else "ok",
                response_summary=_summarize(parsed, error),
                http_status=response.status_code if response is not None else None,
                correlation_id=correlation_id,
                request_id=parsed.get("requestId") if isinstance(parsed, Mapping) else None,
                session_fingerprint=self.app_key,
                duration_ms=int((time.monotonic() - started) * 1000),
                secrets=self._secrets,
            )
        except Exception as exc:  # the call itself happened; losing its result would be worse
            self.log.error("could not write the HubSpot audit row for %s: %s", op, redact_text(str(exc), self._secrets))

    # -- Airflow ----------------------------------------------------------------------------------
    def test_connection(self) -> tuple[bool, str]:
        """One cheap call (a single contact id) and the rate-limit headers it came back with."""
        # the UI's Test button needs no sync store: neither an audit row nor the shared budget
        audit, shared = self._audit_enabled, self.shared_budget
        self._audit_enabled = self.shared_budget = False
        try:
            self.request("GET", f"{API_V3}/contacts", params={"limit": 1, "properties": "hs_object_id"})
        except Exception as exc:
            return False, redact_text(str(exc), self._secrets if "config" in self.__dict__ else [])
        finally:
            self._audit_enabled, self.shared_budget = audit, shared
        seen = self.last_rate_headers
        if not seen:
            return True, "Connected to HubSpot; the response carried no X-HubSpot-RateLimit headers"
        lookup = {k.lower(): v for k, v in seen.items()}
        summary = (
            f"{lookup.get(HEADER_REMAINING.lower(), '?')} of {lookup.get(HEADER_MAX.lower(), '?')} requests left "
            f"per {lookup.get(HEADER_INTERVAL.lower(), '?')} ms"
        )
        if HEADER_DAILY_REMAINING.lower() in lookup:
            summary += f", {lookup[HEADER_DAILY_REMAINING.lower()]} left today"
        return True, f"Connected to HubSpot ({self.config.tier} tier): {summary}"

    # -- records ------------------------------------------------------------------------------------
    def get_object(
        self,
        object_type: str,
        object_id: str,
        *,
        properties: Sequence[str] = (),
        associations: Sequence[str] = (),
        id_property: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        if id_property:
            params["idProperty"] = id_property
        return self.request("GET", f"{API_V3}/{object_type}/{object_id}", params=params)

    def iter_objects(
        self,
        object_type: str,
        *,
        properties: Sequence[str] = (),
        archived: bool = False,
        page_size: int = LIST_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every record of ``object_type``, streamed page by page through the ``after`` cursor."""

        def fetch(after: str | None) -> Mapping[str, Any]:
            params: dict[str, Any] = {"limit": page_size, "archived": str(archived).lower()}
            if properties:
                params["properties"] = ",".join(properties)
            if after:
                params["after"] = after
            return self.request("GET", f"{API_V3}/{object_type}", params=params)

        return iter(CursorPager(fetch))

    def search(self, object_type: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """One search page, under the search budget. Use ``search_modified`` to read many."""
        return self.request("POST", f"{API_V3}/{object_type}/search", json=dict(body), search=True)

    def search_modified(
        self,
        object_type: str,
        since: datetime | int,
        until: datetime | int | None = None,
        *,
        properties: Sequence[str] = (),
        extra_filters: Sequence[Mapping[str, Any]] = (),
    ) -> KeysetSearch:
        """Records modified in ``[since, until)``, iterated lazily by ``hs_object_id`` keyset.

        ``until`` defaults to now minus ``consistency_lag``, because search results lag writes;
        bookmark the returned ``window_end_ms`` once the iteration has finished.
        """
        end = until if until is not None else datetime.now(UTC) - self.consistency_lag
        return KeysetSearch(
            fetch=lambda body: self.search(object_type, body),
            object_type=object_type,
            window_start_ms=to_epoch_ms(since),
            window_end_ms=to_epoch_ms(end),
            properties=properties,
            extra_filters=extra_filters,
        )

    # -- batches ----------------------------------------------------------------------------------------
    def _batch(
        self,
        operation: Operation,
        object_type: str,
        inputs: Sequence[Mapping[str, Any]],
        *,
        top_level: Mapping[str, Any] | None = None,
        chunk_size: int = MAX_BATCH_INPUTS,
        unique_property: str | None = None,
        id_property: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        path = f"{API_V3}/{object_type}/batch/{operation}"

        def send(chunk: list[dict[str, Any]]) -> Mapping[str, Any]:
            payload: dict[str, Any] = dict(top_level or {})
            if operation == "read":  # idProperty lives at the top of a read, not in its inputs
                payload["inputs"] = [{"id": str(i["id"])} for i in chunk]
            else:
                payload["inputs"] = chunk
            # a create replayed after HubSpot applied it would create twice; the others are idempotent
            return self.request("POST", path, json=payload, params=params, idempotent=operation != "create") or {}

        def read_back(values: list[str]) -> dict[str, Mapping[str, Any]]:
            assert unique_property is not None
            found = self.batch_read(object_type, values, properties=[unique_property], id_property=unique_property)
            return {
                normalize_unique_value(unique_property, r.record["properties"][unique_property]): r.record
                for r in found.items
                if r.ok and r.record and (r.record.get("properties") or {}).get(unique_property) not in (None, "")
            }

        runner = BatchRunner(
            operation, send, chunk_size=chunk_size, unique_property=unique_property, id_property=id_property,
            read_back=read_back if operation == "create" and unique_property else None,
        )
        return runner.run(inputs)

    def batch_create(
        self, object_type: str, inputs: Sequence[Mapping[str, Any]], *, unique_property: str | None = None
    ) -> BatchResult:
        """Create records (``{"properties": ..., "associations": [...]}`` each); 207 keeps good rows.

        ``unique_property`` (e.g. ``email``) merges inputs that would create the same record.
        A chunk whose answer is lost (a 5xx, a dropped connection) is never resent blindly: with
        ``unique_property`` it is read back by that property (found rows count as created, missing
        ones are sent once more); without one, its rows come back as "outcome unknown".
        """
        return self._batch("create", object_type, inputs, unique_property=unique_property)

    def batch_read(
        self,
        object_type: str,
        ids: Iterable[str],
        *,
        properties: Sequence[str] = (),
        properties_with_history: Sequence[str] = (),
        id_property: str | None = None,
        archived: bool = False,
    ) -> BatchResult:
        """Read by id (or by a unique ``id_property``); missing ids come back as per-input errors."""
        wanted = [*properties, id_property] if id_property and id_property not in properties else list(properties)
        top: dict[str, Any] = {"properties": wanted}  # the id property comes back, so rows match exactly
        if properties_with_history:
            top["propertiesWithHistory"] = list(properties_with_history)
        if id_property:
            top["idProperty"] = id_property
        inputs = [{"id": str(i), **({"idProperty": id_property} if id_property else {})} for i in ids]
        return self._batch(
            "read",
            object_type,
            inputs,
            top_level=top,
            chunk_size=MAX_HISTORY_BATCH_INPUTS if properties_with_history else MAX_BATCH_INPUTS,
            id_property=id_property,
            params={"archived": str(archived).lower()},
        )

    def batch_update(self, object_type: str, inputs: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Update by ``id`` (optionally ``idProperty`` per input)."""
        return self._batch("update", object_type, inputs)

    def batch_upsert(
        self, object_type: str, inputs: Sequence[Mapping[str, Any]], *, id_property: str | None = None
    ) -> BatchResult:
        """Create-or-update by a unique property: replaying it never duplicates a record.

        Each input is ``{"id": <unique value>, "properties": {...}}``; ``id_property`` fills
        ``idProperty`` in inputs that lack one (HubSpot wants it per input, not as a parameter).
        """
        prepared = [
            {**item, "idProperty": item.get("idProperty") or id_property} if id_property else dict(item)
            for item in inputs
        ]
        return self._batch("upsert", object_type, prepared, id_property=id_property)

    def upsert_by(
        self, object_type: str, id_property: str, records: Iterable[Mapping[str, Any]]
    ) -> BatchResult:
        """Upsert property dicts keyed by their own ``id_property`` value."""
        inputs = [{"id": props.get(id_property), "idProperty": id_property, "properties": dict(props)} for props in records]
        return self.batch_upsert(object_type, inputs, id_property=id_property)

    # -- associations and properties -----------------------------------------------------------------
    @cached_property
    def associations(self) -> Associations:
        return Associations(self, self.app_key)

    def associate_invoice(
        self,
        invoice_id: str,
        *,
        contact_ids: Iterable[str] = (),
        company_ids: Iterable[str] = (),
        line_item_ids: Iterable[str] = (),
    ) -> dict[str, list[dict[str, Any]]]:
        """Associate one invoice with contacts, companies and line items (type ids from the labels API)."""
        targets = _invoice_targets(contact_ids, company_ids, line_item_ids)
        return {
            to_type: self.associations.create("invoices", to_type, [(str(invoice_id), i) for i in ids])
            for to_type, ids in targets.items()
        }

    def invoice_associations_on_create(
        self,
        *,
        contact_ids: Iterable[str] = (),
        company_ids: Iterable[str] = (),
        line_item_ids: Iterable[str] = (),
    ) -> list[dict[str, Any]]:
        """The ``associations`` list for an invoice create input."""
        targets = _invoice_targets(contact_ids, company_ids, line_item_ids)
        return [a for to_type, ids in targets.items() for a in self.associations.on_create("invoices", to_type, ids)]

    def ensure_property(self, object_type: str, spec: PropertySpec) -> tuple[dict[str, Any], EnsureOutcome]:
        return ensure_property(self, object_type, spec)

    def ensure_properties(
        self, object_type: str, specs: Iterable[PropertySpec]
    ) -> dict[str, EnsureOutcome]:
        return {spec.name: self.ensure_property(object_type, spec)[1] for spec in specs}

    # -- webhooks -----------------------------------------------------------------------------------------
    def verify_webhook(
        self, *, method: str, uri: str, body: bytes, headers: Mapping[str, str], now_ms: int | None = None
    ) -> None:
        """Raise ``WebhookSignatureError`` unless this is a fresh delivery signed with our client secret."""
        verify_request(
            client_secret=self.config.client_secret or "",
            method=method,
            uri=uri,
            body=body,
            headers=headers,
            now_ms=now_ms,
        )


def _invoice_targets(
    contact_ids: Iterable[str], company_ids: Iterable[str], line_item_ids: Iterable[str]
) -> dict[str, list[str]]:
    """The object types an invoice is associated with, and the ids asked for each (empty ones left out)."""
    asked = {"contacts": contact_ids, "companies": company_ids, "line_items": line_item_ids}
    targets = {to_type: [str(i) for i in ids] for to_type, ids in asked.items()}
    return {to_type: ids for to_type, ids in targets.items() if ids}


def _retry_after(raw: str | None) -> float:
    """Seconds from a numeric ``Retry-After`` (HubSpot does not promise one), capped at a minute."""
    try:
        return min(60.0, max(0.0, float(raw))) if raw else 0.0
    except ValueError:
        return 0.0


def _summarize(parsed: Any, error: HubSpotError | None) -> Any:
    """Enough of the response to explain the call later, without storing whole pages."""
    if error is not None:
        return parsed if isinstance(parsed, Mapping) else {"message": error.message}
    if not isinstance(parsed, Mapping):
        return None
    summary: dict[str, Any] = {k: parsed[k] for k in ("id", "status", "total", "numErrors") if k in parsed}
    if isinstance(parsed.get("results"), list):
        summary["results"] = len(parsed["results"])
    if parsed.get("errors"):
        summary["errors"] = parsed["errors"]
    if isinstance(parsed.get("paging"), Mapping):
        summary["paging"] = parsed["paging"]
    return summary
