"""Strictness at the edges, over real HTTP: numbers and keys in JSON, the envelope's structure, namespace
declarations, VersionMismatch's Upgrade, legacy fault text, and what the log shows of URLs and foreign text.

The SOAP and JSON requests go to the session's `soapbridge serve` (tests/security/conftest.py); what needs a
misbehaving legacy system or a look at the log runs an in-process gateway on loopback.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from soapbridge.digits import MAX_LITERAL
from soapbridge.errors import ValidationError
from soapbridge.jsonform import load_shapes, to_json
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from soapbridge.redaction import MAX_FOREIGN_TEXT
from soapbridge.telemetry.logs import CorrelationFilter, TextFormatter
from tests.conftest import CREDENTIALS
from tests.security.conftest import Served
from tests.security.contentsafety import answering, call, fault, gateway
from tests.security.test_hostile_input import GET_CUSTOMER, VERSIONS, assert_client_fault, envelope, post

TIMEOUT = 10
BILLING = "urn:example-billing:InvoiceService"
LIST_INVOICES = f'<ListInvoices xmlns="{CANONICAL}"><customerId>1001</customerId></ListInvoices>'
NAMESPACE = {"1.1": SOAP11_ENV, "1.2": SOAP12_ENV}


def post_json(served: Served, operation: str, body: bytes) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return requests.post(f"{served.base}/json/{operation}", data=body, headers=headers, timeout=TIMEOUT)


def assert_invalid_request(response: requests.Response, *names: str) -> str:
    problem = response.json()
    assert (response.status_code, problem["code"]) == (400, "InvalidRequest"), response.text
    assert all(name in problem["detail"] for name in names), problem["detail"]
    detail: str = problem["detail"]
    return detail


# -- Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "field", "number"),
    [
        ("GetForecast", "days", "1e99999999"),  # xs:int 1..10
        ("GetForecast", "days", "-1e99999999"),
        ("GetForecast", "days", "0e-99999999"),  # zero, but 100 million zeros after the point
        ("GetForecast", "days", "12345678901"),  # more digits than xs:int has
        ("GetForecast", "days", "2.5"),  # an integer has no fraction
        ("RecordPayment", "amount", "1e99999999"),  # Money: totalDigits 18, fractionDigits 4
        ("RecordPayment", "amount", "1.00001"),
        ("RecordPayment", "amount", "123456789012345678.9"),  # 19 digits
        ("GetCustomer", "customerId", "1e99999999"),  # a number sent for a string
        ("GetCustomer", "customerId", "1" * (MAX_LITERAL + 1)),
        ("GetCustomer", "customerId", "1" * 100_000),
    ],
)
def test_a_number_beyond_its_type_is_an_invalid_request_naming_its_field(
    served: Served, operation: str, field: str, number: str
) -> None:
    others = {"GetForecast": '"stationId": "EGLL"', "RecordPayment": '"invoiceId": "I-1"', "GetCustomer": ""}
    fields = ", ".join(part for part in (others[operation], f'"{field}": {number}') if part)
    started = time.monotonic()
    response = post_json(served, operation, f"{{{fields}}}".encode())
    assert_invalid_request(response, field)
    assert time.monotonic() - started < 1, "the number was written out before it was refused"


def test_numbers_within_their_type_are_served(served: Served) -> None:
    response = post_json(served, "GetForecast", b'{"stationId": "EGLL", "days": 2.0}')
    assert response.status_code == 200, response.text
    assert len(response.json()["forecast"]) == 2


def test_an_answers_number_longer_than_its_type_allows_is_refused_before_it_is_converted(tmp_path: Path) -> None:
    """The XML side: a canonical decimal with no facets is bounded too (the shipped XSD's all have some)."""
    xsd = tmp_path / "unbounded.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" elementFormDefault="qualified">'
        '<xs:element name="R"><xs:complexType><xs:sequence><xs:element name="total" type="xs:decimal"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    shape = load_shapes(xsd)["R"]
    assert to_json(etree.fromstring(b'<R xmlns="urn:t"><total> 12.50 </total></R>'), shape) == '{"total":12.50}'
    with pytest.raises(ValidationError, match="total") as caught:
        to_json(etree.fromstring(f'<R xmlns="urn:t"><total>{"9" * 1_000_000}</total></R>'.encode()), shape)
    assert caught.value.path == "total"


# -- Duplicate keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"customerId": "1001", "customerId": "1002"}',
        b'{"customerId": "1001", "extra": {"customerId": "1", "customerId": "2"}}',
        b'{"customerId": "1001", "extra": [{"a": 1}, {"b": 1, "customerId": 2, "customerId": 3}]}',
    ],
)
def test_a_key_twice_in_one_object_is_an_invalid_request_naming_it(served: Served, body: bytes) -> None:
    assert "appears more than once" in assert_invalid_request(post_json(served, "GetCustomer", body), "customerId")


