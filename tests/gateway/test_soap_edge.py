"""The SOAP edge: envelopes, versions, SOAPAction, media types, headers and upstream failures."""

from __future__ import annotations

import socket

import pytest
import requests
from lxml import etree

from soapbridge.engine import Engine
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from tests.conftest import CREDENTIALS
from tests.gateway.conftest import serve_gateway

GET_CUSTOMER = f'<GetCustomer xmlns="{CANONICAL}"><customerId>1001</customerId></GetCustomer>'
ACTION = f"{CANONICAL}/GetCustomer"


def envelope(namespace: str, body: str = GET_CUSTOMER, header: str = "") -> bytes:
    return f'<e:Envelope xmlns:e="{namespace}">{header}<e:Body>{body}</e:Body></e:Envelope>'.encode()


def post11(base: str, data: bytes, **headers: str) -> requests.Response:
    return requests.post(f"{base}/soap11", data=data, headers={"Content-Type": "text/xml", **headers}, timeout=10)


def post12(base: str, data: bytes, content_type: str = "application/soap+xml") -> requests.Response:
    return requests.post(f"{base}/soap12", data=data, headers={"Content-Type": content_type}, timeout=10)


def fault11(response: requests.Response) -> tuple[str, str, str]:
    fault = etree.fromstring(response.content).find(f".//{{{SOAP11_ENV}}}Fault")
    code = fault.findtext(f".//{{{CANONICAL}}}code") or ""
    return fault.findtext("faultcode"), code, fault.findtext("faultstring")


def test_a_matching_soap_action_is_served(base_url: str) -> None:
    response = post11(base_url, envelope(SOAP11_ENV), SOAPAction=f'"{ACTION}"')
    assert response.status_code == 200
    assert etree.fromstring(response.content).findtext(f".//{{{CANONICAL}}}name") == "Ada Lovelace"


def test_a_soap_action_for_another_operation_is_refused(base_url: str) -> None:
    response = post11(base_url, envelope(SOAP11_ENV), SOAPAction=f'"{CANONICAL}/UpdateCustomer"')
    code, canonical, message = fault11(response)
    assert (response.status_code, code, canonical) == (500, "soap:Client", "InvalidRequest")
    assert "does not match" in message


def test_soap12_action_parameter_is_checked(base_url: str) -> None:
    wrong = post12(base_url, envelope(SOAP12_ENV), f'application/soap+xml; action="{CANONICAL}/GetForecast"')
    right = post12(base_url, envelope(SOAP12_ENV), f'application/soap+xml; action="{ACTION}"')
    assert (wrong.status_code, right.status_code) == (400, 200)


def test_a_soap11_client_on_the_soap12_endpoint_gets_a_version_mismatch_it_can_read(base_url: str) -> None:
    """SOAP 1.2 part 1, appendix A: the fault is a SOAP 1.1 message with an Upgrade header naming SOAP 1.2."""
    for content_type in ("text/xml", "application/soap+xml"):
        response = post12(base_url, envelope(SOAP11_ENV), content_type)
        assert (response.status_code, response.headers["Content-Type"]) == (500, "text/xml; charset=utf-8")
        assert fault11(response)[0] == "soap:VersionMismatch"
        assert _upgrade(response) == [SOAP12_ENV]


def test_a_soap12_client_on_the_soap11_endpoint_gets_a_soap12_version_mismatch(base_url: str) -> None:
    response = requests.post(
        f"{base_url}/soap11", data=envelope(SOAP12_ENV), headers={"Content-Type": "application/soap+xml"}, timeout=10
    )
    assert (response.status_code, response.headers["Content-Type"]) == (500, "application/soap+xml; charset=utf-8")
    assert etree.fromstring(response.content).findtext(f".//{{{SOAP12_ENV}}}Value") == "soap:VersionMismatch"
    assert _upgrade(response) == [SOAP11_ENV]


def _upgrade(response: requests.Response) -> list[str]:
    """The envelope namespaces an Upgrade header block says the endpoint supports."""
    supported = etree.fromstring(response.content).iterfind(
        f".//{{{SOAP12_ENV}}}Upgrade/{{{SOAP12_ENV}}}SupportedEnvelope"
    )
    return [element.nsmap[element.get("qname").partition(":")[0]] for element in supported]


