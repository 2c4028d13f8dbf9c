"""The gateway's own per-request costs around the pipeline, in µs: the request log line (each format, written to
a line-buffered /dev/null as to stderr), finding where a request's bytes end, and the outbound legacy message
(the CRM's, with its WS-Security digest token).

`python -m bench.micro.hotpath [--quick]` prints the rows; measure() returns them in the shape bench.micro reads.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from lxml import etree

from soapbridge.cli.framing import RequestFraming
from soapbridge.config import load_adapter
from soapbridge.settings import Settings
from soapbridge.telemetry import logs
from soapbridge.telemetry.context import RequestTrace, UpstreamCall, tracing
from soapbridge.upstream.client import Upstream

from .documents import ROOT
from .startup import serve_env
from .timing import median_us, row

#: What a SOAP client's GetCustomer request looks like on the wire (its body's size is beside the point).
REQUEST = (
    b"POST /soap11 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nContent-Type: text/xml; charset=utf-8\r\n"
    b'SOAPAction: "urn:example:GetCustomer"\r\nContent-Length: 400\r\n\r\n' + b"x" * 400
)
#: The CRM's customer read, as the request stylesheet makes it (a document of its own).
CRM_READ = (
    b'<urn:Z_CRM_CUSTOMER_READ xmlns:urn="urn:example-erp:crm:customer:v3"><IV_KUNNR>0000100001</IV_KUNNR>'
    b"</urn:Z_CRM_CUSTOMER_READ>"
)


class _Status:
    status = 200


def log_line(log_format: str, runs: int) -> float:
    """One request line, as the gateway's observer writes it inside the request's trace."""
    settings = Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_LOG_FORMAT": log_format})
    with open(os.devnull, "w", buffering=1) as stream:
        handler = logs.configure(settings, stream)
        try:
            trace = RequestTrace("4bf92f35-77b3-4da6-a3ce-929bbc6a5c12", "soap11", "/soap11", operation="GetCustomer")
            trace.client_address = "127.0.0.1"
            trace.upstream.append(UpstreamCall("crm", "Z_CRM_CUSTOMER_READ", "ok", 0.00123))
            trace.answered = trace.started + 0.00234
            with tracing(trace):
                return median_us(lambda: logs.log_request(trace, _Status()), runs=runs)
        finally:
            logging.getLogger().removeHandler(handler)


def framing(runs: int) -> float:
    """Finding where one whole request ends, as the worker's loop does for each request it reads."""
    return median_us(lambda: RequestFraming(1 << 20, REQUEST).request, runs=runs)


def outbound_message(runs: int) -> float:
    """The CRM's envelope with a fresh WS-Security digest token around a customer read, serialised."""
    settings = Settings.from_env(serve_env())
    upstream = Upstream(load_adapter(settings.adapters_dir / "crm.toml", settings))
    operation = upstream.operation("Z_CRM_CUSTOMER_READ")
    body = etree.fromstring(CRM_READ)
    return median_us(lambda: upstream._message(operation, body, "4bf92f35-77b3-4da6-a3ce-929bbc6a5c12"), runs=runs)


def measure(*, quick: bool = False) -> list[dict[str, Any]]:
    runs = 200 if quick else 5000
    return [
        row("per request: log line, json", log_line("json", runs), "us"),
        row("per request: log line, text", log_line("text", runs), "us"),
        row("per request: framing a Content-Length request", framing(runs), "us"),
        row("per request: CRM message with a digest token", outbound_message(runs), "us"),
    ]


if __name__ == "__main__":
    for measured in measure(quick="--quick" in sys.argv):
        print(f"{measured['name']:60} {measured['value']:10.2f} {measured['unit']}")
