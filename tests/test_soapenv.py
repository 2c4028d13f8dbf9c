"""An envelope written around its body's serialisation is, byte for byte, the envelope built as a tree."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from soapbridge.soapenv import envelope, serialize, serialized_envelope

BODIES = [
    '<c:GetCustomerResponse xmlns:c="urn:canonical"><c:name>Müller &amp; Söhne \u2603</c:name></c:GetCustomerResponse>',
    '<soap:Clash xmlns:soap="urn:not-the-envelope" xmlns:x="urn:x" x:a="1"><x:b/><!-- kept --></soap:Clash>',
    "<plain><nested>text</nested></plain>",
]
HEADERS = [
    '<cn:CorrelationID xmlns:cn="urn:canonical">id-1</cn:CorrelationID>',
    '<wsa:RelatesTo xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:uuid:x</wsa:RelatesTo>',
]


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("prefix", ["soap", "soapenv"])
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("headers", [0, 1, 2])
def test_the_written_envelope_is_the_tree(version: str, prefix: str, body: str, headers: int) -> None:
    payload = etree.fromstring(body)
    blocks = [etree.fromstring(block) for block in HEADERS[:headers]]
    expected = serialize(envelope(version, [copy.deepcopy(payload)], prefix, [copy.deepcopy(b) for b in blocks]))
    assert serialized_envelope(version, payload, prefix, blocks) == expected
    assert payload.getparent() is None


def test_a_body_inside_another_document_is_moved_as_before() -> None:
    holder = etree.fromstring(f'<h xmlns:unused="urn:u">{BODIES[0]}</h>')
    expected = serialize(envelope("1.1", [copy.deepcopy(holder[0])]))
    assert serialized_envelope("1.1", holder[0]) == expected and b"urn:u" not in expected
