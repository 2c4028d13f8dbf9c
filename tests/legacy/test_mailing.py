"""The mailing emulator (ListPost) over real HTTP on loopback: zeep, raw envelopes, and its mappings."""

from __future__ import annotations

import base64
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.mailing import NS
from soapbridge.xmlparse import parse_bytes, parse_file
from tests.xmlcompare import assert_xml_equal

ROOT = Path(__file__).resolve().parents[2]
WSDL = ROOT / "wsdl" / "mailing" / "ListPostApi.wsdl"
XSD = ROOT / "wsdl" / "mailing" / "ListPostApi.xsd"
XSLT = ROOT / "xslt" / "mailing"
SAMPLES = XSLT / "samples"
CANONICAL = "urn:soapbridge:canonical:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}ListPostApiBinding"
USER, PASSWORD = "campaign-bot", "s3cret-api-key"
ENV = {"SOAPBRIDGE_MAILING_USERNAME": USER, "SOAPBRIDGE_MAILING_PASSWORD": PASSWORD}
ZEEP_SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningEmulator]:
    with start(build("mailing", ROOT / "wsdl", ENV), "127.0.0.1", 0) as running:
        yield running


@pytest.fixture
def running(server: RunningEmulator) -> RunningEmulator:
    """The shared server with freshly seeded state: a new emulator's handlers, its store with them."""
    server.emulator.handlers = build("mailing", ROOT / "wsdl", ENV).handlers
    return server


@pytest.fixture
def api(running: RunningEmulator, http: requests.Session) -> zeep.proxy.ServiceProxy:
    http.auth = (USER, PASSWORD)
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS, transport=zeep.Transport(session=http))
    service: zeep.proxy.ServiceProxy = client.create_service(BINDING, running.url)
    return service


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _body(operation: str, **fields: str) -> etree._Element:
    """A ListPost request element the way the schema wants it: only the wrapper is qualified."""
    element = etree.Element(f"{{{NS}}}{operation}", nsmap={"lp": NS})
    for name, value in fields.items():
        etree.SubElement(element, name).text = value
    return element


