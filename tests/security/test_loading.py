"""WSDLs and schemas come from local files under wsdl/ only; a message's xsi:schemaLocation is never followed.

An adapter's legacy WSDL is loaded twice over: by zeep for the calls (upstream/wsdl.py) and by the
wsdlmodel loader for `soapbridge check` and `transform`. A remote import and a path escaping wsdl/
are refused by both with an error naming the import, and nothing connects or reads outside.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.errors import ConfigError, WsdlError
from soapbridge.legacy import build
from soapbridge.legacy._server import start
from soapbridge.namespaces import CANONICAL
from soapbridge.upstream.wsdl import load_service
from soapbridge.wsdlmodel import load_wsdl
from tests.conftest import CREDENTIALS
from tests.security.contentsafety import Listener, call, forecast_works, gateway, write_canary

WEATHER = "wsdl/weather/WxFeed.wsdl"
IMPORT = 'schemaLocation="WxFeedTypes.xsd"'


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory, project: Path) -> Path:
    """A folder beside the project holding a usable copy of the imported schema, and a canary."""
    folder = tmp_path_factory.mktemp("outside")
    shutil.copy(project / "wsdl/weather/WxFeedTypes.xsd", folder)
    write_canary(folder)
    return folder


def locations(listener: Listener, outside: Path) -> dict[str, str]:
    return {
        "a loopback URL": f"{listener.url}/x.xsd",
        "a path escaping wsdl/": f"../../../{outside.name}/WxFeedTypes.xsd",
        "an absolute file URL": (outside / "WxFeedTypes.xsd").as_uri(),
        "the canary": str(outside / "canary.txt"),
    }


CASES = ["a loopback URL", "a path escaping wsdl/", "an absolute file URL", "the canary"]


def point_import(project: Path, location: str) -> Path:
    wsdl = project / WEATHER
    wsdl.write_text(wsdl.read_text().replace(IMPORT, f'schemaLocation="{location}"'))
    return wsdl


@pytest.mark.parametrize("case", CASES)
def test_zeep_loads_no_import_from_outside_wsdl(case: str, project: Path, outside: Path, listener: Listener) -> None:
    location = locations(listener, outside)[case]
    wsdl = point_import(project, location)
    with pytest.raises(ConfigError, match=r"refusing to (fetch|read)") as raised:
        load_service(wsdl, folder=wsdl.parent)
    assert Path(location).name in raised.value.message
    assert listener.connections == []


@pytest.mark.parametrize("case", CASES)
def test_the_wsdl_model_loads_no_import_from_outside_wsdl(
    case: str, project: Path, outside: Path, listener: Listener
) -> None:
    location = locations(listener, outside)[case]
    wsdl = point_import(project, location)
    with pytest.raises(WsdlError, match=r"refusing to (fetch|read)") as raised:
        load_wsdl(wsdl, root=project / "wsdl", allow_network=False)
    assert Path(location).name in raised.value.message
    assert listener.connections == []


@pytest.mark.parametrize("case", CASES)
def test_check_and_the_gateway_refuse_an_import_from_outside_wsdl(
    case: str,
    project: Path,
    outside: Path,
    listener: Listener,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    location = locations(listener, outside)[case]
    point_import(project, location)
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(project))
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert "refusing to" in out + err and Path(location).name in out + err
    with pytest.raises(ConfigError, match="refusing to"), gateway(project, dict(CREDENTIALS)):
        pass
    assert listener.connections == []


def test_an_xsi_schema_location_in_a_request_is_never_followed(project: Path, listener: Listener) -> None:
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    request = (
        f'<GetForecast xmlns="{CANONICAL}" xmlns:xsi="{xsi}" xsi:schemaLocation="{CANONICAL} {listener.url}/c.xsd"'
        f' xsi:noNamespaceSchemaLocation="{listener.url}/n.xsd"><stationId>EGLL</stationId><days>1</days>'
        "</GetForecast>"
    )
    weather = start(build("weather", project / "wsdl", CREDENTIALS))
    with weather, gateway(project, {**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": weather.url}) as base:
        response = call(base, request, "GetForecast")
        assert response.status_code == 200 and b"GetForecastResponse" in response.content, response.text
        assert forecast_works(base)
    assert listener.connections == []