# -- Envelope structure --------------------------------------------------------------------------------


def raw_envelope(version: str, children: str, text: str = "") -> bytes:
    return f'<e:Envelope xmlns:e="{NAMESPACE[version]}">{text}{children}</e:Envelope>'.encode()


BODY = f"<e:Body>{GET_CUSTOMER}</e:Body>"
HEADER = "<e:Header/>"
UNKNOWN_BLOCK = '<x:Audit xmlns:x="urn:example-audit" e:mustUnderstand="{}">1</x:Audit>'


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "children",
    [
        pytest.param(BODY + BODY, id="two Bodies"),
        pytest.param(HEADER + HEADER + BODY, id="two Headers"),
        pytest.param(BODY + HEADER, id="a Header after the Body"),
        pytest.param("", id="no Body"),
        pytest.param(HEADER, id="only a Header"),
        pytest.param('<x:Before xmlns:x="urn:x"/>' + BODY, id="an element before the Body"),
        pytest.param(BODY + "<After/>", id="an unqualified element after the Body"),
    ],
)
def test_an_envelope_of_the_wrong_structure_is_a_client_fault(served: Served, version: str, children: str) -> None:
    assert_client_fault(post(served, version, raw_envelope(version, children)), says="at most one Header")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_must_understand_block_in_a_second_header_is_not_ignored(served: Served, version: str) -> None:
    understood = "1" if version == "1.1" else "true"
    second = f"<e:Header>{UNKNOWN_BLOCK.format(understood)}</e:Header>"
    answer = post(served, version, raw_envelope(version, HEADER + second + BODY))
    assert_client_fault(answer, says="Header")


@pytest.mark.parametrize("version", VERSIONS)
def test_text_beside_the_envelopes_children_is_a_client_fault(served: Served, version: str) -> None:
    assert_client_fault(post(served, version, raw_envelope(version, BODY, text="stray")), says="text")


def test_soap11_allows_qualified_elements_after_the_body_and_soap12_nothing(served: Served) -> None:
    trailer = '<x:Trailer xmlns:x="urn:example-trailer"/>'
    served11 = post(served, "1.1", raw_envelope("1.1", HEADER + BODY + trailer))
    assert served11.response.status_code == 200, served11.response.text
    assert_client_fault(post(served, "1.2", raw_envelope("1.2", BODY + trailer)), says="nothing after it")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_must_understand_block_in_the_one_header_is_still_refused(served: Served, version: str) -> None:
    understood = "1" if version == "1.1" else "true"
    answer = post(
        served, version, raw_envelope(version, f"<e:Header>{UNKNOWN_BLOCK.format(understood)}</e:Header>{BODY}")
    )
    assert answer.fault()[0] == "soap:MustUnderstand", answer.response.text


# -- Namespace declarations ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("version", VERSIONS)
def test_50000_namespace_declarations_on_one_element_are_refused(served: Served, version: str, encoding: str) -> None:
    declarations = " ".join(f'xmlns:p{i}="urn:example:{i}"' for i in range(50_000))
    body = GET_CUSTOMER.replace("<GetCustomer ", f"<GetCustomer {declarations} ")
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>'
    data = (prolog + envelope(version, body).decode()).encode(encoding)
    assert_client_fault(post(served, version, data), says="namespace declarations")


def test_namespace_declarations_within_the_bound_are_served(served: Served) -> None:
    declarations = " ".join(f'xmlns:p{i}="urn:example:{i}"' for i in range(90))
    items = "".join(f'<x:i xmlns:x="urn:item:{i}"/>' for i in range(150))  # many in all, few on each element
    data = envelope("1.1", GET_CUSTOMER.replace("<GetCustomer ", f"<GetCustomer {declarations} "))
    data = data.replace(
        b"<e:Body>", f'<e:Header><x:Note xmlns:x="urn:note">{items}</x:Note></e:Header><e:Body>'.encode()
    )
    answer = post(served, "1.1", data)
    assert answer.response.status_code == 200, answer.response.text


# -- VersionMismatch -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("namespace", ["", "urn:not-soap", SOAP11_ENV, SOAP12_ENV])
def test_version_mismatch_declares_every_prefix_its_upgrade_uses(served: Served, version: str, namespace: str) -> None:
    if namespace == NAMESPACE[version]:
        pytest.skip("the endpoint's own version is no mismatch")
    declaration = f' xmlns="{namespace}"' if namespace else ""
    data = f"<Envelope{declaration}><Body>{GET_CUSTOMER}</Body></Envelope>".encode()
    response = requests.post(
        f"{served.base}/soap{version.replace('.', '')}",
        data=data,
        headers={"Content-Type": "text/xml" if version == "1.1" else "application/soap+xml"},
        timeout=TIMEOUT,
    )
    root = etree.fromstring(response.content)
    supported = root.findall(f".//{{{SOAP12_ENV}}}Upgrade/{{{SOAP12_ENV}}}SupportedEnvelope")
    assert supported, response.text
    for element in supported:
        prefix, _, local = element.get("qname", "").partition(":")
        assert (element.nsmap.get(prefix), local) == (NAMESPACE[version], "Envelope"), response.text


