"""`check` and `serve` agree: on each broken project, both refuse and name the same problem; on the shipped one,
both go ahead.

The rules live once, in the project compiler (engine/compiler.py), which both the engine (create_app) and check
read; the golden rules (pairs that hold, outputs their targets accept) are check's, and serve runs check first.
So each case also says whether the engine alone refuses it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.engine import Engine
from soapbridge.errors import SoapbridgeError
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS
from tests.running import start_gateway, stop_gateway


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, count))


def misspelled_request_element(project: Path) -> None:
    """The stylesheet and its golden outputs agree with each other, not with the legacy WSDL."""
    edit(project / "xslt/weather/GetForecast.request.xsl", "wx:StationICAO>", "wx:StationIcao>", 2)
    for output in (project / "xslt/weather/samples").glob("GetForecast.request*.out.xml"):
        edit(output, "wx:StationICAO>", "wx:StationIcao>", 2)


def step_calls_its_own_operation(project: Path) -> None:
    edit(project / "adapters/composite.toml", 'call = "ListInvoices"', 'call = "GetCustomerAccount"')


def steps_call_each_other(project: Path) -> None:
    """GetCustomer, served (on a route) by a second adapter whose step calls GetCustomerAccount, which calls it."""
    loop = project / "adapters/loop.toml"
    text = (project / "adapters/composite.toml").read_text().replace('name = "composite"', 'name = "loop"')
    text = text.replace("operations.GetCustomerAccount", "operations.GetCustomer")
    text = text.replace('call = "GetCustomer"', 'call = "GetCustomerAccount"')
    loop.write_text(text.replace("[operations.GetCustomer]\n", '[operations.GetCustomer]\nroute = "false()"\n', 1))


def two_default_adapters(project: Path) -> None:
    shutil.copy(project / "adapters/weather.toml", project / "adapters/wx.toml")
    edit(project / "adapters/wx.toml", 'name = "weather"', 'name = "wx"')


def unknown_upstream_operation(project: Path) -> None:
    edit(project / "adapters/weather.toml", '"GetDailyForecast"', '"GetDailyForcast"')


def two_soap_ports_and_no_port_key(project: Path) -> None:
    second = (
        '    <wsdl:port name="InvoiceServiceBackup" binding="impl:InvoiceServiceSoapBinding">\n'
        '      <wsdlsoap:address location="http://localhost:8081/billing"/>\n'
        "    </wsdl:port>\n  </wsdl:service>"
    )
    edit(project / "wsdl/billing/InvoiceService.wsdl", "  </wsdl:service>", second)


def non_canonical_operation(project: Path) -> None:
    edit(project / "adapters/billing.toml", "[operations.RecordPayment]", "[operations.RecordPayments]")


def step_calls_an_unserved_operation(project: Path) -> None:
    edit(project / "adapters/composite.toml", 'call = "ListInvoices"', 'call = "ListInvoice"')


def route_that_does_not_compile(project: Path) -> None:
    edit(
        project / "adapters/crm.toml", "[operations.GetCustomer]\n", '[operations.GetCustomer]\nroute = "cn:x) or (1"\n'
    )


def stylesheet_that_does_not_compile(project: Path) -> None:
    edit(project / "xslt/billing/RecordPayment.response.xsl", 'select="openCents"', 'select="openCents["')


def canonical_xsd_not_well_formed(project: Path) -> None:
    xsd = project / "wsdl/canonical/soapbridge-v1.xsd"
    xsd.write_text(xsd.read_text()[:-40])


def unknown_adapter_key(project: Path) -> None:
    edit(project / "adapters/crm.toml", "[timeouts]", "[timeout]")


def golden_pair_that_no_longer_holds(project: Path) -> None:
    edit(project / "xslt/billing/samples/RecordPayment.response.out.xml", ">75.00<", ">75.01<")


def response_output_the_canonical_xsd_refuses(project: Path) -> None:
    edit(project / "xslt/billing/RecordPayment.response.xsl", "cn:remainingBalance>", "cn:remainingBalanse>", 2)
    edit(
        project / "xslt/billing/samples/RecordPayment.response.out.xml",
        "cn:remainingBalance>",
        "cn:remainingBalanse>",
        2,
    )


def canonical_module_not_included(project: Path) -> None:
    """A per-system module beside the canonical XSD that it does not include: its operations would be missing."""
    module = (project / "wsdl/canonical/soapbridge-v1.xsd").read_text().split("<xs:element", 1)[0] + "</xs:schema>\n"
    (project / "wsdl/canonical/tides.xsd").write_text(module)


def client_allowed_an_unserved_operation(project: Path) -> None:
    edit(project / "clients.toml", 'operations = ["*"]', 'operations = ["GetCustomer", "GetTide"]')


def no_clients_file(project: Path) -> None:
    (project / "clients.toml").unlink()


def wsdl_that_does_not_load(project: Path) -> None:
    wsdl = project / "wsdl/mailing/ListPostApi.wsdl"
    wsdl.write_text(wsdl.read_text()[:200])


def passthrough_operation_not_in_the_binding(project: Path) -> None:
    edit(project / "adapters/weather.toml", "[passthrough.GetCurrentObservation]", "[passthrough.GetObservation]")


def passthrough_operation_named_like_a_canonical_one(project: Path) -> None:
    edit(project / "adapters/weather.toml", "[passthrough.GetCurrentObservation]", "[passthrough.GetForecast]")


@dataclass(frozen=True)
class Broken:
    breaks: Callable[[Path], None]
    #: What check's row and serve's refusal both say.
    says: str
    #: Whether the engine refuses it by itself, not only through serve running check first.
    engine_refuses: bool = True


CASES = {
    "misspelled element in a request stylesheet and its golden outputs": Broken(
        misspelled_request_element, "not a valid weather's GetDailyForecast input message", engine_refuses=False
    ),
    "a composite step calling its own operation": Broken(
        step_calls_its_own_operation, "calls GetCustomerAccount, its own operation"
    ),
    "composite steps calling each other": Broken(
        steps_call_each_other, "calls GetCustomerAccount, which calls GetCustomer back"
    ),
    "two default adapters for one operation": Broken(two_default_adapters, "already served by weather.toml"),
    "an upstream operation that does not exist": Broken(
        unknown_upstream_operation, "the WSDL's binding has no operation 'GetDailyForcast'"
    ),
    "two SOAP ports and no port key": Broken(
        two_soap_ports_and_no_port_key,
        "expected exactly one SOAP port (set system.service and system.port); found "
        "InvoiceServiceService/InvoiceService, InvoiceServiceService/InvoiceServiceBackup",
    ),
    "a non-canonical operation": Broken(
        non_canonical_operation, "operations.RecordPayments: not a canonical operation"
    ),
    "a step calling an unserved operation": Broken(
        step_calls_an_unserved_operation, "calls ListInvoice, which no adapter serves"
    ),
    "a route that does not compile": Broken(route_that_does_not_compile, "route: not a valid XPath 1.0 expression"),
    "a stylesheet that does not compile": Broken(
        stylesheet_that_does_not_compile, "xslt/billing/RecordPayment.response.xsl, line "
    ),
    "a canonical XSD that is not well-formed": Broken(canonical_xsd_not_well_formed, "soapbridge-v1.xsd"),
    "an unknown key in an adapter file": Broken(unknown_adapter_key, "timeout: unknown key"),
    "a canonical module the canonical XSD does not include": Broken(
        canonical_module_not_included, "wsdl/canonical/tides.xsd: a canonical module soapbridge-v1.xsd does not include"
    ),
    # the clients file is read at the gateway's edge (create_app), not by the engine
    "a client allowed an operation no adapter serves": Broken(
        client_allowed_an_unserved_operation,
        "clients.demo.operations: 'GetTide' is not an operation of this gateway",
        engine_refuses=False,
    ),
    "no clients file while authentication is on": Broken(
        no_clients_file, "clients.toml: cannot read", engine_refuses=False
    ),
    "a legacy WSDL that does not load": Broken(wsdl_that_does_not_load, "adapters/mailing.toml: system.wsdl: "),
    "a golden pair that no longer holds": Broken(
        golden_pair_that_no_longer_holds, "no longer gives RecordPayment.response.out.xml", engine_refuses=False
    ),
    "a pass-through operation the legacy binding does not have": Broken(
        passthrough_operation_not_in_the_binding,
        "passthrough.GetObservation: the WSDL's binding has no operation 'GetObservation'",
    ),
    "a pass-through operation named like a canonical one": Broken(
        passthrough_operation_named_like_a_canonical_one,
        "passthrough.GetForecast: GetForecast is also a canonical operation",
    ),
    "a response golden output the canonical XSD refuses": Broken(
        response_output_the_canonical_xsd_refuses, "not a valid canonical RecordPaymentResponse", engine_refuses=False
    ),
}


def run_check(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(home))
    monkeypatch.delenv("SOAPBRIDGE_AUTH", raising=False)  # on, as for serve: the clients file is judged
    monkeypatch.delenv("SOAPBRIDGE_CLIENTS", raising=False)
    code = main(["check"])
    return code, capsys.readouterr().out


def serve_env(home: Path, state: Path) -> dict[str, str]:
    """serve's environment as tests/running.py gives it: the credentials set, no other SOAPBRIDGE_ variable."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    return {
        **env,
        **CREDENTIALS,
        "SOAPBRIDGE_HOME": str(home),
        "SOAPBRIDGE_STATE_DIR": str(state),
    }


