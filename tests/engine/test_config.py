"""Adapter files: a mistake fails at start-up, naming the file, the key and what was expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soapbridge.config import load_adapters
from soapbridge.engine import Engine
from soapbridge.errors import ConfigError
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS, ROOT


def edit(project: Path, system: str, old: str, new: str) -> None:
    path = project / "adapters" / f"{system}.toml"
    text = path.read_text()
    assert old in text, f"{old!r} is not in {system}.toml"
    path.write_text(text.replace(old, new, 1))


def load_error(project: Path, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        Engine(Settings(root=project, env=CREDENTIALS if env is None else env))
    return caught.value


def test_the_shipped_adapters_load_and_serve_every_canonical_operation() -> None:
    engine = Engine(Settings(root=ROOT, env=CREDENTIALS))
    assert set(engine.operations) == set(engine.contract.operations)


@pytest.mark.parametrize(
    ("system", "old", "new", "key", "expected"),
    [
        ("crm", "[timeouts]", "[timeout]", None, "unknown key; expected one of"),
        ("weather", "connect = ", "connect = 'two' #", "timeouts.connect", "a number of seconds"),
        ("billing", "upstream = ", "upstreem = ", "operations.ListInvoices.upstreem", "unknown key"),
        (
            "crm",
            'response = "xslt/crm/GetCustomer.response.xsl"',
            'response = "xslt/crm/Nope.xsl"',
            "operations.GetCustomer.response",
            "no such file: xslt/crm/Nope.xsl",
        ),
        (
            "crm",
            "[operations.GetCustomer]",
            "[operations.GetCustomr]",
            "operations.GetCustomr",
            "not a canonical operation",
        ),
        (
            "weather",
            'upstream = "GetCurrentObservation"',
            'upstream = "GetCurrentObs"',
            "operations.GetCurrentWeather.upstream",
            "has no operation 'GetCurrentObs'",
        ),
        ("billing", 'name = "billing"', 'name = "invoices"', "system.name", "expected 'billing'"),
        ("mailing", 'code = "NotFound"', 'code = "Missing"', "faults[0].code", "expected one of"),
        (
            "composite",
            'call = "ListInvoices"',
            'call = "ListInvoice"',
            "operations.GetCustomerAccount.steps[1].call",
            "no adapter serves",
        ),
        (
            "crm",
            "[operations.GetCustomer]",
            "[operations.GetCustomer]\nroute = 9",
            "operations.GetCustomer.route",
            "XPath",
        ),
        (
            "crm",
            "[operations.GetCustomer]",
            '[operations.GetCustomer]\nroute = " "',
            "operations.GetCustomer.route",
            "empty",
        ),
        (
            "crm",
            "[operations.GetCustomer]",
            '[operations.GetCustomer]\nroute = "("',
            "operations.GetCustomer.route",
            "XPath",
        ),
        ("crm", "deadline = 15.0", "deadline = 0", "timeouts.deadline", "between 0 and 600"),
        ("crm", "attempts = 3", "attempts = 1.5", "retry.attempts", "a whole number"),
        ("crm", "attempts = 3", "attempts = 0", "retry.attempts", "between 1 and 10"),
        ("crm", "max_backoff = 2.0", "max_backoff = 0.1", "retry.max_backoff", "at least backoff"),
        ("crm", "[retry]", "[retry]\njitter = true", "retry.jitter", "unknown key"),
        ("weather", "failures = 5", "failures = 'many'", "breaker.failures", "a whole number"),
        ("weather", "max_cooldown = 120.0", "max_cooldown = 1", "breaker.max_cooldown", "at least cooldown"),
        ("mailing", "max_concurrent = 8", "max_concurrent = 0", "bulkhead.max_concurrent", "between 1 and 1000"),
        ("mailing", "max_wait = 0.5", "max_wait = -1", "bulkhead.max_wait", "between 0 and 600"),
        (
            "billing",
            'Payment.response.xsl"\nidempotent = false',
            'Payment.response.xsl"\nidempotent = "no"',
            "operations.RecordPayment.idempotent",
            "true or false",
        ),
        (
            "billing",
            'Payment.response.xsl"\nidempotent = false',
            'Payment.response.xsl"\n[operations.RecordPayment.timeouts]\nread = 1',
            "operations.RecordPayment.timeouts.read",
            "unknown key",
        ),
    ],
)
def test_a_typo_names_file_key_and_expectation(
    project: Path, system: str, old: str, new: str, key: str | None, expected: str
) -> None:
    edit(project, system, old, new)
    error = load_error(project)
    assert error.file and error.file.endswith(f"{system}.toml")
    if key:
        assert error.key == key
    assert expected in error.message


def test_a_missing_credential_names_the_variable(project: Path) -> None:
    error = load_error(project, env={k: v for k, v in CREDENTIALS.items() if k != "SOAPBRIDGE_CRM_PASSWORD"})
    assert (error.key, "SOAPBRIDGE_CRM_PASSWORD is not set" in error.message) == ("credentials.password_env", True)


def test_a_bad_endpoint_override_is_refused(project: Path) -> None:
    error = load_error(project, env={**CREDENTIALS, "SOAPBRIDGE_BILLING_URL": "billing.internal:8080"})
    assert error.key == "system.SOAPBRIDGE_BILLING_URL" and "http(s) URL" in error.message


def test_an_invalid_fault_xpath_is_refused(project: Path) -> None:
    edit(project, "weather", "when = ", "when = 'nope:Detail' #")
    error = load_error(project)
    assert error.key == "faults[0].when" and "XPath" in error.message


def test_a_route_is_read_as_written(project: Path) -> None:
    edit(project, "crm", "[operations.GetCustomer]", "[operations.GetCustomer]\nroute = \"cn:customerId = '1'\"")
    crm = next(adapter for adapter in load_adapters(Settings(root=project, env=CREDENTIALS)) if adapter.name == "crm")
    assert crm.operations["GetCustomer"].route == "cn:customerId = '1'"
    assert crm.operations["SearchCustomers"].route is None


def test_two_adapters_without_a_route_for_one_operation_are_refused(project: Path) -> None:
    shutil.copy(project / "adapters" / "weather.toml", project / "adapters" / "weather2.toml")
    edit(project, "weather2", 'name = "weather"', 'name = "weather2"')
    with pytest.raises(ConfigError, match=r"already served by weather\.toml"):
        Engine(Settings(root=project, env=CREDENTIALS))


def test_a_remote_import_in_a_legacy_wsdl_is_refused(project: Path) -> None:
    wsdl = project / "wsdl" / "weather" / "WxFeed.wsdl"
    wsdl.write_text(
        wsdl.read_text().replace('schemaLocation="WxFeedTypes.xsd"', 'schemaLocation="http://127.0.0.1:9/x.xsd"')
    )
    error = load_error(project)
    assert "refusing to fetch http://127.0.0.1:9/x.xsd" in error.message


def test_idempotent_defaults_to_the_contract_and_timeouts_to_the_adapter(project: Path) -> None:
    edit(project, "crm", "[operations.UpdateCustomer]", "[operations.UpdateCustomer]\nidempotent = true")
    edit(
        project,
        "weather",
        "[operations.GetForecast]",
        "[operations.GetForecast.timeouts]\ndeadline = 3\n\n[operations.GetForecast]",
    )
    engine = Engine(Settings(root=project, env=CREDENTIALS))
    served = {name: routed.adapters[0] for name, routed in engine.operations.items()}
    idempotent = {name: op.call.idempotent for name, op in served.items() if op.call}
    assert idempotent == {
        "GetCustomer": True,
        "SearchCustomers": True,
        "UpdateCustomer": True,
        "ListInvoices": True,
        "RecordPayment": False,
        "SubscribeCustomer": False,
        "GetCurrentWeather": True,
        "GetForecast": True,
        "ListCustomerChanges": True,
        "ListFinishedEncounters": True,
        "CreateInvoice": False,
        "ListSubscribers": True,
        "SubscribeContact": True,
        "UnsubscribeCustomer": True,
    }
    forecast, current = served["GetForecast"].timeouts, served["GetCurrentWeather"].timeouts
    assert (forecast.connect, forecast.operation, forecast.deadline) == (2.0, 10.0, 3.0)
    assert current.deadline == 15.0
