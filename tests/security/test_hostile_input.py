"""Hostile requests over real HTTP to a running `soapbridge serve`: each gets a clean Client fault.

Every test checks the same four things: the fault is the expected one, in the SOAP version the
endpoint speaks, and well formed; its text names no libxml2 code, no file path and no traceback;
the canary file's text never comes back and the loopback listener gets no connection; and a normal
GetCustomer is answered right after. Each request has a 10 s timeout, so a hang fails the test.
"""

from __future__ import annotations

import gzip
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from lxml import etree

from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from tests.conftest import ROOT
from tests.security.conftest import Canary, Listener, Served

TIMEOUT = 10
VERSIONS = ("1.1", "1.2")
NAMESPACE = {"1.1": SOAP11_ENV, "1.2": SOAP12_ENV}
MEDIA_TYPE = {"1.1": "text/xml", "1.2": "application/soap+xml"}
GET_CUSTOMER = f'<GetCustomer xmlns="{CANONICAL}"><customerId>1001</customerId></GetCustomer>'
#: What a fault must never show: libxml2's codes and options, file paths, a traceback.
INTERNALS = re.compile(r"Traceback|XML_|ERR_|libxml|lxml|\.py\b|/tmp/|/home/|/work/|file:/|<string>")
LIBXML_DEPTH = 256


@dataclass(frozen=True)
class Answer:
    version: str
    response: requests.Response

    @property
    def root(self) -> etree._Element:
        return etree.fromstring(self.response.content)

    def fault(self) -> tuple[str, str, str]:
        """(SOAP fault code, canonical code, message), after checking the fault's shape for its version."""
        namespace = NAMESPACE[self.version]
        assert self.response.headers["Content-Type"].startswith(MEDIA_TYPE[self.version]), self.response.text
        root = self.root
        assert root.tag == f"{{{namespace}}}Envelope", self.response.text
        fault = root.find(f"{{{namespace}}}Body/{{{namespace}}}Fault")
        assert fault is not None, self.response.text
        canonical = fault.findtext(f".//{{{CANONICAL}}}code") or ""
        if self.version == "1.1":
            return fault.findtext("faultcode") or "", canonical, fault.findtext("faultstring") or ""
        code = fault.findtext(f"{{{namespace}}}Code/{{{namespace}}}Value") or ""
        return code, canonical, fault.findtext(f"{{{namespace}}}Reason/{{{namespace}}}Text") or ""


def envelope(version: str, body: str = GET_CUSTOMER, prolog: str = "", header: str = "") -> bytes:
    namespace = NAMESPACE[version]
    text = f'{prolog}<e:Envelope xmlns:e="{namespace}">{header}<e:Body>{body}</e:Body></e:Envelope>'
    return text.encode()


def post(served: Served, version: str, data: bytes, content_type: str | None = None, **headers: str) -> Answer:
    path = "/soap11" if version == "1.1" else "/soap12"
    sent = {"Content-Type": content_type or MEDIA_TYPE[version], **headers}
    return Answer(version, requests.post(f"{served.base}{path}", data=data, headers=sent, timeout=TIMEOUT))


def assert_client_fault(answer: Answer, *, status: int | None = None, says: str = "") -> str:
    """The typed Client/Sender fault with the canonical InvalidRequest detail; returns its message."""
    code, canonical, message = answer.fault()
    client = "soap:Client" if answer.version == "1.1" else "soap:Sender"
    expected_status = status or (500 if answer.version == "1.1" else 400)
    assert (answer.response.status_code, code, canonical) == (expected_status, client, "InvalidRequest"), message
    assert says in message
    assert not INTERNALS.search(answer.response.text), answer.response.text
    assert str(ROOT) not in answer.response.text
    return message


@pytest.fixture(autouse=True)
def untouched(served: Served, canary: Canary, listener: Listener) -> Iterator[None]:
    """After each hostile request: nothing read, nothing connected, and the gateway serves the next client."""
    answers: list[Answer] = []
    yield
    for version in VERSIONS:
        normal = post(served, version, envelope(version))
        answers.append(normal)
        assert normal.response.status_code == 200, normal.response.text
        assert normal.root.findtext(f".//{{{CANONICAL}}}name") == "Ada Lovelace"
    assert listener.connections == []
    assert canary.text not in "".join(served.output)


