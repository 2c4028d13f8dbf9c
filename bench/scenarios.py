"""The benchmark's scenarios, in the ESB performance rounds' terms, and the customers they ask for.

Sizes are the canonical *response's* serialised size. SearchCustomers grows by result count: every bench
customer serialises to about 1 KB, and the cities below hold 1, 10 and 100 of them.

"direct" is the ESB rounds' direct proxy: the weather feed's GetCurrentObservation, published unchanged at
/passthrough/weather (adapters/weather.toml), its body the legacy request itself. The gateway reads only the
envelope around it and forwards its bytes; nothing is mapped or validated. It is labelled by its request's true
size (the client's envelope; the answer is the feed's own, about 0.6 KB).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from soapbridge.legacy.crm_data import CustomerRecord
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV

from .project import CHECKOUT
from .reference import binding

CONCURRENCY = (8, 64)
CRM_WSDL = Path("wsdl/crm/ZCRM_CUSTOMER_V3.wsdl")
WEATHER_WSDL = Path("wsdl/weather/WxFeed.wsdl")
WEATHER_TYPES = "http://aerowx.example.net/WxFeed/2005/03/types"
#: The licence key a pass-through client sends in the body: the one bench/project.py gives the weather adapter.
LICENCE = "bench-licence"
SOAP11 = {"Content-Type": "text/xml; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
#: A customer whose number starts with 9 lives in the CRM's archive (bench/project.py routes it).
ARCHIVED_ID = "9000000001"
SINGLE_ID = "2001"
STATION = "EGLL"
#: The city whose customers make each SearchCustomers size, and how many live there.
CITIES = {"1KB": ("Aachen", 1), "10KB": ("Bremen", 10), "100KB": ("Cologne", 100)}
#: A label's nominal size in bytes.
NOMINAL = {"0.3KB": 307, "0.4KB": 410, "0.5KB": 512, "1KB": 1024, "10KB": 10240, "100KB": 102400}
_TAGS = tuple(f"{kind}-segment-{index:02d}" for kind in ("retail", "wholesale") for index in range(7))


@dataclass(frozen=True)
class Scenario:
    """One request the load generator repeats: POST path with body and headers."""

    name: str
    operation: str
    #: The canonical response's size, as a label ("1KB").
    size: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: The canonical request element, serialised: what the gateway's engine gets, whatever the endpoint.
    canonical: bytes = b""
    #: For a pass-through scenario, "<system>.<Operation>": the body's payload is the legacy request itself.
    passthrough: str = ""

    @property
    def key(self) -> str:
        """Unique among scenarios(): "xslt SearchCustomers 10KB"."""
        return f"{self.name} {self.operation} {self.size}"

    @property
    def nominal_bytes(self) -> int:
        return NOMINAL[self.size]


def scenarios() -> list[Scenario]:
    """Every scenario the harness runs, each at every CONCURRENCY."""
    search = [soap("xslt", "SearchCustomers", size, city=CITIES[size][0]) for size in ("1KB", "10KB", "100KB")]
    return [
        direct(),
        soap("xslt", "GetCustomer", "1KB", customerId=SINGLE_ID),
        *search,
        soap("routing", "GetCustomer", "1KB", customerId=ARCHIVED_ID),
        as_json("json", "GetCustomer", "1KB", customerId=SINGLE_ID),
        as_json("json", "SearchCustomers", "10KB", city=CITIES["10KB"][0]),
    ]


def direct() -> Scenario:
    """The weather feed's GetCurrentObservation passed through: its SOAP 1.2 request, with the action parameter
    its binding gives, labelled by the envelope's size."""
    payload = etree.Element(f"{{{WEATHER_TYPES}}}GetCurrentObservation", nsmap={"wx": WEATHER_TYPES})
    etree.SubElement(payload, f"{{{WEATHER_TYPES}}}LicenceKey").text = LICENCE
    etree.SubElement(payload, f"{{{WEATHER_TYPES}}}StationICAO").text = STATION
    version, action = binding(CHECKOUT / WEATHER_WSDL, "GetCurrentObservation")
    body = envelope(payload, version)
    headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    size = f"{len(body) / 1024:.1f}KB"
    return Scenario("direct", "GetCurrentObservation", size, "/passthrough/weather", body, headers, b"", "weather")


