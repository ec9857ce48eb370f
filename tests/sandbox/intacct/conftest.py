"""Helpers for talking to the Intacct sandbox over real HTTP (written here, not shared with the hook)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import requests
from lxml import etree

from ml_connector.sandbox.intacct import IntacctSandbox

SENDER = ("mlc-sandbox-sender", "mlc-sandbox-sender-pw")
USER = ("mlc-api-user", "MLC-SANDBOX", "mlc-api-user-pw")


def envelope(
    auth: str,
    content: str,
    *,
    uniqueid: bool = False,
    transaction: bool = False,
    sender: tuple[str, str] = SENDER,
    controlid: str = "ctl-1",
) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<request><control>'
        f"<senderid>{escape(sender[0])}</senderid><password>{escape(sender[1])}</password>"
        f"<controlid>{controlid}</controlid><uniqueid>{'true' if uniqueid else 'false'}</uniqueid>"
        "<dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>"
        f'<operation transaction="{"true" if transaction else "false"}"><authentication>{auth}</authentication>'
        f"<content>{content}</content></operation></request>"
    ).encode()


def login_auth(userid: str = USER[0], companyid: str = USER[1], password: str = USER[2], locationid: str | None = None) -> str:
    location = f"<locationid>{locationid}</locationid>" if locationid is not None else ""
    return (
        f"<login><userid>{escape(userid)}</userid><companyid>{escape(companyid)}</companyid>"
        f"<password>{escape(password)}</password>{location}</login>"
    )


def session_auth(sessionid: str) -> str:
    return f"<sessionid>{escape(sessionid)}</sessionid>"


def fn(body: str, controlid: str = "f-1") -> str:
    return f'<function controlid="{controlid}">{body}</function>'


class Gateway:
    """A thin test client: posts envelopes, parses replies, keeps a session."""

    def __init__(self, sandbox: IntacctSandbox, url: str) -> None:
        self.sandbox = sandbox
        self.url = url
        self.http = requests.Session()
        self._sessionid: str | None = None

    def post(self, body: bytes) -> requests.Response:
        return self.http.post(self.url, data=body, headers={"Content-Type": "application/xml"}, timeout=30)

    def xml(self, body: bytes) -> etree._Element:
        response = self.post(body)
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content)

    def new_session(self, locationid: str | None = None) -> str:
        root = self.xml(envelope(login_auth(locationid=locationid), fn("<getAPISession/>")))
        sessionid = root.findtext("operation/result/data/api/sessionid")
        assert sessionid, etree.tostring(root)
        return sessionid

    @property
    def sessionid(self) -> str:
        if self._sessionid is None:
            self._sessionid = self.new_session()
        return self._sessionid

    def call(self, *functions: str, **options: Any) -> etree._Element:
        """Run functions with the test session; returns the parsed <response>."""
        return self.xml(envelope(session_auth(self.sessionid), "".join(functions), **options))

    def result(self, function: str, **options: Any) -> etree._Element:
        root = self.call(function, **options)
        results = root.findall("operation/result")
        assert len(results) == 1, etree.tostring(root)
        return results[0]


def errornos(element: etree._Element) -> list[str]:
    return [error.findtext("errorno") for error in element.iter("error")]


def data_of(result: etree._Element) -> etree._Element:
    data = result.find("data")
    assert data is not None, etree.tostring(result)
    return data


@pytest.fixture()
def make_gateway() -> Iterator[Callable[..., Gateway]]:
    """Start a sandbox with the given options on a free loopback port; stopped after the test."""
    servers = []

    def start(**options: Any) -> Gateway:
        options.setdefault("vendors", 12)
        options.setdefault("bills", 30)
        sandbox = IntacctSandbox(**options)
        server = sandbox.serve()
        servers.append(server)
        return Gateway(sandbox, server.url + IntacctSandbox.GATEWAY_PATH)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def shared_gateway() -> Iterator[Gateway]:
    sandbox = IntacctSandbox(seed=3, vendors=12, bills=30)
    with sandbox.serve() as server:
        yield Gateway(sandbox, server.url + IntacctSandbox.GATEWAY_PATH)


@pytest.fixture()
def gw(shared_gateway: Gateway) -> Gateway:
    """The module's sandbox, back in its seeded state (a fresh session each test)."""
    shared_gateway.sandbox.reset()
    shared_gateway._sessionid = None
    return shared_gateway


# --- the response DTD ---------------------------------------------------------------------------

_ENVELOPE = ("response", "control", "operation", "authentication", "result", "errormessage", "error", "api", "function")
_LEAVES = ("status", "senderid", "controlid", "uniqueid", "dtdversion", "userid", "companyid", "clientstatus",
           "clientid", "locationid", "sessiontimestamp", "listtype", "key", "errorno", "description",
           "description2", "correction", "sessionid", "endpoint")


def response_dtd(specs: Path) -> etree.DTD:
    """The envelope declarations of the official ``intacct_response.v2.1.dtd``, with documented additions.

    The file as published does not load in libxml2 (a missing comma near ``banddown? memo?`` and an
    undeclared ``%STRING_2000;``), and its ``data`` model lists 2.1 objects, not the 3.0 records, so the
    envelope and leaf declarations are taken verbatim from it and ``data`` is opened up. Additions:
    ``sessiontimeout`` after ``sessiontimestamp`` (2019 R2), ``locationid`` in ``api`` (docs and SDK
    fixtures), and the ``data`` attributes of 3.0 results.
    """
    text = (specs / "schemas" / "v2.1" / "intacct_response.v2.1.dtd").read_text(encoding="utf-8")
    entities = re.findall(r'<!ENTITY % \w+ "\(#PCDATA\)">', text)
    declarations = []
    for name in _ENVELOPE + _LEAVES:
        match = re.search(rf"<!ELEMENT {name} [^>]*>", text)
        assert match, name
        declarations.append(match.group(0))
    dtd = "\n".join(entities + declarations)
    dtd = dtd.replace("sessiontimestamp?)>", "sessiontimestamp?, sessiontimeout?)>")
    dtd = dtd.replace("<!ELEMENT api (sessionid, endpoint)>", "<!ELEMENT api (sessionid, endpoint, locationid?)>")
    dtd += (
        "\n<!ELEMENT sessiontimeout (#PCDATA)>\n<!ELEMENT data ANY>\n"
        "<!ATTLIST data listtype CDATA #IMPLIED count CDATA #IMPLIED totalcount CDATA #IMPLIED "
        "numremaining CDATA #IMPLIED resultId CDATA #IMPLIED offset CDATA #IMPLIED>"
    )
    return etree.DTD(io.StringIO(dtd))


def assert_valid_response(dtd: etree.DTD, content: bytes) -> etree._Element:
    """Validate a reply's envelope; records inside <data> (3.0 objects) are set aside first."""
    root = etree.fromstring(content)
    envelope_only = etree.fromstring(content)
    for data in envelope_only.iter("data"):
        for child in list(data):
            if child.tag != "api":
                data.remove(child)
    assert dtd.validate(envelope_only), dtd.error_log.filter_from_errors()
    return root
