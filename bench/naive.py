"""The naive peer: what a developer would write with the design's own packages, Spyne and zeep, and nothing else.

    SOAPBRIDGE_HOME=<project> BENCH_UPSTREAM=<canned upstream> python -m gunicorn -k gthread -w 2 --threads 8 \\
        -b 127.0.0.1:PORT bench.naive:app

A Spyne ServiceBase publishes GetCustomer and SearchCustomers over SOAP 1.1 with object binding, its classes
written by hand from the canonical contract's shapes (wsdl/canonical/soapbridge-v1.xsd); each call goes to the
CRM through a zeep client of the CRM's WSDL, with zeep's own WS-Security UsernameToken (PasswordDigest), and
the answer's objects are copied field by field into the canonical ones. No stylesheet, no canonical
validation beyond Spyne's own, no limits or fault mapping: the cheapest honest version of the same service.
It answers on any path (the benchmark posts to /soap11), so it runs the xslt scenarios only.
"""

from __future__ import annotations

import datetime
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from spyne import Application, ComplexModel, Date, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from zeep import Client, Settings
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

CANONICAL = "urn:soapbridge:canonical:v1"
#: The CRM's operations that the two canonical ones map to.
READ, SEARCH = "Z_CRM_CUSTOMER_READ", "Z_CRM_CUSTOMER_SEARCH"
STATUSES = {"A": "active", "I": "inactive", "B": "blocked"}


class Address(ComplexModel):
    __namespace__ = CANONICAL
    _type_info: ClassVar = [
        ("street", Unicode(min_occurs=1)),
        ("postalCode", Unicode(min_occurs=1)),
        ("city", Unicode(min_occurs=1)),
        ("country", Unicode(min_occurs=1)),
    ]


class Customer(ComplexModel):
    __namespace__ = CANONICAL
    _type_info: ClassVar = [
        ("id", Unicode(min_occurs=1)),
        ("name", Unicode(min_occurs=1)),
        ("email", Unicode(min_occurs=1)),
        ("phone", Unicode),
        ("status", Unicode(min_occurs=1)),
        ("since", Date(min_occurs=1)),
        ("address", Address.customize(min_occurs=1)),
        ("tag", Unicode(max_occurs=20)),
    ]


def canonical_customer(legacy: Any) -> Customer:
    """One ZCRM_S_CUSTOMER (as zeep gives it) as the canonical Customer, by the crm stylesheets' field rules."""
    erdat = legacy.ERDAT
    return Customer(
        id=legacy.KUNNR.strip().lstrip("0") or "0",
        name=" ".join(legacy.NAME1.split()),
        email=legacy.SMTP_ADDR.strip(),
        phone=(legacy.TELF1 or "").strip() or None,
        status=STATUSES.get(legacy.STATUS.strip(), legacy.STATUS),
        since=datetime.date(int(erdat[:4]), int(erdat[4:6]), int(erdat[6:8])),
        address=Address(
            street=" ".join(legacy.STRAS.split()),
            postalCode=legacy.PSTLZ.strip(),
            city=" ".join(legacy.ORT01.split()),
            country=legacy.LAND1.strip(),
        ),
        tag=[" ".join(tag.TAG.split()) for tag in items(legacy.T_TAGS) if tag.TAG and tag.TAG.strip()],
    )


class CustomerService(ServiceBase):
    """The canonical contract's two customer reads (Spyne names the messages after the methods and arguments)."""

    @rpc(Unicode(min_occurs=1), _returns=Customer.customize(min_occurs=1), _out_variable_name="customer")
    def GetCustomer(ctx: Any, customerId: str) -> Customer:
        answer = crm()[READ](IV_KUNNR=customerId.strip().zfill(10))
        return canonical_customer(answer)

    @rpc(
        Unicode,
        Unicode,
        Unicode,
        _returns=Customer.customize(max_occurs="unbounded"),
        _out_variable_name="customer",
    )
    def SearchCustomers(ctx: Any, name: str | None, city: str | None, status: str | None) -> Iterable[Customer]:
        found = crm()[SEARCH](IV_NAME1=name, IV_ORT01=city)
        return [canonical_customer(item) for item in items(found) if status is None or _status(item) == status]


def items(table: Any) -> list[Any]:
    """An ABAP table's rows: zeep gives a table of one repeated element as the list itself, or None when empty."""
    if table is None:
        return []
    return list(table) if isinstance(table, list) else list(table.item)


def _status(legacy: Any) -> str:
    return STATUSES.get(legacy.STATUS.strip(), legacy.STATUS)


# -- the CRM client: one per process, made on first use (after gunicorn forks) -----------------------------------

_client: list[Any] = []


def crm() -> Any:
    """The CRM's zeep service proxy, bound to the canned upstream's /crm with the adapter's WS-Security account."""
    if not _client:
        _client.append(crm_client(dict(os.environ)))
    return _client[0]


def crm_client(env: dict[str, str]) -> Any:
    project = Path(env.get("SOAPBRIDGE_HOME") or Path(__file__).resolve().parent.parent)
    adapter = tomllib.loads((project / "adapters" / "crm.toml").read_text())
    account = adapter["credentials"]
    token = UsernameToken(env[account["username_env"]], env[account["password_env"]], use_digest=True)
    client = Client(
        str(project / adapter["system"]["wsdl"]),
        transport=Transport(timeout=10, operation_timeout=10),
        settings=Settings(forbid_entities=True, forbid_external=True),
        wsse=token,
    )
    binding = next(iter(client.wsdl.bindings))
    return client.create_service(binding, f"{env['BENCH_UPSTREAM'].rstrip('/')}/crm")


def create_app() -> WsgiApplication:
    application = Application(
        [CustomerService], tns=CANONICAL, in_protocol=Soap11(validator="lxml"), out_protocol=Soap11()
    )
    return WsgiApplication(application)


app = create_app()
