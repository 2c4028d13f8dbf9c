"""The engine's own checks, before and after the legacy system is called."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.engine import Engine
from soapbridge.errors import MappingError
from soapbridge.namespaces import CANONICAL
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS


def test_a_request_stylesheet_producing_the_wrong_element_is_named(project: Path) -> None:
    stylesheet = project / "xslt" / "weather" / "GetCurrentWeather.request.xsl"
    text = stylesheet.read_text()
    stylesheet.write_text(text.replace("wx:GetCurrentObservation>", "wx:GetCurrentObs>"))
    engine = Engine(Settings(root=project, env={**CREDENTIALS, "SOAPBRIDGE_WEATHER_URL": "http://127.0.0.1:9/weather"}))
    request = etree.Element(f"{{{CANONICAL}}}GetCurrentWeather")
    etree.SubElement(request, f"{{{CANONICAL}}}stationId").text = "EGLL"
    with pytest.raises(MappingError) as caught:
        engine.call("GetCurrentWeather", request)
    assert caught.value.stylesheet == "xslt/weather/GetCurrentWeather.request.xsl"
    assert "expects {http://aerowx.example.net/WxFeed/2005/03/types}GetCurrentObservation" in caught.value.message
