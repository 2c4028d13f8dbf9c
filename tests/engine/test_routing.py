"""Content-based routing among adapters: a project copy with a CRM archive, two CRM emulators on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from lxml import etree

from soapbridge.engine import Engine
from soapbridge.errors import ConfigError, RequestError, UpstreamUnavailable
from soapbridge.gateway import create_app
from soapbridge.legacy import build
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.crm import build as build_crm
from soapbridge.legacy.crm_data import SEED
from soapbridge.namespaces import CANONICAL, SOAP11_ENV
from soapbridge.settings import Auth, Settings
from soapbridge.toolkit.transform import OperationMapping
from soapbridge.xmlparse import parse_file
from tests.conftest import CREDENTIALS, ROOT
from tests.running import free_port, serving

ARCHIVE_ROUTE = "starts-with(cn:customerId, '9')"
#: Only the archive has customer 900000001; its 1001 has another name than the CRM's, so the answer says who replied.
ARCHIVED = (
    replace(SEED[0], KUNNR="0900000001", NAME1="Archie Archived"),
    replace(SEED[0], NAME1="Ada Lovelace (archived)"),
)


def add_adapter(project: Path, name: str, route: str | None, *, attempts: int = 3) -> None:
    """adapters/<name>.toml: the CRM's file (WSDL, account, fault rules, stylesheets) serving GetCustomer only."""
    crm = (project / "adapters" / "crm.toml").read_text()
    head = crm[: crm.index("[operations.GetCustomer]")].replace('name = "crm"', f'name = "{name}"')
    operation = crm[crm.index("[operations.GetCustomer]") : crm.index("[operations.SearchCustomers]")]
    if route is not None:
        operation = operation.replace("]\n", f"]\nroute = {json.dumps(route)}\n", 1)
    text = head.replace("attempts = 3", f"attempts = {attempts}") + operation
    (project / "adapters" / f"{name}.toml").write_text(text)


def set_route(project: Path, system: str, route: str) -> None:
    path = project / "adapters" / f"{system}.toml"
    path.write_text(
        path.read_text().replace(
            "[operations.GetCustomer]\n", f"[operations.GetCustomer]\nroute = {json.dumps(route)}\n"
        )
    )


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, RunningEmulator]]:
    """The CRM with its seed, an archive CRM with ARCHIVED, and billing (for the composite)."""
    running = {
        "crm": start(build_crm(ROOT / "wsdl", CREDENTIALS)),
        "crm_archive": start(build_crm(ROOT / "wsdl", CREDENTIALS, ARCHIVED)),
        "billing": start(build("billing", ROOT / "wsdl", CREDENTIALS)),
    }
    try:
        yield running
    finally:
        for emulator in running.values():
            emulator.stop()


@pytest.fixture
def routed(project: Path) -> Path:
    add_adapter(project, "crm_archive", ARCHIVE_ROUTE)
    return project


def settings(project: Path, emulators: dict[str, RunningEmulator], **urls: str) -> Settings:
    env = {f"SOAPBRIDGE_{system.upper()}_URL": emulator.url for system, emulator in emulators.items()}
    env |= {f"SOAPBRIDGE_{system.upper()}_URL": url for system, url in urls.items()}
    return Settings(root=project, env={**CREDENTIALS, **env}, auth=Auth(enabled=False))


def get_customer(customer_id: str) -> etree._Element:
    request = etree.Element(f"{{{CANONICAL}}}GetCustomer")
    etree.SubElement(request, f"{{{CANONICAL}}}customerId").text = customer_id
    return request


def name_of(response: etree._Element) -> str:
    return str(response.findtext(f".//{{{CANONICAL}}}name"))


def test_the_route_sends_9_customers_to_the_archive_and_the_rest_to_the_crm(
    routed: Path, emulators: dict[str, RunningEmulator]
) -> None:
    engine = Engine(settings(routed, emulators))
    assert name_of(engine.call("GetCustomer", get_customer("900000001"))) == "Archie Archived"
    assert name_of(engine.call("GetCustomer", get_customer("1001"))) == "Ada Lovelace"
    assert engine.route("GetCustomer", get_customer("900000001")).system == "crm_archive"
    assert [served.system for served in engine.operations["GetCustomer"].adapters] == ["crm_archive", "crm"]
    assert [served.system for served in engine.operations["SearchCustomers"].adapters] == ["crm"]


