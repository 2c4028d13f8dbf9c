"""The emulated billing system: an Axis 1.x era InvoiceService, SOAP 1.1 rpc/literal.

Three operations: getAccountInvoices lists an account's invoices, postPayment books a payment
against an invoice, createInvoice (release 2.4) raises an invoice on an account. postPayment is not
idempotent, on purpose: every call books a new payment with a new number and lowers the invoice's open
balance; paying the balance off marks the invoice paid. Tests count the bookings through
``emulator.state.payments``. createInvoice takes the caller's externalRef and refuses one it has seen
(DuplicateReferenceFault), which is how a caller proves it raised an invoice once.

Accounts are keyed by the CRM's customer numbers (billing_data.account_no: 1001 -> ACC-001001). The admin
endpoint's backdoor (billing_backdoor.py) lists the invoices created and opens accounts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from lxml import etree

from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from .billing_backdoor import backdoor
from .billing_data import (
    FIRST_CREATED_INVOICE,
    FIRST_PAYMENT_NO,
    OPEN,
    PAID,
    Account,
    Invoice,
    InvoiceLine,
    Payment,
    seed_accounts,
    seed_invoices,
)

NS = "urn:example-billing:InvoiceService"
WSDL_FILE = Path("billing") / "InvoiceService.wsdl"
LEDGER_DATE = "%d.%m.%Y"
#: Remittance information is cut to 140 characters in the bank files, so the ledger refuses more.
MAX_REFERENCE = 140
#: Payment terms of a created invoice, and the limits of one.
PAYMENT_DAYS = 30
MAX_LINES = 100
MAX_EXTERNAL_REF = 64
MAX_TEXT = 200


@dataclass(frozen=True)
class InvoiceOrder:
    """A createInvoice request, checked field by field."""

    account_no: str
    external_ref: str
    currency: str
    issued: date
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True)
class PaymentOrder:
    """A postPayment request, checked field by field."""

    invoice_no: str
    amount_cents: int
    currency: str
    value_date: date
    reference: str


class BillingState:
    """One emulator's ledger. Handlers run on server threads: hold the lock to read or write."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accounts: dict[str, Account] = seed_accounts()
        self.invoices: dict[str, Invoice] = seed_invoices()
        self.payments: list[Payment] = []
        self.created = 0

    def reset(self) -> None:
        """Back to the seed, so that tests can share one server and still start alike."""
        with self.lock:
            self.accounts, self.invoices, self.payments = seed_accounts(), seed_invoices(), []
            self.created = 0

    def invoices_of(self, account: Account) -> list[Invoice]:
        return [inv for inv in self.invoices.values() if inv.account_no == account.number]

    def raise_invoice(self, order: InvoiceOrder) -> Invoice:
        if order.account_no not in self.accounts:
            raise _unknown_account(order.account_no)
        earlier = next((i for i in self.invoices.values() if i.external_ref == order.external_ref), None)
        if earlier is not None:
            raise _duplicate(order.external_ref, earlier.number)
        number = f"INV-{order.issued.year}-{FIRST_CREATED_INVOICE + self.created:04d}"
        self.created += 1
        due = order.issued + timedelta(days=PAYMENT_DAYS)
        total = sum(line.amount_cents for line in order.lines)
        invoice = Invoice(number, order.account_no, order.issued, due, order.currency, order.lines, total, OPEN)
        invoice.external_ref = order.external_ref
        self.invoices[number] = invoice
        return invoice

    def book(self, order: PaymentOrder) -> tuple[Payment, Invoice]:
        invoice = self.invoices.get(order.invoice_no)
        if invoice is None:
            raise _unknown_invoice(order.invoice_no)
        _check_acceptable(invoice, order)
        invoice.open_cents -= order.amount_cents
        if invoice.open_cents == 0:
            invoice.status = PAID
        payment = Payment(
            FIRST_PAYMENT_NO + len(self.payments),
            invoice.number,
            order.amount_cents,
            order.currency,
            order.value_date,
            order.reference,
        )
        self.payments.append(payment)
        return payment, invoice


class BillingEmulator(Emulator):
    """The billing emulator, with its ledger in ``state`` for tests to inspect."""

    def __init__(self, wsdl_file: Path, state: BillingState) -> None:
        handlers: dict[str, Handler] = {
            f"{{{NS}}}getAccountInvoices": partial(get_account_invoices, state),
            f"{{{NS}}}postPayment": partial(post_payment, state),
            f"{{{NS}}}createInvoice": partial(create_invoice, state),
        }
        super().__init__("billing", wsdl_file, "1.1", handlers, backdoor=backdoor(state))
        self.state = state

    @property
    def payments(self) -> list[Payment]:
        """The payments booked since start, oldest first (a copy)."""
        with self.state.lock:
            return list(self.state.payments)


