"""The crm emulator's change pointers: Z_CRM_CUSTOMER_CHANGES_READ over real HTTP, and its admin backdoor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from soapbridge.legacy import _server
from soapbridge.legacy._changelog import ChangeLog
from soapbridge.legacy.admin import start_admin
from soapbridge.legacy.crm import build
from soapbridge.wsgi import Background
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin, EmulatorAdminError

NS = "urn:example-erp:crm:customer:v3"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SAMPLES = ROOT / "xslt/crm/samples"
BINDING = f"{{{NS}}}ZCRM_CUSTOMER_V3_BINDING"
USER, PASSWORD = "SOAPBRIDGE", "change pointers"
ACCOUNT = {"SOAPBRIDGE_CRM_USERNAME": USER, "SOAPBRIDGE_CRM_PASSWORD": PASSWORD}
SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)


@pytest.fixture
def crm() -> Iterator[_server.RunningEmulator]:
    with _server.start(build(ROOT / "wsdl", ACCOUNT)) as emulator:
        yield emulator


@pytest.fixture
def service(crm: _server.RunningEmulator) -> Any:
    return _client().create_service(BINDING, crm.url)


def _client() -> zeep.Client:
    session = requests.Session()
    session.trust_env = False
    return zeep.Client(
        str(ROOT / "wsdl/crm/ZCRM_CUSTOMER_V3.wsdl"),
        settings=SETTINGS,
        transport=zeep.Transport(session=session),
        wsse=UsernameToken(USER, PASSWORD, use_digest=True),
    )


@pytest.fixture
def admin(crm: _server.RunningEmulator) -> Iterator[EmulatorAdmin]:
    served: Background = start_admin({"crm": crm.switch}, {}, {"crm": lambda: crm.emulator})
    yield EmulatorAdmin(served.url)
    served.stop()


def changes(service: Any, pointer: str | None = None, rows: int | None = None) -> Any:
    return service.Z_CRM_CUSTOMER_CHANGES_READ(IV_POINTER=pointer, IV_MAX_ROWS=rows)


def kunnrs(answer: Any) -> list[str]:
    return [row.CUSTOMER.KUNNR for row in answer.ET_CHANGES.item]


def test_the_seed_reads_as_one_creation_per_customer_from_the_beginning(service: Any) -> None:
    answer = changes(service)
    assert kunnrs(answer) == [f"000000100{n}" for n in range(1, 7)]
    first = answer.ET_CHANGES.item[0]
    assert (first.CPIDENT, first.CHNGIND, first.CDCHGNO) == ("00000000000000000001", "I", "0000000001")
    assert abs(datetime.strptime(first.CRETIME, "%Y%m%d%H%M%S").replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(
        minutes=1
    )
    assert first.CUSTOMER.SMTP_ADDR == "ada.lovelace@example.com" and first.CUSTOMER.STATUS == "A"
    assert (answer.EV_POINTER, answer.EV_MORE) == ("00000000000000000006", None)


def test_pages_follow_the_pointer_until_nothing_is_left(service: Any) -> None:
    first = changes(service, rows=4)
    assert len(first.ET_CHANGES.item) == 4 and first.EV_MORE == "X"
    rest = changes(service, first.EV_POINTER, 4)
    assert kunnrs(rest) == ["0000001005", "0000001006"] and rest.EV_MORE is None
    empty = changes(service, rest.EV_POINTER)
    assert not empty.ET_CHANGES or not empty.ET_CHANGES.item
    assert empty.EV_POINTER == rest.EV_POINTER


def test_an_update_writes_a_pointer_and_the_customer_comes_once_in_its_latest_state(service: Any) -> None:
    start = changes(service).EV_POINTER
    customer = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001002")
    customer.STATUS = "B"
    service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=customer)
    customer.SMTP_ADDR = "grace@example.com"
    service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=customer)
    service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=customer)  # the same again: nothing changed, no pointer
    answer = changes(service, start)
    (row,) = answer.ET_CHANGES.item
    assert (row.CHNGIND, row.CDCHGNO, row.CPIDENT) == ("U", "0000000003", "00000000000000000008")
    assert (row.CUSTOMER.STATUS, row.CUSTOMER.SMTP_ADDR) == ("B", "grace@example.com")


@pytest.mark.parametrize("pointer", ["00000000000000000099", "abc", "-1"])
def test_a_pointer_not_written_yet_is_invalid_data(service: Any, pointer: str) -> None:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        changes(service, pointer)
    detail = caught.value.detail.find(f"{{{NS}}}ZCX_CRM_INVALID_DATA")
    assert detail is not None and detail.findtext("FIELD") == "IV_POINTER"


def test_max_rows_is_bounded(service: Any) -> None:
    with pytest.raises(zeep.exceptions.Fault):
        changes(service, rows=5001)


def test_the_backdoor_creates_and_changes_customers_with_pointers(service: Any, admin: EmulatorAdmin) -> None:
    start = changes(service).EV_POINTER
    created = admin.backdoor("POST", "crm", "customers", {"name": "Barbara Liskov", "email": "barbara@example.org"})
    assert created["version"] == 1 and created["customer"]["id"] == "1007"
    assert created["customer"]["status"] == "active"
    blocked = admin.backdoor("PATCH", "crm", "customers/1007", {"status": "blocked"})
    assert blocked["version"] == 2 and blocked["customer"]["status"] == "blocked"
    (row,) = changes(service, start).ET_CHANGES.item
    assert (row.CUSTOMER.KUNNR, row.CUSTOMER.STATUS, row.CDCHGNO) == ("0000001007", "B", "0000000002")
    assert service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001007").NAME1 == "Barbara Liskov"


def test_a_change_without_a_pointer_is_drift_the_feed_never_shows(service: Any, admin: EmulatorAdmin) -> None:
    start = changes(service).EV_POINTER
    quiet = admin.backdoor("PATCH", "crm", "customers/1001", {"email": "ada@example.net", "changePointer": False})
    assert quiet["version"] == 1
    after = changes(service, start).EV_POINTER
    assert after == start
    assert service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001001").SMTP_ADDR == "ada@example.net"


def test_bulk_seeds_customers_each_with_a_pointer(service: Any, admin: EmulatorAdmin) -> None:
    assert admin.backdoor("POST", "crm", "customers/bulk", {"count": 10_000}) == {
        "created": 10_000,
        "first": "1007",
        "last": "11006",
    }
    assert admin.backdoor("GET", "crm", "customers/11006")["customer"]["email"] == "customer11006@example.com"
    pointer, seen = None, 0
    while True:
        answer = changes(service, pointer, 5000)
        seen += len(answer.ET_CHANGES.item)
        pointer = answer.EV_POINTER
        if answer.EV_MORE != "X":
            break
    assert seen == 10_006 and pointer == f"{10_006:020d}"


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        ("GET", "customers/4242", None, "404 customer 4242 does not exist"),
        ("POST", "customers", {"name": "X"}, "400 email is required"),
        ("POST", "customers", {"name": "X", "email": "not-an-address"}, "400 email has an invalid format"),
        ("POST", "customers", {"name": "X", "email": "x@example.org", "id": "1001"}, "400 customer 1001 exists"),
        ("PATCH", "customers/1001", {"status": "gone"}, "400 status must be one of active, inactive, blocked"),
        ("PATCH", "customers/1001", {"colour": "red"}, "400 unknown field 'colour'"),
        ("POST", "customers/bulk", {"count": 0}, "400 count must be a whole number"),
        ("DELETE", "customers/1001", None, "404 crm offers no DELETE /customers/1001"),
    ],
)
def test_the_backdoor_refuses_bad_input_by_name(
    admin: EmulatorAdmin, method: str, path: str, body: Any, error: str
) -> None:
    with pytest.raises(EmulatorAdminError) as caught:
        admin.backdoor(method, "crm", path, body)
    assert error in str(caught.value)


def test_the_change_log_collapses_pointers_per_customer() -> None:
    log = ChangeLog()
    for kunnr in ("A", "B", "A", "C", "B"):
        log.record(kunnr)
    batch = log.since(0, 10)
    assert [(c.key, c.version, c.sequence) for c in batch.changes] == [("A", 2, 3), ("C", 1, 4), ("B", 2, 5)]
    assert (batch.next_sequence, batch.more) == (5, False)
    page = log.since(0, 1)
    assert ([c.key for c in page.changes], page.next_sequence, page.more) == (["A"], 3, True)
    assert log.since(3, 10).changes == batch.changes[1:]
    with pytest.raises(ValueError):
        log.since(6, 10)


def test_golden_samples_are_what_the_live_emulator_does_with_their_clock_and_history() -> None:
    """The samples' history: the seed created on 2026-11-30 08:00:00 (one customer a second), then 1004's email
    changed on 2026-12-02 14:05:09."""
    times = [datetime(2026, 11, 30, 8, 0, n, tzinfo=UTC) for n in range(6)] + [
        datetime(2026, 12, 2, 14, 5, 9, tzinfo=UTC)
    ]
    with _server.start(build(ROOT / "wsdl", ACCOUNT, clock=iter(times).__next__)) as crm:
        client = _client()
        service = client.create_service(BINDING, crm.url)
        babbage = service.Z_CRM_CUSTOMER_READ(IV_KUNNR="0000001004")
        babbage.SMTP_ADDR = "c.babbage@example.org"
        service.Z_CRM_CUSTOMER_UPDATE(IS_CUSTOMER=babbage)
        for request in sorted(SAMPLES.glob("ListCustomerChanges.request*.in.xml")):
            case = request.name.removeprefix("ListCustomerChanges.request").removesuffix(".in.xml")
            legacy = etree.XSLT(etree.parse(str(ROOT / "xslt/crm/ListCustomerChanges.request.xsl")))(
                etree.parse(request)
            )
            with client.settings(raw_response=True):
                raw = service.Z_CRM_CUSTOMER_CHANGES_READ(**{child.tag: child.text for child in legacy.getroot()})
            answer = etree.fromstring(raw.content).find(f"{{{SOAP_ENV}}}Body")[0]
            expected = etree.parse(SAMPLES / f"ListCustomerChanges.response{case}.in.xml").getroot()
            assert etree.tostring(answer, method="c14n2", strip_text=True) == etree.tostring(
                expected, method="c14n2", strip_text=True
            ), case
