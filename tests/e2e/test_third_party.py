"""Two real third-party services behind the gateway, with no Python: issue 18's first "done when".

Each gets a gateway project of its own, made as a user would make it: `soapbridge init`, the demo's systems taken
out, the real WSDL (read from the corpus, never kept in the repository) under wsdl/<system>/, and the project data
under tests/e2e/thirdparty/<system>/ (the adapter file, a canonical module, two stylesheets and their golden pairs)
copied in, plus one xs:include line in the canonical XSD. `soapbridge check` passes it, and the real `soapbridge
serve` serves it against a stand-in for the service on loopback (thirdparty/standins.py):

- countryinfo: CountryInfoService, a DataFlex document/literal service with a SOAP 1.1 and a SOAP 1.2 port. An
  unknown code is answered "Country not found in the database" in an ordinary answer: [[answers]] makes it
  NotFound. A malformed code is refused by the canonical contract (cn:CountryCode) before any call.
- servicefinder: ServiceFinderQuery, a WCF service (SOAP 1.2 only, WS-Addressing, four imported XSDs) that wants a
  LoginID and a LicenceKey in the body: [parameters] from the environment, the key a secret. Its errors come
  in-band (IsError, ErrorMessage): an unknown PIN code is NotFound, one it refuses InvalidRequest, and a refused
  login an UpstreamFault in the gateway's words.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
import zeep.helpers
from lxml import etree

from soapbridge.cli import main
from tests.corpora import WSDL, required
from tests.e2e.thirdparty.standins import (
    BAD_PIN,
    COUNTRIES,
    PIN_CODES,
    CountryInfo,
    ServiceFinder,
    StandIn,
)
from tests.running import RunningGateway, serving, start_gateway, stop_gateway

HERE = Path(__file__).parent / "thirdparty"
CORPUS = WSDL / "wsdl-to-postman"
CN = "urn:soapbridge:canonical:v1"
ENVELOPES = {"11": "http://schemas.xmlsoap.org/soap/envelope/", "12": "http://www.w3.org/2003/05/soap-envelope"}
CONTENT_TYPES = {"11": "text/xml; charset=utf-8", "12": "application/soap+xml; charset=utf-8"}


@dataclass(frozen=True)
class Service:
    """One third-party service as the tests use it: its files, its canonical operation and three inputs."""

    system: str
    #: The WSDL first, then what it imports, in the corpus.
    files: tuple[Path, ...]
    operation: str
    field: str
    known: str
    #: Well-formed, and unknown to the service: answered in-band, NotFound.
    unknown: str
    #: InvalidRequest, by the canonical contract or by the service in-band.
    malformed: str
    #: The path the stand-in is served at (the real one's, so wsa:To is a real address).
    path: str


COUNTRYINFO = Service(
    "countryinfo",
    (CORPUS / "validWSDLs11" / "countryInformation.wsdl",),
    "GetCountryName",
    "countryCode",
    known="NL",
    unknown="XK",
    malformed="nl",
    path="/websamples.countryinfo/CountryInfoService.wso",
)
SERVICEFINDER = Service(
    "servicefinder",
    tuple(
        CORPUS / "separatedFiles" / "deepCircularRefs" / name
        for name in ("ServiceFinderQuery.wsdl", "xsd0.xsd", "xsd1.xsd", "xsd2.xsd", "xsd3.xsd")
    ),
    "FindServices",
    "pinCode",
    known="400001",
    unknown="999999",
    malformed="012345",
    path="/Ver1.9/Demo/ShippingAPI/Finder/ServiceFinderQuery.svc",
)


@dataclass
class Deployment:
    """A project, its stand-in and the real `soapbridge serve` on it."""

    service: Service
    project: Path
    standin: StandIn
    url: str
    gateway: RunningGateway
    #: The variables the gateway got beyond start_gateway's own: the endpoint, the login and the licence key.
    env: dict[str, str]

    @property
    def secrets(self) -> list[str]:
        return [value for name, value in self.env.items() if name.endswith("_LICENCE")]


def make_project(tmp: Path, service: Service) -> Path:
    """`soapbridge init`, the demo's systems replaced by this one, as a user adds a system: no Python."""
    project = tmp / service.system
    assert main(["init", str(project)]) == 0
    for demo in (project / "adapters").glob("*.toml"):  # the demo's systems go; its canonical contract stays
        demo.unlink()
        shutil.rmtree(project / "xslt" / demo.stem, ignore_errors=True)
        shutil.rmtree(project / "wsdl" / demo.stem, ignore_errors=True)
    shutil.rmtree(project / "flows")  # the demo's flows go with the systems they connect
    shutil.rmtree(project / "xslt" / "flows", ignore_errors=True)
    shutil.copytree(HERE / service.system, project, dirs_exist_ok=True)
    legacy = project / "wsdl" / service.system
    legacy.mkdir()
    for file in service.files:
        shutil.copy(required(file), legacy / file.name)
    canonical = project / "wsdl" / "canonical" / "soapbridge-v1.xsd"
    include = f'\n  <xs:include schemaLocation="{service.system}.xsd"/>\n'
    text, found = re.subn(
        r"<xs:schema\b[^>]*>\n", lambda start: start.group() + include, canonical.read_text(), count=1
    )
    assert found == 1
    canonical.write_text(text)
    return project


