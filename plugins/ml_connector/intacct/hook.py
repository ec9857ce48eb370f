"""``IntacctHook``: the Sage Intacct XML gateway client, on top of ``HttpHook``.

``HttpHook`` gives us the Airflow connection, a keep-alive ``requests.Session`` and
``run_and_check``; this hook adds XML envelopes, the session endpoint switch, error
classification before any retry, cached sessions shared through the sync store, streaming
reads and idempotent writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import requests
import tenacity
from airflow.providers.http.hooks.http import HttpHook

from ml_connector.http_failures import request_never_left
from ml_connector.intacct.config import IntacctConfig
from ml_connector.intacct.envelope import (
    MAX_KEYS_PER_READ,
    Filter,
    Function,
    LoginAuth,
    RequestBuilder,
    SessionAuth,
)
from ml_connector.intacct.errors import (
    IntacctAmbiguousWriteError,
    IntacctError,
    IntacctFunctionError,
    IntacctRateLimitError,
    IntacctRequestError,
    IntacctResponseError,
    IntacctSessionError,
    IntacctTransientError,
)
from ml_connector.intacct.paging import Paginator, QueryOffsetPaginator, ReadByQueryPaginator
from ml_connector.intacct.response import (
    WRITE_FUNCTIONS,
    FunctionResult,
    GatewayResponse,
    Record,
    parse_response,
)
from ml_connector.intacct.sanitize import SanitizeStats
from ml_connector.intacct.session import SessionManager
from ml_connector.redaction import fingerprint, redact_text

if TYPE_CHECKING:
    from ml_connector.intacct.bills import BillWithLines
    from ml_connector.intacct.writes import WriteItem, WriteReport
    from ml_connector.store import CachedSession, SyncStore

log = logging.getLogger(__name__)



class IntacctHook(HttpHook):
    """Talk to one Sage Intacct company through the XML gateway.

    :param intacct_conn_id: Airflow connection of type ``sage_intacct``.
    :param store: the sync store holding the shared session cache and the audit log;
        defaults lazily to ``SyncStore.from_airflow()``.
    :param config_overrides: non-secret settings that win over the connection's extras
        (e.g. ``page_size=500``); passwords are only ever read from the connection.
    """

    conn_name_attr = "intacct_conn_id"
    default_conn_name = "intacct_default"
    conn_type = "sage_intacct"
    hook_name = "Sage Intacct"

    def __init__(
        self,
        intacct_conn_id: str = default_conn_name,
        store: SyncStore | None = None,
        **config_overrides: Any,
    ) -> None:
        refused = sorted({"sender_password", "user_password"} & set(config_overrides))
        if refused:
            raise ValueError(f"{', '.join(refused)} must come from the Airflow connection, not hook arguments")
        super().__init__(method="POST", http_conn_id=intacct_conn_id)
        self.intacct_conn_id = intacct_conn_id
        self._store = store
        self._config_overrides = config_overrides
        self._http: requests.Session | None = None
        self.sanitized = SanitizeStats()
        self.calls = 0  # HTTP requests sent by this hook (all attempts)
        self.write_sends = 0  # of which carried create/update functions

    # --- configuration and clients (lazy) ----------------------------------------------------

    @cached_property
    def config(self) -> IntacctConfig:
        return IntacctConfig.from_connection(self.get_connection(self.intacct_conn_id), **self._config_overrides)

    @property
    def store(self) -> SyncStore:
        if self._store is None:
            from ml_connector.store import SyncStore

            self._store = SyncStore.from_airflow().ensure_current()
        return self._store

    @cached_property
    def builder(self) -> RequestBuilder:
        return RequestBuilder(self.config.sender_id, self.config.sender_password, self.sanitized)

    @cached_property
    def sessions(self) -> SessionManager:
        return SessionManager(
            lambda: self.store,
            self.config.cache_key,
            self._open_session,
            max_age=self.config.session_max_age,
            margin=timedelta(seconds=self.config.session_expiry_margin_seconds),
        )

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> requests.Session:
        """One keep-alive ``requests.Session`` per hook.

        Deliberately not ``HttpHook.get_conn``: that would send the sender id/password as HTTP
        basic auth and every connection extra (including the user password) as a header.
        """
        if self._http is None:
            session = requests.Session()
            self.base_url = self.config.endpoint
            self._base_url_initialized = True
            session = self._configure_session_from_mount_adapters(session)
            session.headers.update(
                {
                    "Content-Type": "application/xml; charset=utf-8",
                    "Accept": "application/xml, text/xml",
                    "Accept-Encoding": "gzip, deflate",
                    "User-Agent": "ml-connector-intacct/0.1",
                }
            )
            self._http = session
        if headers:
            self._http.headers.update(headers)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # --- transport -------------------------------------------------------------------------

    def _secrets(self, session_id: str | None = None) -> list[str]:
        return [*self.config.secrets, *([session_id] if session_id else [])]

    def _post(self, url: str, body: bytes, *, is_write: bool) -> requests.Response:
        """One HTTP POST; connection problems are classified here, before any retry decision."""
        http = self.get_conn()
        prepared = http.prepare_request(requests.Request("POST", url, data=body))
        self.calls += 1
        self.write_sends += int(is_write)
        try:
            return self.run_and_check(
                http, prepared, {"check_response": False, "timeout": self.config.timeout_seconds}
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise IntacctTransientError(f"could not connect to Intacct: {type(exc).__name__}") from None
        except requests.exceptions.Timeout as exc:
            if is_write:
                raise IntacctAmbiguousWriteError(
                    f"Intacct did not answer a write within {self.config.timeout_seconds}s ({type(exc).__name__})"
                ) from None
            raise IntacctTransientError(f"Intacct read timed out ({type(exc).__name__})") from None
        except requests.exceptions.ConnectionError as exc:
            if is_write and not request_never_left(exc):
                raise IntacctAmbiguousWriteError(
                    f"the connection to Intacct broke during a write ({type(exc).__name__})"
                ) from None
            raise IntacctTransientError(f"connection to Intacct failed ({type(exc).__name__})") from None
        except requests.exceptions.RequestException as exc:  # e.g. a body cut off mid-stream
            if is_write:
                raise IntacctAmbiguousWriteError(f"Intacct write interrupted ({type(exc).__name__})") from None
            raise IntacctTransientError(f"Intacct read interrupted ({type(exc).__name__})") from None

    def _exchange(
        self,
        url: str,
        body: bytes,
        functions: Sequence[Function],
        *,
        is_write: bool,
        session_id: str | None,
        operation: str,
        audit: bool = True,
    ) -> GatewayResponse:
        """POST, audit and parse one request; raises classified errors."""
        started = time.monotonic()
        status = "error"
        http_status: int | None = None
        summary: Any = None
        try:
            response = self._post(url, body, is_write=is_write)
            http_status = response.status_code
            parsed = parse_response(
                response.content, http_status=http_status, is_write=is_write, headers=dict(response.headers)
            )
            status = "ok" if all(r.ok for r in parsed.results) else "partial"
            summary = {"results": [_result_summary(r) for r in parsed.results]}
            return parsed
        except IntacctError as exc:
            summary = {"error": type(exc).__name__, "message": str(exc), "errornos": list(exc.errornos)}
            raise
        finally:
            if audit:
                self._audit(
                    operation=operation,
                    url=url,
                    body=body,
                    functions=functions,
                    is_write=is_write,
                    status=status,
                    http_status=http_status,
                    summary=summary,
                    session_id=session_id,
                    duration_ms=int((time.monotonic() - started) * 1000),
                )

    def _audit(self, *, operation: str, url: str, body: bytes, functions: Sequence[Function], is_write: bool,
               status: str, http_status: int | None, summary: Any, session_id: str | None,
               duration_ms: int) -> None:
        secrets = self._secrets(session_id)
        try:
            self.store.audit.record(
                system="intacct",
                operation=operation,
                request={
                    "url": url,
                    "functions": [f.name for f in functions],
                    "controlids": [f.controlid for f in functions],
                    "uniqueid": is_write,
                    # whole, so a failed call can be replayed from this row without asking Intacct again
                    "body": redact_text(body.decode("utf-8", errors="replace"), secrets),
                },
                status=status,
                response_summary=summary,
                http_status=http_status,
                correlation_id=functions[0].controlid if functions else None,
                session_fingerprint=fingerprint(session_id) if session_id else None,
                duration_ms=duration_ms,
                secrets=secrets,
            )
        except Exception:  # auditing must never turn a good call into a failure
            log.warning("Could not write the Intacct audit row for %s", operation, exc_info=True)

    def _retrying(self) -> tenacity.Retrying:
        """Backoff for transient failures only; everything else is raised at once."""
        cfg = self.config
        exponential = tenacity.wait_exponential(multiplier=cfg.retry_min_wait_seconds, max=cfg.retry_max_wait_seconds)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = exc.retry_after if isinstance(exc, IntacctRateLimitError) and exc.retry_after else 0.0
            return max(exponential(state), min(hinted, cfg.retry_max_wait_seconds))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("Intacct transient failure (%s); retry %d of %d", exc, state.attempt_number, cfg.max_retries)

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(IntacctTransientError),
            stop=tenacity.stop_after_attempt(cfg.max_retries + 1),
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )

    # --- sessions --------------------------------------------------------------------------

    def _open_session(self, audit: bool = True) -> tuple[str, str, datetime | None]:
        """getAPISession with the login credentials, alone in its request, retried when transient."""
        cfg = self.config
        function = self.builder.get_api_session()
        auth = LoginAuth(cfg.user_id, cfg.company_id, cfg.user_password, cfg.entity)
        body = self.builder.build([function], auth, uniqueid=False)
        response = self._retrying()(
            self._exchange, cfg.endpoint, body, [function], is_write=False, session_id=None,
            operation="getAPISession", audit=audit,
        )
        response.result(function.controlid).raise_for_status()
        api = response.api_session
        if api is None:
            raise IntacctResponseError("getAPISession succeeded without a session id")
        session_id, endpoint = api
        return session_id, endpoint or cfg.endpoint, response.session_timeout

    def session(self) -> CachedSession:
        """The live shared session (opens one only when no process has a valid one cached)."""
        return self.sessions.current()

    # --- calls -----------------------------------------------------------------------------

    def execute(
        self,
        functions: Sequence[Function],
        *,
        is_write: bool | None = None,
        transaction: bool = False,
    ) -> GatewayResponse:
        """Send functions in one request on the shared session.

        Transient failures are retried with backoff; an invalid/expired session is refreshed
        and the call retried once. Writes go out with ``uniqueid=true`` and are never retried
        here when the outcome is ambiguous: :meth:`write` replays them with the same controlids.
        """
        if is_write is None:
            is_write = any(f.name in WRITE_FUNCTIONS for f in functions)
        operation = ",".join(dict.fromkeys(f.name for f in functions))
        for attempt in (1, 2):
            session = self.session()
            body = self.builder.build(functions, SessionAuth(session.session_id), uniqueid=is_write,
                                      transaction=transaction)
            try:
                response = self._retrying()(
                    self._exchange, session.endpoint, body, functions,
                    is_write=is_write, session_id=session.session_id, operation=operation,
                )
            except IntacctSessionError:
                self.sessions.invalidate(session)
                if attempt == 2:
                    raise
                log.info("Intacct session expired mid-run; opened a new one and retrying %s once", operation)
                continue
            self.sessions.observe(session, response.session_timeout)
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, function: Function) -> FunctionResult:
        """One function, its failure raised as the classified exception.

        A read failing with DL02000001 ("There was an error processing the request") is tried
        exactly once more before the error is raised.
        """
        result = self.execute([function]).result(function.controlid)
        error = result.error()
        if isinstance(error, IntacctFunctionError) and error.retriable_once and function.name not in WRITE_FUNCTIONS:
            log.warning("Intacct %s failed with DL02000001; trying once more", function.name)
            result = self.execute([function]).result(function.controlid)
        return result.raise_for_status()

    def paginate(self, paginator: Paginator) -> Iterator[FunctionResult]:
        """Pages one at a time; each page is released before the next is fetched."""
        function: Function | None = paginator.first()
        while function is not None:
            result = self.call(function)
            yield result
            function = paginator.advance(result)
            del result  # do not keep the previous page alive while the next one is fetched

    # --- reads -----------------------------------------------------------------------------

    def read_by_query(
        self, object_name: str, query: str = "", fields: Sequence[str] | str = "*", page_size: int = 1000
    ) -> Iterator[Record]:
        """readByQuery + readMore, streamed record by record (legacy string query; escape quotes yourself)."""
        paginator = ReadByQueryPaginator(self.builder, object_name, query, fields, min(page_size, 1000))
        for page in self.paginate(paginator):
            yield from page.records

    def query(
        self,
        object_name: str,
        fields: Sequence[str],
        *,
        filter: Filter | None = None,
        order_by: Sequence[tuple[str, bool]] = (("RECORDNO", True),),
        page_size: int | None = None,
    ) -> Iterator[Record]:
        """``query`` paged by offset with a stable order, streamed record by record."""
        paginator = QueryOffsetPaginator(
            self.builder, object_name, fields, filter=filter, order_by=order_by,
            page_size=page_size or self.config.page_size,
        )
        for page in self.paginate(paginator):
            yield from page.records

    def read(self, object_name: str, keys: Sequence[int | str], fields: Sequence[str] | str = "*") -> list[Record]:
        """``read`` by RECORDNO, up to 100 keys in one call."""
        if len(keys) > MAX_KEYS_PER_READ:
            raise IntacctRequestError(f"read takes at most {MAX_KEYS_PER_READ} keys, got {len(keys)}")
        if not keys:
            return []
        return self.call(self.builder.read(object_name, keys, fields)).records

    def iter_bills(self, since: datetime, until: datetime | None = None, **kwargs: Any) -> Iterator[BillWithLines]:
        """AP bills modified in [since, until) with their lines, streamed (see :mod:`bills`)."""
        from ml_connector.intacct.bills import iter_bills

        return iter_bills(self, since, until, **kwargs)

    # --- writes ----------------------------------------------------------------------------

    def create(self, object_name: str, items: Sequence[WriteItem], **kwargs: Any) -> WriteReport:
        from ml_connector.intacct.writes import write_records

        return write_records(self, "create", object_name, items, **kwargs)

    def update(self, object_name: str, items: Sequence[WriteItem], **kwargs: Any) -> WriteReport:
        from ml_connector.intacct.writes import write_records

        return write_records(self, "update", object_name, items, **kwargs)

    # --- Airflow UI ------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Open a fresh API session with the form's credentials (the UI's Test button)."""
        try:
            cfg = self.config
            _session_id, endpoint, timeout = self._open_session(audit=False)  # the UI's Test button may have no store
        except Exception as exc:
            secrets = [s for s in self._safe_secrets() if s]
            return False, redact_text(f"{type(exc).__name__}: {exc}", secrets)
        expires = f", expires {timeout.isoformat()}" if timeout else ""
        return True, f"Signed in to company {cfg.company_id} as {cfg.user_id}; API endpoint {endpoint}{expires}"

    def _safe_secrets(self) -> list[str]:
        try:
            return list(self.config.secrets)
        except Exception:
            return []

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        from ml_connector.intacct.connection_type import CONNECTION_TYPE

        return dict(CONNECTION_TYPE["ui-field-behaviour"])


def _result_summary(result: FunctionResult) -> Mapping[str, Any]:
    return {
        "function": result.function,
        "controlid": result.controlid,
        "status": result.status,
        "count": result.count,
        "numremaining": result.num_remaining,
        "errors": [str(e) for e in result.errors],
    }