def upstream_baseline() -> Scenario:
    """What the gateway sends the CRM for xslt GetCustomer 1KB (made by the project's own request stylesheet,
    without the WS-Security header), posted straight to the canned upstream: the baseline of the added latency."""
    stylesheet = etree.XSLT(etree.parse(str(CHECKOUT / "xslt" / "crm" / "GetCustomer.request.xsl")))
    read = stylesheet(canonical_request("GetCustomer", {"customerId": SINGLE_ID})).getroot()
    headers = SOAP11 | {"SOAPAction": f'"{legacy_action(CHECKOUT / CRM_WSDL, "Z_CRM_CUSTOMER_READ")}"'}
    return Scenario("baseline", "GetCustomer", "1KB", "/crm", soap11_envelope(read), headers)


def legacy_action(wsdl: Path, operation: str) -> str:
    """The soapAction a legacy WSDL's binding gives an operation."""
    actions = etree.parse(str(wsdl)).xpath(
        "//wsdl:binding/wsdl:operation[@name=$name]/*[local-name()='operation']/@soapAction",
        namespaces={"wsdl": "http://schemas.xmlsoap.org/wsdl/"},
        name=operation,
    )
    return str(actions[0])


def canonical_request(operation: str, fields: dict[str, str]) -> etree._Element:
    request = etree.Element(f"{{{CANONICAL}}}{operation}", nsmap={"cn": CANONICAL})
    for name, value in fields.items():
        etree.SubElement(request, f"{{{CANONICAL}}}{name}").text = value
    return request


def soap(name: str, operation: str, size: str, **fields: str) -> Scenario:
    """A SOAP 1.1 scenario on /soap11, with the canonical WSDL's SOAPAction."""
    request = canonical_request(operation, fields)
    headers = SOAP11 | {"SOAPAction": f'"{CANONICAL}/{operation}"'}
    return Scenario(name, operation, size, "/soap11", soap11_envelope(request), headers, etree.tostring(request))


def as_json(name: str, operation: str, size: str, **fields: str) -> Scenario:
    """A JSON scenario on /json/<operation>."""
    canonical = etree.tostring(canonical_request(operation, fields))
    return Scenario(name, operation, size, f"/json/{operation}", json.dumps(fields).encode(), JSON, canonical)


def soap11_envelope(payload: etree._Element) -> bytes:
    return envelope(payload, "1.1")


def envelope(payload: etree._Element, version: str) -> bytes:
    namespace = SOAP12_ENV if version == "1.2" else SOAP11_ENV
    root = etree.Element(f"{{{namespace}}}Envelope", nsmap={"soapenv": namespace})
    etree.SubElement(root, f"{{{namespace}}}Body").append(payload)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


@cache
def customers() -> tuple[CustomerRecord, ...]:
    """The CRM's customer master for the bench: the cities of CITIES, and the archived customer."""
    records = [_customer(SINGLE_ID, CITIES["1KB"][0], 0)]
    for first, size in ((2101, "10KB"), (2201, "100KB")):
        city, count = CITIES[size]
        records += [_customer(str(first + index), city, index) for index in range(count)]
    return (*records, _customer(ARCHIVED_ID, "Dresden", 7))


def _customer(number: str, city: str, index: int) -> CustomerRecord:
    """A valid, about 1 KB customer (canonical), varied a little by index."""
    return CustomerRecord(
        KUNNR=number.zfill(10),
        NAME1=f"Benchmark Customer {number} GmbH",
        SMTP_ADDR=f"purchasing.department.{number}@customer-{number}.example.com",
        TELF1=f"+49 221 555 {index % 10000:04d}",
        STRAS=f"Industriestrasse {index % 200 + 1}, Gebaeude {index % 7 + 1}",
        PSTLZ=f"{50667 + index:05d}",
        ORT01=city,
        LAND1="DE",
        ERDAT=f"20{10 + index % 14:02d}0{1 + index % 9}15",
        STATUS="ABI"[index % 3] if index % 5 else "A",
        T_TAGS=_TAGS,
    )
