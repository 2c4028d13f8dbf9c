"""When a legacy WSDL asks for WS-Addressing, and what each call then carries (upstream/addressing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.upstream import addressing
from soapbridge.upstream.wsdl import load_service
from tests.conftest import ROOT

WEATHER = ROOT / "wsdl" / "weather" / "WxFeed.wsdl"
TNS = "http://aerowx.example.net/WxFeed/2005/03/"
USING = '<wsaw:UsingAddressing wsdl:required="true"/>'
POLICY = """<wsp:Policy xmlns:wsp="http://www.w3.org/ns/ws-policy" wsu:Id="Wx_policy"
  xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <wsp:ExactlyOne><wsp:All><wsam:Addressing xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata"/></wsp:All>
  </wsp:ExactlyOne></wsp:Policy>"""
REFERENCE = '<wsp:PolicyReference xmlns:wsp="http://www.w3.org/ns/ws-policy" URI="#Wx_policy"/>'


def variant(tmp_path: Path, *, marker: str = "", actions: bool = False, policy: str = "") -> Path:
    """The weather WSDL (and its types) in tmp_path, with its binding's marker and portType's actions replaced."""
    text = WEATHER.read_text().replace(USING, marker)
    if not actions:
        for name in ("GetCurrentObservation", "GetDailyForecast", "ListStations"):
            text = text.replace(f' wsaw:Action="{TNS}{name}"', "")
    text = text.replace("  <wsdl:types>", policy + "\n  <wsdl:types>")
    (tmp_path / "WxFeedTypes.xsd").write_bytes((WEATHER.parent / "WxFeedTypes.xsd").read_bytes())
    (tmp_path / "WxFeed.wsdl").write_text(text)
    return tmp_path / "WxFeed.wsdl"


def actions_of(wsdl: Path) -> dict[str, str | None]:
    service = load_service(wsdl, folder=wsdl.parent)
    return {name: operation.addressing_action for name, operation in service.operations.items()}


def test_the_weather_wsdl_uses_ws_addressing_with_its_declared_actions() -> None:
    assert actions_of(WEATHER)["GetDailyForecast"] == f"{TNS}GetDailyForecast"


def test_a_wsdl_without_ws_addressing_gets_none(tmp_path: Path) -> None:
    assert set(actions_of(variant(tmp_path)).values()) == {None}


@pytest.mark.parametrize(
    ("marker", "policy"),
    [(USING, ""), (REFERENCE, POLICY)],
    ids=["using-addressing-on-the-binding", "addressing-in-a-referenced-policy"],
)
def test_a_marked_binding_without_actions_uses_the_soap_action(tmp_path: Path, marker: str, policy: str) -> None:
    actions = actions_of(variant(tmp_path, marker=marker, policy=policy))
    assert actions["ListStations"] == f"{TNS}ListStations"  # the SOAPAction, which the binding gives


def test_actions_on_the_port_type_alone_are_enough(tmp_path: Path) -> None:
    assert actions_of(variant(tmp_path, actions=True))["GetCurrentObservation"] == f"{TNS}GetCurrentObservation"


@pytest.mark.parametrize(
    ("correlation_id", "message_id"),
    [
        ("7d1c0b9e-3f0a-4c55-9a0e-2b1f7c7a4e10", "urn:uuid:7d1c0b9e-3f0a-4c55-9a0e-2b1f7c7a4e10"),
        ("urn:uuid:7d1c0b9e-3f0a-4c55-9a0e-2b1f7c7a4e10", "urn:uuid:7d1c0b9e-3f0a-4c55-9a0e-2b1f7c7a4e10"),
        ("order-42", "urn:soapbridge:correlation:order-42"),
    ],
)
def test_the_message_id_is_the_correlation_id_as_a_uri(correlation_id: str, message_id: str) -> None:
    assert addressing.message_id(correlation_id) == message_id


def test_the_headers_are_ws_addressing_1_0() -> None:
    blocks = addressing.headers("urn:uuid:x", f"{TNS}ListStations", "http://legacy/weather")
    assert [(etree.QName(b).namespace, etree.QName(b).localname, b.text) for b in blocks] == [
        (addressing.WSA, "MessageID", "urn:uuid:x"),
        (addressing.WSA, "Action", f"{TNS}ListStations"),
        (addressing.WSA, "To", "http://legacy/weather"),
    ]
