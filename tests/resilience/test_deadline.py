"""A composite's steps run within the composite's deadline, however long each step's own would be."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from lxml import etree

from soapbridge.engine import Engine
from soapbridge.errors import UpstreamTimeout
from soapbridge.namespaces import CANONICAL
from soapbridge.settings import Settings
from tests.conftest import CREDENTIALS
from tests.resilience.conftest import raw_server, shorten


def hang(connection: socket.socket) -> None:
    time.sleep(5)


def test_a_composite_step_stops_at_the_composites_deadline(project: Path) -> None:
    path = project / "adapters" / "composite.toml"
    path.write_text(path.read_text().replace("deadline = 15.0", "deadline = 1.0"))
    shorten(project, "crm", timeouts={"operation": 5.0, "deadline": 10.0})
    request = etree.Element(f"{{{CANONICAL}}}GetCustomerAccount")
    etree.SubElement(request, f"{{{CANONICAL}}}customerId").text = "1001"
    with raw_server(hang) as crm:
        engine = Engine(Settings(root=project, env={**CREDENTIALS, "SOAPBRIDGE_CRM_URL": crm}))
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout) as caught:
            engine.call("GetCustomerAccount", request)
    assert time.monotonic() - started < 1.0 + 1.5
    assert caught.value.message == "crm did not answer within the 1.0 s deadline"
    assert caught.value.system == "crm"