def run_refused_serve(home: Path, state: Path) -> tuple[int, str, str]:
    """serve on a project it must refuse: it exits at once, having started nothing."""
    command = [sys.executable, "-m", "soapbridge", "serve", "--port", "0", "--no-emulators"]
    process = subprocess.Popen(
        command, env=serve_env(home, state), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, out, err


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_check_and_serve_refuse_a_broken_project_naming_the_same_problem(
    case: Broken, project: Path, tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    case.breaks(project)
    code, out = run_check(project, capsys, monkeypatch)
    assert code == 1 and case.says in out, out
    code, served, refused = run_refused_serve(project, tmp_path_factory.mktemp("state"))
    assert code == 1 and served == "", served
    assert case.says in refused, refused
    if case.engine_refuses:
        with pytest.raises(SoapbridgeError) as caught:
            Engine(Settings(root=project, env=CREDENTIALS))
        assert case.says in str(caught.value).replace(f"{project}/", "")


def test_check_and_serve_both_go_ahead_on_the_unbroken_project(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run_check(project, capsys, monkeypatch)
    assert code == 0, out
    process, gateway = start_gateway(
        extra_env={**CREDENTIALS, "SOAPBRIDGE_HOME": str(project), "SOAPBRIDGE_AUTH": "on"},
        extra_args=["--no-emulators"],
        cwd=project,
    )
    assert gateway.base.startswith("http://127.0.0.1:")
    assert stop_gateway(process) == 0
