"""The status page in a real browser (Debian's headless Chromium): every adapter and link rendered, the links
answer, nothing wider than a desktop window or a phone's screen, and nothing on the console.

A missing Chromium fails these tests rather than skipping them: CI installs it (scripts/system-packages.txt).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.conftest import ROOT
from tests.running import RunningGateway, start_gateway, stop_gateway

from .browser import chromium, exercise, missing_browser, weather_down

SYSTEMS = sorted(tomllib.loads(path.read_text())["system"]["name"] for path in (ROOT / "adapters").glob("*.toml"))
#: Phone-sized (CSS pixels, touch, device pixel ratio) and desktop-sized windows.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
#: Elements whose right edge passes the window's, with their id or tag: none may.
OVERFLOWING = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 0.5)
  .map(e => e.id || e.tagName);
"""


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    process, running = start_gateway(extra_env=weather_down())
    try:
        exercise(running)
        yield running
    finally:
        assert stop_gateway(process) == 0


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    problem = missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    with chromium() as driver:
        yield driver


def console_errors(driver: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def test_every_adapter_and_its_circuit_are_rendered(gateway: RunningGateway, browser: webdriver.Chrome) -> None:
    browser.get(gateway.base + "/")
    assert browser.title == "soapbridge status"
    rows = browser.find_elements(By.CSS_SELECTOR, "#adapters tbody tr")
    assert [row.get_attribute("id") for row in rows] == [f"adapter-{name}" for name in SYSTEMS]
    for row in rows:
        assert row.is_displayed() and row.size["height"] > 0
    states = {
        row.get_attribute("id"): row.find_element(By.CSS_SELECTOR, ".state").text
        for row in rows
        if row.get_attribute("id") != "adapter-composite"
    }
    assert states == {"adapter-billing": "closed", "adapter-crm": "closed", "adapter-mailing": "closed"} | {
        "adapter-ehr": "closed",
        "adapter-weather": "open",
    }
    open_color = browser.find_element(By.CSS_SELECTOR, "#adapter-weather .state").value_of_css_property("color")
    assert open_color != browser.find_element(By.CSS_SELECTOR, "#adapter-crm .state").value_of_css_property("color")
    assert "SOAP fault" in browser.find_element(By.CSS_SELECTOR, "#adapter-crm td[data-label='Recent']").text
    assert "hunter2" not in browser.page_source and "s3cr3t" not in browser.page_source
    assert console_errors(browser) == []


def test_the_links_lead_to_the_contracts(gateway: RunningGateway, browser: webdriver.Chrome) -> None:
    browser.get(gateway.base + "/")
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#links a")]
    assert links == [
        gateway.base + path
        for path in ("/soap11?wsdl", "/soap12?wsdl", "/openapi.json", "/metrics", "/readyz", "/healthz")
    ]
    for version in ("soap11", "soap12"):
        browser.get(gateway.base + "/")
        browser.find_element(By.CSS_SELECTOR, f"#links a[href='/{version}?wsdl']").click()
        assert browser.current_url == f"{gateway.base}/{version}?wsdl"
        assert browser.execute_script("return document.contentType") in ("text/xml", "application/xml")
        assert "definitions" in browser.find_element(By.TAG_NAME, "body").text  # Chromium's XML viewer shows it
    browser.get(gateway.base + "/")
    browser.find_element(By.CSS_SELECTOR, "#links a[href='/openapi.json']").click()
    document = json.loads(browser.find_element(By.TAG_NAME, "body").text)
    assert document["openapi"].startswith("3.1")
    browser.get(gateway.base + "/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#operations tbody tr")
    shown = {row.get_attribute("id").removeprefix("operation-") for row in rows}
    canonical = {name for name in shown if "." not in name}  # pass-through ones are system.Operation, no JSON form
    assert {f"/json/{name}" for name in canonical} == set(document["paths"])
    assert shown - canonical == {"weather.GetCurrentObservation"}


@pytest.mark.parametrize("metrics", [None, PHONE], ids=["desktop", "phone"])
def test_nothing_overflows(gateway: RunningGateway, browser: webdriver.Chrome, metrics: dict[str, object]) -> None:
    if metrics:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser.get(gateway.base + "/")
    assert browser.execute_script(OVERFLOWING) == []
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    if metrics:  # the table headings give way to a label before each cell
        assert not browser.find_element(By.CSS_SELECTOR, "#adapters thead").is_displayed()
    assert console_errors(browser) == []
