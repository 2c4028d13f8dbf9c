"""[[answers]], message_from and [parameters]: a mistake stops start-up in one line naming the file and the key,
and a missing variable names the adapter's file and the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from soapbridge.config import load_adapter
from soapbridge.engine import Engine
from soapbridge.errors import ConfigError
from soapbridge.settings import Settings
from soapbridge.toolkit.check import check_project
from tests.conftest import CREDENTIALS, ROOT

ANSWER = """
[[answers]]
when = "n0:ES_CUSTOMER/STATUS = 'X'"
code = "NotFound"
message = "no such customer"
"""


def append(project: Path, system: str, text: str) -> None:
    path = project / "adapters" / f"{system}.toml"
    body = path.read_text()
    head, operations = body.split("\n[operations.", 1)  # before the first [operations.X], so as not to be inside it
    path.write_text(f"{head}\n{text}\n[operations.{operations}")


def replace(project: Path, system: str, old: str, new: str) -> None:
    path = project / "adapters" / f"{system}.toml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))


def start_up_error(project: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as raised:
        Engine(Settings(root=project, env=CREDENTIALS if env is None else env))
    return raised.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ANSWER.replace("STATUS = 'X'", "STATUS = "), "answers[0].when: not a valid XPath 1.0 expression"),
        (ANSWER.replace("n0:ES", "zz:ES"), "answers[0].when: not a valid XPath 1.0 expression"),
        (ANSWER.replace("'X'", "'X') or (1"), "answers[0].when: not a valid XPath 1.0 expression"),
        (ANSWER.replace('"NotFound"', '"Missing"'), "answers[0].code: expected one of InvalidRequest, NotFound"),
        (ANSWER.replace('message = "no such customer"', ""), "answers[0].message: missing; an answer rule says"),
        (ANSWER + 'message_from = "n0:ES_CUSTOMER["\n', "answers[0].message_from: not a valid XPath 1.0 expression"),
        (ANSWER + 'message_from = "nosuch(1)"\n', "answers[0].message_from: not a valid XPath 1.0 expression"),
        (ANSWER + 'operations = ["GetWeather"]\n', "answers[0].operations[0]: 'GetWeather' is not an operation of"),
        (ANSWER + "operation = 'GetCustomer'\n", "answers[0].operation: unknown key"),
        ('[parameters]\nlicence = { env = "SOAPBRIDGE_CRM_LICENCE", secret = "yes" }', "parameters.licence"),
        ('[parameters]\n"bad name" = "x"', "parameters.bad name: not a usable xsl:param name"),
        ("[parameters]\nregion = 3", "parameters.region: expected a string, or a table"),
        ('[parameters]\nkey = { value = "in the repository", secret = true }', "parameters.key.value: unknown key"),
    ],
    ids=[
        "when-syntax",
        "when-prefix",
        "when-escapes",
        "code",
        "no-message",
        "message-from-syntax",
        "message-from-function",
        "operation",
        "operation-key",
        "secret-not-bool",
        "parameter-name",
        "parameter-number",
        "secret-literal",
    ],
)
def test_a_wrong_rule_or_parameter_names_the_file_and_key(project: Path, text: str, expected: str) -> None:
    append(project, "crm", text)
    message = start_up_error(project, {**CREDENTIALS, "SOAPBRIDGE_CRM_LICENCE": "k"})
    assert message.startswith(f"{project / 'adapters' / 'crm.toml'}: {expected}"), message
    assert "\n" not in message


def test_a_fault_rule_message_from_that_does_not_compile_names_its_key(project: Path) -> None:
    replace(project, "crm", "message_from = \"concat('customer ', ", "message_from = \"concat('customer ' ")
    message = start_up_error(project)
    assert message.startswith(f"{project / 'adapters' / 'crm.toml'}: faults[0].message_from: not a valid XPath")


def test_a_missing_parameter_variable_stops_start_up_naming_the_adapter_and_the_variable() -> None:
    env = {key: value for key, value in CREDENTIALS.items() if key != "SOAPBRIDGE_WEATHER_LICENCE"}
    message = start_up_error(ROOT, env)
    assert message == (
        f"{ROOT / 'adapters' / 'weather.toml'}: parameters.licence.env: "
        "the environment variable SOAPBRIDGE_WEATHER_LICENCE is not set (parameter 'licence')"
    )


def test_serve_says_so_in_one_line() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOAPBRIDGE_")}
    env.update({key: value for key, value in CREDENTIALS.items() if key != "SOAPBRIDGE_WEATHER_LICENCE"})
    env.update(SOAPBRIDGE_HOME=str(ROOT), SOAPBRIDGE_AUTH="off")
    done = subprocess.run(
        [sys.executable, "-m", "soapbridge", "serve", "--no-emulators", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if "SOAPBRIDGE_WEATHER_LICENCE" in line]
    assert len(lines) == 1 and "weather.toml" in lines[0] and "parameters.licence" in lines[0], done.stderr


def test_the_offline_check_needs_no_secret_and_notes_the_variable() -> None:
    report = check_project(Settings(root=ROOT, env={}))
    assert report.ok, report.failures
    weather = next(row for row in report.rows if row.adapter == "weather" and not row.operation)
    assert "$SOAPBRIDGE_WEATHER_LICENCE (not set)" in weather.detail


def test_parameters_are_read_as_declared() -> None:
    env = {"SOAPBRIDGE_WEATHER_LICENCE": "s3cret-licence"}
    adapter = load_adapter(ROOT / "adapters" / "weather.toml", Settings(root=ROOT, env=env))
    licence = adapter.parameters["licence"]
    assert (licence.value, licence.variable, licence.secret) == ("s3cret-licence", "SOAPBRIDGE_WEATHER_LICENCE", True)
    assert "s3cret-licence" not in repr(adapter)
    assert licence.placeholder == "{{licence}}"
    assert [rule.operations for rule in adapter.answers] == [("GetForecast",), ("GetForecast",)]


def test_a_literal_parameter_is_its_own_placeholder_and_an_env_one_is_secret_unless_said(project: Path) -> None:
    replace(
        project,
        "weather",
        "[parameters]\n",
        '[parameters]\nregion = "EU"\nfeed = { env = "WX_FEED", secret = false }\n',
    )
    env = {"SOAPBRIDGE_WEATHER_LICENCE": "k", "WX_FEED": "eu-1"}
    parameters = load_adapter(project / "adapters" / "weather.toml", Settings(root=project, env=env)).parameters
    assert {name: (p.value, p.secret, p.placeholder) for name, p in parameters.items()} == {
        "region": ("EU", False, "EU"),
        "feed": ("eu-1", False, "{{feed}}"),
        "licence": ("k", True, "{{licence}}"),
    }
