"""The billing emulator (InvoiceService, rpc/literal) over real HTTP on loopback, and its mappings."""

from __future__ import annotations

import copy
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
from soapbridge.legacy.billing import NS, BillingEmulator
from soapbridge.legacy.billing_data import seed_invoices
from soapbridge.xmlparse import parse_bytes, parse_file
from tests.xmlcompare import assert_xml_equal

ROOT = Path(__file__).resolve().parents[2]
WSDL = ROOT / "wsdl" / "billing" / "InvoiceService.wsdl"
XSLT = ROOT / "xslt" / "billing"
SAMPLES = XSLT / "samples"
CANONICAL = "urn:soapbridge:canonical:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
BINDING = f"{{{NS}}}InvoiceServiceSoapBinding"
ZEEP_SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)
CANONICAL_SCHEMA = etree.XMLSchema(file=str(ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd"))
ORDER = {
    "invoiceNo": "INV-2024-0242",
    "amountCents": "10000",
    "currency": "GBP",
    "valueDate": "02.05.2024",
    "reference": "Bank transfer A. Lovelace",
}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningEmulator]:
    with start(build("billing", ROOT / "wsdl", {}), "127.0.0.1", 0) as running:
        yield running


@pytest.fixture
def running(server: RunningEmulator) -> RunningEmulator:
    """The shared server, its ledger back at the seed."""
    assert isinstance(server.emulator, BillingEmulator)
    server.emulator.state.reset()
    return server


@pytest.fixture
def ledger(running: RunningEmulator) -> BillingEmulator:
    assert isinstance(running.emulator, BillingEmulator)
    return running.emulator


@pytest.fixture
def api(running: RunningEmulator, http: requests.Session) -> zeep.proxy.ServiceProxy:
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS, transport=zeep.Transport(session=http))
    return client.create_service(BINDING, running.url)


def _rpc(operation: str, **parts: str) -> etree._Element:
    """An rpc/literal request: the wrapper is qualified, the part accessors are not."""
    element = etree.Element(f"{{{NS}}}{operation}", nsmap={"ns1": NS})
    for name, value in parts.items():
        etree.SubElement(element, name).text = value
    return element


def _post(running: RunningEmulator, http: requests.Session, body: etree._Element) -> tuple[int, etree._Element]:
    """POST one envelope; the HTTP status and the Body's child (the answer or the Fault)."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(body)
    action = f'"{NS}#{etree.QName(body).localname}"'
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action}
    response = http.post(running.url, data=etree.tostring(envelope), headers=headers, timeout=5)
    answer = parse_bytes(response.content).find(f"{{{SOAP_ENV}}}Body")
    assert answer is not None and len(answer) == 1
    return response.status_code, answer[0]


def _open_cents(running: RunningEmulator, http: requests.Session, account: str, invoice: str) -> int:
    _, answer = _post(running, http, _rpc("getAccountInvoices", accountNo=account))
    return int(answer.xpath("string(invoices/item[invoiceNo = $no]/openCents)", no=invoice))


def _wsdl_schema_element() -> etree._Element:
    schema = parse_file(WSDL).getroot().find(f"{{{WSDL_NS}}}types/{{{XSD}}}schema")
    assert schema is not None
    return copy.deepcopy(schema)


def _rpc_schema() -> etree.XMLSchema:
    """The WSDL's types plus one element per rpc wrapper, its parts as unqualified children."""
    schema, wsdl = _wsdl_schema_element(), parse_file(WSDL).getroot()
    for operation in wsdl.iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation"):
        for direction, suffix in (("input", ""), ("output", "Response")):
            message_name = operation.find(f"{{{WSDL_NS}}}{direction}").get("message").split(":")[1]
            message = wsdl.find(f"{{{WSDL_NS}}}message[@name='{message_name}']")
            wrapper = etree.SubElement(schema, f"{{{XSD}}}element", name=operation.get("name") + suffix)
            complex_type = etree.SubElement(wrapper, f"{{{XSD}}}complexType")
            sequence = etree.SubElement(complex_type, f"{{{XSD}}}sequence")
            for part in message.iterfind(f"{{{WSDL_NS}}}part"):
                local = etree.SubElement(sequence, f"{{{XSD}}}element", nsmap={"impl": NS, "xsd": XSD})
                local.set("name", part.get("name"))
                local.set("type", part.get("type"))
    return etree.XMLSchema(etree.ElementTree(schema))


