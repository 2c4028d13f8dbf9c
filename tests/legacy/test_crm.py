"""The crm emulator over real HTTP on loopback: zeep and raw envelopes, state, faults, WS-Security."""

from __future__ import annotations

import base64
import hashlib
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from soapbridge.legacy import _server
from soapbridge.legacy._wsse import TokenRejected, UsernameTokenVerifier, read_token
from soapbridge.legacy.crm import LOGON_FAILED, build
from soapbridge.xmlparse import parse_bytes

ROOT = Path(__file__).resolve().parents[2]
WSDL = ROOT / "wsdl/crm/ZCRM_CUSTOMER_V3.wsdl"
SAMPLES = ROOT / "xslt/crm/samples"
CANONICAL_XSD = ROOT / "wsdl/canonical/soapbridge-v1.xsd"
NS = "urn:example-erp:crm:customer:v3"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}ZCRM_CUSTOMER_V3_BINDING"
USER, PASSWORD = "SOAPBRIDGE", "correct horse battery staple"
ACCOUNT = {"SOAPBRIDGE_CRM_USERNAME": USER, "SOAPBRIDGE_CRM_PASSWORD": PASSWORD}
SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)


# -- fixtures and helpers -------------------------------------------------------------------


def _start() -> _server.RunningEmulator:
    return _server.start(build(ROOT / "wsdl", ACCOUNT), "127.0.0.1", 0)


@pytest.fixture(scope="module")
def running() -> Iterator[_server.RunningEmulator]:
    """One emulator for the tests that change no customer."""
    with _start() as emulator:
        yield emulator


@pytest.fixture
def fresh() -> Iterator[_server.RunningEmulator]:
    """A freshly seeded emulator, for a test that changes customers."""
    with _start() as emulator:
        yield emulator


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy from the environment
    return session


def _service(url: str, password: str = PASSWORD) -> Any:
    client = zeep.Client(
        str(WSDL),
        settings=SETTINGS,
        transport=zeep.Transport(session=_session()),
        wsse=UsernameToken(USER, password, use_digest=True),
    )
    return client.create_service(BINDING, url)


@pytest.fixture
def service(running: _server.RunningEmulator) -> Any:
    return _service(running.url)


def _signed(payload: etree._Element, token: UsernameToken | None = None) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(payload)
    if token is not None:
        token.apply(envelope, {})
    return bytes(etree.tostring(envelope))


def _digest_token(**overrides: Any) -> UsernameToken:
    return UsernameToken(
        overrides.pop("username", USER), overrides.pop("password", PASSWORD), use_digest=True, **overrides
    )


def _post(url: str, data: bytes) -> tuple[int, etree._Element]:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    answer = _session().post(url, data=data, headers=headers, timeout=5)
    assert answer.headers["Content-Type"].startswith("text/xml")
    body = parse_bytes(answer.content).find(f"{{{SOAP_ENV}}}Body")
    assert body is not None
    return answer.status_code, body[0]


def _read(kunnr: str) -> etree._Element:
    request = etree.Element(f"{{{NS}}}Z_CRM_CUSTOMER_READ", nsmap={"n0": NS})
    etree.SubElement(request, "IV_KUNNR").text = kunnr
    return request


def _sample(name: str) -> etree._Element:
    return etree.parse(str(SAMPLES / name)).getroot()


def _legacy_schema() -> etree.XMLSchema:
    schema = etree.parse(str(WSDL)).find(".//{http://www.w3.org/2001/XMLSchema}schema")
    assert schema is not None
    return etree.XMLSchema(etree.fromstring(etree.tostring(schema)))


def _assert_legacy_valid(element: etree._Element) -> None:
    _legacy_schema().assertValid(etree.ElementTree(etree.fromstring(etree.tostring(element))))


def _fault_detail(fault: etree._Element) -> etree._Element:
    """The valid BAPIRET2 detail of a soap:Fault element, or of zeep's Fault.detail itself."""
    detail = fault if fault.tag == "detail" else fault.find("detail")
    assert detail is not None and len(detail) == 1
    _assert_legacy_valid(detail[0])
    return detail[0]


# -- the WSDL -------------------------------------------------------------------------------