def standin_for(service: Service, login: str, licence: str) -> StandIn:
    wsdl = required(service.files[0])
    return ServiceFinder(wsdl, login=login, licence=licence) if service is SERVICEFINDER else CountryInfo(wsdl)


@pytest.fixture(scope="module", params=[COUNTRYINFO, SERVICEFINDER], ids=lambda service: service.system)
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    service: Service = request.param
    project = make_project(tmp_path_factory.mktemp("thirdparty"), service)
    login, licence = f"SBGW{secrets.randbelow(10**6):06d}", secrets.token_urlsafe(18)
    standin = standin_for(service, login, licence)
    with serving(standin, f"standin-{service.system}") as base:
        url = base + service.path
        prefix = f"SOAPBRIDGE_{service.system.upper()}"
        env = {f"{prefix}_URL": url}
        if service is SERVICEFINDER:
            env.update({f"{prefix}_LOGIN": login, f"{prefix}_LICENCE": licence})
        process, gateway = start_gateway(
            extra_env={**env, "SOAPBRIDGE_LOG_EXCHANGE": "on"}, extra_args=["--no-emulators"], cwd=project
        )
        deployed = Deployment(service, project, standin, url, gateway, env)
        try:
            yield deployed
        finally:
            assert stop_gateway(process) == 0, gateway.all_output()
    log = gateway.all_output()  # to its last line: the key is in none
    assert all(secret not in log for secret in deployed.secrets)


# --- the project: data only, and check accepts it ------------------------------------------------------------


def test_the_project_is_data_and_check_accepts_it(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    added = {path.suffix for path in (HERE / deployment.service.system).rglob("*") if path.is_file()}
    assert added <= {".toml", ".xsd", ".xsl", ".xml"}
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(deployment.project))
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^{deployment.service.system}\s+{deployment.service.operation}\s+ok\s", out, re.MULTILINE), out
    for secret in deployment.secrets:
        assert not any(secret in path.read_text(errors="replace") for path in deployment.project.rglob("*.*"))


# --- success on SOAP 1.1, SOAP 1.2 and JSON -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["11", "12"])
def test_a_known_code_answers_over_soap(deployment: Deployment, version: str) -> None:
    service = deployment.service
    client = zeep.Client(f"{deployment.gateway.base}/soap{version}?wsdl")
    answer = getattr(client.service, service.operation)(service.known)
    assert answer_fields(deployment, zeep.helpers.serialize_object(answer, dict)) == expected(service)


def test_a_known_code_answers_over_json(deployment: Deployment) -> None:
    service = deployment.service
    response = call_json(deployment, service.known)
    assert response.status_code == 200, response.text
    assert answer_fields(deployment, response.json()) == expected(service)


def answer_fields(deployment: Deployment, answer: dict[str, Any]) -> dict[str, Any]:
    if deployment.service is COUNTRYINFO:
        return {"countryCode": answer["countryCode"], "name": answer["name"]}
    holidays = [(str(day["date"]), day["description"]) for day in answer["holiday"] or []]
    return {"pinCode": answer["pinCode"], "description": answer["description"], "holidays": holidays}


def expected(service: Service) -> dict[str, Any]:
    if service is COUNTRYINFO:
        return {"countryCode": "NL", "name": COUNTRIES["NL"]}
    known = PIN_CODES[service.known]
    holidays = [(when[:10], what) for what, when in known["BlueDartHolidays"]]
    return {"pinCode": service.known, "description": known["PincodeDescription"], "holidays": holidays}


# --- NotFound and InvalidRequest on SOAP 1.1, SOAP 1.2 and JSON ---------------------------------------------------


@pytest.mark.parametrize("version", ["11", "12"])
def test_an_unknown_code_is_a_client_not_found_fault(deployment: Deployment, version: str) -> None:
    status, code, subcode, detail = call_soap(deployment, version, deployment.service.unknown)
    assert (code, detail["code"], detail["system"]) == (client_code(version), "NotFound", deployment.service.system)
    assert status == (500 if version == "11" else 400)
    assert subcode in (None, "NotFound")


