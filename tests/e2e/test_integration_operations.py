"""The operations the integration flows use, through `soapbridge serve` and its emulators over real HTTP:
SOAP 1.1, SOAP 1.2 (zeep from the live WSDLs) and JSON, with the emulators' backdoor changing data behind the
gateway's back (docs/flows-contract.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
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


# -- ListSubscribers, SubscribeContact, UnsubscribeCustomer (mailing) -----------------------------------------


def test_subscribe_contact_upserts_without_asking_the_crm(gateway: RunningGateway, soap: zeep.Client) -> None:
    admin = EmulatorAdmin(gateway.admin)
    crm_calls = admin.calls("crm")
    email = "hedy." + ("11" if "soap11" in soap.wsdl.location else "12") + "@example.org"  # both versions run
    first = soap.service.SubscribeContact(listId="events", customerId="1006", email=email, name="Hedy Lamarr")
    assert (first.customerId, first.email, first.status, first.listId) == ("1006", email, "subscribed", "events")
    soap.service.UnsubscribeCustomer(listId="events", email=email)
    again = ok(gateway, "SubscribeContact", {"listId": "events", "customerId": "1007", "email": email, "name": "H. L."})
    assert again["subscription"] == {**again["subscription"], "customerId": "1007", "status": "subscribed"}
    assert again["subscription"]["subscriptionId"] == first.subscriptionId
    member = next(m for m in admin.backdoor("GET", "mailing", "lists/events")["members"] if m["email"] == email)
    assert (member["externalId"], member["fullName"], member["status"]) == ("1007", "H. L.", 1)
    assert admin.calls("crm") == crm_calls


def test_list_subscribers_pages_through_a_list(gateway: RunningGateway, soap: zeep.Client) -> None:
    for n in range(3):
        ok(gateway, "SubscribeContact", {"listId": "events", "customerId": str(2001 + n), "email": f"p{n}@example.org"})
    first = ok(gateway, "ListSubscribers", {"listId": "events", "pageSize": 2})
    assert (len(first["subscriber"]), first["more"]) == (2, True)
    pages, page = [first], 1
    while pages[-1]["more"]:
        page += 1
        pages.append(ok(gateway, "ListSubscribers", {"listId": "events", "pageSize": 2, "page": page}))
    members = [s for p in pages for s in p["subscriber"]]
    assert len(members) == first["total"] and {"p0@example.org", "p2@example.org"} <= {m["email"] for m in members}
    subscribed = soap.service.ListSubscribers(listId="newsletter", status="subscribed", pageSize=1000)
    assert {s.status for s in subscribed.subscriber} == {"subscribed"} and subscribed.more is False
    ada = next(s for s in subscribed.subscriber if s.email == "ada.lovelace@example.com")
    assert (ada.customerId, ada.name) == ("1001", "Ada Lovelace")


def test_unsubscribe_customer_by_customer_id(gateway: RunningGateway, soap: zeep.Client) -> None:
    ok(gateway, "SubscribeContact", {"listId": "events", "customerId": "3001", "email": "one@example.org"})
    ok(gateway, "SubscribeContact", {"listId": "events", "customerId": "3001", "email": "two@example.org"})
    gone = soap.service.UnsubscribeCustomer(listId="events", customerId="3001")
    assert (gone.customerId, gone.status) == ("3001", "unsubscribed")
    page = ok(gateway, "ListSubscribers", {"listId": "events", "status": "unsubscribed", "pageSize": 1000})
    assert {"one@example.org", "two@example.org"} <= {s["email"] for s in page["subscriber"]}


def test_unsubscribing_someone_not_on_the_list_is_not_found(gateway: RunningGateway, soap: zeep.Client) -> None:
    response = call(gateway, "UnsubscribeCustomer", {"listId": "events", "email": "never@example.org"})
    assert response.status_code == 404 and response.json()["system"] == "mailing"
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.service.UnsubscribeCustomer(listId="nonesuch", customerId="1001")
    assert fault_code(caught.value) == "NotFound"
    neither = call(gateway, "UnsubscribeCustomer", {"listId": "events"})
    assert neither.status_code == 400 and neither.json()["code"] == "InvalidRequest"


# -- ListFinishedEncounters (ehr) ---------------------------------------------------------------------------


def test_list_finished_encounters_reads_the_ehr_feed(gateway: RunningGateway, soap: zeep.Client) -> None:
    first = ok(gateway, "ListFinishedEncounters", {"limit": 1000})
    seeded = {encounter["encounterId"]: encounter for encounter in first["encounter"]}
    assert {"E-200001", "E-200005", "E-200006"} <= set(seeded)
    ada = seeded["E-200001"]
    assert (ada["patientId"], ada["patientName"], ada["patientEmail"]) == (
        "P-100001",
        "Ada Lovelace",
        "ada.lovelace@example.com",
    )
    assert ada["item"][0] == {
        "code": "99213",
        "description": "Office visit, established patient",
        "quantity": Decimal("1"),
        "unitPrice": Decimal("85.00"),
        "currency": "GBP",
    }
    assert "patientEmail" not in seeded["E-200005"] and seeded["E-200006"]["item"] == []
    admin = EmulatorAdmin(gateway.admin)
    item = {"code": "99212", "description": "Office visit, short", "quantity": "2", "unitPrice": "60.00"}
    finished = admin.backdoor("POST", "ehr", "encounters", {"patientId": "P-100004", "items": [item], "finished": True})
    page = soap.service.ListFinishedEncounters(since=first["nextToken"], limit=10)
    mine = [e for e in page.encounter if e.encounterId == finished["encounterId"]]
    assert len(mine) == 1 and mine[0].version == 1 and mine[0].patientEmail == "hedy.lamarr@example.org"
    assert (mine[0].item[0].quantity, mine[0].item[0].unitPrice) == (Decimal("2"), Decimal("60.00"))


def test_an_unknown_encounter_token_is_invalid(gateway: RunningGateway) -> None:
    response = call(gateway, "ListFinishedEncounters", {"since": "123456789"})
    assert response.status_code == 400
    problem = response.json()
    assert (problem["code"], problem["detail"]) == ("InvalidRequest", "the token is not one the EHR handed out")


# -- CreateInvoice (billing) ----------------------------------------------------------------------------------


def invoice_request(ref: str, customer: str = "1005") -> dict[str, Any]:
    line = {"description": "Office visit, established patient", "quantity": 2, "unitPrice": 85.50}
    return {"customerId": customer, "externalRef": ref, "issuedOn": "2026-11-30", "currency": "GBP", "line": [line]}


def test_create_invoice_raises_one_invoice_visible_through_list_invoices(gateway: RunningGateway) -> None:
    created = ok(gateway, "CreateInvoice", invoice_request("E-E2E-1"), **{"Idempotency-Key": "e2e-create-1"})
    invoice = created["invoice"]
    assert (invoice["customerId"], invoice["total"], invoice["outstanding"], invoice["status"]) == (
        "1005",
        Decimal("171.00"),
        Decimal("171.00"),
        "open",
    )
    assert invoice["dueOn"] == "2026-12-30" and invoice["line"][0]["amount"] == Decimal("171.00")
    replay = call(gateway, "CreateInvoice", invoice_request("E-E2E-1"), **{"Idempotency-Key": "e2e-create-1"})
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json()["invoice"]["id"] == invoice["id"]
    again = call(gateway, "CreateInvoice", invoice_request("E-E2E-1"), **{"Idempotency-Key": "e2e-create-2"})
    assert again.status_code == 409 and again.json()["code"] == "Conflict" and invoice["id"] in again.json()["detail"]
    listed = ok(gateway, "ListInvoices", {"customerId": "1005"})["invoice"]
    assert [i["id"] for i in listed].count(invoice["id"]) == 1
    raised = EmulatorAdmin(gateway.admin).backdoor("GET", "billing", "invoices")["invoices"]
    assert [i["externalRef"] for i in raised].count("E-E2E-1") == 1


def test_create_invoice_over_soap(gateway: RunningGateway, soap: zeep.Client) -> None:
    ref = "E-E2E-SOAP" + ("11" if "soap11" in soap.wsdl.location else "12")
    line = {"description": "Venipuncture", "quantity": Decimal("1"), "unitPrice": Decimal("8.75")}
    invoice = soap.service.CreateInvoice(
        customerId="1006", externalRef=ref, issuedOn="2026-11-30", currency="GBP", line=[line]
    )
    assert (invoice.customerId, invoice.total, invoice.status) == ("1006", Decimal("8.75"), "open")
    with pytest.raises(zeep.exceptions.Fault) as caught:
        soap.service.CreateInvoice(
            customerId="1006", externalRef=ref, issuedOn="2026-11-30", currency="GBP", line=[line]
        )
    assert fault_code(caught.value) == "Conflict"


def test_create_invoice_refusals(gateway: RunningGateway) -> None:
    no_account = call(gateway, "CreateInvoice", invoice_request("E-E2E-404", customer="9999"))
    assert (no_account.status_code, no_account.json()["code"]) == (404, "NotFound")
    admin = EmulatorAdmin(gateway.admin)
    before = admin.calls("billing", "createInvoice")
    sub_cent = invoice_request("E-E2E-400")
    sub_cent["line"][0]["unitPrice"] = 1.005
    refused = call(gateway, "CreateInvoice", sub_cent)
    assert (refused.status_code, refused.json()["code"]) == (400, "InvalidRequest")
    assert admin.calls("billing", "createInvoice") == before  # refused by the mapping: billing never saw it