def entity_prolog(declarations: str) -> str:
    return f"<!DOCTYPE e:Envelope [{declarations}]>"


# --- DTDs and entities: refused at the DOCTYPE, nothing resolved or fetched -----------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_xxe_to_a_local_file(served: Served, canary: Canary, version: str) -> None:
    data = envelope(
        version,
        f'<GetCustomer xmlns="{CANONICAL}"><customerId>&x;</customerId></GetCustomer>',
        entity_prolog(f'<!ENTITY x SYSTEM "{canary.url}">'),
    )
    answer = post(served, version, data)
    assert_client_fault(answer, says="DOCTYPE")
    assert canary.text not in answer.response.text


@pytest.mark.parametrize("version", VERSIONS)
def test_xxe_to_a_loopback_url(served: Served, listener: Listener, version: str) -> None:
    data = envelope(
        version,
        f'<GetCustomer xmlns="{CANONICAL}"><customerId>&x;</customerId></GetCustomer>',
        entity_prolog(f'<!ENTITY x SYSTEM "{listener.url}/secret">'),
    )
    assert_client_fault(post(served, version, data), says="DOCTYPE")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", ["file", "url"])
def test_parameter_entity_xxe(served: Served, canary: Canary, listener: Listener, version: str, target: str) -> None:
    location = canary.url if target == "file" else f"{listener.url}/evil.dtd"
    data = envelope(version, prolog=entity_prolog(f'<!ENTITY % p SYSTEM "{location}"> %p;'))
    answer = post(served, version, data)
    assert_client_fault(answer)
    assert canary.text not in answer.response.text


@pytest.mark.parametrize("version", VERSIONS)
def test_billion_laughs(served: Served, version: str) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    data = envelope(
        version,
        f'<GetCustomer xmlns="{CANONICAL}"><customerId>&l9;</customerId></GetCustomer>',
        entity_prolog("".join(levels)),
    )
    assert_client_fault(post(served, version, data), says="DOCTYPE")


@pytest.mark.parametrize("version", VERSIONS)
def test_quadratic_blowup(served: Served, version: str) -> None:
    data = envelope(
        version,
        f'<GetCustomer xmlns="{CANONICAL}"><customerId>{"&a;" * 20_000}</customerId></GetCustomer>',
        entity_prolog(f'<!ENTITY a "{"x" * 50_000}">'),
    )
    assert_client_fault(post(served, version, data), says="DOCTYPE")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", ["file", "url"])
def test_external_dtd(served: Served, canary: Canary, listener: Listener, version: str, target: str) -> None:
    location = canary.url if target == "file" else f"{listener.url}/evil.dtd"
    answer = post(served, version, envelope(version, prolog=f'<!DOCTYPE e:Envelope SYSTEM "{location}">'))
    assert_client_fault(answer, says="DOCTYPE")
    assert canary.text not in answer.response.text


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", ["file", "url"])
def test_xinclude_is_not_processed(
    served: Served, canary: Canary, listener: Listener, version: str, target: str
) -> None:
    location = canary.url if target == "file" else f"{listener.url}/secret"
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{location}" parse="text"/>'
    answer = post(served, version, envelope(version, f'<GetCustomer xmlns="{CANONICAL}">{include}</GetCustomer>'))
    assert_client_fault(answer)  # the include element stays an element, which the schema does not allow
    assert canary.text not in answer.response.text


@pytest.mark.parametrize("version", VERSIONS)
def test_schema_location_is_not_followed(served: Served, listener: Listener, version: str) -> None:
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    body = (
        f'<GetCustomer xmlns="{CANONICAL}" xmlns:xsi="{xsi}" xsi:schemaLocation="{CANONICAL} {listener.url}/x.xsd">'
        "<customerId>1001</customerId></GetCustomer>"
    )
    answer = post(served, version, envelope(version, body))
    assert answer.response.status_code == 200, answer.response.text  # a hint the gateway never acts on


