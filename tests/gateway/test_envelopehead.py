"""envelopehead: the payload's bytes cut out of an envelope without a tree, and standing alone."""

from __future__ import annotations

import pytest
from lxml import etree

from soapbridge.errors import RequestError, XmlError
from soapbridge.gateway.envelopehead import EnvelopeHead, OtherVersion, read_head
from soapbridge.namespaces import SOAP11_ENV, SOAP12_ENV
from soapbridge.settings import Limits

ENV = f'xmlns:e="{SOAP11_ENV}"'


def head(text: str, version: str = "1.1") -> EnvelopeHead:
    return read_head(text.encode(), version, Limits())


def test_the_payload_inherits_the_envelopes_and_bodys_namespaces_and_not_the_headers() -> None:
    found = head(
        f'<e:Envelope {ENV} xmlns="urn:default" xmlns:a="urn:a"><e:Header xmlns:h="urn:h"><h:x/></e:Header>'
        '<e:Body xmlns:b="urn:b"><a:op b:attr="1"><item/></a:op></e:Body></e:Envelope>'
    )
    assert found.payload_tag == "{urn:a}op"
    payload = etree.fromstring(found.payload)
    assert payload.tag == "{urn:a}op" and payload[0].tag == "{urn:default}item"
    assert payload.get("{urn:b}attr") == "1" and "h" not in payload.nsmap
    assert found.header is not None and found.header[0].tag == "{urn:h}x"


def test_a_prefix_the_payload_declares_again_is_its_own() -> None:
    found = head(f'<e:Envelope {ENV} xmlns:a="urn:outer"><e:Body><a:op xmlns:a="urn:inner"/></e:Body></e:Envelope>')
    assert etree.fromstring(found.payload).tag == "{urn:inner}op"


def test_markup_in_comments_cdata_and_the_header_does_not_move_the_cut() -> None:
    found = head(
        f'<?xml version="1.0"?><!-- <x:fake> --><e:Envelope {ENV}><e:Header><h:k xmlns:h="urn:h">'
        "<![CDATA[<e:Body><evil/>]]></h:k><?pi <tag>?></e:Header><e:Body>\n  <!-- <not/> -->"
        '<op xmlns="urn:op" a=">"><![CDATA[</e:Body></e:Envelope>]]></op>\n</e:Body>\n</e:Envelope>\n'
    )
    payload = etree.fromstring(found.payload)
    assert (payload.tag, payload.get("a")) == ("{urn:op}op", ">")
    assert found.header is not None and found.header.findtext("{urn:h}k") == "<e:Body><evil/>"
    assert payload.text == "</e:Body></e:Envelope>"


@pytest.mark.parametrize(
    ("text", "error", "says"),
    [
        (f"<e:Envelope {ENV}><e:Body><op/></e:Body></e:Envelope><!-- after -->", RequestError, "must end with"),
        (f"<e:Envelope {ENV}><e:Body><op/></e:Body><x:extra xmlns:x='urn:x'/></e:Envelope>", RequestError,
         "must end with"),
        (f"<e:Envelope {ENV}><e:Body><op/><op/></e:Body></e:Envelope>", RequestError, "it holds more"),
        (f"<e:Envelope {ENV}><e:Body><op/>text</e:Body></e:Envelope>", RequestError, "and no text"),
        (f"<e:Envelope {ENV}><e:Body>text<op/></e:Body></e:Envelope>", RequestError, "holds text"),
        (f"<e:Envelope {ENV}><e:Body><op></e:Body></e:Envelope>", XmlError, "not well-formed"),
        (f"<e:Envelope {ENV}><e:Body/></e:Envelope>", RequestError, "it holds none"),
        (f"<e:Envelope {ENV}><e:Header/></e:Envelope>", RequestError, "the Envelope has no Body"),
        (f"<e:Envelope {ENV}><e:Header/><e:Header/><e:Body><op/></e:Body></e:Envelope>", RequestError,
         "Header, Header"),
        (f"<e:Envelope {ENV}><e:Body><op>&ent;</op></e:Body></e:Envelope>", XmlError, "not well-formed"),
        (f'<!DOCTYPE e:Envelope><e:Envelope {ENV}><e:Body><op/></e:Body></e:Envelope>', XmlError, "DOCTYPE"),
        ('<?xml version="1.0" encoding="UTF-16"?><a/>', RequestError, "must be UTF-8"),
    ],
    ids=["comment-after", "element-after-body", "two-payloads", "text-after", "text-before", "unclosed",
         "empty-body", "no-body", "two-headers", "entity", "doctype", "utf-16"],
)  # fmt: skip
def test_what_pass_through_refuses(text: str, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says):
        head(text)


def test_another_versions_envelope_says_which_it_is() -> None:
    with pytest.raises(OtherVersion) as raised:
        head(f"<e:Envelope {ENV}><e:Body><op/></e:Body></e:Envelope>", "1.2")
    assert raised.value.spoken == "1.1"
    with pytest.raises(OtherVersion) as raised:
        head(f'<e:Envelope xmlns:e="{SOAP12_ENV}x"><e:Body><op/></e:Body></e:Envelope>', "1.2")
    assert raised.value.spoken is None


def test_a_utf8_byte_order_mark_is_left_behind() -> None:
    found = read_head(f"\ufeff<e:Envelope {ENV}><e:Body><op/></e:Body></e:Envelope>".encode(), "1.1", Limits())
    assert found.payload == f'<op xmlns:e="{SOAP11_ENV}"/>'.encode()