# -- Legacy fault text -----------------------------------------------------------------------------------


def legacy_fault(faultstring: str) -> bytes:
    detail = f'<b:ValidationFault xmlns:b="{BILLING}"><b:field>reference</b:field></b:ValidationFault>'
    fault_element = f"<s:Fault><faultcode>s:Client</faultcode><faultstring>{faultstring}</faultstring>"
    fault_element += f"<detail>{detail}</detail></s:Fault>"
    return f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body>{fault_element}</s:Body></s:Envelope>'.encode()


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    """soapbridge's records at INFO, in the text format, as `soapbridge serve` writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    handler.addFilter(CorrelationFilter())
    logger = logging.getLogger("soapbridge")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def assert_one_line_per_record(log: str) -> None:
    lines = log.splitlines()
    assert lines, "nothing was logged"
    assert all(line[:4].isdigit() and "Z " in line[:30] for line in lines), lines
    assert all(len(line) < 4 * MAX_FOREIGN_TEXT + 1000 for line in lines), max(map(len, lines))


def test_a_megabyte_legacy_faultstring_reaches_client_and_log_short_and_plain(
    project: Path, text_log: io.StringIO
) -> None:
    forged = "2026-01-01T00:00:00.000Z ERROR   soapbridge.gateway [-] forged"
    faultstring = "Reference too long&#10;" + forged + "&lt;script&gt;alert(1)&lt;/script&gt;\x09" + "x" * 1_000_000
    with (
        answering(lambda: legacy_fault(faultstring), status=500) as legacy,
        gateway(project, {**CREDENTIALS, "SOAPBRIDGE_BILLING_URL": legacy}) as base,
    ):
        response = call(base, LIST_INVOICES, "ListInvoices")
    code, canonical, message = fault(response)
    assert (code, canonical) == ("soap:Client", "InvalidRequest"), response.text
    assert len(response.content) < 4 * MAX_FOREIGN_TEXT + 2000
    assert len(message) <= MAX_FOREIGN_TEXT and message.startswith("Reference too long")
    assert "<script" not in message and "\n" not in message and "\t" not in message
    assert_one_line_per_record(text_log.getvalue())


# -- The text log ---------------------------------------------------------------------------------------------


def test_a_newline_in_a_namespace_uri_or_a_field_cannot_forge_a_text_log_record(
    project: Path, text_log: io.StringIO
) -> None:
    forged = "&#10;2026-01-01T00:00:00.000Z INFO    soapbridge.request [-] forged&#13;&#x2028;&#x85;"
    with gateway(project, CREDENTIALS) as base:
        call(base, f'<GetCustomer xmlns="urn:x{forged}"><customerId>1</customerId></GetCustomer>', "GetCustomer")
        requests.post(
            f"{base}/json/GetCustomer",
            data=json.dumps({"customerId": "1", "bad\n2026-01-01T00:00:00.000Z forged": 1}),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT,
        )
    log = text_log.getvalue()
    assert "forged" in log, log  # it was logged, on the line of its record
    assert_one_line_per_record(log)
    assert "\\n2026-01-01T00:00:00.000Z" in log and "\\u2028" in log


# -- URLs in the log -------------------------------------------------------------------------------------------


def test_a_proxied_legacy_url_is_logged_without_its_password_and_query_values(
    project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, text_log: io.StringIO
) -> None:
    for name in ("no_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the test's own calls to the gateway go direct
    caplog.set_level(logging.INFO, logger="soapbridge.upstream")
    secret_url = "http://gateway:pr0xy-s3cret@billing.example:8080/ws?token=t0ken-s3cret&mode=x"
    answer = legacy_fault("refused")
    with answering(lambda: answer, status=500) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.rsplit("/", 1)[0])
        with gateway(project, {**CREDENTIALS, "SOAPBRIDGE_BILLING_URL": secret_url}) as base:
            call(base, LIST_INVOICES, "ListInvoices")
    logged = "\n".join(record.getMessage() for record in caplog.records) + text_log.getvalue()
    assert "through the proxy" in logged, logged
    assert "http://billing.example:8080/ws?token=***&mode=***" in logged
    assert "s3cret" not in logged and "pr0xy" not in logged
