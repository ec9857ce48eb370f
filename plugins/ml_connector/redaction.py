"""Keep secrets out of logs, audit rows, exceptions and reports.

Two nets: values under sensitive key names are masked wherever they appear, and any
known secret string is replaced wherever it appears inside other text (an XML body,
an error message, a URL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

# Whole key names (or their last part: user_password, client_secret, X-Api-Key), never substrings:
# HubSpot properties such as compass_region, passport_no or tokens_purchased are data, and the audit
# row must keep them to be replayable.
SENSITIVE_KEY = re.compile(
    r"^(?:.*[_.])?(password|passwd|pwd|secret|token|access_token|refresh_token|sessionid|session_id"
    r"|authorization|api_key|apikey|cookie|set_cookie|credentials?)$",
    re.IGNORECASE,
)

# XML elements whose text is always a secret, whatever the caller remembered to pass.
_SENSITIVE_XML = re.compile(
    r"(<(?P<tag>password|sessionid|user_password|sender_password)\b[^>]*>)(?P<body>[^<]*)(</(?P=tag)>)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)

# Secrets shorter than this are not substituted inside free text: masking every "a"
# would destroy the record without protecting anything.
_MIN_SECRET_LEN = 4


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Mask known secrets, secret XML elements and bearer tokens inside free text."""
    out = _SENSITIVE_XML.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", text)
    out = _BEARER.sub(lambda m: f"{m.group(1)}{MASK}", out)
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out


def redact(value: Any, secrets: Iterable[str | None] = ()) -> Any:
    """Return a copy of ``value`` (JSON-like) with secrets masked at every depth."""
    known = [s for s in secrets if s]
    return _redact(value, known)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (MASK if _is_sensitive_key(k) and v not in (None, "") else _redact(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", errors="replace"), secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def _is_sensitive_key(key: object) -> bool:
    return isinstance(key, str) and SENSITIVE_KEY.match(key.replace("-", "_")) is not None


def fingerprint(secret: str) -> str:
    """A short, stable, non-reversible label for a secret (e.g. which session was used)."""
    import hashlib

    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
