"""What the topology's clients send: keyed payments and reads over JSON, UsernameToken-signed SOAP, and a
load of reads that records when each request started and ended, and how it was answered."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from lxml import etree

from soapbridge.gateway.wsse import password_digest
from soapbridge.namespaces import CANONICAL, SOAP11_ENV, WSSE, WSSE_PASSWORD_DIGEST, WSU

from .conftest import DEMO
from .processes import session

INVOICE = "INV-2024-0242"
CUSTOMER = "1001"


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def json_call(
    base: str, operation: str, fields: dict[str, object], correlation_id: str, key: str | None = None
) -> requests.Response:
    """POST /json/<operation> as the demo client (HTTP Basic), on a connection of its own."""
    headers = {"Content-Type": "application/json", "X-Correlation-ID": correlation_id}
    if key is not None:
        headers["Idempotency-Key"] = key
    with session() as client:
        return client.post(f"{base}/json/{operation}", data=json.dumps(fields), headers=headers, auth=DEMO, timeout=30)


def pay(base: str, key: str, correlation_id: str, reference: str = "topology") -> requests.Response:
    payment = {"invoiceId": INVOICE, "amount": 1.25, "currency": "GBP", "paidOn": "2026-11-21", "reference": reference}
    return json_call(base, "RecordPayment", payment, correlation_id, key)


def read_customer(base: str, correlation_id: str) -> requests.Response:
    return json_call(base, "GetCustomer", {"customerId": CUSTOMER}, correlation_id)


def is_the_customer(response: requests.Response) -> bool:
    """A right answer to read_customer: 200, and the customer asked for."""
    if response.status_code != 200:
        return False
    return bool(response.json().get("customer", {}).get("id") == CUSTOMER)


def digest_token(username: str, secret: str) -> str:
    """A wsse:Security header with a PasswordDigest UsernameToken, a fresh nonce and the time now."""
    nonce = secrets.token_bytes(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'<e:Header><w:Security xmlns:w="{WSSE}" xmlns:u="{WSU}" e:mustUnderstand="1"><w:UsernameToken>'
        f'<w:Username>{username}</w:Username><w:Password Type="{WSSE_PASSWORD_DIGEST}">'
        f"{password_digest(nonce, created, secret)}</w:Password>"
        f"<w:Nonce>{base64.b64encode(nonce).decode()}</w:Nonce><u:Created>{created}</u:Created>"
        "</w:UsernameToken></w:Security></e:Header>"
    )


def soap_get_customer(base: str, header: str) -> tuple[int, str]:
    """(HTTP status, canonical fault code or "ok") of a SOAP 1.1 GetCustomer carrying header."""
    body = f'<GetCustomer xmlns="{CANONICAL}"><customerId>{CUSTOMER}</customerId></GetCustomer>'
    envelope = f'<e:Envelope xmlns:e="{SOAP11_ENV}">{header}<e:Body>{body}</e:Body></e:Envelope>'
    with session() as client:
        response = client.post(
            f"{base}/soap11", data=envelope.encode(), headers={"Content-Type": "text/xml"}, timeout=30
        )
    fault = etree.fromstring(response.content).find(f".//{{{SOAP11_ENV}}}Fault")
    if fault is None:
        return response.status_code, "ok"
    return response.status_code, fault.findtext(f".//{{{CANONICAL}}}code") or ""


@dataclass
class Outcome:
    correlation_id: str
    started: float
    ended: float
    #: HTTP status, or 0 when no answer came at all.
    status: int
    right: bool
    error: str = ""


@dataclass
class ReadLoad:
    """Clients reading a customer in a loop through base, each on a new connection, until stopped."""

    base: str
    clients: int
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> ReadLoad:
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    @property
    def wrong(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.right]

    def _client(self) -> None:
        while not self._stop.is_set():
            correlation_id, started = new_correlation_id(), time.monotonic()
            try:
                response = read_customer(self.base, correlation_id)
                right = is_the_customer(response)
                error = "" if right else response.text[:300]
                outcome = Outcome(correlation_id, started, time.monotonic(), response.status_code, right, error)
            except requests.RequestException as exc:
                outcome = Outcome(correlation_id, started, time.monotonic(), 0, False, repr(exc))
            with self._lock:
                self.outcomes.append(outcome)
