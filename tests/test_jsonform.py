"""The canonical JSON form follows the XSD, not the instance."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from lxml import etree

from soapbridge.errors import RequestError
from soapbridge.jsonform import from_json, load_shapes, parse_json, to_json
from soapbridge.namespaces import CANONICAL
from tests.conftest import ROOT

SHAPES = load_shapes(ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd")


def xml(text: str) -> etree._Element:
    return etree.fromstring(text.replace("<R ", f'<R xmlns="{CANONICAL}" ').replace("R", "ListInvoicesResponse"))


INVOICE = (
    "<R ><invoice><id>INV-1</id><customerId>7</customerId><issuedOn>2026-01-01</issuedOn><dueOn>2026-02-01</dueOn>"
    "<currency>GBP</currency><total>0012.50</total><outstanding>12.5</outstanding><status>open</status>"
    "<line><description>d</description><quantity>1</quantity><unitPrice>12.50</unitPrice><amount>12.50</amount></line>"
    "</invoice></R>"
)


def test_one_repeated_element_is_an_array_and_decimals_keep_their_digits() -> None:
    text = to_json(xml(INVOICE), SHAPES["ListInvoicesResponse"])
    assert '"total":12.50' in text and '"outstanding":12.5' in text
    value = json.loads(text, parse_float=Decimal)
    assert isinstance(value["invoice"], list) and isinstance(value["invoice"][0]["line"], list)
    assert value["invoice"][0]["customerId"] == "7"  # a string type stays a string, even when it looks numeric


def test_no_repeated_element_is_an_empty_array() -> None:
    assert to_json(xml("<R ></R>"), SHAPES["ListInvoicesResponse"]) == '{"invoice":[]}'


def test_json_to_xml_follows_the_xsd_order_and_keeps_precision() -> None:
    body = (
        b'{"reference": "r", "paidOn": "2026-01-01", "currency": "GBP", "amount": 1234567890.1234, "invoiceId": "I-1"}'
    )
    element = from_json(parse_json(body), SHAPES["RecordPayment"])
    assert [etree.QName(c).localname for c in element] == ["invoiceId", "amount", "currency", "paidOn", "reference"]
    assert element.findtext(f"{{{CANONICAL}}}amount") == "1234567890.1234"


def test_integers_and_numbers_are_written_as_text_for_validation() -> None:
    element = from_json({"stationId": "EGLL", "days": 3}, SHAPES["GetForecast"])
    assert element.findtext(f"{{{CANONICAL}}}days") == "3"


def test_an_integral_number_is_an_integer_however_it_is_written() -> None:
    element = from_json(parse_json(b'{"stationId": "EGLL", "days": 3.0}'), SHAPES["GetForecast"])
    assert element.findtext(f"{{{CANONICAL}}}days") == "3"
    assert from_json(parse_json(b'{"customerId": 1.0}'), SHAPES["GetCustomer"])[0].text == "1.0"  # a string stays


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"customerID": "1"}, "no field 'customerID'"),
        ({"customerId": "1\x11"}, "customerId holds a character that XML cannot carry"),
        ({"customerId": "\udc00"}, "customerId holds a character that XML cannot carry"),
        ([], "must be a JSON object"),
        ({"customerId": ["1"]}, "must be a string"),
    ],
)
def test_bad_json_requests_are_named(value: object, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        from_json(value, SHAPES["GetCustomer"])
