"""JAX-WS RI (Java): stubs from `wsimport` on the live WSDL, compiled with the Client.java beside this file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.running import RunningGateway

from .harness import Endpoint, StubCache, require, run, run_report
from .scenario import check_report, outstanding

CLIENT = Path(__file__).parent / "jaxws" / "Client.java"
#: The JAX-WS runtime jar of Debian's libjaxws-java; its manifest's Class-Path names JAXB, SAAJ and the rest.
RUNTIME = Path("/usr/share/java/jaxws-rt.jar")


def test_jaxws(endpoint: Endpoint, interop_gateway: RunningGateway, stubs: StubCache) -> None:
    require("wsimport", "javac", "java")
    classes = stubs.get("jaxws", endpoint, lambda folder: _build(endpoint, folder))
    owed = outstanding(interop_gateway.base)
    report = run_report(["java", "-cp", _classpath(classes), "Client", endpoint.wsdl_url, endpoint.url], classes)
    check_report(report, endpoint.version, "GatewayFault", interop_gateway.base, owed)


def _build(endpoint: Endpoint, folder: Path) -> None:
    # JAX-WS 2.x only standardises the SOAP 1.1 binding: without -extension, wsimport ignores a soap12
    # port ("non-standard SOAP 1.2 binding") and generates no service class. -extension is its switch for 1.2.
    extension = ["-extension"] if endpoint.version == "1.2" else []
    run(["wsimport", "-keep", *extension, "-d", folder, endpoint.wsdl_url], folder)
    run(["javac", "-cp", _classpath(folder), "-d", folder, CLIENT], folder)


def _classpath(classes: Path) -> str:
    if not RUNTIME.exists():
        pytest.fail(f"{RUNTIME} missing (Debian: libjaxws-java, which jaxws depends on)", pytrace=False)
    return os.pathsep.join([str(classes), str(RUNTIME)])
