"""What a failed HTTP exchange tells us about whether the server may have acted on it."""

from __future__ import annotations

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


def request_never_left(exc: requests.RequestException) -> bool:
    """True when the connection failed before the request was sent, so even a write may be resent.

    A read timeout or a reset after sending is different: the server may have applied the write.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)
