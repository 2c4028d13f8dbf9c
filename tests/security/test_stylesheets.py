"""XSLT injection: a hostile stylesheet in a project copy reads, writes and connects nothing.

document() and exsl:document are stopped by the access control at run time; xsl:include and
xsl:import, which libxslt reads at compile time outside that control, are resolved only under
xslt/. `soapbridge transform` answers with one line and exit 1; the gateway refuses to start on
a hostile include, and answers a hostile document() with a Server fault that names nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.errors import MappingError
from soapbridge.legacy import build
from soapbridge.legacy._server import start
from tests.conftest import CREDENTIALS
from tests.security.contentsafety import (
    CANARY_TEXT,
    CUSTOMER,
    Listener,
    call,
    fault,
    forecast_works,
    gateway,
    write_canary,
)

TARGET = "xslt/crm/GetCustomer.request.xsl"
SAMPLE = "xslt/crm/samples/GetCustomer.request.in.xml"
STYLESHEET = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:cn="urn:soapbridge:canonical:v1" xmlns:exsl="http://exslt.org/common"
    xmlns:n0="urn:example-erp:crm:customer:v3" extension-element-prefixes="exsl">
  {top}
  <xsl:template match="/cn:GetCustomer">
    <n0:Z_CRM_CUSTOMER_READ><IV_KUNNR>{body}</IV_KUNNR></n0:Z_CRM_CUSTOMER_READ>
  </xsl:template>
</xsl:stylesheet>
"""
#: A stylesheet outside xslt/ whose only template would print the canary's text.
SECRET = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template name="secret">{canary}</xsl:template>
</xsl:stylesheet>
"""
#: Hostile at run time: (top-level, template body); {canary}, {listener}, {written} are filled in.
RUNTIME = {
    "document() of a local file": ("", "<xsl:value-of select=\"document('{canary}')\"/>"),
    "document() of a file URL": ("", "<xsl:value-of select=\"document('file://{canary}')\"/>"),
    "document() of a loopback URL": ("", "<xsl:value-of select=\"document('{listener}/x.xml')\"/>"),
    "exsl:document writing a file": ("", '<exsl:document href="{written}"><w/></exsl:document>0000001001'),
}
#: Hostile at compile time.
COMPILE = {
    "xsl:include of a file outside xslt/": ('<xsl:include href="{secret}"/>', '<xsl:call-template name="secret"/>'),
    "xsl:import escaping xslt/": ('<xsl:import href="../../secret.xsl"/>', '<xsl:call-template name="secret"/>'),
    "xsl:include of the canary": ('<xsl:include href="file://{canary}"/>', "0000001001"),
    "xsl:include of a loopback URL": ('<xsl:include href="{listener}/x.xsl"/>', "0000001001"),
}


@pytest.fixture
def hostile(project: Path, tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> dict[str, str]:
    """Where the hostile stylesheets aim: a canary outside the project, a file to write, the listener."""
    outside = tmp_path_factory.mktemp("outside")
    canary = write_canary(outside)
    (project / "secret.xsl").write_text(SECRET.format(canary=CANARY_TEXT))
    return {
        "canary": str(canary),
        "secret": str(project / "secret.xsl"),
        "listener": listener.url,
        "written": str(outside / "written.xml"),
    }


def plant(project: Path, case: tuple[str, str], hostile: dict[str, str]) -> None:
    top, body = (part.format(**hostile) for part in case)
    (project / TARGET).write_text(STYLESHEET.format(top=top, body=body))


def nothing_escaped(hostile: dict[str, str], listener: Listener, *texts: str) -> None:
    assert not any(CANARY_TEXT in text for text in texts)
    assert listener.connections == []
    assert not Path(hostile["written"]).exists()


@pytest.mark.parametrize("case", [*RUNTIME, *COMPILE])
def test_transform_refuses_a_hostile_stylesheet_in_one_line(
    case: str,
    project: Path,
    hostile: dict[str, str],
    listener: Listener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plant(project, {**RUNTIME, **COMPILE}[case], hostile)
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(project))
    code = main(["transform", "crm", "GetCustomer", "--request", str(project / SAMPLE)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(TARGET), err
    assert "Traceback" not in err
    nothing_escaped(hostile, listener, out, err)


@pytest.mark.parametrize("case", list(COMPILE))
def test_the_gateway_does_not_start_on_a_hostile_include(
    case: str, project: Path, hostile: dict[str, str], listener: Listener
) -> None:
    plant(project, COMPILE[case], hostile)
    with pytest.raises(MappingError, match="refusing to include") as raised, gateway(project, dict(CREDENTIALS)):
        pass
    nothing_escaped(hostile, listener, raised.value.message)


@pytest.mark.parametrize("case", list(RUNTIME))
def test_the_mapping_engine_answers_a_hostile_stylesheet_with_a_server_fault_naming_nothing(
    case: str, project: Path, hostile: dict[str, str], listener: Listener
) -> None:
    plant(project, RUNTIME[case], hostile)
    with start(build("weather", project / "wsdl", CREDENTIALS)) as weather:
        env = {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": weather.url}
        with gateway(project, env) as base:
            response = call(base, CUSTOMER, "GetCustomer")
            code, _, message = fault(response)
            assert code.endswith(":Server")
            assert "may not" in message
            assert hostile["canary"] not in message and "127.0.0.1" not in message and "written" not in message
            nothing_escaped(hostile, listener, response.text)
            assert forecast_works(base)