# --- Limits: depth, attributes, names, size -------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("depth", [101, 10_000])
def test_deep_nesting(served: Served, version: str, depth: int) -> None:
    nested = "<n>" * depth + "</n>" * depth
    answer = post(served, version, envelope(version, f'<GetCustomer xmlns="{CANONICAL}">{nested}</GetCustomer>'))
    assert_client_fault(answer, says="deeper than 100 levels")


@pytest.mark.parametrize("version", VERSIONS)
def test_100000_attributes(served: Served, version: str) -> None:
    attributes = " ".join(f'a{n}="1"' for n in range(100_000))
    body = f'<GetCustomer xmlns="{CANONICAL}" {attributes}><customerId>1001</customerId></GetCustomer>'
    assert_client_fault(post(served, version, envelope(version, body)), says="more than 100 attributes")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("where", ["element", "attribute"])
def test_100000_character_names(served: Served, version: str, where: str) -> None:
    name = "n" * 100_000
    body = (
        f'<GetCustomer xmlns="{CANONICAL}"><{name}/></GetCustomer>'
        if where == "element"
        else f'<GetCustomer xmlns="{CANONICAL}" {name}="1"><customerId>1001</customerId></GetCustomer>'
    )
    assert_client_fault(post(served, version, envelope(version, body)), says="name longer than 1000 characters")


def _oversized(version: str) -> bytes:
    padding = "<!--" + "x" * (10 * 1024 * 1024) + "-->"
    return envelope(version, GET_CUSTOMER + padding)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_body_over_the_limit(served: Served, version: str) -> None:
    assert_client_fault(post(served, version, _oversized(version)), status=413, says="larger than")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_chunked_body_over_the_limit(served: Served, version: str) -> None:
    data = _oversized(version)
    chunks = (data[offset : offset + 65536] for offset in range(0, len(data), 65536))
    assert_client_fault(post(served, version, chunks), status=413, says="larger than")  # type: ignore[arg-type]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, identity"])
def test_a_compressed_body_is_refused(served: Served, version: str, encoding: str) -> None:
    data = envelope(version)
    packed = zlib.compress(data) if encoding == "deflate" else gzip.compress(data)
    answer = post(served, version, packed, **{"Content-Encoding": encoding})
    assert_client_fault(answer, status=415, says="must not be compressed")


# --- Bytes that are not the XML they claim to be ---------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_invalid_utf8(served: Served, version: str) -> None:
    data = envelope(version).replace(b"1001", b"10\xc3\x28\xff01")
    assert_client_fault(post(served, version, data), says="not well-formed")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("declared", ["UTF-16", "EBCDIC-US", "no-such-encoding"])
def test_a_wrong_declared_encoding(served: Served, version: str, declared: str) -> None:
    data = envelope(version, prolog=f'<?xml version="1.0" encoding="{declared}"?>')
    assert_client_fault(post(served, version, data), says="not well-formed")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("body", [b"", b"   \r\n\t "])
