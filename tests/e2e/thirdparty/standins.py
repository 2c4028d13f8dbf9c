"""Stand-ins for the two third-party services, on loopback: there is no network in the tests.

Each answers as its real service does, in the shapes of the real WSDL (read in place from the corpus): every
request the gateway sends is validated against the WSDL's input message, and every answer against its output
message, by libxml2, before it leaves. The data and the texts of the in-band errors are the stand-ins' own; the
fields that carry them (CountryNameResult; IsError and ErrorMessage) are the WSDLs'.

- CountryInfoService (DataFlex, SOAP 1.1 port): a known ISO code answers its name; any other code answers the name
  "Country not found in the database", as the real service does.
- ServiceFinderQuery (WCF, wsHttpBinding, SOAP 1.2 only): like WCF, it refuses text/xml with 415, and a message
  without the operation's wsa:Action, or sent To another address, with an addressing fault; every answer is a
  data contract with all its members (i:nil="true" for an empty nillable one) and carries wsa:Action and
  wsa:RelatesTo, the Action with mustUnderstand. A UserProfile whose LoginID and LicenceKey are not the expected
  ones, a PIN code that cannot exist (not six digits, or a leading 0) and an unknown PIN code each answer
  IsError = true with an ErrorMessage.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from soapbridge.toolkit.validate import WsdlTarget
from soapbridge.wsgi import StartResponse, read_body, request_url, respond

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
COUNTRYINFO = "http://www.oorsprong.org/websamples.countryinfo"
TEMPURI = "http://tempuri.org/"
ADMIN = "http://schemas.datacontract.org/2004/07/SAPI.Entities.Admin"
FINDER = "http://schemas.datacontract.org/2004/07/SAPI.Entities.Finder"
NOT_FOUND = "Country not found in the database"
ACTION = "http://tempuri.org/IServiceFinderQuery/GetServicesforPincode"
BAD_LOGIN = "Invalid LoginID or LicenceKey"
BAD_PIN = "Invalid PinCode: a PIN code is six digits and does not start with 0"
UNKNOWN_PIN = "Pincode not found"

COUNTRIES = {"NL": "Netherlands The", "DE": "Germany", "CI": "Côte D'Ivoire (Ivory Coast)", "IN": "India"}
PIN_CODES: dict[str, dict[str, Any]] = {
    "400001": {
        "AreaCode": "BOM",
        "PinCode": "400001",
        "PincodeDescription": "MUMBAI GPO",
        "ServiceCenterCode": "BOM01",
        "AirValueLimit": "50000",
        "BlueDartHolidays": [("Republic Day", "2027-01-26T00:00:00"), ("Independence Day", "2027-08-15T00:00:00")],
    },
    "110001": {
        "AreaCode": "DEL",
        "PinCode": "110001",
        "PincodeDescription": "NEW DELHI GPO",
        "ServiceCenterCode": "DEL02",
    },
}


class Refused(Exception):
    """A request the service does not take: answered with this HTTP status and SOAP fault."""

    def __init__(self, status: str, code: str, reason: str, subcode: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason, self.subcode = status, code, reason, subcode


@dataclass
class StandIn:
    """A WSGI app; `requests` keeps every request envelope as received (the test reads what was sent)."""

    wsdl: Path
    requests: list[bytes] = field(default_factory=list)
    #: The SOAP version of the port it stands in for.
    version: ClassVar[str] = "1.1"

    def __post_init__(self) -> None:
        self.target = WsdlTarget(self.wsdl)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        body = read_body(environ)
        with self._lock:  # one at a time: the schemas are shared
            self.requests.append(body)
            try:
                status, answer = "200 OK", self.answer(environ, body)
            except Refused as refused:
                status, answer = refused.status, fault(self.version, refused)
        sent: list[bytes] = respond(start_response, status, content_type(self.version), answer)
        return sent

    def answer(self, environ: dict[str, Any], body: bytes) -> bytes:
        raise NotImplementedError

    def request_body(self, envelope: etree._Element) -> etree._Element:
        """The Body's element, once the WSDL's input message accepts it; a Client/Sender fault otherwise."""
        problems = self.target.problems(envelope, b"")
        if problems:
            raise Refused(
                "500 Internal Server Error", "Client" if self.version == "1.1" else "Sender", problems[0].reason
            )
        body: etree._Element = envelope.find(f"{{{namespace(self.version)}}}Body")
        return body[0]  # the WSDL's message was found in it

    def checked(self, envelope: etree._Element) -> bytes:
        """The answer, once the WSDL's output message accepts it (a stand-in that drifted fails loudly)."""
        problems = self.target.problems(envelope, b"")
        assert not problems, f"the stand-in's own answer does not match {self.wsdl.name}: {problems}"
        return serialize(envelope)


