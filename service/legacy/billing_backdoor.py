"""Billing's backdoor for the admin endpoint: what the ledger's clerks see and do at its own screens.

GET  invoices     {"invoices": [...]}  the invoices createInvoice raised, oldest first
POST accounts     {customerId, holder, currency}  open an account for a CRM customer (ACC-00nnnn)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._backdoor import Actions, Refused, fields, no_more, text
from .billing_data import Account, Invoice, account_no

if TYPE_CHECKING:
    from .billing import BillingState


def backdoor(state: BillingState) -> Actions:
    def invoices(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        no_more(rest, 0)
        with state.lock:
            created = [_shown(invoice) for invoice in state.invoices.values() if invoice.external_ref is not None]
        return {"invoices": created}

    def accounts(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        no_more(rest, 0)
        given = fields(body, ("customerId", "holder", "currency"), ())
        customer, currency = text(given["customerId"], "customerId"), text(given["currency"], "currency")
        if not re.fullmatch(r"[1-9][0-9]{0,9}", customer) or not re.fullmatch(r"[A-Z]{3}", currency):
            raise Refused("customerId must be a CRM customer number and currency an ISO 4217 code")
        account = Account(account_no(int(customer)), text(given["holder"], "holder"), currency)
        with state.lock:
            if account.number in state.accounts:
                raise Refused(f"account {account.number} exists already")
            state.accounts[account.number] = account
        return {"accountNo": account.number, "holder": account.holder, "currency": account.currency}

    return {("GET", "invoices"): invoices, ("POST", "accounts"): accounts}


def _shown(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoiceNo": invoice.number,
        "accountNo": invoice.account_no,
        "externalRef": invoice.external_ref,
        "issueDate": invoice.issued.isoformat(),
        "currency": invoice.currency,
        "totalCents": invoice.total_cents,
        "openCents": invoice.open_cents,
        "status": invoice.status,
    }
