"""What can go wrong talking to the gateway, classified before anyone decides to retry.

- ``IntacctTransientError``: safe to back off and try again (429/GW-0010, 502/503/504, HTML error
  pages, connection failures before anything was sent).
- ``IntacctAmbiguousWriteError``: the gateway may or may not have applied a write (524, 500 without
  XML, client timeout). Only ever replayed with the same function control IDs.
- ``IntacctSessionError``: the API session is invalid or expired; refresh and retry once.
- ``IntacctAuthenticationError``: bad sender or user credentials; fail fast.
- ``IntacctFunctionError``: one function failed; carries every error with its details intact.
- ``IntacctRequestError``: the request itself is wrong (XML parse error, limits); fix the caller.
- ``IntacctResponseError``: the gateway answered something that is not a gateway response.

No exception message contains a password or session id: messages are built from error
numbers and descriptions only, and the hook redacts what it raises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntacctErrorDetail:
    """One ``<error>`` of an ``<errormessage>``, kept intact."""

    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""

    def __str__(self) -> str:
        text = " ".join(p for p in (self.description, self.description2) if p) or "(no description)"
        fix = f" Correction: {self.correction}" if self.correction else ""
        return f"{self.errorno}: {text}{fix}"


def describe(errors: tuple[IntacctErrorDetail, ...] | list[IntacctErrorDetail]) -> str:
    return "; ".join(str(e) for e in errors) or "no error details"


class IntacctError(Exception):
    """Base class; ``retriable`` tells a retry policy what to do without parsing messages."""

    retriable = False

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[IntacctErrorDetail, ...] = (),
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = tuple(errors)
        self.http_status = http_status

    @property
    def errornos(self) -> tuple[str, ...]:
        return tuple(e.errorno for e in self.errors)


class IntacctTransientError(IntacctError):
    retriable = True


class IntacctRateLimitError(IntacctTransientError):
    """HTTP 429 / GW-0010."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class IntacctAmbiguousWriteError(IntacctError):
    """A write may have been applied. Replaying it is only safe with the same control IDs and uniqueid=true."""

    def __init__(self, message: str, *, controlids: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.controlids = controlids


class IntacctSessionError(IntacctError):
    """The session id was refused ("Invalid session"): refresh it and retry the call once."""


class IntacctAuthenticationError(IntacctError):
    """Sender or user credentials (or their authorization) were refused: retrying cannot help."""


class IntacctRequestError(IntacctError):
    """The request is invalid (XML parse error, limit exceeded, bad field name): fix the caller."""


class IntacctResponseError(IntacctError):
    """The gateway answered with something that is not a usable gateway response."""


class IntacctResultIdExpiredError(IntacctError):
    """readMore's resultId is invalid or expired: restart the query from its watermark."""


class IntacctFunctionError(IntacctError):
    """One function of a request failed; the other functions' results are unaffected."""

    def __init__(
        self,
        *,
        function: str,
        controlid: str,
        errors: tuple[IntacctErrorDetail, ...],
        status: str = "failure",
    ) -> None:
        super().__init__(
            f"Intacct {function} (function {controlid}) {status}: {describe(errors)}", errors=errors
        )
        self.function = function
        self.controlid = controlid
        self.status = status

    @property
    def retriable_once(self) -> bool:
        """DL02000001 "There was an error processing the request" is worth exactly one more try."""
        return any(e.errorno == "DL02000001" for e in self.errors)


class IntacctRecordError(IntacctFunctionError):
    """A create/update function failed for one or more records (e.g. BL34000061 duplicate ID)."""