RPC_SCHEMA = _rpc_schema()
DETAIL_SCHEMA = etree.XMLSchema(etree.ElementTree(_wsdl_schema_element()))


# -- the WSDL -------------------------------------------------------------------------------


def test_wsdl_loads_in_zeep_as_rpc_literal_with_declared_faults() -> None:
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS)
    binding = client.wsdl.bindings[BINDING]
    assert set(binding._operations) == {"getAccountInvoices", "postPayment", "createInvoice"}
    assert {op.style for op in binding._operations.values()} == {"rpc"}
    assert set(binding._operations["postPayment"].faults) == {
        "UnknownInvoiceFault",
        "PaymentRejectedFault",
        "ValidationFault",
    }
    assert set(binding._operations["getAccountInvoices"].faults) == {"UnknownAccountFault"}
    assert set(binding._operations["createInvoice"].faults) == {
        "UnknownAccountFault",
        "DuplicateReferenceFault",
        "ValidationFault",
    }


def test_every_operation_has_a_soap_action() -> None:
    actions = (
        parse_file(WSDL)
        .getroot()
        .xpath("//w:binding/w:operation/s:operation/@soapAction", namespaces={"w": WSDL_NS, "s": WSDL_SOAP})
    )
    assert actions == [f"{NS}#getAccountInvoices", f"{NS}#postPayment", f"{NS}#createInvoice"]


def test_served_wsdl_names_the_address_it_is_served_from(running: RunningEmulator, http: requests.Session) -> None:
    response = http.get(f"{running.url}?wsdl", timeout=5)
    assert response.status_code == 200
    locations = parse_bytes(response.content).xpath("//s:address/@location", namespaces={"s": WSDL_SOAP})
    assert locations == [running.url]


# -- getAccountInvoices -----------------------------------------------------------------------


def test_zeep_lists_an_accounts_invoices(api: zeep.proxy.ServiceProxy) -> None:
    answer = api.getAccountInvoices("ACC-001001")
    assert answer.accountNo == "ACC-001001"
    invoices = {i.invoiceNo: i for i in answer.invoices.item}
    assert list(invoices) == ["INV-2024-0101", "INV-2024-0187", "INV-2024-0242"]
    assert [(i.statusCode, i.totalCents, i.openCents) for i in invoices.values()] == [
        ("P", 104500, 0),
        ("D", 53990, 53990),
        ("O", 27500, 17500),
    ]
    discount = invoices["INV-2024-0242"].lines.item[1]
    assert (discount.text, discount.unitPriceCents, discount.amountCents) == ("Loyalty discount", -2500, -2500)
    assert invoices["INV-2024-0242"].issueDate == "02.04.2024"


def test_grace_hopper_is_billed_in_dollars(api: zeep.proxy.ServiceProxy) -> None:
    answer = api.getAccountInvoices("ACC-001002")
    assert {i.currency for i in answer.invoices.item} == {"USD"}


def test_an_account_without_invoices_lists_none(api: zeep.proxy.ServiceProxy) -> None:
    assert not api.getAccountInvoices("ACC-001005").invoices


def test_zeep_sees_the_unknown_account_fault(api: zeep.proxy.ServiceProxy) -> None:
    with pytest.raises(Fault) as caught:
        api.getAccountInvoices("ACC-009999")
    assert caught.value.code == "soapenv:Client"
    assert caught.value.detail[0].tag == f"{{{NS}}}UnknownAccountFault"
    assert caught.value.detail[0].findtext("accountNo") == "ACC-009999"


def test_raw_answer_is_rpc_literal_and_matches_the_wsdl(running: RunningEmulator, http: requests.Session) -> None:
    status, answer = _post(running, http, _rpc("getAccountInvoices", accountNo="ACC-001003"))
    assert status == 200
    assert answer.tag == f"{{{NS}}}getAccountInvoicesResponse"
    assert [child.tag for child in answer] == ["accountNo", "invoices"]
    RPC_SCHEMA.assertValid(etree.ElementTree(copy.deepcopy(answer)))
    assert answer.xpath("string(invoices/item[statusCode = 'D']/invoiceNo)") == "INV-2023-0917"


