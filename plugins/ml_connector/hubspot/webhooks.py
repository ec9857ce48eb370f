"""HubSpot webhook signature v3 verification (pure; no I/O).

HubSpot signs ``method + uri + body + timestamp`` with HMAC-SHA256 keyed by the app's client
secret and sends it base64-encoded in ``X-HubSpot-Signature-v3`` next to
``X-HubSpot-Request-Timestamp`` (epoch milliseconds). The URI is the full URL with a fixed set
of percent-escapes decoded. Requests older than five minutes are refused so a captured
delivery cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
MAX_AGE_MS = 5 * 60 * 1000

# Only these escapes are decoded before signing; everything else stays as sent.
_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_ESCAPE = re.compile("|".join(re.escape(k) for k in _DECODE), re.IGNORECASE)


class WebhookSignatureError(Exception):
    """The delivery is not provably from HubSpot (or is too old); ``reason`` says why."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def decode_uri(uri: str) -> str:
    """Apply HubSpot's decoding table in one pass (so ``%253A`` stays ``%3A``, not ``:``)."""
    return _ESCAPE.sub(lambda m: _DECODE[m.group(0).upper()], uri)


def sign_v3(client_secret: str, method: str, uri: str, body: bytes, timestamp_ms: int | str) -> str:
    message = method.upper().encode() + decode_uri(uri).encode("utf-8") + body + str(timestamp_ms).encode()
    digest = hmac.new(client_secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_v3(
    *,
    client_secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | int | None,
    now_ms: int | None = None,
    max_age_ms: int = MAX_AGE_MS,
) -> None:
    """Return quietly for a genuine, fresh delivery; raise ``WebhookSignatureError`` otherwise."""
    if not client_secret:
        raise WebhookSignatureError("no_secret", "no webhook client secret configured; cannot verify")
    if not signature:
        raise WebhookSignatureError("missing_signature", f"missing {SIGNATURE_HEADER} header")
    try:
        ts = int(str(timestamp))
    except ValueError:
        raise WebhookSignatureError("bad_timestamp", f"missing or non-numeric {TIMESTAMP_HEADER}") from None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now - ts) > max_age_ms:
        raise WebhookSignatureError(
            "stale", f"{TIMESTAMP_HEADER} is {abs(now - ts) // 1000} s away from now (limit {max_age_ms // 1000} s)"
        )
    expected = sign_v3(client_secret, method, uri, body, ts)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", errors="replace")):
        raise WebhookSignatureError("bad_signature", "X-HubSpot-Signature-v3 does not match the request")


def verify_request(
    *, client_secret: str, method: str, uri: str, body: bytes, headers: Mapping[str, str], now_ms: int | None = None
) -> None:
    """``verify_v3`` with the two headers looked up case-insensitively."""
    lowered = {k.lower(): v for k, v in headers.items()}
    verify_v3(
        client_secret=client_secret,
        method=method,
        uri=uri,
        body=body,
        signature=lowered.get(SIGNATURE_HEADER.lower()),
        timestamp=lowered.get(TIMESTAMP_HEADER.lower()),
        now_ms=now_ms,
    )