def build(wsdl_root: Path, env: Mapping[str, str]) -> Emulator:
    """A billing emulator with a freshly seeded ledger; billing needs no settings from env."""
    return BillingEmulator(wsdl_root / WSDL_FILE, BillingState())


# -- operations ------------------------------------------------------------------------------


def get_account_invoices(state: BillingState, request: SoapRequest) -> etree._Element:
    account_no = _part(request.body, "accountNo")
    with state.lock:
        account = state.accounts.get(account_no)
        if account is None:
            raise _unknown_account(account_no)
        response = _rpc_response("getAccountInvoices")
        _add(response, "accountNo", account.number)
        invoices = etree.SubElement(response, "invoices")
        for invoice in state.invoices_of(account):
            _add_invoice(invoices, invoice)
    return response


def post_payment(state: BillingState, request: SoapRequest) -> etree._Element:
    order = _read_order(request.body)
    with state.lock:
        payment, invoice = state.book(order)
        response = _rpc_response("postPayment")
        _add_confirmation(etree.SubElement(response, "confirmation"), payment, invoice)
    return response


def create_invoice(state: BillingState, request: SoapRequest) -> etree._Element:
    order = _read_invoice_order(request.body)
    with state.lock:
        invoice = state.raise_invoice(order)
        response = _rpc_response("createInvoice")
        _add(response, "accountNo", invoice.account_no)
        _add_invoice(response, invoice, "invoice")
    return response


# -- reading a request -----------------------------------------------------------------------


def _read_invoice_order(body: etree._Element) -> InvoiceOrder:
    reference = _part(body, "externalRef")
    if len(reference) > MAX_EXTERNAL_REF:
        raise _invalid("externalRef", f"is longer than {MAX_EXTERNAL_REF} characters")
    return InvoiceOrder(
        account_no=_part(body, "accountNo"),
        external_ref=reference,
        currency=_currency(_part(body, "currency")),
        issued=_ledger_date(_part(body, "issueDate"), "issueDate"),
        lines=_new_lines(body.findall("lines/item")),
    )


def _new_lines(items: list[etree._Element]) -> tuple[InvoiceLine, ...]:
    if not 1 <= len(items) <= MAX_LINES:
        raise _invalid("lines", f"must hold 1 to {MAX_LINES} items")
    return tuple(_new_line(item) for item in items)


def _new_line(item: etree._Element) -> InvoiceLine:
    text = _part(item, "text")
    if len(text) > MAX_TEXT:
        raise _invalid("text", f"is longer than {MAX_TEXT} characters")
    quantity = _part(item, "quantity")
    if not re.fullmatch(r"\+?[0-9]{1,9}(\.[0-9]{1,3})?", quantity) or Decimal(quantity) == 0:
        raise _invalid("quantity", f"{quantity!r} is not a positive quantity with at most 3 decimals")
    price = _part(item, "unitPriceCents")
    if not re.fullmatch(r"[+\-]?[0-9]{1,15}", price):
        raise _invalid("unitPriceCents", f"{price!r} is not a whole number of cents")
    return InvoiceLine(text, Decimal(quantity), int(price))


def _read_order(body: etree._Element) -> PaymentOrder:
    return PaymentOrder(
        invoice_no=_part(body, "invoiceNo"),
        amount_cents=_cents(_part(body, "amountCents")),
        currency=_currency(_part(body, "currency")),
        value_date=_ledger_date(_part(body, "valueDate"), "valueDate"),
        reference=_reference(_part(body, "reference")),
    )


def _part(body: etree._Element, name: str) -> str:
    """The text of an (unqualified) rpc part accessor, which every billing part requires."""
    accessor = body.find(name)
    text = (accessor.text or "").strip() if accessor is not None else ""
    if not text:
        raise _invalid(name, "is missing or empty")
    return text


def _cents(text: str) -> int:
    if not re.fullmatch(r"\+?[0-9]{1,18}", text):
        raise _invalid("amountCents", f"{text!r} is not a whole number of cents")
    cents = int(text)
    if cents <= 0:
        raise _invalid("amountCents", "must be greater than zero")
    return cents