def test_the_gateway_routes_soap_and_json_requests_over_http(
    routed: Path, emulators: dict[str, RunningEmulator]
) -> None:
    with serving(create_app(settings(routed, emulators)), "gateway") as base, requests.Session() as http:
        http.trust_env = False
        archived = http.post(f"{base}/json/GetCustomer", json={"customerId": "900000001"}, timeout=10)
        current = http.post(f"{base}/json/GetCustomer", json={"customerId": "1001"}, timeout=10)
        envelope = (
            f'<s:Envelope xmlns:s="{SOAP11_ENV}"><s:Body><GetCustomer xmlns="{CANONICAL}">'
            "<customerId>900000001</customerId></GetCustomer></s:Body></s:Envelope>"
        )
        soap = http.post(
            f"{base}/soap11",
            data=envelope,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{CANONICAL}/GetCustomer"'},
            timeout=10,
        )
    assert archived.json()["customer"]["name"] == "Archie Archived"
    assert current.json()["customer"]["name"] == "Ada Lovelace"
    assert soap.status_code == 200 and name_of(etree.fromstring(soap.content)) == "Archie Archived"


def test_the_first_true_route_in_file_order_wins_and_faults_name_the_chosen_system(
    routed: Path, emulators: dict[str, RunningEmulator]
) -> None:
    add_adapter(routed, "crm_attic", "true()", attempts=1)  # after crm_archive by name; nothing listens there
    engine = Engine(settings(routed, emulators, crm_attic=f"http://127.0.0.1:{free_port()}/crm"))
    assert name_of(engine.call("GetCustomer", get_customer("900000001"))) == "Archie Archived"
    with pytest.raises(UpstreamUnavailable) as caught:
        engine.call("GetCustomer", get_customer("1001"))
    assert caught.value.system == "crm_attic"


def test_with_no_default_a_request_no_route_takes_is_invalid(
    routed: Path, emulators: dict[str, RunningEmulator]
) -> None:
    set_route(routed, "crm", "starts-with(cn:customerId, '1')")
    engine = Engine(settings(routed, emulators))
    assert name_of(engine.call("GetCustomer", get_customer("1001"))) == "Ada Lovelace"
    with pytest.raises(RequestError, match="GetCustomer") as caught:
        engine.call("GetCustomer", get_customer("2001"))
    assert caught.value.fault_code == "InvalidRequest"


def test_a_route_on_an_operation_one_adapter_serves_guards_it(
    project: Path, emulators: dict[str, RunningEmulator]
) -> None:
    set_route(project, "crm", "string-length(cn:customerId) = 4")
    engine = Engine(settings(project, emulators))
    assert name_of(engine.call("GetCustomer", get_customer("1001"))) == "Ada Lovelace"
    with pytest.raises(RequestError, match="no adapter serves this GetCustomer request"):
        engine.call("GetCustomer", get_customer("900000001"))


def test_a_composite_step_is_routed(project: Path, emulators: dict[str, RunningEmulator]) -> None:
    add_adapter(project, "crm_archive", "cn:customerId = '1001'")
    engine = Engine(settings(project, emulators))
    request = etree.Element(f"{{{CANONICAL}}}GetCustomerAccount")
    etree.SubElement(request, f"{{{CANONICAL}}}customerId").text = "1001"
    account = engine.call("GetCustomerAccount", request)
    assert name_of(account) == "Ada Lovelace (archived)"
    assert account.find(f".//{{{CANONICAL}}}openInvoice") is not None  # the other step, billing's, still answered


@pytest.mark.parametrize(
    ("route", "said"),
    [
        ("starts-with(cn:customerId, '9'", "Invalid expression"),
        ("starts-with(x:customerId, '9')", "Undefined namespace prefix"),
        ("no-such-function(cn:customerId)", "Unregistered function"),
        ("cn:customerId) or (true()", "Invalid expression"),
    ],
)
def test_a_route_that_does_not_compile_fails_start_up(project: Path, route: str, said: str) -> None:
    add_adapter(project, "crm_archive", route)
    with pytest.raises(ConfigError) as caught:
        Engine(Settings(root=project, env=CREDENTIALS))
    error = caught.value
    assert (Path(error.file or "").name, error.key) == ("crm_archive.toml", "operations.GetCustomer.route")
    assert said in error.message


def test_two_adapters_serving_one_operation_without_a_route_fail_start_up(project: Path) -> None:
    add_adapter(project, "crm_archive", None)
    with pytest.raises(ConfigError, match=r"already served by crm\.toml") as caught:
        Engine(Settings(root=project, env=CREDENTIALS))
    assert (Path(caught.value.file or "").name, caught.value.key) == ("crm_archive.toml", "operations.GetCustomer")


def test_transform_maps_each_adapter_of_a_routed_operation(routed: Path) -> None:
    sample = parse_file(ROOT / "xslt/crm/samples/GetCustomer.request.in.xml").getroot()
    for adapter in ("crm", "crm_archive"):
        outcome = OperationMapping(Settings(root=routed, env={}), adapter, "GetCustomer").map_request(sample)
        assert outcome.ok and outcome.results[0].target.startswith(f"{adapter}'s Z_CRM_CUSTOMER_READ")
