"""``IntacctSandbox``: a stateful local Sage Intacct XML gateway for tests, benchmarks and the demo."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from ml_connector.sandbox.intacct.app import GATEWAY_PATH, create_app
from ml_connector.sandbox.intacct.clock import SandboxClock
from ml_connector.sandbox.intacct.faults import FaultInjector
from ml_connector.sandbox.intacct.gateway import Credentials, Gateway
from ml_connector.sandbox.intacct.objects import OBJECTS
from ml_connector.sandbox.intacct.resultsets import ResultSetStore
from ml_connector.sandbox.intacct.seed import seed_company
from ml_connector.sandbox.intacct.sessions import SessionManager
from ml_connector.sandbox.intacct.store import RecordStore
from ml_connector.sandbox.intacct.values import render_value, user_timezone
from ml_connector.sandbox.serving import ServerThread

DEFAULT_SENDER_ID = "mlc-sandbox-sender"
DEFAULT_SENDER_PASSWORD = "mlc-sandbox-sender-pw"  # noqa: S105 (a local sandbox's published default)
DEFAULT_COMPANY_ID = "MLC-SANDBOX"
DEFAULT_USER_ID = "mlc-api-user"
DEFAULT_USER_PASSWORD = "mlc-api-user-pw"  # noqa: S105 (a local sandbox's published default)
DEFAULT_ENTITIES = ("US-EAST", "US-WEST")


class IntacctSandbox:
    """Seeded company state plus the gateway that serves it; ``serve()`` puts it on a socket."""

    GATEWAY_PATH = GATEWAY_PATH

    def __init__(
        self,
        seed: int = 1,
        vendors: int = 25,
        bills: int = 100,
        session_duration_seconds: int = 3600,
        result_id_ttl_seconds: int = 600,
        user_utc_offset_minutes: int = -300,
        sender_id: str = DEFAULT_SENDER_ID,
        sender_password: str = DEFAULT_SENDER_PASSWORD,
        company_id: str = DEFAULT_COMPANY_ID,
        user_id: str = DEFAULT_USER_ID,
        user_password: str = DEFAULT_USER_PASSWORD,
        entities: tuple[str, ...] = DEFAULT_ENTITIES,
        document_sequencing: bool = False,
        *,
        login_failure_http_401: bool = False,
        seed_anchor: datetime | None = None,
    ) -> None:
        if vendors < 0 or bills < 0:
            raise ValueError(f"vendors/bills: must be >= 0, got vendors={vendors}, bills={bills}")
        if not -14 * 60 <= user_utc_offset_minutes <= 14 * 60:
            raise ValueError(f"user_utc_offset_minutes: must be within +/-840, got {user_utc_offset_minutes}")
        self.seed = seed
        self.vendor_count = vendors
        self.bill_count = bills
        self.entities = tuple(entities)
        self.clock = SandboxClock()
        self.tz = user_timezone(user_utc_offset_minutes)
        now = self.clock.now()
        self.seed_anchor = seed_anchor or datetime(now.year, now.month, now.day, tzinfo=UTC)
        self.credentials = Credentials(sender_id, sender_password, company_id, user_id, user_password)
        self.faults = FaultInjector()
        self.gateway = Gateway(
            store=self._seeded_store(),
            clock=self.clock,
            tz=self.tz,
            credentials=self.credentials,
            sessions=SessionManager(self.clock, session_duration_seconds),
            result_sets=ResultSetStore(self.clock, result_id_ttl_seconds),
            faults=self.faults,
            entities=self.entities,
            document_sequencing=document_sequencing,
            login_failure_http_401=login_failure_http_401,
        )
        self.app = create_app(self)
        self.server: ServerThread | None = None

    def __repr__(self) -> str:
        return f"IntacctSandbox(seed={self.seed}, vendors={self.vendor_count}, bills={self.bill_count})"

    def _seeded_store(self) -> RecordStore:
        store = RecordStore(OBJECTS)
        seed_company(store, seed=self.seed, vendors=self.vendor_count, bills=self.bill_count,
                     entities=self.entities, anchor=self.seed_anchor)
        return store

    # --- serving ----------------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServerThread:
        """Start serving on loopback (a free port by default); returns the started server."""
        self.server = ServerThread(self.app, host=host, port=port).start()
        return self.server

    @property
    def gateway_url(self) -> str:
        if self.server is None:
            raise RuntimeError("call serve() first")
        return self.server.url + GATEWAY_PATH

    # --- inspection and control -------------------------------------------------------------------

    @property
    def request_log(self) -> list[dict[str, Any]]:
        with self.gateway.lock:
            return list(self.gateway.request_log)

    def records(self, object_name: str) -> list[dict[str, Any]]:
        """Copies of the current records (typed values: aware UTC datetimes, dates, Decimals)."""
        with self.gateway.lock:
            definition = self.gateway.store.definition(object_name)
            if definition is None:
                raise KeyError(object_name)
            return copy.deepcopy(self.gateway.store.records(definition.name))

    def records_as_text(self, object_name: str) -> list[dict[str, Any]]:
        """Records with values as the gateway renders them (for the JSON admin API)."""

        def text(value: Any) -> Any:
            if isinstance(value, dict):
                return {name: text(inner) for name, inner in value.items()}
            return None if value is None else render_value(value, self.tz)

        return [text(record) for record in self.records(object_name)]

    def expire_sessions(self) -> None:
        with self.gateway.lock:
            self.gateway.sessions.expire_all()

    def reset(self) -> None:
        """Back to the seeded state: records, sessions, result sets, replay store, log and faults."""
        with self.gateway.lock:
            self.gateway.store = self._seeded_store()
            self.gateway.renderer.clear()
            self.gateway.sessions.expire_all()
            self.gateway.result_sets.expire_all()
            self.gateway.replay_results.clear()
            self.gateway.request_log.clear()
            self.faults.clear()
