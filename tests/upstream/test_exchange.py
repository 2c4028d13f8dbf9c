"""The legacy exchange log: each request and answer, bounded and redacted, at INFO when the adapter's switch or
SOAPBRIDGE_LOG_EXCHANGE is on, at DEBUG otherwise; a legacy fault's words at WARNING; nothing done when off."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from soapbridge.engine import Engine
from soapbridge.errors import NotFoundError
from soapbridge.legacy._server import RunningEmulator
from soapbridge.namespaces import CANONICAL
from soapbridge.settings import Auth, Settings
from soapbridge.upstream import exchange
from soapbridge.upstream.exchange import MAX_LOGGED, REDACTED, Redactor
from tests.conftest import CREDENTIALS
from tests.running import emulated_crm

PASSWORD = "Tr0ub4dor&3-sekrit"
ACCOUNT = {"SOAPBRIDGE_CRM_USERNAME": "gateway", "SOAPBRIDGE_CRM_PASSWORD": PASSWORD}
TOKEN = (
    '<wsse:UsernameToken><wsse:Username>gateway</wsse:Username><wsse:Password Type="#PasswordText">'
    f"{PASSWORD}</wsse:Password><wsse:Nonce>bm9uY2Utbm9uY2U=</wsse:Nonce></wsse:UsernameToken>"
)


def test_ws_security_tokens_and_credentials_are_redacted_by_rule_and_by_value() -> None:
    basic = base64.b64encode(f"gateway:{PASSWORD}".encode()).decode()
    redactor = Redactor([PASSWORD, basic])
    shown = redactor.text(TOKEN + f"<echo>{PASSWORD}</echo><h>{basic}</h>")
    assert PASSWORD not in shown and basic not in shown and "bm9uY2Utbm9uY2U=" not in shown
    assert f'<wsse:Password Type="#PasswordText">{REDACTED}</wsse:Password>' in shown
    assert f"<wsse:Nonce>{REDACTED}</wsse:Nonce>" in shown
    assert "<wsse:Username>gateway</wsse:Username>" in shown
    assert redactor.headers({"Authorization": f"Basic {basic}", "SOAPAction": '"x"'}) == {
        "Authorization": REDACTED,
        "SOAPAction": '"x"',
    }


def test_what_is_logged_is_bounded_and_a_secret_across_the_cut_is_still_hidden() -> None:
    text = "x" * (MAX_LOGGED - 4) + PASSWORD + "y" * 10_000
    shown = Redactor([PASSWORD]).text(text)
    assert len(shown) == MAX_LOGGED + 1 and shown.endswith("…")
    assert PASSWORD[:4] not in shown[-10:]
    cut_token = Redactor([]).text("x" * (MAX_LOGGED - 30) + f"<wsse:Password>{PASSWORD}</wsse:Password>")
    assert PASSWORD[:6] not in cut_token


def test_an_adapter_s_secret_parameters_are_redacted_by_value() -> None:
    licence = SimpleNamespace(value="LIC-0042-ZZ", secret=True)
    region = SimpleNamespace(value="EU", secret=False)
    adapter = SimpleNamespace(credentials=None, parameters={"licence": licence, "region": region})
    shown = Redactor.of(adapter).text("<LicenceKey>LIC-0042-ZZ</LicenceKey><Region>EU</Region>")  # type: ignore[arg-type]
    assert shown == f"<LicenceKey>{REDACTED}</LicenceKey><Region>EU</Region>"


@pytest.fixture(scope="module")
def crm() -> Iterator[RunningEmulator]:
    with emulated_crm(ACCOUNT) as emulator:
        yield emulator


def engine(project: Path, crm: RunningEmulator, *, switch: bool = False, everywhere: bool = False) -> Engine:
    if switch:
        adapter = project / "adapters" / "crm.toml"
        adapter.write_text(adapter.read_text() + "\n[debug]\nexchange = true\n")
    env = {**CREDENTIALS, **ACCOUNT, "SOAPBRIDGE_CRM_URL": crm.url}
    env |= {"SOAPBRIDGE_LOG_EXCHANGE": "on" if everywhere else "off"}
    switched = Settings.from_env({**env, "SOAPBRIDGE_HOME": str(project)}).log_exchange
    return Engine(Settings(root=project, env=env, auth=Auth(enabled=False), log_exchange=switched))


def get_customer(customer_id: str) -> etree._Element:
    request = etree.Element(f"{{{CANONICAL}}}GetCustomer")
    etree.SubElement(request, f"{{{CANONICAL}}}customerId").text = customer_id
    return request


def exchange_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "soapbridge.exchange" and r.levelno == level]


@pytest.mark.parametrize("everywhere", [False, True], ids=["adapter-switch", "SOAPBRIDGE_LOG_EXCHANGE"])
def test_a_switched_on_adapter_logs_the_request_and_answer_at_info_without_its_tokens(
    project: Path, crm: RunningEmulator, caplog: pytest.LogCaptureFixture, everywhere: bool
) -> None:
    gateway = engine(project, crm, switch=not everywhere, everywhere=everywhere)
    caplog.set_level(logging.INFO, logger="soapbridge")
    gateway.call("GetCustomer", get_customer("1001"))
    sent, answered = exchange_lines(caplog, logging.INFO)
    assert sent.startswith(f"crm Z_CRM_CUSTOMER_READ sent to {crm.url}")
    assert "<IV_KUNNR>0000001001</IV_KUNNR>" in sent
    assert "<wsse:Nonce EncodingType" in sent and f">{REDACTED}</wsse:Nonce>" in sent
    assert f">{REDACTED}</wsse:Password>" in sent
    assert answered.startswith("crm Z_CRM_CUSTOMER_READ answered HTTP 200 (text/xml") and "Lovelace" in answered
    assert PASSWORD not in caplog.text


def test_switched_off_the_exchange_is_debug_only_and_costs_a_level_check(
    project: Path, crm: RunningEmulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = engine(project, crm)
    caplog.set_level(logging.INFO, logger="soapbridge")

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("an exchange was redacted with nobody to read it")

    monkeypatch.setattr(Redactor, "text", refuse)
    gateway.call("GetCustomer", get_customer("1001"))
    assert exchange_lines(caplog, logging.INFO) == []
    monkeypatch.undo()
    caplog.set_level(logging.DEBUG, logger="soapbridge.exchange")
    gateway.call("GetCustomer", get_customer("1001"))
    assert len(exchange_lines(caplog, logging.DEBUG)) == 2


def test_a_legacy_fault_s_own_words_are_logged_at_warning(
    project: Path, crm: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = engine(project, crm)
    caplog.set_level(logging.INFO, logger="soapbridge")
    with pytest.raises(NotFoundError):
        gateway.call("GetCustomer", get_customer("9999"))
    (warning,) = exchange_lines(caplog, logging.WARNING)
    assert warning.startswith("crm Z_CRM_CUSTOMER_READ answered with a fault: ")
    assert "0000009999" in warning and len(warning) < 700
    assert exchange.log.name == "soapbridge.exchange"
