"""The ehr emulator (MediChart) over real HTTP on loopback: SOAP 1.2 with a PasswordText UsernameToken, the
publication feed of finished encounters, its faults, its admin backdoor, and the golden samples."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from soapbridge.legacy import _server, build
from soapbridge.legacy.admin import start_admin
from soapbridge.legacy.ehr import NS, EhrEmulator
from soapbridge.legacy.ehr import build as build_ehr
from soapbridge.legacy.ehr_data import BillableItem
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin, EmulatorAdminError

WSDL = ROOT / "wsdl/ehr/MediChartEncounters.wsdl"
SAMPLES = ROOT / "xslt/ehr/samples"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}EncounterPublicationSoap12"
USER, PASSWORD = "billing-interface", "ward 7 rounds"
ACCOUNT = {"SOAPBRIDGE_EHR_USERNAME": USER, "SOAPBRIDGE_EHR_PASSWORD": PASSWORD}
SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)


@pytest.fixture
def ehr() -> Iterator[_server.RunningEmulator]:
    with _server.start(build("ehr", ROOT / "wsdl", ACCOUNT)) as emulator:
        yield emulator


def _client(password: str = PASSWORD, digest: bool = False) -> zeep.Client:
    session = requests.Session()
    session.trust_env = False
    token = UsernameToken(USER, password, use_digest=digest)
    return zeep.Client(str(WSDL), settings=SETTINGS, transport=zeep.Transport(session=session), wsse=token)


@pytest.fixture
def service(ehr: _server.RunningEmulator) -> Any:
    return _client().create_service(BINDING, ehr.url)


@pytest.fixture
def admin(ehr: _server.RunningEmulator) -> Iterator[EmulatorAdmin]:
    served = start_admin({"ehr": ehr.switch}, {}, {"ehr": lambda: ehr.emulator})
    yield EmulatorAdmin(served.url)
    served.stop()


def query(service: Any, cursor: str | None = None, most: int | None = None) -> Any:
    return service.QueryFinishedEncounters(
        cursor=None if cursor is None else {"value": cursor}, maxResults=None if most is None else {"value": most}
    )


def ids(answer: Any) -> list[str]:
    return [encounter.id.extension for encounter in answer.encounter]


def code_of(fault: zeep.exceptions.Fault) -> str | None:
    found = fault.detail.find(f"{{{NS}}}EhrFault/{{{NS}}}acknowledgementDetail/{{{NS}}}code")
    return None if found is None else found.get("code")


def test_the_seed_publishes_the_finished_encounters_in_the_order_they_finished(service: Any) -> None:
    answer = query(service)
    assert answer.acknowledgement.typeCode == "AA"
    assert ids(answer) == [f"E-20000{n}" for n in range(1, 7)]  # E-200007 is still in progress
    ada = answer.encounter[0]
    assert (ada.statusCode.code, ada.versionNumber.value, ada.effectiveTime.high.value) == (
        "completed",
        1,
        "20261130094000+0000",
    )
    patient = ada.subject.patient
    assert (patient.id.extension, patient.name.given, patient.name.family) == ("P-100001", ["Ada"], "Lovelace")
    assert patient.telecom[0].value == "mailto:ada.lovelace@example.com"
    item = ada.component[0].billableItem
    assert (item.code.code, item.quantity.value, item.unitPrice.value, item.unitPrice.currency) == (
        "99213",
        Decimal("1"),
        Decimal("85.00"),
        "GBP",
    )
    assert not answer.encounter[4].subject.patient.telecom  # Florence Nightingale: no email
    assert not answer.encounter[5].component  # a follow-up with nothing to bill
    assert (answer.cursor.value, answer.moreResults.value) == ("6", False)


def test_the_cursor_pages_through_the_publications(service: Any) -> None:
    first = query(service, most=4)
    assert len(first.encounter) == 4 and first.moreResults.value is True
    rest = query(service, first.cursor.value, 4)
    assert ids(rest) == ["E-200005", "E-200006"] and rest.moreResults.value is False
    assert not query(service, rest.cursor.value).encounter


@pytest.mark.parametrize(
    ("cursor", "most", "code"),
    [
        ("7", None, "INVALID_CURSOR"),
        ("x1", None, "INVALID_CURSOR"),
        (None, 0, "INVALID_PARAMETER"),
        (None, 1001, "INVALID_PARAMETER"),
    ],
)
def test_bad_parameters_are_sender_faults_with_a_reason(
    service: Any, cursor: str | None, most: int | None, code: str
) -> None:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        query(service, cursor, most)
    assert caught.value.code == "soap:Sender" or "Sender" in str(caught.value.code)
    assert code_of(caught.value) == code


@pytest.mark.parametrize(("password", "digest"), [("wrong", False), (PASSWORD, True)])
def test_only_the_account_s_password_text_is_accepted(
    ehr: _server.RunningEmulator, password: str, digest: bool
) -> None:
    service = _client(password, digest).create_service(BINDING, ehr.url)
    with pytest.raises(zeep.exceptions.Fault) as caught:
        query(service)
    assert code_of(caught.value) == "AUTHENTICATION_FAILED"


def test_a_soap_1_1_envelope_is_a_version_mismatch(ehr: _server.RunningEmulator, http: requests.Session) -> None:
    body = f'<m:QueryFinishedEncounters_Request xmlns:m="{NS}"/>'
    envelope = f'<e:Envelope xmlns:e="{SOAP11}"><e:Body>{body}</e:Body></e:Envelope>'
    answer = http.post(ehr.url, data=envelope.encode(), headers={"Content-Type": "text/xml"}, timeout=10)
    assert b"VersionMismatch" in answer.content


def test_the_wsdl_is_served_with_its_schema(ehr: _server.RunningEmulator, http: requests.Session) -> None:
    wsdl = http.get(f"{ehr.url}?wsdl", timeout=10)
    assert wsdl.status_code == 200 and ehr.url.encode() in wsdl.content
    assert http.get(f"{ehr.url}/MediChartEncounters.xsd", timeout=10).status_code == 200


def test_the_backdoor_admits_charges_finishes_and_amends(service: Any, admin: EmulatorAdmin) -> None:
    start = query(service).cursor.value
    patient = admin.backdoor("POST", "ehr", "patients", {"name": "Mary Seacole", "email": "mary@example.org"})
    assert patient == {"patientId": "P-100101", "name": "Mary Seacole", "email": "mary@example.org"}
    item = {"code": "99213", "description": "Office visit", "quantity": 1, "unitPrice": "85.00"}
    opened = admin.backdoor("POST", "ehr", "encounters", {"patientId": "P-100101", "items": [item]})
    assert (opened["encounterId"], opened["status"], opened["version"]) == ("E-200101", "active", 0)
    assert not query(service, start).encounter  # not finished: not published
    finished = admin.backdoor("POST", "ehr", "encounters/E-200101/finish")
    assert (finished["status"], finished["version"]) == ("completed", 1) and finished["finishedAt"].endswith("Z")
    amended = admin.backdoor("POST", "ehr", "encounters/E-200101/amend", {"items": [item, item]})
    assert amended["version"] == 2
    (published,) = query(service, start).encounter
    assert (published.id.extension, published.versionNumber.value, len(published.component)) == ("E-200101", 2, 2)
    at_once = admin.backdoor("POST", "ehr", "encounters", {"patientId": "P-100002", "items": [item], "finished": True})
    assert at_once["version"] == 1 and admin.backdoor("GET", "ehr", f"encounters/{at_once['encounterId']}") == at_once


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("encounters", {"patientId": "P-999999"}, "404 patient P-999999 does not exist"),
        ("encounters/E-200001/finish", None, "400 encounter E-200001 is finished already"),
        ("encounters/E-200007/amend", {"items": []}, "400 encounter E-200007 is not finished"),
        ("encounters/E-999999/finish", None, "404 encounter E-999999 does not exist"),
        ("encounters", {"patientId": "P-100001", "items": [{"code": "1"}]}, "400 description is required"),
        (
            "encounters",
            {"patientId": "P-100001", "items": [{"code": "1", "description": "x", "quantity": 0, "unitPrice": 1}]},
            "400 quantity must be more than 0",
        ),
        ("patients", {"name": "X", "email": "nope"}, "400 'nope' is not an email address"),
    ],
)
def test_the_backdoor_refuses_what_the_ehr_would(admin: EmulatorAdmin, path: str, body: Any, error: str) -> None:
    with pytest.raises(EmulatorAdminError) as caught:
        admin.backdoor("POST", "ehr", path, body)
    assert error in str(caught.value)


def test_the_emulator_needs_its_account() -> None:
    with pytest.raises(ValueError, match="SOAPBRIDGE_EHR_PASSWORD"):
        build_ehr(ROOT / "wsdl", {"SOAPBRIDGE_EHR_USERNAME": USER})


def test_golden_samples_are_what_the_live_emulator_does_with_their_history() -> None:
    """The samples' history: the seed; E-200007 finished on 2026-12-01 08:30; E-200001 amended at 09:00."""
    now = [datetime(2026, 11, 30, 18, 0, tzinfo=UTC)]
    emulator = build_ehr(ROOT / "wsdl", ACCOUNT, clock=lambda: now[0])
    assert isinstance(emulator, EhrEmulator)
    now[0] = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    emulator.registry.finish("E-200007")
    now[0] = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    items = (
        ("99213", "Office visit, established patient", "1", "85.00"),
        ("J1100", "Dexamethasone injection, 1 mg", "2.5", "4.20"),
    )
    emulator.registry.amend(
        "E-200001", tuple(BillableItem(c, d, Decimal(q), Decimal(p), "GBP") for c, d, q, p in items)
    )
    stylesheet = etree.XSLT(etree.parse(str(ROOT / "xslt/ehr/ListFinishedEncounters.request.xsl")))
    with _server.start(emulator) as ehr:
        client = _client()
        service = client.create_service(BINDING, ehr.url)
        for request in sorted(SAMPLES.glob("ListFinishedEncounters.request*.in.xml")):
            case = request.name.removeprefix("ListFinishedEncounters.request").removesuffix(".in.xml")
            legacy = stylesheet(etree.parse(str(request))).getroot()
            fields = {etree.QName(child).localname: {"value": child.get("value")} for child in legacy}
            with client.settings(raw_response=True):
                raw = service.QueryFinishedEncounters(**fields)
            answer = etree.fromstring(raw.content).find(f"{{{SOAP12}}}Body")[0]
            expected = etree.parse(str(SAMPLES / f"ListFinishedEncounters.response{case}.in.xml")).getroot()
            assert etree.tostring(answer, method="c14n2", strip_text=True) == etree.tostring(
                expected, method="c14n2", strip_text=True
            ), case