class CountryInfo(StandIn):
    """CountryInfoService's CountryName on its SOAP 1.1 port."""

    def answer(self, environ: dict[str, Any], body: bytes) -> bytes:
        request = self.request_body(parse(body))
        if request.tag != f"{{{COUNTRYINFO}}}CountryName":
            raise Refused("500 Internal Server Error", "Client", f"no operation for {request.tag}")
        code = request.findtext("sCountryISOCode", "")
        response = etree.Element(f"{{{COUNTRYINFO}}}CountryNameResponse", nsmap={"m": COUNTRYINFO})
        etree.SubElement(response, "CountryNameResult").text = COUNTRIES.get(code, NOT_FOUND)
        return self.checked(envelope(self.version, response))


@dataclass
class ServiceFinder(StandIn):
    """ServiceFinderQuery's GetServicesforPincode, with the login the gateway must send."""

    login: str = ""
    licence: str = ""
    version: ClassVar[str] = "1.2"

    def answer(self, environ: dict[str, Any], body: bytes) -> bytes:
        if not environ.get("CONTENT_TYPE", "").startswith("application/soap+xml"):
            raise Refused("415 Unsupported Media Type", "Sender", "expected application/soap+xml")
        message = parse(body)
        relates_to = self._addressed(message, request_url(environ))
        request = self.request_body(message)
        result = self._result(request)
        response = etree.Element(f"{{{TEMPURI}}}GetServicesforPincodeResponse", nsmap={None: TEMPURI})
        response.append(contract(self.target, "GetServicesforPincodeResult", "ServiceCenterDetailsReference", result))
        return self.checked(envelope(self.version, response, wcf_headers(relates_to)))

    def _addressed(self, message: etree._Element, address: str) -> str:
        """The request's wsa:MessageID, once its Action and To are what WCF's dispatcher requires."""
        header = message.find(f"{{{SOAP12}}}Header")
        found = {child.tag: (child.text or "") for child in (header if header is not None else [])}
        action = found.get(f"{{{WSA}}}Action")
        if action != ACTION:
            raise Refused(
                "500 Internal Server Error",
                "Sender",
                f"The message with Action '{action or ''}' cannot be processed at the receiver, due to a "
                "ContractFilter mismatch at the EndpointDispatcher.",
                "a:ActionNotSupported",
            )
        if found.get(f"{{{WSA}}}To") != address:
            raise Refused(
                "500 Internal Server Error",
                "Sender",
                f"The message with To '{found.get(f'{{{WSA}}}To')}' cannot be processed at the receiver, due to an "
                "AddressFilter mismatch at the EndpointDispatcher.",
                "a:DestinationUnreachable",
            )
        return found.get(f"{{{WSA}}}MessageID", "")

    def _result(self, request: etree._Element) -> dict[str, Any]:
        profile = request.find(f"{{{TEMPURI}}}profile")
        given = (
            (profile.findtext(f"{{{ADMIN}}}{name}") for name in ("LoginID", "LicenceKey"))
            if profile is not None
            else ()
        )
        if tuple(given) != (self.login, self.licence):
            return {"IsError": "true", "ErrorMessage": BAD_LOGIN}
        pin = request.findtext(f"{{{TEMPURI}}}pinCode", "")
        if not re.fullmatch(r"[1-9][0-9]{5}", pin):
            return {"IsError": "true", "ErrorMessage": BAD_PIN}
        return PIN_CODES.get(pin, {"IsError": "true", "ErrorMessage": UNKNOWN_PIN})


