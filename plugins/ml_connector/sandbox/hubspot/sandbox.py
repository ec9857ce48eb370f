"""``HubSpotSandbox``: one local HubSpot portal with its limits, faults, webhooks and request log."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ml_connector.sandbox.hubspot.faults import Faults
from ml_connector.sandbox.hubspot.limits import TIERS, RateLimiter
from ml_connector.sandbox.hubspot.portal import InvoiceRules, Portal
from ml_connector.sandbox.hubspot.schema import OBJECT_TYPES, AssociationIds
from ml_connector.sandbox.hubspot.scopes import ALL_SCOPES
from ml_connector.sandbox.hubspot.webhooks import WebhookQueue
from ml_connector.sandbox.serving import ServerThread

DEFAULT_ACCESS_TOKEN = "mlc-sandbox-token"  # noqa: S105 - a published default for a local fake
DEFAULT_CLIENT_SECRET = "mlc-sandbox-client-secret"  # noqa: S105 - a published default for a local fake
DEFAULT_PORTAL_ID = 4242

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth")
_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell")


class HubSpotSandbox:
    """A HubSpot portal in memory, served over real HTTP by ``serve()``."""

    def __init__(
        self,
        tier: str = "starter",
        access_token: str = DEFAULT_ACCESS_TOKEN,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        portal_id: int = DEFAULT_PORTAL_ID,
        seed: int = 1,
        contacts: int = 0,
        companies: int = 0,
        rate_interval_ms: int = 10_000,
        rate_max: int | None = None,
        daily_limit: int | None = None,
        search_per_second: float = 5,
        association_ids: AssociationIds | None = None,
        invoice_rules: InvoiceRules | None = None,
        scopes: Iterable[str] | None = None,
    ) -> None:
        if tier not in TIERS:
            raise ValueError(f"tier: unknown tier {tier!r}; expected one of {', '.join(TIERS)}")
        for name, value in (("rate_interval_ms", rate_interval_ms), ("rate_max", rate_max),
                            ("daily_limit", daily_limit), ("contacts", contacts + 1), ("companies", companies + 1)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"{name}: must be a positive integer, got {value!r}")
        if not isinstance(search_per_second, int | float) or search_per_second <= 0:
            raise ValueError(f"search_per_second: must be a positive number, got {search_per_second!r}")
        if not access_token:
            raise ValueError("access_token: must not be empty")
        self.tier = tier
        self.scopes = frozenset(ALL_SCOPES if scopes is None else scopes)  # the token's granted scopes
        unknown = sorted(self.scopes - ALL_SCOPES)
        if unknown:
            raise ValueError(f"scopes: unknown scope(s) {', '.join(unknown)}")
        self.access_token = access_token
        self.portal_id = portal_id
        self.seed = seed
        self._seed_counts = (contacts, companies)
        tier_limits = TIERS[tier]
        self.limiter = RateLimiter(
            interval_ms=rate_interval_ms,
            window_max=rate_max or tier_limits.per_window,
            daily_limit=daily_limit or tier_limits.per_day,
            search_per_second=search_per_second,
        )
        self.faults = Faults()
        self.webhooks = WebhookQueue(client_secret=client_secret, portal_id=portal_id)
        self.portal = Portal(association_ids=association_ids or AssociationIds(), webhooks=self.webhooks,
                             invoice_rules=invoice_rules)
        self._log_lock = threading.Lock()
        self.request_log: list[dict[str, Any]] = []
        self.stats: dict[str, Any] = {"requests": 0, "429": 0, "429_by_policy": {}}
        self._app: Any = None
        self._seed()

    def __repr__(self) -> str:  # never the token or the secret
        return f"HubSpotSandbox(tier={self.tier!r}, portal_id={self.portal_id})"

    @property
    def app(self) -> Any:
        if self._app is None:
            from ml_connector.sandbox.hubspot.app import create_app

            self._app = create_app(self)
        return self._app

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServerThread:
        """Start the API on loopback (port 0 = a free port); the returned server is a context manager."""
        return ServerThread(self.app, host=host, port=port).start()

    def _seed(self) -> None:
        contacts, companies = self._seed_counts
        rng = random.Random(self.seed)
        if companies:
            self.bulk_load("companies", [
                {"name": f"{rng.choice(_WORDS)} {i}", "domain": f"company{i}.example.com",
                 "city": rng.choice(("Berlin", "Lisbon", "Austin", "Osaka"))}
                for i in range(1, companies + 1)
            ])
        if contacts:
            self.bulk_load("contacts", [
                {"email": f"contact{i}@example.com", "firstname": rng.choice(_FIRST),
                 "lastname": rng.choice(_LAST), "phone": f"+1555{rng.randrange(10**6, 10**7)}"}
                for i in range(1, contacts + 1)
            ])

    def bulk_load(self, object_type: str, rows: list[dict[str, Any]], modified_at: datetime | None = None) -> list[str]:
        """Fast seeding that bypasses HTTP, rate limits and webhooks; values are validated like the API's."""
        if object_type not in OBJECT_TYPES:
            raise ValueError(f"object_type: unknown {object_type!r}; expected one of {', '.join(OBJECT_TYPES)}")
        if modified_at is not None and modified_at.tzinfo is None:
            raise ValueError("modified_at: must be timezone-aware")
        return self.portal.bulk_insert(object_type, rows, modified_at)

    def records(self, object_type: str) -> list[dict[str, Any]]:
        with self.portal.lock:
            return [
                {"id": str(r.id), "properties": dict(r.properties), "archived": r.archived,
                 "createdAt": r.created_at, "updatedAt": r.updated_at, "archivedAt": r.archived_at}
                for r in self.portal.records[object_type].values()
            ]

    def associations(self, from_type: str, from_id: str | int, to_type: str) -> list[str]:
        return [str(i) for i in self.portal.links(from_type, int(from_id), to_type)]

    def register_webhook(self, url: str) -> None:
        self.webhooks.register(url)

    def flush_webhooks(self) -> int:
        return self.webhooks.flush()

    def log_request(self, method: str, path: str, status: int, policy: str | None, correlation_id: str) -> None:
        with self._log_lock:
            self.request_log.append({"method": method, "path": path, "status": status, "policy": policy,
                                     "at": time.monotonic(), "correlation_id": correlation_id})
            self.stats["requests"] += 1
            if status == 429:
                self.stats["429"] += 1
                key = policy or "UNKNOWN"
                self.stats["429_by_policy"][key] = self.stats["429_by_policy"].get(key, 0) + 1

    def reset(self) -> None:
        """Back to the freshly seeded portal: data, limits, faults, log and queued webhooks."""
        self.portal.reset()
        self.limiter.reset()
        self.faults.clear()
        self.webhooks.reset()
        with self._log_lock:
            self.request_log.clear()
            self.stats.update({"requests": 0, "429": 0, "429_by_policy": {}})
        self._seed()
