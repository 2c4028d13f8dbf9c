"""WS-Addressing from clients whose stacks send it (WCF marks wsa:Action and wsa:To mustUnderstand)."""

from __future__ import annotations

import requests
from lxml import etree

from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from tests.gateway.test_soap_edge import ACTION, envelope, fault11, post11

WSA10 = "http://www.w3.org/2005/08/addressing"
WSA04 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
MESSAGE_ID = "urn:uuid:6b1e0f5c-8a8d-4a55-b1f0-2f4c3c1d9e77"


def addressing(wsa: str, env: str, action: str = ACTION, reply_to: str = f"{WSA10}/anonymous") -> str:
    """The header a WCF client with WS-Addressing 1.0 sends (or its 2004/08 counterpart)."""
    must = "true" if env == SOAP12_ENV else "1"
    return (
        f'<e:Header xmlns:a="{wsa}">'
        f'<a:Action e:mustUnderstand="{must}">{action}</a:Action>'
        f"<a:MessageID>{MESSAGE_ID}</a:MessageID>"
        f"<a:ReplyTo><a:Address>{reply_to}</a:Address></a:ReplyTo>"
        f'<a:To e:mustUnderstand="{must}">http://127.0.0.1/soap12</a:To>'
        "</e:Header>"
    )


def post12(base: str, data: bytes) -> requests.Response:
    media = f'application/soap+xml; charset=utf-8; action="{ACTION}"'
    return requests.post(f"{base}/soap12", data=data, headers={"Content-Type": media}, timeout=10)


def test_a_wcf_style_request_is_served_and_related_to_its_message_id(base_url: str) -> None:
    response = post12(base_url, envelope(SOAP12_ENV, header=addressing(WSA10, SOAP12_ENV)))
    answer = etree.fromstring(response.content)
    assert response.status_code == 200, response.text
    assert answer.findtext(f".//{{{CANONICAL}}}name") == "Ada Lovelace"
    assert answer.findtext(f"{{{SOAP12_ENV}}}Header/{{{WSA10}}}RelatesTo") == MESSAGE_ID
    assert answer.findtext(f"{{{SOAP12_ENV}}}Header/{{{CANONICAL}}}CorrelationID") == MESSAGE_ID
    assert response.headers["X-Correlation-ID"] == MESSAGE_ID


def test_the_2004_submission_is_understood_on_soap11(base_url: str) -> None:
    header = addressing(WSA04, SOAP11_ENV, reply_to=f"{WSA04}/role/anonymous")
    response = post11(base_url, envelope(SOAP11_ENV, header=header), SOAPAction=f'"{ACTION}"')
    assert response.status_code == 200, response.text
    assert etree.fromstring(response.content).findtext(f".//{{{WSA04}}}RelatesTo") == MESSAGE_ID


def test_a_reply_to_another_address_is_refused_by_name(base_url: str) -> None:
    header = addressing(WSA04, SOAP11_ENV, reply_to="http://client.example/callback")
    code, canonical, message = fault11(post11(base_url, envelope(SOAP11_ENV, header=header)))
    assert (code, canonical) == ("soap:Client", "InvalidRequest")
    assert "wsa:ReplyTo must be the anonymous address" in message


def test_a_wsa_action_for_another_operation_is_refused(base_url: str) -> None:
    header = addressing(WSA10, SOAP11_ENV, action=f"{CANONICAL}/UpdateCustomer")
    code, canonical, message = fault11(post11(base_url, envelope(SOAP11_ENV, header=header)))
    assert (code, canonical) == ("soap:Client", "InvalidRequest")
    assert "wsa:Action" in message and "does not match" in message
