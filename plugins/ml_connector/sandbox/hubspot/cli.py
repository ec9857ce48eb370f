"""``ml-connector sandbox hubspot``: serve the local HubSpot CRM API in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from ml_connector.sandbox.fault_spec import parse_fault_spec
from ml_connector.sandbox.hubspot.faults import KINDS
from ml_connector.sandbox.hubspot.limits import TIERS
from ml_connector.sandbox.hubspot.sandbox import DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_SECRET, HubSpotSandbox

DEFAULT_PORT = 8091


def parse_fault(spec: str) -> tuple[str, int | None, dict[str, Any]]:
    """``KIND[:COUNT][:key=value...]``; COUNT ``0`` or ``*`` keeps the fault armed until cleared."""
    try:
        kind, count, raw = parse_fault_spec(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if kind not in KINDS:
        raise argparse.ArgumentTypeError(f"--fault: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    params: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            params[key] = float(value)
        except ValueError:
            params[key] = value
    return kind, count, params


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    parser.add_argument("--tier", choices=sorted(TIERS), default="starter",
                        help="portal tier: sets requests per window and per day (default: starter = 100/10 s, "
                             "250,000/day)")
    parser.add_argument("--token", default=DEFAULT_ACCESS_TOKEN,
                        help=f"private app access token clients must send as 'Authorization: Bearer <token>' "
                             f"(default: {DEFAULT_ACCESS_TOKEN})")
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET,
                        help=f"secret that signs outgoing webhooks, v3 (default: {DEFAULT_CLIENT_SECRET})")
    parser.add_argument("--portal-id", type=int, default=4242, help="portal (hub) id (default: 4242)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for generated records (default: 1)")
    parser.add_argument("--contacts", type=int, default=25, help="contacts to generate (default: 25)")
    parser.add_argument("--companies", type=int, default=10, help="companies to generate (default: 10)")
    parser.add_argument("--rate-interval-ms", type=int, default=10_000,
                        help="rolling rate-limit window in ms (default: 10000)")
    parser.add_argument("--rate-max", type=int, default=None, help="requests per window (default: the tier's)")
    parser.add_argument("--daily-limit", type=int, default=None, help="requests per day (default: the tier's)")
    parser.add_argument("--search-per-second", type=float, default=5, help="search requests per second (default: 5)")
    parser.add_argument("--scope", action="append", default=None, dest="scopes", metavar="SCOPE",
                        help="grant only these scopes to the token (repeatable), e.g. crm.objects.invoices.read; "
                             "default: every crm.objects.*/crm.schemas.* scope")
    parser.add_argument("--webhook-url", action="append", default=[],
                        help="register a URL that receives signed webhook batches (repeatable); deliver with "
                             "POST /_sandbox/webhooks/flush")
    parser.add_argument("--fault", action="append", default=[], type=parse_fault, metavar="KIND[:COUNT][:k=v]",
                        help=f"arm a fault at start (repeatable). Kinds: {', '.join(KINDS)}. "
                             "Examples: rate_limit:5, http_500:*, latency:3:seconds=0.5, search_lag:*:seconds=2")


def build_sandbox(args: argparse.Namespace) -> HubSpotSandbox:
    sandbox = HubSpotSandbox(
        tier=args.tier, access_token=args.token, client_secret=args.client_secret, portal_id=args.portal_id,
        seed=args.seed, contacts=args.contacts, companies=args.companies, rate_interval_ms=args.rate_interval_ms,
        rate_max=args.rate_max, daily_limit=args.daily_limit, search_per_second=args.search_per_second,
        scopes=args.scopes,
    )
    for url in args.webhook_url:
        sandbox.register_webhook(url)
    for kind, count, params in args.fault:
        sandbox.faults.add(kind, count=count, **params)
    return sandbox


def run_from_args(args: argparse.Namespace) -> int:
    from ml_connector.sandbox.serving import serve_forever

    try:
        sandbox = build_sandbox(args)
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    base = f"http://{args.host}:{args.port}"
    print(f"HubSpot sandbox (tier {sandbox.tier}, portal {sandbox.portal_id}) at {base}")
    print(f"  API:     {base}/crm/v3/objects/contacts")
    print(f"  token:   Authorization: Bearer {args.token}")
    print(f"  limits:  {sandbox.limiter.window_max} per {sandbox.limiter.interval_ms} ms, "
          f"{sandbox.limiter.daily_limit} per day, search {sandbox.limiter.search_per_second:g}/s")
    print(f"  admin:   {base}/_sandbox/requests, /_sandbox/faults, /_sandbox/reset, /_sandbox/webhooks/flush")
    serve_forever(sandbox.app, args.host, args.port)
    return 0
