"""rpc/encoded legacy operations are refused, in one line that names the style, the operation and what to do.

SOAP 1.1 section 5 encoding puts xsi:type on every value, soapenc:Array with arrayType on lists, and may
answer in multi-ref form (href/id), none of which the stylesheets or the legacy WSDL's schemas describe;
calling it half right would fail on the first real answer. So the adapter is refused before the WSDL's
schemas are compiled (where the failure used to be a compile error about soapenc:arrayType), by this one
rule, wherever an adapter's WSDL is loaded: the upstream client at start-up, check and transform.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..config import AdapterConfig
from ..errors import ConfigError, XmlError
from ..xmlparse import parse_file

WSDL = "http://schemas.xmlsoap.org/wsdl/"
#: The WSDL 1.1 SOAP 1.1 and SOAP 1.2 binding extensions.
SOAP_BINDINGS = ("http://schemas.xmlsoap.org/wsdl/soap/", "http://schemas.xmlsoap.org/wsdl/soap12/")


def refuse_encoded(adapter: AdapterConfig) -> None:
    """ConfigError naming the first upstream operation of the adapter that is bound only as encoded."""
    if adapter.wsdl is None:
        return
    encoded = encoded_operations(adapter.wsdl)
    for name, operation in adapter.operations.items():
        style = encoded.get(operation.upstream or "")
        if style is not None:
            raise ConfigError(
                f"{operation.upstream} is {style}/encoded (SOAP section 5 encoding), which soapbridge does not call; "
                f"ask for a document/literal or rpc/literal binding of {adapter.name}, or put a literal facade "
                "in front of it",
                file=str(adapter.file),
                key=f"operations.{name}.upstream",
            )


def encoded_operations(wsdl: Path) -> dict[str, str]:
    """{operation: its style} for each operation the WSDL binds, in SOAP, as encoded only (no literal binding)."""
    try:
        root = parse_file(wsdl).getroot()
    except (XmlError, OSError):
        return {}  # a WSDL that does not read is the loader's to report, in its own words
    uses: dict[str, dict[str, str]] = {}
    for binding in root.iterfind(f"{{{WSDL}}}binding"):
        default_style = _style(binding, "document")
        for operation in binding.iterfind(f"{{{WSDL}}}operation"):
            use = _use(operation)
            if use is not None:
                uses.setdefault(operation.get("name", ""), {})[use] = _style(operation, default_style)
    return {name: found["encoded"] for name, found in uses.items() if set(found) == {"encoded"}}


def _use(operation: etree._Element) -> str | None:
    """ "encoded" when the input's or output's soap:body is, "literal" when they are not; None outside SOAP."""
    bodies = [
        body
        for direction in ("input", "output")
        for namespace in SOAP_BINDINGS
        for body in operation.iterfind(f"{{{WSDL}}}{direction}/{{{namespace}}}body")
    ]
    if not bodies:
        return None
    return "encoded" if any(body.get("use") == "encoded" for body in bodies) else "literal"


def _style(element: etree._Element, default: str) -> str:
    """The style a soap:binding or soap:operation under element declares, else default."""
    for namespace in SOAP_BINDINGS:
        for kind in ("binding", "operation"):
            declared = element.find(f"{{{namespace}}}{kind}")
            if declared is not None and declared.get("style"):
                return str(declared.get("style"))
    return default
