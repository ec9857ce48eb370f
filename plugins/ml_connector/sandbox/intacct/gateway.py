"""One gateway request from raw bytes to an HTTP reply: parse, grammar, sender, operations, faults.

Order of checks follows the reference: the parser first (XL03000003), then the schema, then the
sender (control failure), then each operation's authentication (auth failure, no functions), then
each function on its own (or all-or-nothing with ``transaction="true"``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from ml_connector.sandbox.intacct.clock import SandboxClock
from ml_connector.sandbox.intacct.faults import Fault, FaultInjector
from ml_connector.sandbox.intacct.functions import WRITE_FUNCTIONS, ExecutionContext, execute
from ml_connector.sandbox.intacct.grammar import GatewayRequest, GrammarError, Operation, read_request
from ml_connector.sandbox.intacct.responses import (
    CONTENT_TYPE,
    ROLLED_BACK,
    FunctionResult,
    GatewayError,
    RecordRenderer,
    authentication_xml,
    control_xml,
    errormessage_xml,
    response_xml,
)
from ml_connector.sandbox.intacct.resultsets import ResultSetStore
from ml_connector.sandbox.intacct.sessions import Session, SessionManager
from ml_connector.sandbox.intacct.store import RecordStore
from ml_connector.sandbox.intacct.values import iso_timestamp
from ml_connector.sandbox.intacct.xmlinput import XmlParseFailure, control_fields_from_raw, parse_request

logger = logging.getLogger(__name__)

SIGN_IN_INCORRECT = GatewayError("XL03000006", description2="Sign-in information is incorrect")
BAD_SENDER = GatewayError("XL03000006", description2="Incorrect Intacct XML Partner ID or password.")
INVALID_SESSION = GatewayError("XL03000006", description2="Invalid session")
DL02000001 = GatewayError("DL02000001", description="Error", description2="There was an error processing the request.")
_TERMINAL_FAULTS = ("unauthorized_401", "rate_limit", "http_error", "cloudflare_html")
_SECRET_ELEMENTS = re.compile(rb"(<(password|sessionid)>)([^<]*)(</\2>)")


@dataclass(frozen=True)
class Credentials:
    sender_id: str
    sender_password: str = field(repr=False)
    company_id: str = ""
    user_id: str = ""
    user_password: str = field(default="", repr=False)


@dataclass
class GatewayReply:
    status_code: int
    body: bytes
    content_type: str = CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


class _Http401(Exception):
    """Bad login answered the newer way: HTTP 401 with an XMLGW_JPP0002 body."""


def mask_secrets(body: bytes) -> bytes:
    """The request body with passwords and session ids replaced, for the admin request log."""
    return _SECRET_ELEMENTS.sub(rb"\1********\4", body)


def unauthorized_reply() -> GatewayReply:
    body = response_xml(
        "<control><status>failure</status></control>",
        "<errormessage><error><errorno>XMLGW_JPP0002</errorno>"
        "<description>Sign-in information is incorrect. Please check your request.</description></error></errormessage>",
    )
    return GatewayReply(401, body)


def _html(status: int, title: str, detail: str, cloudflare: bool) -> GatewayReply:
    details = (
        f'<div id="cf-error-details" class="cf-error-details-wrapper"><h1>{title}</h1><p>{detail}</p></div>'
        if cloudflare
        else f"<h1>{title}</h1><p>{detail}</p>"
    )
    body = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{details}</body></html>"
    return GatewayReply(status, body.encode("utf-8"), content_type="text/html; charset=UTF-8")


def fault_reply(fault: Fault) -> GatewayReply:
    if fault.kind == "unauthorized_401":
        return unauthorized_reply()
    if fault.kind == "rate_limit":
        body = response_xml(
            "<control><status>failure</status></control>",
            errormessage_xml([GatewayError("GW-0010", description="API rate limit exceeded.",
                                           description2="Too many requests for this company.",
                                           correction="Please Try Again Later")]),
        )
        return GatewayReply(429, body)
    if fault.kind == "cloudflare_html":
        return _html(502, "Error 502: Bad gateway", "The web server reported a bad gateway error.", cloudflare=True)
    status = int(fault.params.get("status", 500))
    if status == 500:
        return GatewayReply(500, b"", content_type="text/plain")
    titles = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable", 504: "504 Gateway Time-out"}
    return _html(status, titles[status], "The Service is Temporarily Off-line", cloudflare=False)


def timeout_524_reply() -> GatewayReply:
    return _html(524, "Error 524: A timeout occurred", "The origin web server timed out responding to this request.",
                 cloudflare=True)


class Gateway:
    """All gateway state behind one lock: records, sessions, result sets, replay store, log, faults."""

    def __init__(
        self,
        *,
        store: RecordStore,
        clock: SandboxClock,
        tz: timezone,
        credentials: Credentials,
        sessions: SessionManager,
        result_sets: ResultSetStore,
        faults: FaultInjector,
        entities: tuple[str, ...],
        document_sequencing: bool,
        login_failure_http_401: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.store = store
        self.clock = clock
        self.tz = tz
        self.credentials = credentials
        self.sessions = sessions
        self.result_sets = result_sets
        self.faults = faults
        self.entities = entities
        self.document_sequencing = document_sequencing
        self.login_failure_http_401 = login_failure_http_401
        self.renderer = RecordRenderer(tz)
        self.request_log: list[dict[str, Any]] = []
        self.replay_results: dict[tuple[str, str, str], FunctionResult] = {}

    # --- entry point ------------------------------------------------------------------------------

    def handle(self, body: bytes, endpoint_url: str) -> GatewayReply:
        entry: dict[str, Any] = {"body": body, "http_status": 0, "control_status": None, "auth": None,
                                 "functions": [], "controlids": [], "uniqueid": False, "fault": None, "replayed": []}
        with self.lock:
            request, problem = self._read(body)
            if request is not None:
                entry["functions"] = request.function_names
                entry["controlids"] = [call.controlid for op in request.operations for call in op.functions]
                entry["uniqueid"] = request.control.uniqueid
                entry["auth"] = "login" if request.operations[0].login is not None else (
                    "sessionid" if request.operations[0].sessionid is not None else None)
            faults = {fault.kind: fault for fault in self.faults.take(entry["functions"])}
        latency = faults.get("latency")
        if latency is not None:
            time.sleep(float(latency.params["seconds"]))
        with self.lock:
            try:
                reply = self._reply(body, request, problem, faults, entry, endpoint_url)
            except Exception:  # a sandbox bug must still leave a trace and a reply
                logger.exception("Intacct sandbox failed to handle a request")
                if self.store.in_transaction:
                    self.store.rollback()
                reply = GatewayReply(500, b"", content_type="text/plain")
            entry["http_status"] = reply.status_code
            self.request_log.append(entry)
            return reply

    def _read(self, body: bytes) -> tuple[GatewayRequest | None, list[str]]:
        try:
            return read_request(parse_request(body)), []
        except XmlParseFailure as failure:
            return None, failure.messages
        except GrammarError as error:
            return None, [str(error)]

    def _reply(
        self,
        body: bytes,
        request: GatewayRequest | None,
        problem: list[str],
        faults: dict[str, Fault],
        entry: dict[str, Any],
        endpoint_url: str,
    ) -> GatewayReply:
        # The fault that shaped the reply: a terminal one, else a 524, else whatever else applied.
        preference = (*_TERMINAL_FAULTS, "timeout_524_after_commit", *faults)
        entry["fault"] = next((kind for kind in preference if kind in faults), None)
        if "expire_session" in faults and request is not None:
            for operation in request.operations:
                if operation.sessionid:
                    self.sessions.expire(operation.sessionid)
        for kind in _TERMINAL_FAULTS:
            if kind in faults:
                entry["control_status"] = "failure" if kind == "unauthorized_401" else None
                return fault_reply(faults[kind])
        if request is None:
            raw = control_fields_from_raw(body)
            entry["control_status"] = "failure"
            control = control_xml("failure", raw.get("senderid", ""), raw.get("controlid", ""),
                                  raw.get("uniqueid", "false"), raw.get("dtdversion", "3.0"))
            errors = [GatewayError("XL03000003", description2=message) for message in problem]
            return GatewayReply(200, response_xml(control, errormessage_xml(errors)))
        control = request.control
        uniqueid_text = "true" if control.uniqueid else "false"
        dtdversion = control.dtdversion if control.dtdversion is not None else "3.0"
        credentials = self.credentials
        if control.senderid != credentials.sender_id or control.password != credentials.sender_password:
            entry["control_status"] = "failure"
            block = control_xml("failure", control.senderid, control.controlid, uniqueid_text, dtdversion)
            return GatewayReply(200, response_xml(block, errormessage_xml([BAD_SENDER])))
        try:
            operations = [self._operation(request, operation, faults, entry, endpoint_url) for operation in request.operations]
        except _Http401:
            entry["control_status"] = "failure"
            return unauthorized_reply()
        entry["control_status"] = "success"
        block = control_xml("success", control.senderid, control.controlid, uniqueid_text, dtdversion)
        reply = GatewayReply(200, response_xml(block, *operations))
        if "timeout_524_after_commit" in faults:
            return timeout_524_reply()
        return reply

    # --- operations -------------------------------------------------------------------------------

    def _authenticate(self, operation: Operation) -> tuple[Session | None, str]:
        """The operation's session, or None with the auth-failure block to send instead."""
        credentials = self.credentials
        login = operation.login
        if login is not None:
            valid = (
                login.userid.lower() == credentials.user_id.lower()
                and login.companyid.lower() == credentials.company_id.lower()
                and login.password == credentials.user_password
                and (not login.locationid or login.locationid in self.entities)
            )
            if not valid:
                if self.login_failure_http_401:
                    raise _Http401
                auth = authentication_xml("failure", login.userid, login.companyid, login.locationid or "")
                return None, auth + errormessage_xml([SIGN_IN_INCORRECT])
            return self.sessions.create(credentials.user_id, credentials.company_id, login.locationid or ""), ""
        session = self.sessions.find(operation.sessionid) if operation.sessionid else None
        if session is None:
            return None, authentication_xml("failure", "", "", None) + errormessage_xml([INVALID_SESSION])
        self.sessions.touch(session)
        return session, ""

    def _operation(
        self, request: GatewayRequest, operation: Operation, faults: dict[str, Fault], entry: dict[str, Any], endpoint_url: str
    ) -> str:
        session, failure = self._authenticate(operation)
        if session is None:
            return f"<operation>{failure}</operation>"
        now = self.clock.now()
        auth = authentication_xml(
            "success", session.userid, session.companyid, session.locationid,
            iso_timestamp(now, self.tz), iso_timestamp(session.expires_at, self.tz),
        )
        ctx = ExecutionContext(
            store=self.store, renderer=self.renderer, tz=self.tz, clock=self.clock, sessions=self.sessions,
            session=session, result_sets=self.result_sets, entities=self.entities,
            document_sequencing=self.document_sequencing, endpoint_url=endpoint_url,
        )
        results = self._run_functions(request, operation, ctx, faults, entry)
        return "<operation>" + auth + "".join(result.xml() for result in results) + "</operation>"

    def _run_functions(
        self, request: GatewayRequest, operation: Operation, ctx: ExecutionContext, faults: dict[str, Fault], entry: dict[str, Any]
    ) -> list[FunctionResult]:
        control = request.control
        scope = (control.senderid, self.credentials.company_id.lower())
        dl_fault = faults.get("dl02000001")
        dl_target = None
        if dl_fault is not None:
            dl_target = next((call for call in operation.functions if dl_fault.function in (None, call.name)), None)
        if operation.transaction:
            self.store.begin()
        results: list[FunctionResult] = []
        failed = False
        executed: list[tuple[str, FunctionResult]] = []
        for call in operation.functions:
            if operation.transaction and failed:
                results.append(FunctionResult("aborted", call.name, call.controlid, errors=[ROLLED_BACK]))
                continue
            replay_key = (*scope, call.controlid)
            if control.uniqueid and call.name in WRITE_FUNCTIONS and replay_key in self.replay_results:
                results.append(self.replay_results[replay_key])
                entry["replayed"].append(call.controlid)
                continue
            if call is dl_target:
                result = FunctionResult("failure", call.name, call.controlid, errors=[DL02000001])
            else:
                result = execute(ctx, call.name, call.controlid, call.element)
            results.append(result)
            executed.append((call.controlid, result))
            if result.status == "failure":
                failed = True
        if operation.transaction:
            if failed:
                self.store.rollback()
                return [self._rolled_back(result) for result in results]
            self.store.commit()
        for controlid, result in executed:
            if result.function in WRITE_FUNCTIONS and result.status == "success":
                self.replay_results[(*scope, controlid)] = result
        return results

    @staticmethod
    def _rolled_back(result: FunctionResult) -> FunctionResult:
        if result.status == "aborted":
            return result
        if result.status == "failure":
            return FunctionResult("failure", result.function, result.controlid, errors=[*result.errors, ROLLED_BACK])
        return FunctionResult("aborted", result.function, result.controlid, errors=[ROLLED_BACK])
