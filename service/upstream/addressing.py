"""WS-Addressing towards a legacy system whose WSDL asks for it (WCF-style services refuse a call without it).

A WSDL uses WS-Addressing when its binding or port carries wsaw:UsingAddressing or wsam:Addressing,
directly or through a wsp:PolicyReference to a policy in the same file, or when its portType names an
input's wsam:Action. Each call then carries wsa:MessageID (the request's correlation id, as a URI),
wsa:Action (the WSDL's, else the SOAPAction, else WS-Addressing's default action) and wsa:To (the address).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..namespaces import WSA  # WS-Addressing 1.0: every header sent here uses it
from ..xmlparse import parse_file

WSAW = "http://www.w3.org/2006/05/addressing/wsdl"
WSAM = "http://www.w3.org/2007/05/addressing/metadata"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSP = ("http://www.w3.org/ns/ws-policy", "http://schemas.xmlsoap.org/ws/2004/09/policy")
WSU_ID = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id"
_MARKERS = (f"{{{WSAW}}}UsingAddressing", f"{{{WSAM}}}Addressing")
_ACTIONS = (f"{{{WSAM}}}Action", f"{{{WSAW}}}Action")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
#: A UUID in its canonical 8-4-4-4-12 form, in either case: the only spelling written as urn:uuid:.
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def wsdl_actions(wsdl: Path, binding: etree.QName, port: str) -> dict[str, str] | None:
    """{operation: the Action its input declares} when the port's binding uses WS-Addressing, else None."""
    root = parse_file(wsdl).getroot()
    actions = input_actions(root, binding.localname)
    return actions if markers(root, binding.localname, port) or actions else None


def markers(root: etree._Element, binding: str, port: str | None = None) -> tuple[str, ...]:
    """Where a WSDL document says the binding (and the port, when named) uses WS-Addressing: "binding", "port"."""
    binding_element = _named(root, "binding", binding)
    port_element = next((p for p in root.iter(f"{{{WSDL}}}port") if p.get("name") == port), None)
    places = (("binding", binding_element), ("port", port_element))
    return tuple(place for place, element in places if element is not None and _declares(root, element))


def input_actions(root: etree._Element, binding: str) -> dict[str, str]:
    """{operation: its input's wsam:Action or wsaw:Action} in the portType of a binding the document defines."""
    binding_element = _named(root, "binding", binding)
    port_type = (
        _named(root, "portType", _local(binding_element.get("type", ""))) if binding_element is not None else None
    )
    return _input_actions(port_type) if port_type is not None else {}


def message_id(correlation_id: str) -> str:
    """The correlation id as a URI: urn:uuid: for a UUID, itself when it already is one, else a urn of ours.
    (A regular expression, not uuid.UUID: this runs for every call, and only the canonical spelling counts.)"""
    if _CANONICAL_UUID.fullmatch(correlation_id):
        return f"urn:uuid:{correlation_id.lower()}"
    return _as_uri(correlation_id)


def headers(message: str, action: str, to: str) -> list[etree._Element]:
    """The wsa:MessageID, wsa:Action and wsa:To header blocks of one call."""
    blocks = []
    for name, value in (("MessageID", message), ("Action", action), ("To", to)):
        block = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
        block.text = value
        blocks.append(block)
    return blocks


def default_action(namespace: str, port_type: str, operation: str) -> str:
    """WS-Addressing's default input action: [namespace]/[portType]/[operation]Request."""
    separator = "" if namespace.endswith(("/", ":")) else "/"
    return f"{namespace}{separator}{port_type}/{operation}Request"


def _as_uri(value: str) -> str:
    return value if _SCHEME.match(value) else f"urn:soapbridge:correlation:{value}"


def _declares(root: etree._Element, element: etree._Element) -> bool:
    """element names a WS-Addressing marker itself, in a policy inside it, or in a policy it references."""
    if any(next(element.iter(marker), None) is not None for marker in _MARKERS):
        return True
    references = [r.get("URI", "") for ns in WSP for r in element.iter(f"{{{ns}}}PolicyReference")]
    policies = [p for ns in WSP for p in root.iter(f"{{{ns}}}Policy") if f"#{p.get(WSU_ID)}" in references]
    return any(next(policy.iter(marker), None) is not None for policy in policies for marker in _MARKERS)


def _input_actions(port_type: etree._Element) -> dict[str, str]:
    actions = {}
    for operation in port_type.iterfind(f"{{{WSDL}}}operation"):
        given = operation.find(f"{{{WSDL}}}input")
        action = next((given.get(a) for a in _ACTIONS if given is not None and given.get(a)), None)
        if action:
            actions[operation.get("name", "")] = action
    return actions


def _named(root: etree._Element, kind: str, name: str) -> etree._Element | None:
    return next((e for e in root.iterfind(f"{{{WSDL}}}{kind}") if e.get("name") == name), None)


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]
