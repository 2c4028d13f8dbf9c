"""Billing's faults, as its WSDL declares them: a Client fault whose detail is a qualified element naming the cause."""

from __future__ import annotations

from lxml import etree

from ._soap import LegacyFault
from .billing_data import Invoice

#: The InvoiceService namespace: the rpc wrappers and the fault details are in it.
NS = "urn:example-billing:InvoiceService"


def _fault(message: str, detail_name: str, **fields: str | int) -> LegacyFault:
    detail = etree.Element(f"{{{NS}}}{detail_name}", nsmap={"ns1": NS})
    for name, value in fields.items():
        etree.SubElement(detail, name).text = str(value)
    return LegacyFault("client", message, detail)


def unknown_account(account_no: str) -> LegacyFault:
    return _fault(f"account {account_no} does not exist", "UnknownAccountFault", accountNo=account_no)


def duplicate(external_ref: str, invoice_no: str) -> LegacyFault:
    message = f"externalRef {external_ref} was invoiced already, as {invoice_no}"
    return _fault(message, "DuplicateReferenceFault", externalRef=external_ref, invoiceNo=invoice_no)


def unknown_invoice(invoice_no: str) -> LegacyFault:
    return _fault(f"invoice {invoice_no} does not exist", "UnknownInvoiceFault", invoiceNo=invoice_no)


def rejected(invoice: Invoice, reason: str, message: str) -> LegacyFault:
    return _fault(
        message,
        "PaymentRejectedFault",
        invoiceNo=invoice.number,
        reasonCode=reason,
        openCents=invoice.open_cents,
        currency=invoice.currency,
    )


def invalid(field: str, reason: str) -> LegacyFault:
    return _fault(f"{field} {reason}", "ValidationFault", field=field, reason=reason)