def test_an_empty_body(served: Served, version: str, body: bytes) -> None:
    assert_client_fault(post(served, version, body), says="empty")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_truncated_document(served: Served, version: str) -> None:
    data = envelope(version)
    assert_client_fault(post(served, version, data[: len(data) // 2]), says="not well-formed")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("body", [b"hello, world", b'{"customerId": 1001}', b"\x00\x01\x02\xff" * 64])
def test_non_xml(served: Served, version: str, body: bytes) -> None:
    assert_client_fault(post(served, version, body), says="not well-formed")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/related; type=text/xml"])
def test_a_wrong_content_type(served: Served, version: str, content_type: str) -> None:
    assert_client_fault(post(served, version, envelope(version), content_type), says="Content-Type must be")


# --- SOAP semantics: versions, actions, addressing -------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_the_other_soap_version(served: Served, version: str) -> None:
    """A 1.1 envelope on /soap12 or a 1.2 one on /soap11: VersionMismatch, in the version the client spoke."""
    other = "1.2" if version == "1.1" else "1.1"
    path = "/soap11" if version == "1.1" else "/soap12"
    response = requests.post(
        f"{served.base}{path}", data=envelope(other), headers={"Content-Type": MEDIA_TYPE[other]}, timeout=TIMEOUT
    )
    code, canonical, _ = Answer(other, response).fault()
    assert (response.status_code, code, canonical) == (500, "soap:VersionMismatch", "")
    assert not INTERNALS.search(response.text)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_soap_action_for_another_operation(served: Served, version: str) -> None:
    action = f"{CANONICAL}/UpdateCustomer"
    if version == "1.1":
        answer = post(served, version, envelope(version), SOAPAction=f'"{action}"')
    else:
        answer = post(served, version, envelope(version), f'application/soap+xml; action="{action}"')
    assert_client_fault(answer, says="does not match")


WSA = "http://www.w3.org/2005/08/addressing"


def _addressed(listener: Listener) -> str:
    return (
        f'<wsa:ReplyTo xmlns:wsa="{WSA}"><wsa:Address>{listener.url}/reply</wsa:Address></wsa:ReplyTo>'
        f'<wsa:FaultTo xmlns:wsa="{WSA}"><wsa:Address>{listener.url}/fault</wsa:Address></wsa:FaultTo>'
        f'<wsa:MessageID xmlns:wsa="{WSA}">urn:uuid:0b9e1c6a-5f5e-4c59-9a43-2f7d7b1f0001</wsa:MessageID>'
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_ws_addressing_reply_to_is_not_honoured(served: Served, listener: Listener, version: str) -> None:
    """Refused by name rather than ignored: a client waiting for a callback learns at once that none will come."""
    answer = post(served, version, envelope(version, header=f"<e:Header>{_addressed(listener)}</e:Header>"))
    assert_client_fault(answer, says="wsa:ReplyTo must be the anonymous address")


@pytest.mark.parametrize("version", VERSIONS)
def test_ws_addressing_fault_to_is_not_honoured(served: Served, listener: Listener, version: str) -> None:
    body = f'<GetCustomer xmlns="{CANONICAL}"><customerId>not a number</customerId></GetCustomer>'
    answer = post(served, version, envelope(version, body, header=f"<e:Header>{_addressed(listener)}</e:Header>"))
    assert_client_fault(answer)


# --- The JSON endpoint's refusals, and the log -------------------------------------------------------


def test_json_over_the_limit_is_a_413_problem(served: Served) -> None:
    data = b'{"customerId": "' + b"1" * (10 * 1024 * 1024) + b'"}'
    response = requests.post(
        f"{served.base}/json/GetCustomer", data=data, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert (response.status_code, response.headers["Content-Type"]) == (413, "application/problem+json")
    assert response.json()["status"] == 413
    assert response.json()["code"] == "InvalidRequest"


def test_json_compressed_is_a_415_problem(served: Served) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = requests.post(
        f"{served.base}/json/GetCustomer", data=gzip.compress(b'{"customerId": 1001}'), headers=headers, timeout=TIMEOUT
    )
    assert (response.status_code, response.headers["Content-Type"]) == (415, "application/problem+json")


def test_a_bad_request_is_logged_as_a_bounded_excerpt(served: Served) -> None:
    """WARNING, the first 200 characters with control characters escaped, and never the rest of the body."""
    tail = "TAIL-OF-THE-BODY-NEVER-LOGGED"
    data = ("NOT XML\x1b[31m" + "y" * 100_000 + tail).encode()
    answer = post(served, "1.1", data)
    assert_client_fault(answer, says="not well-formed")
    post(served, "1.1", b"")  # a second refusal, whose log line comes after the first one's
    logged = _wait_for(served, "the request began: NOT XML")
    assert "\\x1b[31m" in logged and "\x1b" not in logged
    assert tail not in "".join(served.output)
    assert len(logged) < 500


def _wait_for(served: Served, text: str) -> str:
    """The log line holding text; the log is written by another process, so it is polled for (10 s at most)."""

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = [line for line in list(served.output) if text in line]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no log line with {text!r}:\n{''.join(served.output)[-2000:]}")
