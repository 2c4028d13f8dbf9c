"""Idempotency keys through the gateway's SOAP 1.1, SOAP 1.2 and JSON endpoints, over loopback HTTP."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from lxml import etree

from soapbridge.gateway import create_app
from soapbridge.legacy import SYSTEMS, build
from soapbridge.legacy._server import start
from soapbridge.legacy.billing import BillingEmulator
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV
from soapbridge.settings import Auth, Idempotency, Settings
from tests.conftest import CREDENTIALS, ROOT
from tests.running import serving

FIELDS = {"invoiceId": "INV-2024-0242", "amount": 0.01, "currency": "GBP", "paidOn": "2026-11-21", "reference": "idem"}
CN = f'xmlns:cn="{CANONICAL}"'


@dataclass
class Gateway:
    base: str
    billing: BillingEmulator


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    running = [start(build(name, ROOT / "wsdl", CREDENTIALS)) for name in SYSTEMS]
    env = {**CREDENTIALS, **{f"SOAPBRIDGE_{r.emulator.name.upper()}_URL": r.url for r in running}}
    billing = next(r.emulator for r in running if isinstance(r.emulator, BillingEmulator))
    try:
        with serving(create_app(Settings(root=ROOT, env=env, auth=Auth(enabled=False))), "gateway") as base:
            yield Gateway(base, billing)
    finally:
        for emulator in running:
            emulator.stop()


def payment_xml(fields: dict[str, object]) -> str:
    children = "".join(f"<cn:{name}>{value}</cn:{name}>" for name, value in fields.items())
    return f"<cn:RecordPayment {CN}>{children}</cn:RecordPayment>"


def soap(base: str, version: str, body: str, key: str | None = None, header: str = "") -> requests.Response:
    namespace, media_type = (SOAP11_ENV, "text/xml") if version == "1.1" else (SOAP12_ENV, "application/soap+xml")
    envelope = f'<e:Envelope xmlns:e="{namespace}"><e:Header>{header}</e:Header><e:Body>{body}</e:Body></e:Envelope>'
    headers = {"Content-Type": media_type, **({"Idempotency-Key": key} if key else {})}
    return requests.post(f"{base}/soap{version.replace('.', '')}", data=envelope, headers=headers, timeout=20)


def post_json(base: str, operation: str, fields: dict[str, object], key: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    return requests.post(f"{base}/json/{operation}", data=json.dumps(fields), headers=headers, timeout=20)


def receipt(response: requests.Response) -> bytes:
    namespace = SOAP11_ENV if response.headers["Content-Type"].startswith("text/xml") else SOAP12_ENV
    body = etree.fromstring(response.content).find(f"{{{namespace}}}Body")
    return etree.tostring(body[0], method="c14n", exclusive=True)


def fault_code(response: requests.Response) -> str:
    return str(etree.fromstring(response.content).findtext(f".//{{{CANONICAL}}}code"))


def block(key: str, must_understand: str = "") -> str:
    return f"<cn:IdempotencyKey {CN}{must_understand}>{key}</cn:IdempotencyKey>"


def new_key() -> str:
    return f"test-{secrets.token_hex(8)}"


def test_a_repeat_over_any_endpoint_returns_the_first_receipt_without_a_second_payment(gateway: Gateway) -> None:
    key, booked = new_key(), len(gateway.billing.payments)
    first = soap(gateway.base, "1.1", payment_xml(FIELDS), key)
    again = soap(gateway.base, "1.2", payment_xml(FIELDS), key)
    as_json = post_json(gateway.base, "RecordPayment", FIELDS, key)
    assert [r.status_code for r in (first, again, as_json)] == [200, 200, 200]
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == as_json.headers["Idempotent-Replayed"] == "true"
    assert receipt(first) == receipt(again)
    payment_id = etree.fromstring(receipt(first)).findtext(f".//{{{CANONICAL}}}paymentId")
    assert as_json.json()["receipt"]["paymentId"] == payment_id
    assert len(gateway.billing.payments) == booked + 1


def test_the_same_key_with_another_request_is_refused(gateway: Gateway) -> None:
    key = new_key()
    assert post_json(gateway.base, "RecordPayment", FIELDS, key).status_code == 200
    booked = len(gateway.billing.payments)
    refused = post_json(gateway.base, "RecordPayment", FIELDS | {"amount": 0.02}, key)
    assert refused.status_code == 400 and refused.json()["code"] == "InvalidRequest"
    assert "was used with a different request" in refused.json()["detail"] and key not in refused.json()["detail"]
    assert len(gateway.billing.payments) == booked


def test_the_soap_header_block_carries_a_key_even_with_must_understand(gateway: Gateway) -> None:
    key, booked = new_key(), len(gateway.billing.payments)
    first = soap(gateway.base, "1.1", payment_xml(FIELDS), header=block(key, ' e:mustUnderstand="1"'))
    again = soap(gateway.base, "1.2", payment_xml(FIELDS), header=block(key, ' e:mustUnderstand="true"'))
    by_header = soap(gateway.base, "1.1", payment_xml(FIELDS), key, header=block(key))
    assert [r.status_code for r in (first, again, by_header)] == [200, 200, 200]
    assert again.headers.get("Idempotent-Replayed") == by_header.headers.get("Idempotent-Replayed") == "true"
    assert len(gateway.billing.payments) == booked + 1


def test_a_header_and_a_block_that_differ_are_refused(gateway: Gateway) -> None:
    refused = soap(gateway.base, "1.2", payment_xml(FIELDS), new_key(), header=block(new_key()))
    assert refused.status_code == 400 and fault_code(refused) == "InvalidRequest"


@pytest.mark.parametrize("key", ["x" * 256, "tab\there"], ids=["too long", "control character"])
def test_a_malformed_key_is_refused(gateway: Gateway, key: str) -> None:
    booked = len(gateway.billing.payments)
    refused = soap(gateway.base, "1.1", payment_xml(FIELDS), header=block(key))
    assert refused.status_code == 500 and fault_code(refused) == "InvalidRequest"
    assert "printable ASCII" in refused.text
    assert post_json(gateway.base, "RecordPayment", FIELDS, "é".encode().decode("latin-1")).status_code == 400
    assert len(gateway.billing.payments) == booked


def test_reads_ignore_keys(gateway: Gateway) -> None:
    key = new_key()
    answers = [post_json(gateway.base, "GetCustomer", {"customerId": "1001"}, key) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert all("Idempotent-Replayed" not in a.headers for a in answers)


def test_a_fault_outcome_replays_as_the_same_fault(gateway: Gateway) -> None:
    key, unknown = new_key(), FIELDS | {"invoiceId": "INV-1999-0001"}
    first = soap(gateway.base, "1.1", payment_xml(unknown), key)
    again = soap(gateway.base, "1.1", payment_xml(unknown), key)
    assert (first.status_code, fault_code(first)) == (500, "NotFound")
    # the same fault; each answer's cn:CorrelationID header block is its own request's
    assert receipt(again) == receipt(first) and again.headers["Idempotent-Replayed"] == "true"
    as_json = post_json(gateway.base, "RecordPayment", unknown, key)
    assert as_json.status_code == 404 and as_json.headers["Idempotent-Replayed"] == "true"


def test_a_store_that_fails_gives_a_server_fault_and_books_nothing(tmp_path: Path) -> None:
    """The store is read before billing is called: when it fails, the client hears so, and nothing is paid."""
    store = tmp_path / "keys.sqlite3"
    with start(build("billing", ROOT / "wsdl", CREDENTIALS)) as billing:
        env = {**CREDENTIALS, "SOAPBRIDGE_BILLING_URL": billing.url}
        settings = Settings(root=ROOT, env=env, auth=Auth(enabled=False), idempotency=Idempotency(str(store)))
        with serving(create_app(settings), "gateway") as base:
            for leftover in tmp_path.glob("keys.sqlite3-*"):
                leftover.unlink()
            store.write_bytes(b"no longer a database" * 100)
            answer = soap(base, "1.1", payment_xml(FIELDS), new_key())
        assert isinstance(billing.emulator, BillingEmulator)
        assert billing.emulator.payments == []
    assert (answer.status_code, fault_code(answer)) == (500, "InternalError")
    assert "idempotency store cannot be read or written" in answer.text and str(tmp_path) not in answer.text
