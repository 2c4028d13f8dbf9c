"""Per-system canonical modules: included ones are part of the contract everywhere; any other is an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.contract import Contract
from soapbridge.errors import ConfigError
from soapbridge.gateway.openapi import build_document
from soapbridge.gateway.wsdl import build_wsdl
from soapbridge.jsonform import load_shapes
from soapbridge.settings import Settings
from soapbridge.toolkit.check import check_project

NAMESPACE = "urn:soapbridge:canonical:v1"
MODULE = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:cn="{NAMESPACE}"
           targetNamespace="{NAMESPACE}" elementFormDefault="qualified">
  <xs:element name="GetTide">
    <xs:annotation><xs:appinfo source="urn:soapbridge:effect">read</xs:appinfo></xs:annotation>
    <xs:complexType><xs:sequence><xs:element name="port" type="cn:PortCode"/></xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="GetTideResponse">
    <xs:complexType><xs:sequence><xs:element name="height" type="xs:decimal"/></xs:sequence></xs:complexType>
  </xs:element>
  <xs:simpleType name="PortCode">
    <xs:restriction base="xs:string"><xs:pattern value="[A-Z]{{5}}"/></xs:restriction>
  </xs:simpleType>
</xs:schema>
"""


def canonical(project: Path) -> Path:
    return project / "wsdl" / "canonical" / "soapbridge-v1.xsd"


def add_module(project: Path, include: str = '<xs:include schemaLocation="tides.xsd"/>') -> None:
    (project / "wsdl" / "canonical" / "tides.xsd").write_text(MODULE)
    xsd = canonical(project)
    text = xsd.read_text()
    head = text.index(">", text.index("<xs:schema")) + 1
    xsd.write_text(text[:head] + "\n  " + include + text[head:])


def test_an_included_module_is_part_of_the_contract_the_wsdls_the_json_form_and_openapi(project: Path) -> None:
    add_module(project)
    contract = Contract(canonical(project))
    tide = contract.operations["GetTide"]
    assert tide.read_only and "GetCustomer" in contract.operations
    contract.validate(etree.fromstring(f'<GetTide xmlns="{NAMESPACE}"><port>GBSOU</port></GetTide>'))
    wsdl = build_wsdl(contract, ["GetTide"], "1.1").decode()
    assert 'name="GetTide"' in wsdl and 'name="PortCode"' in wsdl and "xs:include" not in wsdl
    shapes = load_shapes(canonical(project))
    assert "GetTide" in shapes and "GetTideResponse" in shapes
    openapi = build_document(shapes, [tide], authenticated=False, server="/")
    assert "/json/GetTide" in openapi["paths"]


def test_a_module_the_canonical_xsd_does_not_include_is_an_error(project: Path) -> None:
    add_module(project, include="")
    with pytest.raises(ConfigError, match=r"does not include, so its operations would not be served") as caught:
        Contract(canonical(project))
    assert Path(caught.value.file or "").name == "tides.xsd"
    [row] = check_project(Settings(root=project, env={})).failures
    assert (row.adapter, row.operation) == ("(canonical)", "")
    assert row.detail.startswith("wsdl/canonical/tides.xsd: a canonical module soapbridge-v1.xsd does not include")


def test_an_imported_module_is_an_error_that_says_to_include_it(project: Path) -> None:
    add_module(project, include=f'<xs:import namespace="{NAMESPACE}" schemaLocation="tides.xsd"/>')
    with pytest.raises(ConfigError, match=r"xs:import: imports the canonical module tides.xsd; .*<xs:include"):
        Contract(canonical(project))


def test_a_module_in_another_namespace_is_an_error(project: Path) -> None:
    add_module(project)
    module = project / "wsdl" / "canonical" / "tides.xsd"
    module.write_text(MODULE.replace(f'targetNamespace="{NAMESPACE}"', 'targetNamespace="urn:tides"'))
    with pytest.raises(ConfigError, match=r"tides.xsd: targetNamespace: a canonical module is an xs:schema"):
        Contract(canonical(project))


def test_an_include_of_a_file_elsewhere_is_an_error(project: Path) -> None:
    add_module(project, include='<xs:include schemaLocation="../weather/tides.xsd"/>')
    (project / "wsdl" / "canonical" / "tides.xsd").unlink()
    with pytest.raises(
        ConfigError, match=r"xs:include: includes \.\./weather/tides\.xsd; a canonical module is a file"
    ):
        Contract(canonical(project))