# -- postPayment ----------------------------------------------------------------------------


def test_zeep_partial_payment_lowers_the_balance(
    api: zeep.proxy.ServiceProxy, ledger: BillingEmulator, running: RunningEmulator, http: requests.Session
) -> None:
    confirmation = api.postPayment("INV-2024-0242", 10000, "GBP", "02.05.2024", "Bank transfer A. Lovelace")
    assert (confirmation.paymentNo, confirmation.openCents, confirmation.statusCode) == (70000101, 7500, "O")
    assert [(p.invoice_no, p.amount_cents) for p in ledger.payments] == [("INV-2024-0242", 10000)]
    assert _open_cents(running, http, "ACC-001001", "INV-2024-0242") == 7500


def test_paying_the_balance_off_marks_the_invoice_paid(
    api: zeep.proxy.ServiceProxy, running: RunningEmulator, http: requests.Session
) -> None:
    confirmation = api.postPayment("INV-2023-0917", 63000, "GBP", "01.11.2023", "Final settlement")
    assert (confirmation.openCents, confirmation.statusCode) == (0, "P")
    _, answer = _post(running, http, _rpc("getAccountInvoices", accountNo="ACC-001003"))
    assert answer.xpath("string(invoices/item[invoiceNo = 'INV-2023-0917']/statusCode)") == "P"


def test_posting_the_same_payment_twice_books_it_twice(
    running: RunningEmulator, http: requests.Session, ledger: BillingEmulator
) -> None:
    order = _rpc("postPayment", **{**ORDER, "amountCents": "5000"})
    answers = [_post(running, http, copy.deepcopy(order))[1] for _ in range(2)]
    assert [a.findtext("confirmation/paymentNo") for a in answers] == ["70000101", "70000102"]
    assert [a.findtext("confirmation/openCents") for a in answers] == ["12500", "7500"]
    assert len(ledger.payments) == 2


def test_concurrent_payments_are_each_booked_once(running: RunningEmulator, ledger: BillingEmulator) -> None:
    def pay_one_cent(_: int) -> int:
        with requests.Session() as session:
            session.trust_env = False
            return _post(running, session, _rpc("postPayment", **{**ORDER, "amountCents": "1"}))[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(pay_one_cent, range(40)))
    assert statuses == [200] * 40
    assert sorted(p.number for p in ledger.payments) == list(range(70000101, 70000141))
    assert ledger.state.invoices["INV-2024-0242"].open_cents == 17500 - 40


REFUSALS = [
    ({"invoiceNo": "INV-1999-0001"}, "UnknownInvoiceFault", None),
    ({"currency": "USD"}, "PaymentRejectedFault", "CURRENCY_MISMATCH"),
    ({"amountCents": "17501"}, "PaymentRejectedFault", "EXCEEDS_BALANCE"),
    ({"invoiceNo": "INV-2024-0101"}, "PaymentRejectedFault", "INVOICE_SETTLED"),
    ({"amountCents": "1234.5"}, "ValidationFault", "amountCents"),
    ({"amountCents": "-100"}, "ValidationFault", "amountCents"),
    ({"amountCents": "0"}, "ValidationFault", "amountCents"),
    ({"currency": "gbp"}, "ValidationFault", "currency"),
    ({"valueDate": "2024-05-02"}, "ValidationFault", "valueDate"),
    ({"valueDate": "31.02.2024"}, "ValidationFault", "valueDate"),
    ({"reference": "x" * 141}, "ValidationFault", "reference"),
    ({"reference": ""}, "ValidationFault", "reference"),
]