def test_an_unknown_code_is_404_on_json(deployment: Deployment) -> None:
    response = call_json(deployment, deployment.service.unknown)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["system"]) == ("NotFound", deployment.service.system)


@pytest.mark.parametrize("version", ["11", "12"])
def test_a_malformed_code_is_a_client_invalid_request_fault(deployment: Deployment, version: str) -> None:
    calls = len(deployment.standin.requests)
    status, code, _, detail = call_soap(deployment, version, deployment.service.malformed)
    assert (code, detail["code"]) == (client_code(version), "InvalidRequest")
    assert status == (500 if version == "11" else 400)
    assert_who_refused(deployment, calls, detail["message"])


def test_a_malformed_code_is_400_on_json(deployment: Deployment) -> None:
    calls = len(deployment.standin.requests)
    response = call_json(deployment, deployment.service.malformed)
    assert response.status_code == 400 and response.json()["code"] == "InvalidRequest", response.text
    assert_who_refused(deployment, calls, response.json()["detail"])


def assert_who_refused(deployment: Deployment, calls: int, message: str) -> None:
    """The country code is refused by the canonical contract, never sent; the PIN code by the service, in-band."""
    if deployment.service is COUNTRYINFO:
        assert len(deployment.standin.requests) == calls
        assert "countryCode" in message
    else:
        assert len(deployment.standin.requests) == calls + 1
        assert message == BAD_PIN


def client_code(version: str) -> str:
    return "Client" if version == "11" else "Sender"


def call_soap(deployment: Deployment, version: str, value: str) -> tuple[int, str, str | None, dict[str, str]]:
    """HTTP status, fault code (local name), first subcode and the cn:GatewayFault detail of a SOAP call."""
    soap, service = ENVELOPES[version], deployment.service
    body = f'<s:Envelope xmlns:s="{soap}"><s:Body>{canonical_request(service, value)}</s:Body></s:Envelope>'
    headers = {"Content-Type": CONTENT_TYPES[version]}
    if version == "11":
        headers["SOAPAction"] = f'"{CN}/{service.operation}"'
    response = requests.post(
        f"{deployment.gateway.base}/soap{version}", data=body.encode(), headers=headers, timeout=10
    )
    fault = etree.fromstring(response.content).find(f"{{{soap}}}Body/{{{soap}}}Fault")
    assert fault is not None, response.text
    code = fault.findtext("faultcode") if version == "11" else fault.findtext(f"{{{soap}}}Code/{{{soap}}}Value")
    subcode = fault.findtext(f"{{{soap}}}Code/{{{soap}}}Subcode/{{{soap}}}Value")
    detail = fault.find(f".//{{{CN}}}GatewayFault")
    assert detail is not None, response.text
    fields = {etree.QName(child).localname: child.text or "" for child in detail}
    return response.status_code, local(code) or "", local(subcode), fields


def local(qname: str | None) -> str | None:
    return qname.rpartition(":")[2] if qname else None


def canonical_request(service: Service, value: str) -> str:
    element, field = service.operation, service.field
    return f'<cn:{element} xmlns:cn="{CN}"><cn:{field}>{value}</cn:{field}></cn:{element}>'


def call_json(deployment: Deployment, value: str) -> requests.Response:
    service = deployment.service
    return requests.post(f"{deployment.gateway.base}/json/{service.operation}", json={service.field: value}, timeout=10)


# --- what reached the service, and what never shows ---------------------------------------------------------------


def test_the_standin_refuses_what_the_real_service_would(deployment: Deployment) -> None:
    """So that its answers above mean the gateway sent what the WSDL describes, as the service wants it."""
    service = deployment.service
    misspelled = canonical_request(service, service.known).replace(f"cn:{service.field}", "cn:code")
    if service is COUNTRYINFO:
        misspelled = misspelled.replace(
            f'xmlns:cn="{CN}"', 'xmlns:cn="http://www.oorsprong.org/websamples.countryinfo"'
        )
        answer = post_standin(deployment, "11", misspelled.replace("GetCountryName", "CountryName"))
        assert answer.status_code == 500 and "sCountryISOCode" in answer.text
        return
    assert post_standin(deployment, "11", misspelled).status_code == 415
    answer = post_standin(deployment, "12", misspelled)
    assert answer.status_code == 500 and "a:ActionNotSupported" in answer.text


def post_standin(deployment: Deployment, version: str, body: str) -> requests.Response:
    envelope = f'<s:Envelope xmlns:s="{ENVELOPES[version]}"><s:Body>{body}</s:Body></s:Envelope>'
    headers = {"Content-Type": CONTENT_TYPES[version]}
    return requests.post(deployment.url, data=envelope.encode(), headers=headers, timeout=10)