def _currency(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise _invalid("currency", f"{text!r} is not an ISO 4217 code")
    return text


def _ledger_date(text: str, field: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}", text):
            raise ValueError(text)
        return datetime.strptime(text, LEDGER_DATE).date()
    except ValueError:
        raise _invalid(field, f"{text!r} is not a date in the form DD.MM.YYYY") from None


def _reference(text: str) -> str:
    if len(text) > MAX_REFERENCE:
        raise _invalid("reference", f"is longer than {MAX_REFERENCE} characters")
    return text


def _check_acceptable(invoice: Invoice, order: PaymentOrder) -> None:
    if invoice.status == PAID:
        raise _rejected(invoice, "INVOICE_SETTLED", f"invoice {invoice.number} is already paid")
    if order.currency != invoice.currency:
        message = f"invoice {invoice.number} is in {invoice.currency}, the payment in {order.currency}"
        raise _rejected(invoice, "CURRENCY_MISMATCH", message)
    if order.amount_cents > invoice.open_cents:
        message = f"payment of {order.amount_cents} exceeds the open balance of {invoice.open_cents} cents"
        raise _rejected(invoice, "EXCEEDS_BALANCE", message)


# -- writing a response ----------------------------------------------------------------------


def _rpc_response(operation: str) -> etree._Element:
    return etree.Element(f"{{{NS}}}{operation}Response", nsmap={"ns1": NS})


def _add(parent: etree._Element, name: str, value: str | int) -> None:
    etree.SubElement(parent, name).text = str(value)


def _add_invoice(parent: etree._Element, invoice: Invoice, tag: str = "item") -> None:
    item = etree.SubElement(parent, tag)
    _add(item, "invoiceNo", invoice.number)
    _add(item, "issueDate", invoice.issued.strftime(LEDGER_DATE))
    _add(item, "dueDate", invoice.due.strftime(LEDGER_DATE))
    _add(item, "currency", invoice.currency)
    _add(item, "totalCents", invoice.total_cents)
    _add(item, "openCents", invoice.open_cents)
    _add(item, "statusCode", invoice.status)
    lines = etree.SubElement(item, "lines")
    for position, line in enumerate(invoice.lines, start=1):
        _add_line(lines, position, line)
    if invoice.external_ref is not None:
        _add(item, "externalRef", invoice.external_ref)


def _add_line(parent: etree._Element, position: int, line: InvoiceLine) -> None:
    item = etree.SubElement(parent, "item")
    _add(item, "posNo", position)
    _add(item, "text", line.text)
    _add(item, "quantity", str(line.quantity))
    _add(item, "unitPriceCents", line.unit_price_cents)
    _add(item, "amountCents", line.amount_cents)


def _add_confirmation(parent: etree._Element, payment: Payment, invoice: Invoice) -> None:
    _add(parent, "paymentNo", payment.number)
    _add(parent, "invoiceNo", payment.invoice_no)
    _add(parent, "amountCents", payment.amount_cents)
    _add(parent, "currency", payment.currency)
    _add(parent, "valueDate", payment.value_date.strftime(LEDGER_DATE))
    _add(parent, "reference", payment.reference)
    _add(parent, "openCents", invoice.open_cents)
    _add(parent, "statusCode", invoice.status)


# -- faults, as the WSDL declares them -------------------------------------------------------


def _fault(message: str, detail_name: str, **fields: str | int) -> LegacyFault:
    detail = etree.Element(f"{{{NS}}}{detail_name}", nsmap={"ns1": NS})
    for name, value in fields.items():
        _add(detail, name, value)
    return LegacyFault("client", message, detail)


def _unknown_account(account_no: str) -> LegacyFault:
    return _fault(f"account {account_no} does not exist", "UnknownAccountFault", accountNo=account_no)


def _duplicate(external_ref: str, invoice_no: str) -> LegacyFault:
    message = f"externalRef {external_ref} was invoiced already, as {invoice_no}"
    return _fault(message, "DuplicateReferenceFault", externalRef=external_ref, invoiceNo=invoice_no)


def _unknown_invoice(invoice_no: str) -> LegacyFault:
    return _fault(f"invoice {invoice_no} does not exist", "UnknownInvoiceFault", invoiceNo=invoice_no)


def _rejected(invoice: Invoice, reason: str, message: str) -> LegacyFault:
    return _fault(
        message,
        "PaymentRejectedFault",
        invoiceNo=invoice.number,
        reasonCode=reason,
        openCents=invoice.open_cents,
        currency=invoice.currency,
    )


def _invalid(field: str, reason: str) -> LegacyFault:
    return _fault(f"{field} {reason}", "ValidationFault", field=field, reason=reason)