@pytest.mark.parametrize(("change", "detail_name", "reason"), REFUSALS, ids=lambda v: str(v)[:30])
def test_refused_payments_fault_as_declared_and_book_nothing(
    running: RunningEmulator,
    http: requests.Session,
    ledger: BillingEmulator,
    change: dict[str, str],
    detail_name: str,
    reason: str | None,
) -> None:
    status, fault = _post(running, http, _rpc("postPayment", **{**ORDER, **change}))
    assert (status, fault.tag, fault.findtext("faultcode")) == (500, f"{{{SOAP_ENV}}}Fault", "soapenv:Client")
    detail = fault.find(f"detail/{{{NS}}}{detail_name}")
    assert detail is not None, etree.tostring(fault)
    DETAIL_SCHEMA.assertValid(etree.ElementTree(copy.deepcopy(detail)))
    assert reason is None or reason in (detail.findtext("reasonCode"), detail.findtext("field"))
    assert ledger.payments == []
    assert _open_cents(running, http, "ACC-001001", "INV-2024-0242") == 17500


def test_a_missing_part_is_a_validation_fault(running: RunningEmulator, http: requests.Session) -> None:
    parts = {k: v for k, v in ORDER.items() if k != "valueDate"}
    _, fault = _post(running, http, _rpc("postPayment", **parts))
    assert fault.findtext(f"detail/{{{NS}}}ValidationFault/field") == "valueDate"


def test_zeep_sees_a_payment_rejection(api: zeep.proxy.ServiceProxy) -> None:
    with pytest.raises(Fault) as caught:
        api.postPayment("INV-2024-0233", 100, "GBP", "20.04.2024", "Wrong currency")
    assert caught.value.message == "invoice INV-2024-0233 is in USD, the payment in GBP"
    assert caught.value.detail[0].findtext("reasonCode") == "CURRENCY_MISMATCH"


def test_the_seed_holds_only_whole_cent_lines() -> None:
    for invoice in seed_invoices().values():
        for line in invoice.lines:
            assert line.quantity * line.unit_price_cents == line.amount_cents, (invoice.number, line.text)
        assert 0 <= invoice.open_cents <= invoice.total_cents


# -- the mappings against the live emulator ---------------------------------------------------


def _transform(stylesheet: str) -> etree.XSLT:
    return etree.XSLT(parse_file(XSLT / stylesheet), access_control=etree.XSLTAccessControl.DENY_ALL)


def _canonical_params(stylesheet: str, canonical: etree._Element) -> dict[str, str]:
    """What the engine passes: the request's fields named by the stylesheet's top-level params."""
    declared = {
        p.get("name")
        for p in parse_file(XSLT / stylesheet).getroot().iterfind("{http://www.w3.org/1999/XSL/Transform}param")
    }
    fields = {etree.QName(child).localname: child.text or "" for child in canonical}
    return {name: etree.XSLT.strparam(fields.get(name, "")) for name in declared}


def _through_billing(
    running: RunningEmulator, http: requests.Session, operation: str, canonical: etree._Element
) -> tuple[etree._Element, etree._Element]:
    """The canonical request mapped, posted to billing, and the answer mapped back."""
    legacy_request = _transform(f"{operation}.request.xsl")(canonical).getroot()
    RPC_SCHEMA.assertValid(etree.ElementTree(copy.deepcopy(legacy_request)))
    status, legacy_answer = _post(running, http, legacy_request)
    assert status == 200, etree.tostring(legacy_answer)
    stylesheet = f"{operation}.response.xsl"
    mapped = _transform(stylesheet)(legacy_answer, **_canonical_params(stylesheet, canonical)).getroot()
    CANONICAL_SCHEMA.assertValid(etree.ElementTree(mapped))
    assert {ns for el in mapped.iter() for ns in el.nsmap.values()} == {CANONICAL}
    return legacy_answer, mapped


RESPONSE_SAMPLES = sorted(SAMPLES.glob("*.response*.in.xml"))


@pytest.mark.parametrize("sample", RESPONSE_SAMPLES, ids=lambda p: p.name)
def test_golden_samples_are_what_billing_answers(
    running: RunningEmulator, http: requests.Session, sample: Path
) -> None:
    operation, case = sample.name.split(".response")
    request = SAMPLES / f"{operation}.request{case}"
    legacy_answer, mapped = _through_billing(running, http, operation, parse_file(request).getroot())
    assert_xml_equal(legacy_answer, parse_file(sample).getroot(), sample.name)
    assert_xml_equal(mapped, parse_file(sample.with_name(sample.name.replace(".in.", ".out."))).getroot())