def test_soap12_sender_faults_are_http_400_with_a_qualified_subcode(base_url: str) -> None:
    response = post12(base_url, envelope(SOAP12_ENV, GET_CUSTOMER.replace("1001", "9999")))
    assert response.status_code == 400
    fault = etree.fromstring(response.content).find(f".//{{{SOAP12_ENV}}}Fault")
    values = fault.findall(f".//{{{SOAP12_ENV}}}Value")
    assert [v.text for v in values] == ["soap:Sender", "cn:NotFound"]
    assert values[1].nsmap["cn"] == CANONICAL


def test_wrong_media_type_empty_body_and_non_xml_are_client_faults(base_url: str) -> None:
    wrong_type = requests.post(
        f"{base_url}/soap11", data=envelope(SOAP11_ENV), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert fault11(wrong_type)[:2] == ("soap:Client", "InvalidRequest")
    assert fault11(post11(base_url, b""))[:2] == ("soap:Client", "InvalidRequest")
    _, _, message = fault11(post11(base_url, b"<not-closed"))
    assert "not well-formed" in message and "line" not in message.split(":")[0]


def test_a_doctype_is_refused(base_url: str) -> None:
    data = b'<!DOCTYPE e [<!ENTITY x "y">]>' + envelope(SOAP11_ENV)
    _, canonical, message = fault11(post11(base_url, data))
    assert canonical == "InvalidRequest" and "DOCTYPE" in message


def test_a_must_understand_header_we_do_not_know_is_a_must_understand_fault(base_url: str) -> None:
    header = '<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="1"/></e:Header>'
    code, canonical, message = fault11(post11(base_url, envelope(SOAP11_ENV, header=header)))
    assert (code, canonical) == ("soap:MustUnderstand", "") and "Trace" in message


def test_soap12_names_the_header_blocks_not_understood(base_url: str) -> None:
    header = '<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="true"/><x:Note xmlns:x="urn:x"/></e:Header>'
    response = post12(base_url, envelope(SOAP12_ENV, header=header))
    answer = etree.fromstring(response.content)
    assert response.status_code == 500
    assert answer.findtext(f".//{{{SOAP12_ENV}}}Value") == "soap:MustUnderstand"
    (block,) = answer.iterfind(f"{{{SOAP12_ENV}}}Header/{{{SOAP12_ENV}}}NotUnderstood")
    prefix, _, local = block.get("qname").partition(":")
    assert (block.nsmap[prefix], local) == ("urn:x", "Trace")


def test_a_must_understand_header_for_another_role_is_not_ours_to_refuse(base_url: str) -> None:
    other11 = '<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="1" e:actor="urn:audit"/></e:Header>'
    other12 = f'<e:Header><x:Trace xmlns:x="urn:x" e:mustUnderstand="true" e:role="{SOAP12_ENV}/role/none"/></e:Header>'
    assert post11(base_url, envelope(SOAP11_ENV, header=other11)).status_code == 200
    assert post12(base_url, envelope(SOAP12_ENV, header=other12)).status_code == 200


def test_an_unknown_body_element_is_refused(base_url: str) -> None:
    _, canonical, message = fault11(post11(base_url, envelope(SOAP11_ENV, '<Hello xmlns="urn:x"/>')))
    assert canonical == "InvalidRequest" and "Hello" in message


def test_an_unreachable_legacy_system_is_a_server_fault_naming_it() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/crm"
    for base in serve_gateway({**CREDENTIALS, "SOAPBRIDGE_CRM_URL": dead}):
        code, canonical, message = fault11(post11(base, envelope(SOAP11_ENV)))
        assert (code, canonical) == ("soap:Server", "UpstreamUnavailable")
        assert "crm" in message and "127.0.0.1" not in message


def test_an_unexpected_error_is_an_internal_fault_that_leaks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Engine, name: str, request: etree._Element) -> etree._Element:
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(Engine, "call", broken)
    for base in serve_gateway(CREDENTIALS):
        soap = post11(base, envelope(SOAP11_ENV))
        problem = requests.post(f"{base}/json/GetCustomer", json={"customerId": "1001"}, timeout=10)
        assert fault11(soap)[:2] == ("soap:Server", "InternalError")
        assert (problem.status_code, problem.json()["code"]) == (500, "InternalError")
        assert "secret" not in soap.text + problem.text and "Traceback" not in soap.text + problem.text
