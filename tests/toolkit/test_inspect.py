"""describe(): a WSDL as services, bindings, operations, signatures and message structure trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.errors import UsageError
from soapbridge.toolkit.inspect import OperationView, WsdlView, describe
from soapbridge.toolkit.xsdtree import AS_ABOVE, RECURSIVE, UNDEFINED, Node
from soapbridge.wsdlmodel import load_wsdl
from tests.conftest import ROOT

SHAPES = Path(__file__).parent / "fixtures" / "inspect" / "shapes.wsdl"


@pytest.fixture(scope="module")
def shapes() -> WsdlView:
    return describe(load_wsdl(SHAPES))


def _operation(view: WsdlView, binding: str, name: str) -> OperationView:
    found = next(b for b in view.bindings if b.name == binding)
    return next(op for op in found.operations if op.name == name)


def _child(node: Node, name: str) -> Node:
    return next(child for child in node.children if child.name == name)


def test_services_ports_and_bindings(shapes: WsdlView) -> None:
    ports = {(s.name, p.name): (p.binding, p.protocol, p.address) for s in shapes.services for p in s.ports}
    assert ports == {
        ("Drawing", "Canvas11"): ("CanvasSoap11", "SOAP 1.1", "http://localhost/canvas"),
        ("Drawing", "Canvas12"): ("CanvasSoap12", "SOAP 1.2", "http://localhost/canvas12"),
        ("Moving", "Mover"): ("MoverRpc", "SOAP 1.1", "http://localhost/mover"),
    }
    assert [(b.name, b.protocol, b.style) for b in shapes.bindings] == [
        ("CanvasSoap11", "SOAP 1.1", "document"),
        ("CanvasSoap12", "SOAP 1.2", "document"),
        ("MoverRpc", "SOAP 1.1", "rpc"),
    ]


def test_signatures_unwrap_document_wrappers_and_list_rpc_parts(shapes: WsdlView) -> None:
    assert _operation(shapes, "CanvasSoap11", "Draw").signature == (
        "Draw(shape: Shape [1..*], style: Style [0..1]) -> drawn: int"
    )
    assert _operation(shapes, "CanvasSoap11", "Clear").signature == "Clear() -> (one-way)"
    move = _operation(shapes, "MoverRpc", "Move")
    assert move.signature == "Move(from: Point, by: int) -> to: Point"
    assert (move.style, move.use, move.soap_action) == ("rpc", "literal", "")
    assert move.input is not None and move.input.wrapper == "Move"


def test_simple_types_show_their_builtin_facets_and_enumerations(shapes: WsdlView) -> None:
    draw = _operation(shapes, "CanvasSoap11", "Draw")
    assert draw.input is not None
    shape = _child(draw.input.parts[0], "shape")
    code, colour, size = (_child(shape, name) for name in ("code", "colour", "size"))
    assert (code.type, code.type_name, code.facets) == (
        "string",
        "Code",
        ("minLength 2", "maxLength 8", "pattern [A-Z]+"),
    )
    assert (colour.enumeration, colour.occurs) == (("RED", "GREEN", "BLUE"), "[0..1]")
    assert size.label == "decimal(>= 0, < 100, fractionDigits 2)"


def test_attributes_choice_all_and_wildcards_are_nodes(shapes: WsdlView) -> None:
    draw = _operation(shapes, "CanvasSoap11", "Draw")
    assert draw.input is not None
    shape = _child(draw.input.parts[0], "shape")
    assert [(n.kind, n.name, n.occurs) for n in shape.children] == [
        ("attribute", "@id", ""),
        ("attribute", "@layer", "[0..1]"),
        ("element", "code", ""),
        ("element", "colour", "[0..1]"),
        ("element", "size", ""),
        ("choice", "choice", ""),
        ("element", "part", "[0..*]"),
        ("any", "*", "[0..1]"),
    ]
    assert [n.name for n in _child(shape, "choice").children] == ["circle", "polygon"]
    style = _child(draw.input.parts[0], "style")
    assert [n.kind for n in style.children] == ["all"]


def test_recursion_is_shown_once_and_a_repeated_type_is_not_expanded_twice(shapes: WsdlView) -> None:
    draw = _operation(shapes, "CanvasSoap11", "Draw")
    assert draw.input is not None
    shape = _child(draw.input.parts[0], "shape")
    part = _child(shape, "part")
    assert (part.type, part.note, part.children) == ("Shape", RECURSIVE, ())
    choice = _child(shape, "choice")
    centre = _child(_child(choice, "circle"), "centre")
    corner = _child(_child(choice, "polygon"), "corner")
    assert [n.name for n in centre.children] == ["x", "y"]
    assert (corner.note, corner.occurs) == (AS_ABOVE, "[3..*]")


def test_the_project_wsdls_read_as_their_systems_describe_them() -> None:
    crm = describe(load_wsdl(ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl"), "Z_CRM_CUSTOMER_READ")
    (read,) = crm.bindings[0].operations
    assert read.signature == "Z_CRM_CUSTOMER_READ(IV_KUNNR: string(maxLength 10)) -> ES_CUSTOMER: ZCRM_S_CUSTOMER"
    assert [fault.name for fault in read.faults] == ["ZCX_CRM_NOT_FOUND", "ZCX_CRM_NO_AUTHORITY"]
    weather = describe(load_wsdl(ROOT / "wsdl" / "weather" / "WxFeed.wsdl"))
    assert {b.protocol for b in weather.bindings} == {"SOAP 1.2"}
    billing = describe(load_wsdl(ROOT / "wsdl" / "billing" / "InvoiceService.wsdl"), "postPayment")
    (payment,) = billing.bindings[0].operations
    assert payment.signature.startswith("postPayment(invoiceNo: string, amountCents: long, currency: string")
    assert payment.style == "rpc"


def test_an_unknown_operation_is_a_usage_error_naming_those_there_are() -> None:
    with pytest.raises(UsageError, match="no operation Paint; it has Clear, Draw, Move"):
        describe(load_wsdl(SHAPES), "Paint")


def test_an_element_no_schema_defines_is_a_leaf_saying_so(tmp_path: Path) -> None:
    text = SHAPES.read_text().replace('element="tns:DrawResponse"', 'element="tns:Nowhere"')
    (tmp_path / "shapes.wsdl").write_text(text)
    draw = _operation(describe(load_wsdl(tmp_path / "shapes.wsdl")), "CanvasSoap11", "Draw")
    assert draw.output is not None
    assert (draw.output.parts[0].name, draw.output.parts[0].note) == ("Nowhere", UNDEFINED)
