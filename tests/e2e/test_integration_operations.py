"""The operations the integration flows use, through `soapbridge serve` and its emulators over real HTTP:
SOAP 1.1, SOAP 1.2 (zeep from the live WSDLs) and JSON, with the emulators' backdoor changing data behind the
gateway's back (docs/flows-contract.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import requests
import zeep
import zeep.helpers

from tests.emulator_admin import EmulatorAdmin
from tests.running import RunningGateway

CN = "{urn:soapbridge:canonical:v1}"


def call(gateway: RunningGateway, operation: str, body: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(f"{gateway.base}/json/{operation}", json=body, headers=headers, timeout=30)


def ok(gateway: RunningGateway, operation: str, body: dict[str, Any], **headers: str) -> Any:
    response = call(gateway, operation, body, **headers)
    assert response.status_code == 200, response.text
    return json.loads(response.content, parse_float=Decimal)


def fault_code(caught: zeep.exceptions.Fault) -> str | None:
    detail = caught.detail.find(f"{CN}GatewayFault")
    return None if detail is None else detail.findtext(f"{CN}code")


# -- ListCustomerChanges (crm) ------------------------------------------------------------------------------


def all_changes(gateway: RunningGateway, since: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """Every change after since (None: from the beginning), following the tokens; and the last token."""
    found: list[dict[str, Any]] = []
    while True:
        page = ok(gateway, "ListCustomerChanges", {"limit": 1000} | ({"since": since} if since else {}))
        found += page["change"]
        since = page["nextToken"]
        if not page["more"]:
            return found, since


def test_list_customer_changes_follows_the_crm_and_the_gateways_own_updates(
    gateway: RunningGateway, soap: zeep.Client
) -> None:
    admin = EmulatorAdmin(gateway.admin)
    seeded, token = all_changes(gateway)
    assert {"1001", "1002", "1006"} <= {change["customer"]["id"] for change in seeded}
    ada = next(change for change in seeded if change["customer"]["id"] == "1001")
    assert ada["customer"]["email"] == "ada.lovelace@example.com" and ada["changedAt"].endswith("Z")
    created = admin.backdoor("POST", "crm", "customers", {"name": "Edsger Dijkstra", "email": "ewd@example.nl"})
    new_id = created["customer"]["id"]
    customer = soap.service.GetCustomer(customerId=new_id)
    customer.status = "blocked"
    soap.service.UpdateCustomer(customer=customer)
    changed, _ = all_changes(gateway, token)
    (mine,) = [change for change in changed if change["customer"]["id"] == new_id]
    assert (mine["version"], mine["customer"]["status"], mine["customer"]["email"]) == (2, "blocked", "ewd@example.nl")
    page = soap.service.ListCustomerChanges(since=token, limit=1000)
    assert new_id in {change.customer.id for change in page.change} and page.more is False


def test_list_customer_changes_pages_by_limit(gateway: RunningGateway, soap: zeep.Client) -> None:
    first = soap.service.ListCustomerChanges(limit=2)
    assert len(first.change) == 2 and first.more is True
    second = soap.service.ListCustomerChanges(since=first.nextToken, limit=2)
    assert {c.customer.id for c in first.change}.isdisjoint({c.customer.id for c in second.change})


def test_an_unknown_change_token_is_invalid(gateway: RunningGateway) -> None:
    response = call(gateway, "ListCustomerChanges", {"since": "99999999999999999999"})
    assert response.status_code == 400 and response.json()["code"] == "InvalidRequest"
