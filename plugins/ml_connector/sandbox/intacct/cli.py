"""``ml-connector sandbox intacct``: serve the local Intacct gateway in the foreground."""

from __future__ import annotations

import argparse

from ml_connector.sandbox.fault_spec import parse_fault_spec
from ml_connector.sandbox.intacct.faults import FAULT_KINDS, FaultConfigError
from ml_connector.sandbox.intacct.sandbox import (
    DEFAULT_COMPANY_ID,
    DEFAULT_ENTITIES,
    DEFAULT_SENDER_ID,
    DEFAULT_SENDER_PASSWORD,
    DEFAULT_USER_ID,
    DEFAULT_USER_PASSWORD,
    IntacctSandbox,
)
from ml_connector.sandbox.serving import serve_forever


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults after each flag, and an epilog kept as written (credentials must not wrap)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = _HelpFormatter
    parser.epilog = (
        "Point any Intacct client at http://HOST:PORT/ia/xml/xmlgw.phtml (only the base URL changes).\n"
        "Default credentials (change them with the flags above):\n"
        f"  sender id / password : {DEFAULT_SENDER_ID} / {DEFAULT_SENDER_PASSWORD}\n"
        f"  company id           : {DEFAULT_COMPANY_ID}\n"
        f"  user id / password   : {DEFAULT_USER_ID} / {DEFAULT_USER_PASSWORD}\n"
        "Admin API: http://HOST:PORT/_sandbox/requests, /_sandbox/state/OBJECT, /_sandbox/faults,\n"
        "/_sandbox/sessions/expire, /_sandbox/reset, /_sandbox/clock/advance."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8090, help="TCP port")
    parser.add_argument("--seed", type=int, default=1, help="seed number of the generated company data")
    parser.add_argument("--vendors", type=int, default=25, help="number of seeded vendors")
    parser.add_argument("--bills", type=int, default=100, help="number of seeded AP bills (1-5 lines each)")
    parser.add_argument("--session-minutes", type=float, default=60.0, help="sliding API session duration")
    parser.add_argument("--result-id-minutes", type=float, default=10.0, help="readByQuery resultId lifetime")
    parser.add_argument("--utc-offset-minutes", type=int, default=-300,
                        help="the API user's fixed GMT offset for timestamps")
    parser.add_argument("--entities", default=",".join(DEFAULT_ENTITIES), help="comma-separated valid locationid values")
    parser.add_argument("--document-sequencing", action="store_true", help="auto-number VENDORID when omitted")
    parser.add_argument("--login-401", action="store_true",
                        help="answer bad user credentials with HTTP 401 XMLGW_JPP0002 instead of an auth failure")
    parser.add_argument("--sender-id", default=DEFAULT_SENDER_ID, help="Web Services sender ID")
    parser.add_argument("--sender-password", default=DEFAULT_SENDER_PASSWORD, help="Web Services sender password")
    parser.add_argument("--company-id", default=DEFAULT_COMPANY_ID, help="company ID")
    parser.add_argument("--user-id", default=DEFAULT_USER_ID, help="API user ID")
    parser.add_argument("--user-password", default=DEFAULT_USER_PASSWORD, help="API user password")
    parser.add_argument("--fault", action="append", default=[], metavar="KIND[:COUNT]",
                        help="inject a fault from the start (repeatable), e.g. rate_limit:2, http_error:1:status=503, "
                        f"latency:3:seconds=2; KIND is one of {', '.join(FAULT_KINDS)}")


def _parse_fault(spec: str) -> tuple[str, int, dict[str, str]]:
    """``KIND[:COUNT][:NAME=VALUE...]``, e.g. ``http_error:3:status=503`` or ``latency:5:seconds=2``."""
    try:
        kind, count, params = parse_fault_spec(spec)
    except ValueError as exc:
        raise FaultConfigError(str(exc)) from None
    if count is None:
        raise FaultConfigError(f"--fault {spec!r}: the Intacct sandbox needs a COUNT (how many requests get it)")
    return kind, count, params


def run_from_args(args: argparse.Namespace) -> int:
    try:
        sandbox = IntacctSandbox(
            seed=args.seed,
            vendors=args.vendors,
            bills=args.bills,
            session_duration_seconds=max(1, round(args.session_minutes * 60)),
            result_id_ttl_seconds=max(1, round(args.result_id_minutes * 60)),
            user_utc_offset_minutes=args.utc_offset_minutes,
            sender_id=args.sender_id,
            sender_password=args.sender_password,
            company_id=args.company_id,
            user_id=args.user_id,
            user_password=args.user_password,
            entities=tuple(entity.strip() for entity in args.entities.split(",") if entity.strip()),
            document_sequencing=args.document_sequencing,
            login_failure_http_401=args.login_401,
        )
        for spec in args.fault:
            kind, count, params = _parse_fault(spec)
            sandbox.faults.add(kind, count=count, **params)
    except (ValueError, FaultConfigError) as exc:
        print(f"error: {exc}")
        return 2
    base = f"http://{args.host}:{args.port}"
    print(f"Intacct sandbox gateway: {base}{IntacctSandbox.GATEWAY_PATH}")
    print(f"  sender id / password : {args.sender_id} / {args.sender_password}")
    print(f"  company id           : {args.company_id}")
    print(f"  user id / password   : {args.user_id} / {args.user_password}")
    print(f"  entities             : {', '.join(sandbox.entities) or '(none)'}")
    print(f"  seed {args.seed}: {args.vendors} vendors, {args.bills} bills; sessions {args.session_minutes:g} min (sliding)")
    print(f"  admin API            : {base}/_sandbox/requests, /_sandbox/state/VENDOR, /_sandbox/faults")
    serve_forever(sandbox.app, args.host, args.port)
    return 0