def test_the_service_got_the_wsdls_messages_with_the_login_in_the_body(deployment: Deployment) -> None:
    """Each request passed the stand-in's check against the WSDL (or it would have failed above); the WCF one
    carries the profile from [parameters] and WS-Addressing from the WSDL's policy."""
    call_json(deployment, deployment.service.known)
    sent = etree.fromstring(deployment.standin.requests[-1])
    if deployment.service is COUNTRYINFO:
        assert sent.tag == f"{{{ENVELOPES['11']}}}Envelope"
        return
    wsa = "http://www.w3.org/2005/08/addressing"
    admin = "http://schemas.datacontract.org/2004/07/SAPI.Entities.Admin"
    assert sent.tag == f"{{{ENVELOPES['12']}}}Envelope"
    assert sent.findtext(f".//{{{wsa}}}Action") == "http://tempuri.org/IServiceFinderQuery/GetServicesforPincode"
    assert sent.findtext(f".//{{{wsa}}}To") == deployment.url
    profile = {etree.QName(child).localname: child.text for child in sent.iterfind(f".//{{{admin}}}*")}
    login, licence = (
        deployment.env["SOAPBRIDGE_SERVICEFINDER_LOGIN"],
        deployment.env["SOAPBRIDGE_SERVICEFINDER_LICENCE"],
    )
    assert profile == {"Api_type": "S", "LicenceKey": licence, "LoginID": login, "Version": "1.9"}


def test_the_licence_key_never_shows(deployment: Deployment) -> None:
    """Not in faults, the status page, the metrics or the log, which logs every legacy exchange here."""
    gateway = deployment.gateway
    seen = [
        call_json(deployment, deployment.service.unknown).text,
        call_json(deployment, deployment.service.malformed).text,
        requests.get(f"{gateway.base}/", timeout=10).text,
        requests.get(f"{gateway.base}/metrics", timeout=10).text,
        requests.get(f"{gateway.base}/soap12?wsdl", timeout=10).text,
        "".join(gateway.output),
    ]
    assert deployment.service.system in seen[2]
    for secret in deployment.secrets:
        assert all(secret not in text for text in seen)
    if deployment.service is SERVICEFINDER:
        assert re.search(r"LicenceKey>\*\*\*</", seen[-1]), "the exchange log shows the request, the key redacted"


# --- soapbridge try --------------------------------------------------------------------------------------------


def run_try(
    deployment: Deployment, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> tuple[int, str]:
    service = deployment.service
    request = deployment.project / f"try-{value}.xml"
    request.write_text(canonical_request(service, value))
    for name, given in {**deployment.env, **env, "SOAPBRIDGE_HOME": str(deployment.project)}.items():
        monkeypatch.setenv(name, given)
    code = main(["try", service.operation, str(request)])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out


def test_try_shows_the_legacy_request_with_the_key_redacted(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_try(deployment, deployment.service.known, monkeypatch, capsys)
    assert code == 0, out
    upstream = "CountryName" if deployment.service is COUNTRYINFO else "GetServicesforPincode"
    assert f"== legacy request: {deployment.service.system} {upstream} to {deployment.url}" in out
    assert "== legacy answer: HTTP 200 " in out
    for secret in deployment.secrets:
        assert secret not in out
        assert re.search(r"LicenceKey>\*\*\*</", out), out
    if deployment.service is SERVICEFINDER:  # a key the service refuses: the gateway's fault, in its own words
        wrong = secrets.token_urlsafe(18)
        code, out = run_try(
            deployment, SERVICEFINDER.known, monkeypatch, capsys, SOAPBRIDGE_SERVICEFINDER_LICENCE=wrong
        )
        assert code == 1 and wrong not in out
        assert "== canonical fault: UpstreamFault (server's fault)" in out
        assert "the service finder refused the gateway's login id or licence key" in out


def test_try_names_the_answer_rule_that_made_the_fault(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The legacy answer as received (an ordinary HTTP 200 answer), then the [[answers]] rule that made it a fault."""
    code, out = run_try(deployment, deployment.service.unknown, monkeypatch, capsys)
    assert code == 1
    answer, rule = out.split("== legacy answer: HTTP 200 ", 1)[1].split("== rule\n", 1)
    assert "IsError>true<" in answer or "Country not found in the database" in answer
    assert re.match(rf"   {deployment.service.system}: answers\[\d\] \(when .*\) -> NotFound\n", rule), out
    assert "== canonical fault: NotFound (client's fault)" in out