def contract(target: WsdlTarget, name: str, type_name: str, values: dict[str, Any]) -> etree._Element:
    """A WCF data contract: every member of the WSDL's complex type in its order; a value given, else i:nil for a
    nillable member, else its type's default (0, false), as DataContractSerializer writes them."""
    element = etree.Element(f"{{{TEMPURI}}}{name}", nsmap={"a": FINDER, "i": XSI})
    for member in members(target, type_name):
        child = etree.SubElement(element, f"{{{FINDER}}}{member.get('name')}")
        value = values.get(member.get("name", ""))
        if isinstance(value, list):
            for description, date in value:
                holiday = etree.SubElement(child, f"{{{FINDER}}}Holiday")
                etree.SubElement(holiday, f"{{{FINDER}}}Description").text = description
                etree.SubElement(holiday, f"{{{FINDER}}}HolidayDate").text = date
        elif value is not None:
            child.text = value
        elif member.get("nillable") == "true":
            child.set(f"{{{XSI}}}nil", "true")
        else:
            child.text = {"xs:boolean": "false"}.get(member.get("type", ""), "0")
    return element


def members(target: WsdlTarget, type_name: str) -> list[etree._Element]:
    """The xs:elements of a complex type's sequence, as the WSDL's schemas declare them."""
    for document in target.wsdl.documents.values():
        found = document.xpath(f"//xs:complexType[@name='{type_name}']/xs:sequence/xs:element", namespaces={"xs": XSD})
        if found:
            return list(found)
    raise AssertionError(f"no complex type {type_name} in {target.wsdl.location}")


def wcf_headers(relates_to: str) -> list[etree._Element]:
    action = etree.Element(f"{{{WSA}}}Action", nsmap={"a": WSA})
    action.set(f"{{{SOAP12}}}mustUnderstand", "1")
    action.text = f"{ACTION}Response"
    related = etree.Element(f"{{{WSA}}}RelatesTo", nsmap={"a": WSA})
    related.text = relates_to
    return [action, related]


def parse(body: bytes) -> etree._Element:
    try:
        return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise Refused("400 Bad Request", "Client", f"not XML: {exc}") from exc


def namespace(version: str) -> str:
    return SOAP11 if version == "1.1" else SOAP12


def content_type(version: str) -> str:
    return "text/xml; charset=utf-8" if version == "1.1" else "application/soap+xml; charset=utf-8"


def envelope(version: str, body: etree._Element, headers: Sequence[etree._Element] = ()) -> etree._Element:
    soap = namespace(version)
    root = etree.Element(f"{{{soap}}}Envelope", nsmap={"s": soap})
    if headers:
        etree.SubElement(root, f"{{{soap}}}Header").extend(headers)
    etree.SubElement(root, f"{{{soap}}}Body").append(body)
    return root


def fault(version: str, refused: Refused) -> bytes:
    soap = namespace(version)
    if version == "1.1":
        element = etree.Element(f"{{{soap}}}Fault")
        etree.SubElement(element, "faultcode").text = f"s:{refused.code}"
        etree.SubElement(element, "faultstring").text = refused.reason
    else:
        element = etree.Element(f"{{{soap}}}Fault", nsmap={"a": WSA})
        code = etree.SubElement(element, f"{{{soap}}}Code")
        etree.SubElement(code, f"{{{soap}}}Value").text = f"s:{refused.code}"
        if refused.subcode:
            etree.SubElement(etree.SubElement(code, f"{{{soap}}}Subcode"), f"{{{soap}}}Value").text = refused.subcode
        reason = etree.SubElement(element, f"{{{soap}}}Reason")
        text = etree.SubElement(reason, f"{{{soap}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
        text.text = refused.reason
    return serialize(envelope(version, element))


def serialize(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data
