"""Billing's createInvoice (release 2.4) over real HTTP: raising invoices on CRM customers' accounts, one per
externalRef, their rounding and refusals, the admin backdoor, and the CreateInvoice golden samples against the
live emulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault

from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.admin import start_admin
from soapbridge.legacy.billing import NS
from tests.conftest import ROOT
from tests.emulator_admin import EmulatorAdmin, EmulatorAdminError
from tests.xmlcompare import assert_xml_equal

WSDL = ROOT / "wsdl/billing/InvoiceService.wsdl"
SAMPLES = ROOT / "xslt/billing/samples"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BINDING = f"{{{NS}}}InvoiceServiceSoapBinding"
SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)
VISIT = {"text": "Office visit, established patient", "quantity": Decimal("1"), "unitPriceCents": 8500}


@pytest.fixture
def billing() -> Iterator[RunningEmulator]:
    with start(build("billing", ROOT / "wsdl", {})) as running:
        yield running


@pytest.fixture
def api(billing: RunningEmulator, http: requests.Session) -> Any:
    client = zeep.Client(str(WSDL), settings=SETTINGS, transport=zeep.Transport(session=http))
    return client.create_service(BINDING, billing.url)


@pytest.fixture
def admin(billing: RunningEmulator) -> Iterator[EmulatorAdmin]:
    served = start_admin({"billing": billing.switch}, {}, {"billing": lambda: billing.emulator})
    yield EmulatorAdmin(served.url)
    served.stop()


def create(api: Any, account: str = "ACC-001001", ref: str = "E-1", lines: Any = None, **parts: str) -> Any:
    fields = {"currency": "GBP", "issueDate": "30.11.2026"} | parts
    items = [VISIT] if lines is None else lines
    return api.createInvoice(accountNo=account, externalRef=ref, lines={"item": items}, **fields)


def fault_detail(fault: Fault) -> tuple[str, dict[str, str]]:
    (detail,) = fault.detail
    return etree.QName(detail).localname, {child.tag: child.text or "" for child in detail}


def test_an_invoice_is_raised_on_the_account_and_listed_with_its_reference(api: Any) -> None:
    answer = create(api, ref="E-200001")
    assert answer.accountNo == "ACC-001001"
    invoice = answer.invoice
    assert (invoice.invoiceNo, invoice.issueDate, invoice.dueDate, invoice.statusCode) == (
        "INV-2026-5001",
        "30.11.2026",
        "30.12.2026",
        "O",
    )
    assert (invoice.totalCents, invoice.openCents, invoice.externalRef) == (8500, 8500, "E-200001")
    listed = api.getAccountInvoices("ACC-001001").invoices.item
    assert listed[-1].invoiceNo == "INV-2026-5001" and listed[-1].externalRef == "E-200001"
    assert listed[0].externalRef is None  # the batch run's invoices have none
    assert create(api, ref="E-200002").invoice.invoiceNo == "INV-2026-5002"


def test_amounts_round_half_up_to_the_cent(api: Any) -> None:
    lines = [
        {"text": "Saline, per 100 ml", "quantity": Decimal("0.333"), "unitPriceCents": 125},
        {"text": "Discount", "quantity": Decimal("0.5"), "unitPriceCents": -5},
    ]
    invoice = create(api, lines=lines).invoice
    assert [line.amountCents for line in invoice.lines.item] == [42, -3]
    assert invoice.totalCents == 39


def test_an_external_reference_is_invoiced_once_whatever_the_account(api: Any) -> None:
    first = create(api, ref="E-200001").invoice
    for account in ("ACC-001001", "ACC-001002"):
        with pytest.raises(Fault) as caught:
            create(api, account=account, ref="E-200001")
        assert fault_detail(caught.value) == (
            "DuplicateReferenceFault",
            {"externalRef": "E-200001", "invoiceNo": first.invoiceNo},
        )
    assert len([i for i in api.getAccountInvoices("ACC-001002").invoices.item if i.externalRef]) == 0


def test_an_unknown_account_is_refused(api: Any) -> None:
    with pytest.raises(Fault) as caught:
        create(api, account="ACC-009999")
    assert fault_detail(caught.value) == ("UnknownAccountFault", {"accountNo": "ACC-009999"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{**VISIT, "quantity": Decimal("0")}]}, "quantity"),
        ({"lines": [{**VISIT, "quantity": Decimal("1.2345")}]}, "quantity"),
        ({"lines": [{**VISIT, "text": "x" * 201}]}, "text"),
        ({"issueDate": "2026-11-30"}, "issueDate"),
        ({"currency": "gbp"}, "currency"),
        ({"ref": "E" * 65}, "externalRef"),
    ],
)
def test_bad_fields_are_validation_faults_naming_the_field(api: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(Fault) as caught:
        create(api, **change)
    name, detail = fault_detail(caught.value)
    assert (name, detail["field"]) == ("ValidationFault", field)


def test_the_backdoor_lists_created_invoices_and_opens_accounts(api: Any, admin: EmulatorAdmin) -> None:
    assert admin.backdoor("GET", "billing", "invoices") == {"invoices": []}
    opened = admin.backdoor(
        "POST", "billing", "accounts", {"customerId": "1234", "holder": "Mary Seacole", "currency": "GBP"}
    )
    assert opened == {"accountNo": "ACC-001234", "holder": "Mary Seacole", "currency": "GBP"}
    create(api, account="ACC-001234", ref="E-9")
    (invoice,) = admin.backdoor("GET", "billing", "invoices")["invoices"]
    assert (invoice["accountNo"], invoice["externalRef"], invoice["totalCents"], invoice["status"]) == (
        "ACC-001234",
        "E-9",
        8500,
        "O",
    )
    with pytest.raises(EmulatorAdminError, match="400 account ACC-001234 exists already"):
        admin.backdoor("POST", "billing", "accounts", {"customerId": "1234", "holder": "M", "currency": "GBP"})
    with pytest.raises(EmulatorAdminError, match="400 customerId must be"):
        admin.backdoor("POST", "billing", "accounts", {"customerId": "0", "holder": "M", "currency": "GBP"})


def test_every_crm_customer_of_the_seed_has_an_account(api: Any) -> None:
    for customer in range(1001, 1007):
        assert api.getAccountInvoices(f"ACC-{customer:06d}").accountNo == f"ACC-{customer:06d}"


def test_a_unit_price_with_digits_beyond_the_cents_stops_the_request_mapping() -> None:
    request = etree.parse(str(SAMPLES / "CreateInvoice.request.in.xml"))
    request.find(".//{urn:soapbridge:canonical:v1}unitPrice").text = "85.005"
    stylesheet = etree.XSLT(etree.parse(str(ROOT / "xslt/billing/CreateInvoice.request.xsl")))
    with pytest.raises(etree.XSLTApplyError):
        stylesheet(request)
    assert "beyond the cents" in str(stylesheet.error_log)


@pytest.mark.parametrize(
    "case",
    [
        p.name.removeprefix("CreateInvoice.request").removesuffix(".in.xml")
        for p in sorted(SAMPLES.glob("CreateInvoice.request*.in.xml"))
    ],
    ids=lambda case: case or "default",
)
def test_golden_samples_are_what_the_live_emulator_does(
    billing: RunningEmulator, http: requests.Session, case: str
) -> None:
    stylesheet = etree.XSLT(etree.parse(str(ROOT / "xslt/billing/CreateInvoice.request.xsl")))
    legacy = stylesheet(etree.parse(str(SAMPLES / f"CreateInvoice.request{case}.in.xml"))).getroot()
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(legacy)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}#createInvoice"'}
    response = http.post(billing.url, data=etree.tostring(envelope), headers=headers, timeout=10)
    answer = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
    assert response.status_code == 200 and answer is not None
    billing.emulator.state.reset()  # type: ignore[attr-defined]
    assert_xml_equal(answer[0], etree.parse(str(SAMPLES / f"CreateInvoice.response{case}.in.xml")).getroot(), case)