def test_wsdl_loads_in_zeep_and_its_schema_compiles() -> None:
    client = zeep.Client(str(WSDL), settings=SETTINGS)
    operations = client.wsdl.bindings[BINDING]._operations
    assert set(operations) == {
        "Z_CRM_CUSTOMER_READ",
        "Z_CRM_CUSTOMER_SEARCH",
        "Z_CRM_CUSTOMER_UPDATE",
        "Z_CRM_CUSTOMER_CHANGES_READ",
    }
    assert all(op.soapaction for op in operations.values())
    assert _legacy_schema() is not None


def test_served_wsdl_has_the_rewritten_address(running: _server.RunningEmulator) -> None:
    answer = _session().get(f"{running.url}?wsdl", timeout=5)
    served = parse_bytes(answer.content)
    addresses = [a.get("location") for a in served.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")]
    assert addresses == [running.url]


# -- operations through zeep ----------------------------------------------------------------


def test_read_returns_the_seeded_customer(service: Any) -> None:
    customer = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001001")
    assert (customer.KUNNR, customer.NAME1, customer.SMTP_ADDR) == (
        "0000001001",
        "Ada Lovelace",
        "ada.lovelace@example.com",
    )
    assert (customer.ORT01, customer.LAND1, customer.ERDAT, customer.STATUS) == (
        "London",
        "GB",
        "20150310",
        "A",
    )
    assert [row.TAG for row in customer.T_TAGS.item] == ["vip", "newsletter"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"IV_ORT01": "London"}, ["0000001001", "0000001004"]),
        ({"IV_ORT01": "arlington"}, ["0000001002"]),
        ({"IV_NAME1": "LOVE"}, ["0000001001"]),
        ({"IV_NAME1": "*ing"}, ["0000001003"]),
        ({"IV_NAME1": "a*", "IV_ORT01": "Manchester"}, ["0000001003"]),
        ({"IV_NAME1": "Nobody"}, []),
        ({}, [f"000000100{n}" for n in range(1, 7)]),
    ],
)
def test_search_matches_names_and_cities(service: Any, criteria: dict[str, str], expected: list[str]) -> None:
    found = service.Z_CRM_CUSTOMER_SEARCH(**criteria) or []
    assert [row.KUNNR for row in found] == expected


def test_update_replaces_the_record_and_later_reads_see_it(fresh: _server.RunningEmulator) -> None:
    service = _service(fresh.url)
    record = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001002")
    record.ORT01, record.TELF1, record.STATUS = "Washington", "", "B"
    record.T_TAGS = {"item": [{"TAG": "navy"}]}
    updated = service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=record)
    assert (updated.ORT01, updated.TELF1, updated.STATUS) == ("Washington", None, "B")
    again = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001002")
    assert (again.ORT01, again.STATUS, [row.TAG for row in again.T_TAGS.item]) == (
        "Washington",
        "B",
        ["navy"],
    )
    assert [row.KUNNR for row in service.Z_CRM_CUSTOMER_SEARCH(IV_ORT01="Arlington") or []] == []


def test_reads_in_parallel_all_succeed(running: _server.RunningEmulator) -> None:
    def read(_: int) -> str:
        return str(_service(running.url).Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001005").NAME1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(read, range(16))) == {"Katherine Johnson"}


# -- declared faults ------------------------------------------------------------------------


@pytest.mark.parametrize("kunnr", ["0000009999", "1001", ""])
def test_read_of_an_unknown_customer_is_not_found(service: Any, kunnr: str) -> None:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.Z_CRM_CUSTOMER_READ(IV_KUNNR=kunnr)
    assert raised.value.code == "soapenv:Client"
    detail = _fault_detail(raised.value.detail)
    assert detail.tag == f"{{{NS}}}ZCX_CRM_NOT_FOUND"
    assert (detail.findtext("TYPE"), detail.findtext("ID"), detail.findtext("NUMBER")) == ("E", "ZCRM", "001")


def test_update_of_an_unknown_customer_is_not_found(service: Any) -> None:
    record = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001001")
    record.KUNNR = "0000004242"
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=record)
    assert _fault_detail(raised.value.detail).tag == f"{{{NS}}}ZCX_CRM_NOT_FOUND"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("NAME1", ""),
        ("NAME1", "A name far too long for the thirty-five character NAME1 field"),
        ("SMTP_ADDR", "not-an-address"),
        ("TELF1", "call me"),
        ("LAND1", "gb"),
        ("ERDAT", "20230231"),
        ("STATUS", "X"),
        ("TAG", "no spaces allowed"),
    ],
)
def test_update_with_invalid_data_is_refused_and_changes_nothing(
    fresh: _server.RunningEmulator, field: str, value: str
) -> None:
    service = _service(fresh.url)
    record = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001003")
    if field == "TAG":
        record.T_TAGS = {"item": [{"TAG": value}]}
    else:
        setattr(record, field, value)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=record)
    detail = _fault_detail(raised.value.detail)
    assert detail.tag == f"{{{NS}}}ZCX_CRM_INVALID_DATA"
    assert (detail.findtext("FIELD"), detail.findtext("NUMBER")) == (field, "002")
    assert field in raised.value.message
    assert service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001003").NAME1 == "Alan Turing"


