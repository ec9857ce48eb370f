"""Outgoing webhooks: record change events, batched into JSON arrays and signed with HubSpot's v3 scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any
from urllib.parse import unquote

import httpx

BATCH_SIZE = 100
APP_ID = 1_160_452
_SUBSCRIPTION_IDS = {"creation": 1, "propertyChange": 2, "deletion": 3, "associationChange": 4}
# HubSpot decodes exactly these escapes in the URI before signing (request-validation doc).
_DECODED = ("%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B")


def signing_uri(url: str) -> str:
    out = url
    for escape in _DECODED:
        out = out.replace(escape, unquote(escape)).replace(escape.lower(), unquote(escape))
    return out


def sign_v3(client_secret: str, method: str, url: str, body: bytes, timestamp_ms: str) -> str:
    """base64(HMAC-SHA256(client_secret, method + uri + body + timestamp))."""
    message = method.upper().encode() + signing_uri(url).encode() + body + timestamp_ms.encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(client_secret: str, body: bytes) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


class WebhookQueue:
    """Events wait here until ``flush`` delivers them, as HubSpot batches deliveries."""

    def __init__(self, *, client_secret: str, portal_id: int) -> None:
        self._client_secret = client_secret
        self._portal_id = portal_id
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._event_ids = itertools.count(1)
        self.urls: list[str] = []
        self.deliveries: list[dict[str, Any]] = []

    def register(self, url: str) -> None:
        with self._lock:
            if url not in self.urls:
                self.urls.append(url)

    def record(self, subscription_type: str, object_id: int, *, object_type_id: str | None = None,
               property_name: str | None = None, property_value: str | None = None) -> None:
        action = subscription_type.split(".", 1)[1]
        event: dict[str, Any] = {
            "eventId": next(self._event_ids),
            "subscriptionId": _SUBSCRIPTION_IDS.get(action, 9),
            "portalId": self._portal_id,
            "appId": APP_ID,
            "occurredAt": int(time.time() * 1000),
            "subscriptionType": subscription_type,
            "attemptNumber": 0,
            "objectId": object_id,
            "changeSource": "API",
            "sourceId": f"{APP_ID}",
        }
        if object_type_id is not None:
            event["objectTypeId"] = object_type_id
        if action == "creation":
            event["changeFlag"] = "CREATED"
        elif action == "deletion":
            event["changeFlag"] = "DELETED"
        elif action == "propertyChange":
            event["propertyName"] = property_name
            event["propertyValue"] = property_value
        with self._lock:
            if self.urls:
                self._pending.append(event)

    @property
    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._pending)

    def flush(self, timeout: float = 5.0) -> int:
        """POST pending events in batches; failed batches stay queued with ``attemptNumber`` bumped."""
        with self._lock:
            events, self._pending = self._pending, []
            urls = list(self.urls)
        delivered = 0
        retry: list[dict[str, Any]] = []
        with httpx.Client(timeout=timeout) as client:
            for start in range(0, len(events), BATCH_SIZE):
                batch = events[start:start + BATCH_SIZE]
                ok = all(self._post(client, url, batch) for url in urls)
                if ok:
                    delivered += len(batch)
                else:
                    retry.extend({**e, "attemptNumber": e["attemptNumber"] + 1} for e in batch)
        if retry:
            with self._lock:
                self._pending = retry + self._pending
        return delivered

    def _post(self, client: httpx.Client, url: str, batch: list[dict[str, Any]]) -> bool:
        body = json.dumps(batch).encode()
        timestamp = str(int(time.time() * 1000))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio)",
            "X-HubSpot-Signature": sign_v1(self._client_secret, body),
            "X-HubSpot-Signature-Version": "v1",
            "X-HubSpot-Signature-v3": sign_v3(self._client_secret, "POST", url, body, timestamp),
            "X-HubSpot-Request-Timestamp": timestamp,
        }
        try:
            response = client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            self.deliveries.append({"url": url, "events": len(batch), "status": None, "error": type(exc).__name__})
            return False
        self.deliveries.append({"url": url, "events": len(batch), "status": response.status_code})
        return 200 <= response.status_code < 300

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self.deliveries.clear()
