"""Debian's headless Chromium, driven by Selenium through Debian's chromedriver, and the status page's screenshot.

Selenium is given both paths, so Selenium Manager never runs (it would try to download a driver;
the machines here have no network but loopback). The flags keep Chromium off the network too:
without them it stalls on lookups for updates, sync and components.

    python -m tests.e2e.browser [docs/status-page.png]

starts `soapbridge serve` with the emulators (weather pointed at a closed port, so its circuit opens),
makes a few calls, and saves a screenshot of the status page (scripts/screenshot-status runs this).
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.conftest import ROOT
from tests.running import RunningGateway, free_port, start_gateway, stop_gateway

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
)


class BrowserMissing(RuntimeError):
    """Raised when Debian's chromium or chromium-driver is not installed."""


def missing_browser() -> str | None:
    """What is missing to drive Chromium, or None."""
    absent = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if not absent:
        return None
    return f"{', '.join(absent)} not installed (Debian: chromium chromium-driver); scripts/test installs them as root"


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium (its own profile folder, removed afterwards) that keeps the console's messages."""
    problem = missing_browser()
    if problem:
        raise BrowserMissing(problem)
    profile = tempfile.mkdtemp(prefix="soapbridge-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager, should anything reach it: no downloads
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def full_page_png(driver: webdriver.Chrome) -> bytes:
    """The whole page, not just the window, as PNG."""
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


def exercise(gateway: RunningGateway) -> None:
    """A few calls, so that the page shows real figures: answers, a SOAP fault, and a system that is down."""
    for operation, body in (
        ("GetCustomer", {"customerId": "1001"}),
        ("GetCustomer", {"customerId": "1002"}),
        ("GetCustomer", {"customerId": "9999"}),
        ("ListInvoices", {"customerId": "1001", "status": "overdue"}),
        ("GetCustomerAccount", {"customerId": "1002"}),
        ("GetCurrentWeather", {"stationId": "RJTT"}),
        ("GetCurrentWeather", {"stationId": "LFPG"}),
    ):
        requests.post(f"{gateway.base}/json/{operation}", json=body, timeout=30)


def weather_down() -> dict[str, str]:
    """An environment that points weather at a closed port, with credentials the page must not show."""
    return {"SOAPBRIDGE_WEATHER_URL": f"http://ops:hunter2@127.0.0.1:{free_port()}/wx?apikey=s3cr3t"}


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else ROOT / "docs" / "status-page.png"
    process, gateway = start_gateway(extra_env=weather_down())
    try:
        exercise(gateway)
        with chromium(1100, 900) as driver:
            driver.get(gateway.base + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(full_page_png(driver))
    finally:
        stop_gateway(process)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