@pytest.mark.parametrize("status", ["", "open", "paid", "overdue"])
@pytest.mark.parametrize("customer", ["1001", "1002", "1003", "1004", "1005"])
def test_list_invoices_maps_every_live_answer(
    running: RunningEmulator, http: requests.Session, customer: str, status: str
) -> None:
    canonical = etree.Element(f"{{{CANONICAL}}}ListInvoices")
    etree.SubElement(canonical, f"{{{CANONICAL}}}customerId").text = customer
    if status:
        etree.SubElement(canonical, f"{{{CANONICAL}}}status").text = status
    _, mapped = _through_billing(running, http, "ListInvoices", canonical)
    assert set(mapped.xpath("//cn:customerId/text()", namespaces={"cn": CANONICAL})) <= {customer}
    statuses = set(mapped.xpath("cn:invoice/cn:status/text()", namespaces={"cn": CANONICAL}))
    assert statuses <= ({status} if status else {"open", "paid", "overdue"})


@pytest.mark.parametrize("amount", ["12.345", "0.001", "1.0001"])
def test_a_sub_cent_amount_is_refused_by_the_mapping(amount: str) -> None:
    canonical = parse_file(SAMPLES / "RecordPayment.request.in.xml").getroot()
    canonical.find(f"{{{CANONICAL}}}amount").text = amount
    CANONICAL_SCHEMA.assertValid(etree.ElementTree(canonical))
    transform = _transform("RecordPayment.request.xsl")
    with pytest.raises(etree.XSLTApplyError):
        transform(canonical)
    assert f"amount {amount} has digits beyond the cents" in str(transform.error_log)


def test_canonical_samples_are_valid() -> None:
    canonical = [*SAMPLES.glob("*.request*.in.xml"), *SAMPLES.glob("*.response*.out.xml")]
    assert len(canonical) >= 10
    for sample in canonical:
        CANONICAL_SCHEMA.assertValid(parse_file(sample))


# -- the adapter file -----------------------------------------------------------------------


ADAPTER = tomllib.loads((ROOT / "adapters" / "billing.toml").read_text(encoding="utf-8"))


def _fault_code(fault: etree._Element) -> str:
    """The canonical code the adapter's fault rules give a legacy fault: first match wins."""
    for rule in ADAPTER["faults"]:
        if fault.xpath(rule["when"], namespaces=ADAPTER["namespaces"]):
            return str(rule["code"])
    return "UpstreamFault"


def test_adapter_names_its_files_and_the_binding_operations() -> None:
    assert ADAPTER["system"]["name"] == "billing"
    assert ROOT / ADAPTER["system"]["wsdl"] == WSDL
    assert "credentials" not in ADAPTER
    assert {op: spec["upstream"] for op, spec in ADAPTER["operations"].items()} == {
        "ListInvoices": "getAccountInvoices",
        "RecordPayment": "postPayment",
        "CreateInvoice": "createInvoice",
    }
    for spec in ADAPTER["operations"].values():
        assert (ROOT / spec["request"]).is_file() and (ROOT / spec["response"]).is_file()


FAULT_RULES = [
    ("getAccountInvoices", {"accountNo": "ACC-000042"}, "NotFound"),
    ("postPayment", {**ORDER, "invoiceNo": "INV-1999-0001"}, "NotFound"),
    ("postPayment", {**ORDER, "currency": "USD"}, "InvalidRequest"),
    ("postPayment", {**ORDER, "amountCents": "99999"}, "InvalidRequest"),
    ("postPayment", {**ORDER, "invoiceNo": "INV-2024-0110", "currency": "USD"}, "Conflict"),
    ("postPayment", {**ORDER, "valueDate": "2.5.2024"}, "InvalidRequest"),
]


@pytest.mark.parametrize(("operation", "parts", "code"), FAULT_RULES)
def test_adapter_fault_rules_classify_live_faults(
    running: RunningEmulator, http: requests.Session, operation: str, parts: dict[str, str], code: str
) -> None:
    _, fault = _post(running, http, _rpc(operation, **parts))
    assert _fault_code(fault) == code
