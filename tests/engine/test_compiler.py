"""The project compiler: every problem collected, each filed under its adapter and operation, naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soapbridge.engine import Engine
from soapbridge.engine.compiler import compile_project
from soapbridge.errors import ConfigError
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_shipped_project_compiles_without_problems() -> None:
    project = compile_project(Settings(root=Path(__file__).parents[2], env=CREDENTIALS))
    assert project.ok, project.problems
    assert project.contract is not None and set(project.operations) == set(project.contract.operations)


def test_every_problem_is_collected_not_only_the_first(project: Path) -> None:
    edit(project / "adapters" / "weather.toml", '"GetDailyForecast"', '"GetDailyForcast"')
    edit(project / "adapters" / "composite.toml", 'call = "ListInvoices"', 'call = "ListInvoice"')
    compiled = compile_project(Settings(root=project, env=CREDENTIALS))
    # the operations first, then the steps across adapters: a step's target may be any adapter's
    assert [(p.adapter, p.operation, p.error.key) for p in compiled.problems] == [
        ("weather", "GetForecast", "operations.GetForecast.upstream"),
        ("composite", "GetCustomerAccount", "operations.GetCustomerAccount.steps[1].call"),
    ]
    assert compiled.operations == {}


def test_the_engine_refuses_with_every_problem_and_the_first_ones_file_and_key(project: Path) -> None:
    edit(project / "adapters" / "weather.toml", '"GetDailyForecast"', '"GetDailyForcast"')
    edit(project / "adapters" / "weather.toml", '"GetCurrentObservation"', '"GetCurrentObservations"')
    with pytest.raises(ConfigError, match="and 1 more") as caught:
        Engine(Settings(root=project, env=CREDENTIALS))
    assert caught.value.key == "operations.GetCurrentWeather.upstream"
    assert "GetDailyForcast" in caught.value.message


def test_a_step_calling_its_own_operation_is_refused(project: Path) -> None:
    edit(project / "adapters" / "composite.toml", 'call = "ListInvoices"', 'call = "GetCustomerAccount"')
    [problem] = compile_project(Settings(root=project, env=CREDENTIALS)).problems
    assert problem.error.key == "operations.GetCustomerAccount.steps[1].call"
    assert problem.message.endswith("calls GetCustomerAccount, its own operation")


def test_a_step_leading_back_to_its_operation_is_refused(project: Path) -> None:
    shutil.copy(project / "adapters" / "composite.toml", project / "adapters" / "loop.toml")
    edit(project / "adapters" / "loop.toml", 'name = "composite"', 'name = "loop"')
    edit(project / "adapters" / "loop.toml", "[operations.GetCustomerAccount]", "[operations.GetCustomer]")
    text = (
        (project / "adapters" / "loop.toml")
        .read_text()
        .replace("operations.GetCustomerAccount", "operations.GetCustomer")
    )
    text = text.replace('call = "GetCustomer"', 'call = "GetCustomerAccount"')
    (project / "adapters" / "loop.toml").write_text(
        text.replace("[operations.GetCustomer]", '[operations.GetCustomer]\nroute = "false()"')
    )
    messages = [p.message for p in compile_project(Settings(root=project, env=CREDENTIALS)).problems]
    assert any(m.endswith("calls GetCustomer, which calls GetCustomerAccount back") for m in messages), messages


def add_backup_port(project: Path) -> None:
    second = (
        '    <wsdl:port name="InvoiceServiceBackup" binding="impl:InvoiceServiceSoapBinding">\n'
        '      <wsdlsoap:address location="http://localhost:8081/billing"/>\n'
        "    </wsdl:port>\n  </wsdl:service>"
    )
    edit(project / "wsdl" / "billing" / "InvoiceService.wsdl", "  </wsdl:service>", second)


def test_the_upstream_client_calls_the_port_the_compiler_chose(project: Path) -> None:
    add_backup_port(project)
    edit(project / "adapters" / "billing.toml", 'wsdl = "wsdl/billing/InvoiceService.wsdl"\n',
         'wsdl = "wsdl/billing/InvoiceService.wsdl"\nport = "InvoiceServiceBackup"\n')  # fmt: skip
    compiled = compile_project(Settings(root=project, env=CREDENTIALS))
    assert compiled.ok, compiled.problems
    assert compiled.legacy["billing"].port.name == "InvoiceServiceBackup"
    assert compiled.upstreams["billing"].address == "http://localhost:8081/billing"


def test_a_port_key_naming_no_port_is_the_adapters_problem(project: Path) -> None:
    edit(project / "adapters" / "billing.toml", 'wsdl = "wsdl/billing/InvoiceService.wsdl"\n',
         'wsdl = "wsdl/billing/InvoiceService.wsdl"\nport = "Nope"\n')  # fmt: skip
    [problem] = compile_project(Settings(root=project, env=CREDENTIALS)).problems
    assert (problem.adapter, problem.operation, problem.error.key) == ("billing", "", "system.wsdl")
    assert problem.message.endswith("expected exactly one SOAP port (set system.service and system.port); found none")
