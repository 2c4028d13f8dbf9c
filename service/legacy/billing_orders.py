"""Billing's requests read and checked field by field, as the Axis service's Java beans did: each refusal is a
ValidationFault naming the part."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from .billing_data import InvoiceLine
from .billing_faults import invalid

LEDGER_DATE = "%d.%m.%Y"
#: Remittance information is cut to 140 characters in the bank files, so the ledger refuses more.
MAX_REFERENCE = 140
#: The limits of a created invoice.
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


def read_invoice_order(body: etree._Element) -> InvoiceOrder:
    reference = part(body, "externalRef")
    if len(reference) > MAX_EXTERNAL_REF:
        raise invalid("externalRef", f"is longer than {MAX_EXTERNAL_REF} characters")
    return InvoiceOrder(
        account_no=part(body, "accountNo"),
        external_ref=reference,
        currency=_currency(part(body, "currency")),
        issued=_ledger_date(part(body, "issueDate"), "issueDate"),
        lines=_new_lines(body.findall("lines/item")),
    )


def _new_lines(items: list[etree._Element]) -> tuple[InvoiceLine, ...]:
    if not 1 <= len(items) <= MAX_LINES:
        raise invalid("lines", f"must hold 1 to {MAX_LINES} items")
    return tuple(_new_line(item) for item in items)


def _new_line(item: etree._Element) -> InvoiceLine:
    text = part(item, "text")
    if len(text) > MAX_TEXT:
        raise invalid("text", f"is longer than {MAX_TEXT} characters")
    quantity = part(item, "quantity")
    if not re.fullmatch(r"\+?[0-9]{1,9}(\.[0-9]{1,3})?", quantity) or Decimal(quantity) == 0:
        raise invalid("quantity", f"{quantity!r} is not a positive quantity with at most 3 decimals")
    price = part(item, "unitPriceCents")
    if not re.fullmatch(r"[+\-]?[0-9]{1,15}", price):
        raise invalid("unitPriceCents", f"{price!r} is not a whole number of cents")
    return InvoiceLine(text, Decimal(quantity), int(price))


def read_payment_order(body: etree._Element) -> PaymentOrder:
    return PaymentOrder(
        invoice_no=part(body, "invoiceNo"),
        amount_cents=_cents(part(body, "amountCents")),
        currency=_currency(part(body, "currency")),
        value_date=_ledger_date(part(body, "valueDate"), "valueDate"),
        reference=_reference(part(body, "reference")),
    )


def part(body: etree._Element, name: str) -> str:
    """The text of an (unqualified) rpc part accessor, which every billing part requires."""
    accessor = body.find(name)
    text = (accessor.text or "").strip() if accessor is not None else ""
    if not text:
        raise invalid(name, "is missing or empty")
    return text


def _cents(text: str) -> int:
    if not re.fullmatch(r"\+?[0-9]{1,18}", text):
        raise invalid("amountCents", f"{text!r} is not a whole number of cents")
    cents = int(text)
    if cents <= 0:
        raise invalid("amountCents", "must be greater than zero")
    return cents


def _currency(text: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise invalid("currency", f"{text!r} is not an ISO 4217 code")
    return text


def _ledger_date(text: str, field: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}", text):
            raise ValueError(text)
        return datetime.strptime(text, LEDGER_DATE).date()
    except ValueError:
        raise invalid(field, f"{text!r} is not a date in the form DD.MM.YYYY") from None


def _reference(text: str) -> str:
    if len(text) > MAX_REFERENCE:
        raise invalid("reference", f"is longer than {MAX_REFERENCE} characters")
    return text
