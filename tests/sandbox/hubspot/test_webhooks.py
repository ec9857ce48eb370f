"""Webhook delivery to a local receiver: batching, event fields, and a v3 signature recomputed from the spec."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from ml_connector.sandbox.hubspot import HubSpotSandbox
from tests.sandbox.hubspot.conftest import Api

SECRET = "receiver-test-secret"


class Receiver:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def hooked(receiver: Receiver) -> Iterator[tuple[HubSpotSandbox, Api, str]]:
    sb = HubSpotSandbox(client_secret=SECRET, portal_id=777)
    url = receiver.url + "/hubspot/events?source=sandbox%3Atest"
    sb.register_webhook(url)
    with sb.serve() as server:
        yield sb, Api(server.url, token="mlc-sandbox-token"), url


def _expected_signature(method: str, uri: str, body: bytes, timestamp: str) -> str:
    """Straight from HubSpot's request-validation doc: decode the listed escapes, HMAC-SHA256, base64."""
    for encoded, decoded in (("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
                             ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";")):
        uri = uri.replace(encoded, decoded)
    message = (method + uri).encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(SECRET.encode(), message, hashlib.sha256).digest()).decode()


def test_changes_are_delivered_signed_v3(hooked: tuple[HubSpotSandbox, Api, str], receiver: Receiver) -> None:
    sb, api, url = hooked
    contact = api.create("contacts", {"email": "w@example.com"})
    api.patch(f"/crm/v3/objects/contacts/{contact['id']}", json={"properties": {"firstname": "Wanda"}})
    api.delete(f"/crm/v3/objects/contacts/{contact['id']}")
    assert receiver.calls == []  # nothing goes out until flushed
    assert sb.flush_webhooks() == 3
    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    headers = {k.lower(): v for k, v in call["headers"].items()}
    assert headers["x-hubspot-signature-v3"] == _expected_signature(
        "POST", url, call["body"], headers["x-hubspot-request-timestamp"])
    assert headers["x-hubspot-signature-version"] == "v1"
    assert headers["x-hubspot-signature"] == hashlib.sha256(SECRET.encode() + call["body"]).hexdigest()
    events = json.loads(call["body"])
    assert [e["subscriptionType"] for e in events] == ["contact.creation", "contact.propertyChange", "contact.deletion"]
    assert events[0]["changeFlag"] == "CREATED"
    assert events[1]["propertyName"] == "firstname" and events[1]["propertyValue"] == "Wanda"
    for event in events:
        assert event["objectId"] == int(contact["id"]) and event["portalId"] == 777
        assert event["attemptNumber"] == 0 and event["changeSource"] == "API"
        assert {"eventId", "subscriptionId", "appId", "occurredAt", "sourceId"} <= event.keys()
    assert sb.flush_webhooks() == 0


def test_events_go_in_batches_of_100(hooked: tuple[HubSpotSandbox, Api, str], receiver: Receiver) -> None:
    sb, api, _ = hooked
    for start in range(0, 150, 50):
        response = api.post("/crm/v3/objects/companies/batch/create", json={
            "inputs": [{"properties": {"name": f"C{i}"}} for i in range(start, start + 50)]})
        assert response.status_code == 201
    assert sb.flush_webhooks() == 150
    assert [len(json.loads(c["body"])) for c in receiver.calls] == [100, 50]


def test_failed_delivery_is_kept_and_retried_with_attempt_number(
    hooked: tuple[HubSpotSandbox, Api, str], receiver: Receiver
) -> None:
    sb, api, _ = hooked
    api.create("companies", {"name": "Retry"})
    receiver.status = 500
    assert sb.flush_webhooks() == 0
    receiver.status = 200
    admin = requests.post(api.base + "/_sandbox/webhooks/flush", timeout=10).json()
    assert admin == {"delivered": 1, "pending": 0}
    assert json.loads(receiver.calls[-1]["body"])[0]["attemptNumber"] == 1


def test_invoice_changes_use_generic_object_events(
    hooked: tuple[HubSpotSandbox, Api, str], receiver: Receiver
) -> None:
    sb, api, _ = hooked
    api.create("invoices", {"hs_currency": "USD"})
    sb.flush_webhooks()
    event = json.loads(receiver.calls[0]["body"])[0]
    assert event["subscriptionType"] == "object.creation" and event["objectTypeId"] == "0-53"
