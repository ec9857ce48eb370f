"""Webhook v3 signatures, checked against a vector computed here straight from HubSpot's recipe."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from ml_connector.hubspot.webhooks import (
    WebhookSignatureError,
    decode_uri,
    sign_v3,
    verify_request,
    verify_v3,
)

SECRET = "mlc-sandbox-client-secret"
BODY = b'[{"eventId":1,"subscriptionType":"contact.creation","objectId":101,"occurredAt":1708986598741}]'
TS = 1_763_990_400_000
RAW_URI = "https://hooks.example.com/hubspot%3Fx/events?portal=42&who=%40me&list=a%2Cb&q=%253A"
# HubSpot's table decoded by hand: %3F -> ?, %40 -> @, %2C -> , ; %25 is not in the table, so %253A stays
DECODED_URI = "https://hooks.example.com/hubspot?x/events?portal=42&who=@me&list=a,b&q=%253A"


def expected_signature(method: str, uri: str, body: bytes, ts: int, secret: str = SECRET) -> str:
    source = method.encode() + uri.encode() + body + str(ts).encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def test_decode_uri_applies_only_the_table_and_only_once() -> None:
    assert decode_uri(RAW_URI) == DECODED_URI
    assert decode_uri("/a%20b%2fc%3a") == "/a%20b/c:"  # %20 is not in the table; lower-case hex is


def test_signature_matches_the_spec_recipe() -> None:
    assert sign_v3(SECRET, "POST", RAW_URI, BODY, TS) == expected_signature("POST", DECODED_URI, BODY, TS)


def test_genuine_fresh_delivery_is_accepted() -> None:
    sig = expected_signature("POST", DECODED_URI, BODY, TS)
    verify_v3(client_secret=SECRET, method="POST", uri=RAW_URI, body=BODY, signature=sig, timestamp=str(TS),
              now_ms=TS + 299_000)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"body": BODY.replace(b"101", b"102")}, "bad_signature"),
        ({"uri": RAW_URI.replace("portal=42", "portal=43")}, "bad_signature"),
        ({"method": "PUT"}, "bad_signature"),
        ({"client_secret": "someone-elses-secret"}, "bad_signature"),
        ({"now_ms": TS + 301_000}, "stale"),
        ({"now_ms": TS - 301_000}, "stale"),
        ({"signature": None}, "missing_signature"),
        ({"timestamp": "yesterday"}, "bad_timestamp"),
        ({"client_secret": ""}, "no_secret"),
    ],
)
def test_tampered_stale_or_unsigned_delivery_is_rejected(change: dict, reason: str) -> None:
    args = {
        "client_secret": SECRET, "method": "POST", "uri": RAW_URI, "body": BODY,
        "signature": expected_signature("POST", DECODED_URI, BODY, TS), "timestamp": TS, "now_ms": TS + 1000,
    }
    args.update(change)
    with pytest.raises(WebhookSignatureError) as info:
        verify_v3(**args)
    assert info.value.reason == reason
    assert SECRET not in str(info.value)


def test_signature_with_a_new_timestamp_does_not_validate_an_old_body() -> None:
    """Replaying a captured body with a fresh timestamp fails: the timestamp is signed too."""
    old_sig = expected_signature("POST", DECODED_URI, BODY, TS)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_v3(client_secret=SECRET, method="POST", uri=RAW_URI, body=BODY, signature=old_sig,
                  timestamp=TS + 600_000, now_ms=TS + 600_000)


def test_headers_are_found_case_insensitively() -> None:
    headers = {"x-hubspot-signature-v3": expected_signature("POST", DECODED_URI, BODY, TS),
               "X-HUBSPOT-REQUEST-TIMESTAMP": str(TS)}
    verify_request(client_secret=SECRET, method="post", uri=RAW_URI, body=BODY, headers=headers, now_ms=TS)


class Receiver:
    """A minimal ASGI endpoint that verifies each delivery with the hook, as a DAG's webhook view would."""

    def __init__(self, hook: Any) -> None:
        self.hook = hook
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        query = scope["query_string"].decode()
        path = (scope.get("raw_path") or scope["path"].encode()).decode()
        uri = f"{scope['scheme']}://{headers['host']}{path}" + (f"?{query}" if query else "")
        delivery = {"method": scope["method"], "uri": uri, "body": body, "headers": headers}
        try:
            self.hook.verify_webhook(method=scope["method"], uri=uri, body=body, headers=headers)
        except WebhookSignatureError as exc:
            self.rejected.append(exc.reason)
            status = 401
        else:
            self.accepted.append(delivery)
            status = 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def test_sandbox_deliveries_verify_and_tampered_or_stale_ones_do_not(hubspot_sandbox: Any, make_hook: Any) -> None:
    from ml_connector.sandbox.serving import ServerThread

    sb, server = hubspot_sandbox()
    hook = make_hook(server)
    receiver = Receiver(hook)
    with ServerThread(receiver) as endpoint:
        sb.register_webhook(endpoint.url + "/hooks/hubspot?source=ml-connector&tag=a%2Cb")
        created = hook.batch_create("contacts", [{"properties": {"email": f"w{i}@x.com"}} for i in range(2)])
        assert sb.flush_webhooks() >= 2
    assert receiver.rejected == []
    assert receiver.accepted
    events = [e for d in receiver.accepted for e in json.loads(d["body"])]
    assert {str(e["objectId"]) for e in events} >= {r.id for r in created}

    delivery = receiver.accepted[0]
    ts = int(delivery["headers"]["x-hubspot-request-timestamp"])
    kwargs = {"method": delivery["method"], "uri": delivery["uri"], "headers": delivery["headers"]}
    verify_request(client_secret=SECRET, body=delivery["body"], now_ms=ts, **kwargs)
    with pytest.raises(WebhookSignatureError) as wrong:
        verify_request(client_secret="not-the-client-secret", body=delivery["body"], now_ms=ts, **kwargs)
    with pytest.raises(WebhookSignatureError) as stale:
        hook.verify_webhook(body=delivery["body"], now_ms=ts + 5 * 60 * 1000 + 1, **kwargs)
    with pytest.raises(WebhookSignatureError) as tampered:
        hook.verify_webhook(body=delivery["body"].replace(b"w0@", b"w9@") + b" ", now_ms=ts, **kwargs)
    assert (wrong.value.reason, stale.value.reason, tampered.value.reason) == ("bad_signature", "stale", "bad_signature")
