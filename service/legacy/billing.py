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

import threading
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path

from lxml import etree

from ._soap import Emulator, Handler, SoapRequest
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
from .billing_faults import NS, duplicate, rejected, unknown_account, unknown_invoice
from .billing_orders import LEDGER_DATE, InvoiceOrder, PaymentOrder, part, read_invoice_order, read_payment_order

WSDL_FILE = Path("billing") / "InvoiceService.wsdl"
#: Payment terms of a created invoice.
PAYMENT_DAYS = 30


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
            raise unknown_account(order.account_no)
        earlier = next((i for i in self.invoices.values() if i.external_ref == order.external_ref), None)
        if earlier is not None:
            raise duplicate(order.external_ref, earlier.number)
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
            raise unknown_invoice(order.invoice_no)
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
    account_no = part(request.body, "accountNo")
    with state.lock:
        account = state.accounts.get(account_no)
        if account is None:
            raise unknown_account(account_no)
        response = _rpc_response("getAccountInvoices")
        _add(response, "accountNo", account.number)
        invoices = etree.SubElement(response, "invoices")
        for invoice in state.invoices_of(account):
            _add_invoice(invoices, invoice)
    return response


def post_payment(state: BillingState, request: SoapRequest) -> etree._Element:
    order = read_payment_order(request.body)
    with state.lock:
        payment, invoice = state.book(order)
        response = _rpc_response("postPayment")
        _add_confirmation(etree.SubElement(response, "confirmation"), payment, invoice)
    return response


def create_invoice(state: BillingState, request: SoapRequest) -> etree._Element:
    order = read_invoice_order(request.body)
    with state.lock:
        invoice = state.raise_invoice(order)
        response = _rpc_response("createInvoice")
        _add(response, "accountNo", invoice.account_no)
        _add_invoice(response, invoice, "invoice")
    return response


def _check_acceptable(invoice: Invoice, order: PaymentOrder) -> None:
    if invoice.status == PAID:
        raise rejected(invoice, "INVOICE_SETTLED", f"invoice {invoice.number} is already paid")
    if order.currency != invoice.currency:
        message = f"invoice {invoice.number} is in {invoice.currency}, the payment in {order.currency}"
        raise rejected(invoice, "CURRENCY_MISMATCH", message)
    if order.amount_cents > invoice.open_cents:
        message = f"payment of {order.amount_cents} exceeds the open balance of {invoice.open_cents} cents"
        raise rejected(invoice, "EXCEEDS_BALANCE", message)


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
