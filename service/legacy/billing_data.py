"""The billing ledger's records and its seed: accounts, invoices with their lines, payments.

Money is integer cents, as the legacy system keeps it. Invoice status codes are stored, never
derived from today's date (the real system sets D in a nightly dunning run), so that the
emulator answers the same on every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

OPEN = "O"
PAID = "P"
DUNNED = "D"

#: The first payment number a fresh ledger hands out; numbers then count up by one.
FIRST_PAYMENT_NO = 70000101
#: The first number createInvoice gives in a year (INV-<year>-5001); the invoices below 5000 came from the old
#: batch run, as the seed's do.
FIRST_CREATED_INVOICE = 5001


@dataclass(frozen=True)
class Account:
    number: str
    holder: str
    currency: str


@dataclass(frozen=True)
class InvoiceLine:
    text: str
    quantity: Decimal
    unit_price_cents: int

    @property
    def amount_cents(self) -> int:
        """quantity x unit price, rounded half up to a whole cent (the seed's lines are exact)."""
        return int((self.quantity * self.unit_price_cents).to_integral_value(ROUND_HALF_UP))


@dataclass
class Invoice:
    number: str
    account_no: str
    issued: date
    due: date
    currency: str
    lines: tuple[InvoiceLine, ...]
    open_cents: int
    status: str
    #: The caller's own reference for the invoice (createInvoice's externalRef); None for the batch run's.
    external_ref: str | None = None

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True)
class Payment:
    number: int
    invoice_no: str
    amount_cents: int
    currency: str
    value_date: date
    reference: str


def account_no(customer_id: int) -> str:
    """Billing's account number for a CRM customer number: 1001 -> ACC-001001."""
    return f"ACC-{customer_id:06d}"


def seed_accounts() -> dict[str, Account]:
    accounts = [
        Account(account_no(1001), "Ada Lovelace", "GBP"),
        Account(account_no(1002), "Grace Hopper", "USD"),
        Account(account_no(1003), "Alan Turing", "GBP"),
        Account(account_no(1004), "Tim Berners-Lee", "GBP"),
        Account(account_no(1005), "Margaret Hamilton", "USD"),
        Account(account_no(1006), "Hedy Lamarr", "EUR"),
    ]
    return {account.number: account for account in accounts}


def _line(text: str, quantity: str, unit_price_cents: int) -> InvoiceLine:
    return InvoiceLine(text, Decimal(quantity), unit_price_cents)


def _ada_invoices() -> list[Invoice]:
    acc = account_no(1001)
    return [
        Invoice(
            "INV-2024-0101",
            acc,
            date(2024, 1, 15),
            date(2024, 2, 14),
            "GBP",
            (
                _line("Analytical Engine consulting (hours)", "12", 8500),
                _line("Punched card set", "2", 1250),
            ),
            0,
            PAID,
        ),
        Invoice(
            "INV-2024-0187",
            acc,
            date(2024, 3, 1),
            date(2024, 3, 31),
            "GBP",
            (
                _line("Difference Engine maintenance", "1", 45000),
                _line("Travel expenses London - Manchester", "1", 8990),
            ),
            53990,
            DUNNED,
        ),
        Invoice(
            "INV-2024-0242",
            acc,
            date(2024, 4, 2),
            date(2024, 5, 2),
            "GBP",
            (
                _line("Translation of the Menabrea notes (hours)", "7.5", 4000),
                _line("Loyalty discount", "1", -2500),
            ),
            17500,
            OPEN,
        ),
    ]


def _grace_invoices() -> list[Invoice]:
    acc = account_no(1002)
    return [
        Invoice(
            "INV-2024-0110",
            acc,
            date(2024, 1, 20),
            date(2024, 2, 19),
            "USD",
            (_line("COBOL compiler licence", "1", 250000),),
            0,
            PAID,
        ),
        Invoice(
            "INV-2024-0233",
            acc,
            date(2024, 3, 28),
            date(2024, 4, 27),
            "USD",
            (
                _line("Compiler support (hours)", "10", 12000),
                _line("Nanosecond wire samples", "100", 15),
            ),
            121500,
            OPEN,
        ),
    ]


def _alan_and_tim_invoices() -> list[Invoice]:
    return [
        Invoice(
            "INV-2023-0802",
            account_no(1003),
            date(2023, 8, 2),
            date(2023, 9, 1),
            "GBP",
            (_line("ACE design review", "1", 150000),),
            0,
            PAID,
        ),
        Invoice(
            "INV-2023-0917",
            account_no(1003),
            date(2023, 9, 12),
            date(2023, 10, 12),
            "GBP",
            (_line("Bombe rotor refurbishment", "3", 21000),),
            63000,
            DUNNED,
        ),
        Invoice(
            "INV-2024-0305",
            account_no(1004),
            date(2024, 4, 10),
            date(2024, 5, 10),
            "GBP",
            (_line("Hypertext server hosting (months)", "3", 2999),),
            8997,
            OPEN,
        ),
    ]


def seed_invoices() -> dict[str, Invoice]:
    """Fresh invoice records, keyed by invoice number; accounts ACC-001005 and ACC-001006 have none."""
    invoices = [*_ada_invoices(), *_grace_invoices(), *_alan_and_tim_invoices()]
    return {invoice.number: invoice for invoice in invoices}