# -- raw envelopes, and the golden samples against the live system ---------------------------


def test_a_raw_envelope_gets_a_schema_valid_answer(running: _server.RunningEmulator) -> None:
    status, answer = _post(running.url, _signed(_read("0000001004"), _digest_token()))
    assert status == 200
    _assert_legacy_valid(answer)
    assert answer.findtext("ES_CUSTOMER/NAME1") == "Charles Babbage"
    assert answer.findtext("ES_CUSTOMER/STATUS") == "B"


def _cases() -> list[tuple[str, str]]:
    found = []
    for request in sorted(SAMPLES.glob("*.request*.in.xml")):
        operation, _, rest = request.name.partition(".request")
        if operation == "ListCustomerChanges":
            continue  # its answers carry when each change was made: test_crm_changes.py replays them on a clock
        found.append((operation, rest[: -len(".in.xml")]))
    return found


@pytest.mark.parametrize(("operation", "case"), _cases(), ids=lambda value: value or "default")
def test_golden_samples_are_what_the_live_emulator_does(
    request: pytest.FixtureRequest, operation: str, case: str
) -> None:
    changes_customers = operation == "UpdateCustomer"
    running: _server.RunningEmulator = request.getfixturevalue("fresh" if changes_customers else "running")
    canonical = etree.ElementTree(_sample(f"{operation}.request{case}.in.xml"))
    legacy_request = etree.XSLT(etree.parse(str(ROOT / f"xslt/crm/{operation}.request.xsl")))(canonical)
    _assert_legacy_valid(legacy_request.getroot())
    status, answer = _post(running.url, _signed(legacy_request.getroot(), _digest_token()))
    assert status == 200
    assert etree.tostring(answer, method="c14n2", strip_text=True) == etree.tostring(
        _sample(f"{operation}.response{case}.in.xml"), method="c14n2", strip_text=True
    )
    result = _to_canonical(operation, answer, canonical.getroot())
    etree.XMLSchema(file=str(CANONICAL_XSD)).assertValid(result)
    assert {etree.QName(e).namespace for e in result.iter()} == {"urn:soapbridge:canonical:v1"}


def _to_canonical(operation: str, answer: etree._Element, request: etree._Element) -> etree._ElementTree:
    stylesheet = etree.parse(str(ROOT / f"xslt/crm/{operation}.response.xsl"))
    declared = {p.get("name") for p in stylesheet.getroot().iter("{http://www.w3.org/1999/XSL/Transform}param")}
    fields = {etree.QName(child).localname: child.text or "" for child in request}
    params = {name: etree.XSLT.strparam(value) for name, value in fields.items() if name in declared}
    return etree.XSLT(stylesheet)(etree.ElementTree(answer), **params)


# -- WS-Security ----------------------------------------------------------------------------


def _assert_logon_failed(status: int, fault: etree._Element) -> None:
    assert status == 500
    assert (fault.findtext("faultcode"), fault.findtext("faultstring")) == ("soapenv:Client", LOGON_FAILED)
    assert _fault_detail(fault).tag == f"{{{NS}}}ZCX_CRM_NO_AUTHORITY"


