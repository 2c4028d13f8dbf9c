"""WS-Addressing from clients whose stacks send it (WCF marks wsa:Action and wsa:To mustUnderstand), and the
header blocks an answer carries: only those the client asked for, so a strict stack meets no block it was not told
about (Perl's SOAP::WSDL failed on every call when each answer carried cn:CorrelationID)."""

from __future__ import annotations

import uuid

import requests
from lxml import etree

from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from tests.gateway.test_soap_edge import ACTION, GET_CUSTOMER, envelope, fault11, post11

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
    assert header_blocks(answer) == [(f"{{{WSA10}}}RelatesTo", MESSAGE_ID)]  # WS-Addressing's own way, alone
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


def header_blocks(answer: etree._Element) -> list[tuple[str, str | None]]:
    """(tag, text) of each block in the answer's SOAP Header."""
    header = answer.find("{*}Header")
    return [] if header is None else [(block.tag, block.text) for block in header]


def correlation_block(value: str = "", must: str = "") -> str:
    must_understand = f' e:mustUnderstand="{must}"' if must else ""
    return f'<cn:CorrelationID xmlns:cn="{CANONICAL}"{must_understand}>{value}</cn:CorrelationID>'


def in_header(*blocks: str) -> str:
    return f"<e:Header>{''.join(blocks)}</e:Header>"


def test_an_answer_to_a_client_that_asked_for_nothing_has_no_header(base_url: str) -> None:
    for response in (post11(base_url, envelope(SOAP11_ENV)), post12(base_url, envelope(SOAP12_ENV))):
        assert response.status_code == 200, response.text
        assert header_blocks(etree.fromstring(response.content)) == []
        assert response.headers["X-Correlation-ID"]


def test_a_fault_to_a_client_that_asked_for_nothing_has_no_header(base_url: str) -> None:
    unknown = GET_CUSTOMER.replace("1001", "9999")
    response = post11(base_url, envelope(SOAP11_ENV, body=unknown))
    assert fault11(response)[:2] == ("soap:Client", "NotFound")
    assert header_blocks(etree.fromstring(response.content)) == []


def test_a_correlation_block_sent_is_answered_with_the_id(base_url: str) -> None:
    """mustUnderstand on it is fine: the gateway understands the block."""
    response = post12(base_url, envelope(SOAP12_ENV, header=in_header(correlation_block("order-42", "true"))))
    assert response.status_code == 200, response.text
    assert header_blocks(etree.fromstring(response.content)) == [(f"{{{CANONICAL}}}CorrelationID", "order-42")]
    assert response.headers["X-Correlation-ID"] == "order-42"


def test_an_empty_or_unusable_correlation_block_is_answered_with_a_new_id(base_url: str) -> None:
    for sent in ("", "two words"):
        response = post11(base_url, envelope(SOAP11_ENV, header=in_header(correlation_block(sent, "1"))))
        made = response.headers["X-Correlation-ID"]
        assert str(uuid.UUID(made)) == made
        assert header_blocks(etree.fromstring(response.content)) == [(f"{{{CANONICAL}}}CorrelationID", made)]


def test_a_fault_answers_the_correlation_block_and_the_message_id(base_url: str) -> None:
    header = addressing(WSA10, SOAP11_ENV).replace("</e:Header>", correlation_block("order-43") + "</e:Header>")
    unknown = GET_CUSTOMER.replace("1001", "9999")
    response = post11(base_url, envelope(SOAP11_ENV, body=unknown, header=header))
    assert fault11(response)[:2] == ("soap:Client", "NotFound")
    assert header_blocks(etree.fromstring(response.content)) == [
        (f"{{{CANONICAL}}}CorrelationID", "order-43"),  # the block names the id before the MessageID
        (f"{{{WSA10}}}RelatesTo", MESSAGE_ID),
    ]
