"""ListPost 1.4 (the mailing emulator) for list synchronisation, over real HTTP: members' names, pages of
listMembers, subscribe with updateExisting, unsubscribe by externalId, the admin backdoor, and the golden
samples of ListSubscribers, SubscribeContact and UnsubscribeCustomer against the live system."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.admin import start_admin
from soapbridge.legacy.mailing import NS
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin, EmulatorAdminError
from tests.xmlcompare import assert_xml_equal

WSDL = ROOT / "wsdl" / "mailing" / "ListPostApi.wsdl"
SAMPLES = ROOT / "xslt" / "mailing" / "samples"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}ListPostApiBinding"
USER, PASSWORD = "list-sync", "another-api-key"
ENV = {"SOAPBRIDGE_MAILING_USERNAME": USER, "SOAPBRIDGE_MAILING_PASSWORD": PASSWORD}
SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)
OPERATIONS = {"ListSubscribers": "listMembers", "SubscribeContact": "subscribe", "UnsubscribeCustomer": "unsubscribe"}


@pytest.fixture
def mailing() -> Iterator[RunningEmulator]:
    with start(build("mailing", ROOT / "wsdl", ENV)) as running:
        yield running


@pytest.fixture
def client(http: requests.Session) -> zeep.Client:
    http.auth = (USER, PASSWORD)
    return zeep.Client(str(WSDL), settings=SETTINGS, transport=zeep.Transport(session=http))


@pytest.fixture
def api(mailing: RunningEmulator, client: zeep.Client) -> Any:
    return client.create_service(BINDING, mailing.url)


@pytest.fixture
def admin(mailing: RunningEmulator) -> Iterator[EmulatorAdmin]:
    served = start_admin({"mailing": mailing.switch}, {}, {"mailing": lambda: mailing.emulator})
    yield EmulatorAdmin(served.url)
    served.stop()


def error_code(fault: Fault) -> str | None:
    detail = fault.detail.find(f"{{{NS}}}apiFault")
    return None if detail is None else detail.findtext("errorCode")


def test_members_come_in_pages_with_the_total(api: Any) -> None:
    whole = api.listMembers(listId="newsletter")
    assert whole.total == 4 and len(whole.member) == 4
    assert (whole.member[0].fullName, whole.member[3].fullName) == ("Ada Lovelace", None)
    page = api.listMembers(listId="newsletter", start=1, limit=2)
    assert [m.subscriberId for m in page.member] == [40002, 40003] and page.total == 4
    beyond = api.listMembers(listId="newsletter", start=10, limit=2)
    assert not beyond.member and beyond.total == 4
    subscribed = api.listMembers(listId="newsletter", status=1, start=0, limit=1)
    assert subscribed.total == 3 and len(subscribed.member) == 1


@pytest.mark.parametrize("fields", [{"limit": 0}, {"limit": 1001}, {"start": -1}])
def test_a_page_out_of_bounds_is_an_invalid_parameter(api: Any, fields: dict[str, int]) -> None:
    with pytest.raises(Fault) as caught:
        api.listMembers(listId="newsletter", **fields)
    assert error_code(caught.value) == "100"


def test_subscribe_keeps_an_existing_members_details_unless_told_to_update_them(api: Any) -> None:
    kept = api.subscribe(listId="newsletter", email="alan.turing@example.com", externalId="7", fullName="A. M. Turing")
    assert (kept.externalId, kept.fullName, kept.status) == ("1003", "Alan Turing", 1)
    api.unsubscribe(listId="newsletter", email="alan.turing@example.com")
    updated = api.subscribe(
        listId="newsletter",
        email="Alan.Turing@example.com",
        externalId="1007",
        fullName="Alan M. Turing",
        updateExisting=True,
    )
    assert (updated.subscriberId, updated.externalId, updated.fullName, updated.status) == (
        40003,
        "1007",
        "Alan M. Turing",
        1,
    )
    new = api.subscribe(listId="events", email="hedy.lamarr@example.org", externalId="1006", fullName="Hedy Lamarr")
    assert (new.subscriberId, new.fullName) == (40101, "Hedy Lamarr")


def test_unsubscribe_by_external_id_reaches_every_address_of_that_id(api: Any) -> None:
    api.subscribe(listId="newsletter", email="grace@navy.example.mil", externalId="1002")
    first = api.unsubscribe(listId="newsletter", externalId="1002")
    assert (first.email, first.status) == ("grace.hopper@example.com", 0)
    members = {m.email: m.status for m in api.listMembers(listId="newsletter").member}
    assert members["grace.hopper@example.com"] == members["grace@navy.example.mil"] == 0
    assert members["ada.lovelace@example.com"] == 1
    again = api.unsubscribe(listId="newsletter", externalId="1002")
    assert again.status == 0


def test_unsubscribe_refuses_an_unknown_member_and_wants_one_key(
    mailing: RunningEmulator, http: requests.Session
) -> None:
    assert _raw(mailing, http, "unsubscribe", listId="newsletter", externalId="4242") == "232"
    assert _raw(mailing, http, "unsubscribe", listId="newsletter", email="nobody@example.org") == "232"
    assert _raw(mailing, http, "unsubscribe", listId="newsletter") == "100"
    assert _raw(mailing, http, "unsubscribe", listId="newsletter", email="a@example.org", externalId="1") == "100"
    assert _raw(mailing, http, "subscribe", listId="events", email="a@example.org", updateExisting="maybe") == "100"


def test_the_backdoor_changes_memberships_behind_the_platforms_callers(api: Any, admin: EmulatorAdmin) -> None:
    shown = admin.backdoor(
        "PUT", "mailing", "lists/newsletter/members", {"email": "ada.lovelace@example.com", "status": 0}
    )
    assert (shown["subscriberId"], shown["externalId"], shown["status"]) == (40001, None, 0)
    added = admin.backdoor(
        "PUT", "mailing", "lists/events/members", {"email": "x@example.org", "externalId": "1001", "status": 1}
    )
    assert added["subscriberId"] == 40101
    assert admin.backdoor("DELETE", "mailing", "lists/newsletter/members/grace.hopper@example.com")["removed"]
    members = {m["email"]: m for m in admin.backdoor("GET", "mailing", "lists/newsletter")["members"]}
    assert "grace.hopper@example.com" not in members and members["ada.lovelace@example.com"]["status"] == 0
    assert [m.email for m in api.listMembers(listId="events").member] == ["x@example.org"]


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("GET", "lists/nonesuch", None, "404 Invalid mailing list ID: nonesuch"),
        ("PUT", "lists/events/members", {"email": "x@example.org", "status": 2}, "400 status must be 0"),
        ("PUT", "lists/events/members", {"email": "not an address", "status": 1}, "400 Invalid email address"),
        ("DELETE", "lists/events/members/nobody@example.org", None, "404 nobody@example.org is not on list events"),
        ("PUT", "lists/events", {"email": "x@example.org", "status": 1}, "404 no such resource"),
    ],
)
def test_the_backdoor_refuses_bad_input(admin: EmulatorAdmin, method: str, path: str, body: Any, error: str) -> None:
    with pytest.raises(EmulatorAdminError) as caught:
        admin.backdoor(method, "mailing", path, body)
    assert error in str(caught.value)


def _cases() -> list[tuple[str, str]]:
    found = []
    for operation in OPERATIONS:
        for request in sorted(SAMPLES.glob(f"{operation}.request*.in.xml")):
            found.append((operation, request.name.removeprefix(f"{operation}.request").removesuffix(".in.xml")))
    return found


@pytest.mark.parametrize(("operation", "case"), _cases(), ids=lambda value: value or "default")
def test_golden_samples_are_what_the_live_emulator_does(
    mailing: RunningEmulator, http: requests.Session, operation: str, case: str
) -> None:
    """Each sample request's legacy request, sent to a freshly seeded ListPost, gets the sample answer."""
    stylesheet = etree.XSLT(etree.parse(str(ROOT / f"xslt/mailing/{operation}.request.xsl")))
    legacy = stylesheet(etree.parse(str(SAMPLES / f"{operation}.request{case}.in.xml"))).getroot()
    answer = _post(mailing, http, legacy)
    assert_xml_equal(answer, etree.parse(str(SAMPLES / f"{operation}.response{case}.in.xml")).getroot(), case)


def _raw(mailing: RunningEmulator, http: requests.Session, operation: str, **fields: str) -> str | None:
    """The errorCode of the fault a raw request gets (None: no fault)."""
    body = etree.Element(f"{{{NS}}}{operation}", nsmap={"lp": NS})
    for name, value in fields.items():
        etree.SubElement(body, name).text = value
    answer = _post(mailing, http, body)
    return answer.findtext(f"detail/{{{NS}}}apiFault/errorCode")


def _post(mailing: RunningEmulator, http: requests.Session, body: etree._Element) -> etree._Element:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(body)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}{etree.QName(body).localname}"'}
    response = http.post(mailing.url, data=etree.tostring(envelope), headers=headers, auth=(USER, PASSWORD), timeout=10)
    answer = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
    assert answer is not None
    return answer[0]