BAD_TOKENS: dict[str, Callable[[], UsernameToken | None]] = {
    "missing": lambda: None,
    "wrong-password": lambda: _digest_token(password="wrong"),
    "wrong-user": lambda: _digest_token(username="SOMEONE"),
    "stale": lambda: _digest_token(created=datetime.now(UTC) - timedelta(minutes=5, seconds=2)),
    "future": lambda: _digest_token(created=datetime.now(UTC) + timedelta(minutes=1)),
    "password-text": lambda: UsernameToken(USER, PASSWORD),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_token_gets_the_same_client_fault(running: _server.RunningEmulator, kind: str) -> None:
    _assert_logon_failed(*_post(running.url, _signed(_read("0000001001"), BAD_TOKENS[kind]())))


def test_a_replayed_nonce_is_refused(running: _server.RunningEmulator) -> None:
    data = _signed(_read("0000001001"), _digest_token())
    assert _post(running.url, data)[0] == 200
    _assert_logon_failed(*_post(running.url, data))


def test_zeep_with_a_wrong_password_is_refused(running: _server.RunningEmulator) -> None:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        _service(running.url, password="guess").Z_CRM_CUSTOMER_SEARCH()
    assert raised.value.message == LOGON_FAILED
    assert PASSWORD not in raised.value.message


def test_the_verifier_honours_the_five_minute_window() -> None:
    created = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    header = _signed(_read("1"), _digest_token(created=created, nonce="n-1"))
    now = [created + timedelta(minutes=5)]
    verifier = UsernameTokenVerifier(USER, PASSWORD, clock=lambda: now[0])
    assert verifier.verify(_header(header)) == USER
    now[0] += timedelta(seconds=1)
    with pytest.raises(TokenRejected, match="too old"):
        UsernameTokenVerifier(USER, PASSWORD, clock=lambda: now[0]).verify(_header(header))
    assert PASSWORD not in repr(verifier)


def test_a_token_carries_the_profile_digest() -> None:
    created = "2026-01-05T09:00:00Z"
    token = _digest_token(created=datetime(2026, 1, 5, 9, 0, tzinfo=UTC), nonce="abc", zulu_timestamp=True)
    parsed = read_token(_header(_signed(_read("1"), token)))
    expected = base64.b64encode(hashlib.sha1(b"abc" + created.encode() + PASSWORD.encode()).digest())
    assert (parsed.nonce, parsed.created_text, base64.b64encode(parsed.digest)) == (b"abc", created, expected)


def _header(envelope: bytes) -> etree._Element:
    header = parse_bytes(envelope).find(f"{{{SOAP_ENV}}}Header")
    assert header is not None
    return header


@pytest.mark.parametrize("missing", ["SOAPBRIDGE_CRM_USERNAME", "SOAPBRIDGE_CRM_PASSWORD"])
def test_build_needs_the_account(missing: str) -> None:
    env = {key: value for key, value in ACCOUNT.items() if key != missing}
    with pytest.raises(ValueError, match=missing):
        build(ROOT / "wsdl", env)


# -- the adapter ----------------------------------------------------------------------------


def _adapter() -> dict[str, Any]:
    with (ROOT / "adapters/crm.toml").open("rb") as file:
        return tomllib.load(file)


def test_adapter_names_real_files_and_operations() -> None:
    adapter = _adapter()
    assert adapter["system"]["name"] == "crm"
    assert (ROOT / adapter["system"]["wsdl"]).resolve() == WSDL
    binding = zeep.Client(str(WSDL), settings=SETTINGS).wsdl.bindings[BINDING]
    for operation in adapter["operations"].values():
        assert operation["upstream"] in binding._operations
        assert (ROOT / operation["request"]).is_file() and (ROOT / operation["response"]).is_file()


@pytest.mark.parametrize(
    ("payload", "code"),
    [(_read("0000000042"), "NotFound"), (_read("0000001001"), "UpstreamFault")],
)
def test_adapter_fault_rules_classify_live_faults(
    running: _server.RunningEmulator, payload: etree._Element, code: str
) -> None:
    token = _digest_token() if code == "NotFound" else _digest_token(password="wrong")
    _, fault = _post(running.url, _signed(payload, token))
    assert _classify(fault) == code


def test_adapter_fault_rules_classify_invalid_data(running: _server.RunningEmulator) -> None:
    update = _sample("UpdateCustomer.request.out.xml")
    country = update.find("IS_CUSTOMER/LAND1")
    assert country is not None
    country.text = "Britain"
    _, fault = _post(running.url, _signed(update, _digest_token()))
    assert _classify(fault) == "InvalidRequest"


def _classify(fault: etree._Element) -> str:
    adapter = _adapter()
    for rule in adapter["faults"]:
        if fault.xpath(rule["when"], namespaces=adapter["namespaces"]):
            return str(rule["code"])
    return "UpstreamFault (unmatched)"