def _post(
    running: RunningEmulator, http: requests.Session, body: etree._Element, authorization: str | None = None
) -> tuple[int, etree._Element]:
    """POST one envelope; the HTTP status and the Body's child (the answer or the Fault)."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(body)
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{NS}{etree.QName(body).localname}"',
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    response = http.post(running.url, data=etree.tostring(envelope), headers=headers, timeout=5)
    answer = parse_bytes(response.content, what="response").find(f"{{{SOAP_ENV}}}Body")
    assert answer is not None
    return response.status_code, answer[0]


def _call(running: RunningEmulator, http: requests.Session, operation: str, **fields: str) -> etree._Element:
    status, answer = _post(running, http, _body(operation, **fields), _basic(USER, PASSWORD))
    assert status == 200, etree.tostring(answer)
    return answer


def _error_code(fault: etree._Element) -> str | None:
    code: str | None = fault.findtext(f"detail/{{{NS}}}apiFault/errorCode")
    return code


# -- build -----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", sorted(ENV))
def test_build_refuses_to_start_without_credentials(missing: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ValueError, match=missing):
        build("mailing", ROOT / "wsdl", env)


# -- the WSDL --------------------------------------------------------------------------------


def test_wsdl_loads_in_zeep_and_its_schema_compiles() -> None:
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS)
    operations = client.wsdl.bindings[BINDING]._operations
    assert sorted(operations) == ["listMembers", "subscribe", "unsubscribe"]
    assert all(op.soapaction == f"{NS}{name}" for name, op in operations.items())
    assert all(set(op.faults) == {"apiFault"} for op in operations.values())
    etree.XMLSchema(parse_file(XSD))


def test_served_wsdl_names_where_the_emulator_listens(running: RunningEmulator, http: requests.Session) -> None:
    response = http.get(f"{running.url}?wsdl", timeout=5)
    wsdl = parse_bytes(response.content, what="wsdl")
    addresses = wsdl.findall(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert [a.get("location") for a in addresses] == [running.url]
    schema = http.get(running.url.rsplit("/", 1)[0] + "/ListPostApi.xsd", timeout=5)
    assert schema.status_code == 200 and b'elementFormDefault="unqualified"' in schema.content


# -- operations through zeep -----------------------------------------------------------------


def test_list_members_returns_the_seeded_members(api: zeep.proxy.ServiceProxy) -> None:
    answer = api.listMembers(listId="newsletter")
    assert answer.total == 4
    assert [(m.subscriberId, m.email, m.externalId, m.status) for m in answer.member] == [
        (40001, "ada.lovelace@example.com", "1001", 1),
        (40002, "grace.hopper@example.com", "1002", 1),
        (40003, "alan.turing@example.com", "1003", 0),
        (40004, "katherine.johnson@example.org", None, 1),
    ]


def test_list_members_filters_by_status_and_handles_an_empty_list(api: zeep.proxy.ServiceProxy) -> None:
    unsubscribed = api.listMembers(listId="product-updates", status=0)
    assert [m.email for m in unsubscribed.member] == ["dorothy.vaughan@example.org"]
    empty = api.listMembers(listId="events")
    assert (empty.listId, empty.total, empty.member) == ("events", 0, [])


def test_subscribe_adds_a_new_member_once(api: zeep.proxy.ServiceProxy) -> None:
    first = api.subscribe(listId="product-updates", email="ada.lovelace@example.com", externalId="1001")
    assert (first.subscriberId, first.listId, first.externalId, first.status) == (
        40101,
        "product-updates",
        "1001",
        1,
    )
    again = api.subscribe(listId="product-updates", email="Ada.Lovelace@EXAMPLE.com")
    assert (again.subscriberId, again.email, again.status) == (40101, "ada.lovelace@example.com", 1)
    members = api.listMembers(listId="product-updates").member
    assert [m.subscriberId for m in members] == [40005, 40006, 40007, 40101]


def test_subscribe_returns_the_existing_subscription(api: zeep.proxy.ServiceProxy) -> None:
    existing = api.subscribe(listId="newsletter", email="grace.hopper@example.com", externalId="9999")
    assert (existing.subscriberId, existing.externalId, existing.status) == (40002, "1002", 1)
    assert api.listMembers(listId="newsletter").total == 4


def test_subscribe_reactivates_an_unsubscribed_member(api: zeep.proxy.ServiceProxy) -> None:
    back = api.subscribe(listId="newsletter", email="alan.turing@example.com")
    assert (back.subscriberId, back.status) == (40003, 1)
    assert api.listMembers(listId="newsletter", status=1).total == 4


def test_unsubscribe_keeps_the_member_with_status_zero(api: zeep.proxy.ServiceProxy) -> None:
    gone = api.unsubscribe(listId="newsletter", email="ada.lovelace@example.com")
    assert (gone.subscriberId, gone.status) == (40001, 0)
    assert [m.email for m in api.listMembers(listId="newsletter", status=0).member] == [
        "ada.lovelace@example.com",
        "alan.turing@example.com",
    ]


@pytest.mark.parametrize(
    ("operation", "fields", "code"),
    [
        ("subscribe", {"listId": "black-friday", "email": "ada.lovelace@example.com"}, "200"),
        ("subscribe", {"listId": "newsletter", "email": "ada.lovelace(at)example.com"}, "502"),
        ("subscribe", {"listId": "newsletter", "email": ""}, "502"),
        ("unsubscribe", {"listId": "newsletter", "email": "margaret.hamilton@example.net"}, "232"),
        ("listMembers", {"listId": "no-such-list"}, "200"),
    ],
    ids=["unknown-list", "invalid-email", "empty-email", "not-a-member", "list-members-unknown-list"],
)
def test_declared_faults_reach_zeep(
    api: zeep.proxy.ServiceProxy, operation: str, fields: dict[str, str], code: str
) -> None:
    with pytest.raises(Fault) as raised:
        getattr(api, operation)(**fields)
    assert raised.value.code == "soapenv:Client"
    assert _error_code(raised.value.detail.getparent()) == code
    etree.XMLSchema(parse_file(XSD)).assertValid(raised.value.detail[0])


def test_concurrent_subscriptions_of_one_address_make_one_member(api: zeep.proxy.ServiceProxy) -> None:
    def subscribe(_: int) -> int:
        return int(api.subscribe(listId="events", email="mary.jackson@example.org").subscriberId)

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(subscribe, range(16)))
    assert ids == {40101}
    assert api.listMembers(listId="events").total == 1


# -- raw envelopes: authentication and the unqualified-element trap ----------------------


def test_raw_subscribe_answers_unqualified_fields(running: RunningEmulator, http: requests.Session) -> None:
    answer = _call(running, http, "subscribe", listId="events", email="hedy.lamarr@example.net")
    assert answer.tag == f"{{{NS}}}subscribeResponse"
    subscriber = answer.find("subscriber")
    assert subscriber is not None
    assert [(child.tag, child.text) for child in subscriber] == [
        ("subscriberId", "40101"),
        ("listId", "events"),
        ("email", "hedy.lamarr@example.net"),
        ("status", "1"),
    ]
    etree.XMLSchema(parse_file(XSD)).assertValid(answer)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        _basic(USER, "wrong"),
        _basic("someone-else", PASSWORD),
        "Basic not-base64!",
        f"Bearer {PASSWORD}",
    ],
    ids=["missing", "wrong-password", "wrong-user", "garbled", "other-scheme"],
)
def test_bad_credentials_get_one_undifferentiated_fault(
    running: RunningEmulator, http: requests.Session, authorization: str | None
) -> None:
    body = _body("subscribe", listId="events", email="eve@example.net")
    status, fault = _post(running, http, body, authorization)
    assert (status, fault.findtext("faultcode"), _error_code(fault)) == (500, "soapenv:Client", "104")
    assert fault.findtext("faultstring") == "Authentication failed: invalid API user or API key"
    assert _call(running, http, "listMembers", listId="events").findtext("total") == "0"


def test_qualified_fields_are_not_understood(running: RunningEmulator, http: requests.Session) -> None:
    body = etree.Element(f"{{{NS}}}listMembers", nsmap={"lp": NS})
    etree.SubElement(body, f"{{{NS}}}listId").text = "newsletter"
    status, fault = _post(running, http, body, _basic(USER, PASSWORD))
    assert (status, _error_code(fault)) == (500, "200")


def test_a_bad_status_filter_is_a_declared_fault(running: RunningEmulator, http: requests.Session) -> None:
    status, fault = _post(running, http, _body("listMembers", listId="newsletter", status="7"), _basic(USER, PASSWORD))
    assert (status, _error_code(fault)) == (500, "100")


# -- the adapter's fault rules, on live faults ---------------------------------------------


def _canonical_code(fault: etree._Element) -> str:
    adapter = tomllib.loads((ROOT / "adapters" / "mailing.toml").read_text())
    for rule in adapter["faults"]:
        if fault.xpath(rule["when"], namespaces=adapter["namespaces"]):
            return str(rule["code"])
    return "UpstreamFault"


@pytest.mark.parametrize(
    ("fields", "authorization", "expected"),
    [
        ({"listId": "black-friday", "email": "ada.lovelace@example.com"}, _basic(USER, PASSWORD), "NotFound"),
        ({"listId": "newsletter", "email": "not an address"}, _basic(USER, PASSWORD), "InvalidRequest"),
        (
            {"listId": "newsletter", "email": "ada.lovelace@example.com"},
            _basic(USER, "nope"),
            "UpstreamFault",
        ),
    ],
    ids=["unknown-list", "invalid-email", "bad-credentials"],
)
def test_fault_rules_classify_live_faults(
    running: RunningEmulator,
    http: requests.Session,
    fields: dict[str, str],
    authorization: str,
    expected: str,
) -> None:
    _, fault = _post(running, http, _body("subscribe", **fields), authorization)
    assert fault.tag == f"{{{SOAP_ENV}}}Fault"
    assert _canonical_code(fault) == expected


# -- the SubscribeCustomer mapping against the live emulator -------------------------------


def _transform(stem: str, document: etree._Element, **params: str) -> etree._Element:
    stylesheet = etree.XSLT(parse_file(XSLT / f"{stem}.xsl"))
    quoted = {name: etree.XSLT.strparam(value) for name, value in params.items()}
    result = stylesheet(document, **quoted).getroot()
    assert result is not None
    return result


def _assert_valid_canonical(element: etree._Element) -> None:
    etree.XMLSchema(parse_file(ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd")).assertValid(element)


def _assert_canonical(element: etree._Element) -> None:
    """Valid, and carrying no namespace but the canonical one (the engine's contract)."""
    _assert_valid_canonical(element)
    assert {ns for e in element.iter() for ns in e.nsmap.values()} == {CANONICAL}


@pytest.mark.parametrize("case", ["", ".existing"])
def test_mapping_round_trip_matches_the_golden_samples(
    running: RunningEmulator, http: requests.Session, case: str
) -> None:
    context = parse_file(SAMPLES / f"SubscribeCustomer.request{case}.in.xml").getroot()
    request = _transform("SubscribeCustomer.request", context)
    answer = _call(running, http, "subscribe", **{child.tag: child.text or "" for child in request})
    assert_xml_equal(answer, parse_file(SAMPLES / f"SubscribeCustomer.response{case}.in.xml").getroot(), case)
    fields = context.find(f"{{urn:soapbridge:context}}request/{{{CANONICAL}}}SubscribeCustomer")
    assert fields is not None
    params = {etree.QName(child).localname: child.text or "" for child in fields}
    canonical = _transform("SubscribeCustomer.response", answer, **params)
    _assert_canonical(canonical)
    assert_xml_equal(canonical, parse_file(SAMPLES / f"SubscribeCustomer.response{case}.out.xml").getroot(), case)


def test_response_mapping_takes_the_customer_from_the_request(running: RunningEmulator, http: requests.Session) -> None:
    answer = _call(running, http, "subscribe", listId="events", email="katherine.johnson@example.org")
    canonical = _transform("SubscribeCustomer.response", answer, customerId="1004", listId="events")
    _assert_canonical(canonical)
    assert canonical.findtext(f"{{{CANONICAL}}}subscription/{{{CANONICAL}}}customerId") == "1004"


def test_context_samples_hold_canonical_documents() -> None:
    for sample in sorted(SAMPLES.glob("SubscribeCustomer.*.in.xml")):
        root = parse_file(sample).getroot()
        if root.tag == "{urn:soapbridge:context}context":
            for part in root:
                _assert_valid_canonical(part[0])
            assert _transform("SubscribeCustomer.customer", root).tag == f"{{{CANONICAL}}}GetCustomer"
