"""`soapbridge mock WSDL`: serve a mock of any WSDL's SOAP ports over HTTP, until SIGINT or SIGTERM.

Each SOAP port answers at http://HOST:PORT/<Port>, and publishes the WSDL at /<Port>?wsdl with every
address pointing at the mock (imported schemas and WSDLs are published too, with their references
rewritten). A request is matched to its operation by its Body element (SOAPAction breaks ties) and
checked against the WSDL: an invalid one gets a SOAP Client (1.1) or Sender (1.2) fault listing
every problem. The answer is a canned file from --responses when one matches, otherwise a
schema-valid sample of the operation's output.

Canned responses (--responses DIR): DIR/<Operation>.xml or DIR/<Operation>.<anything>.xml (the
character after the operation's name is not a letter or digit), holding the Body's element or a
whole envelope; a Fault in the Body is sent as a fault (HTTP 500). By default the first file in
name order that the index does not name answers. DIR/index.toml picks a file by an XPath 1.0
condition on the request envelope; rules are tried in order, and a bad index stops the mock at
start-up naming the file and key:

    [namespaces]                  # optional prefixes for the conditions
    m = "urn:example-billing:InvoiceService"

    [[getAccountInvoices]]        # the rules of one operation
    when = "//accountNo = 'ACC-1002'"
    file = "getAccountInvoices.blocked.xml"

    [[response]]                  # the same, naming the operation inside
    operation = "postPayment"
    file = "postPayment.rejected.xml"   # no `when`: always
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import UsageError
from ..toolkit.mock import Mock, load_mock
from ..wsdlmodel import load_wsdl
from ..wsgi import serve_in_background
from .legacy import READY, wait_for_stop


def register(commands: Any) -> None:
    command = commands.add_parser(
        "mock",
        help="serve a mock of any WSDL",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("wsdl", metavar="WSDL", help="the WSDL to mock: a file, or a URL with --allow-network")
    command.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    command.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    command.add_argument("--responses", metavar="DIR", type=Path, help="folder of canned responses (see above)")
    command.add_argument("--binding", metavar="NAME", help="mock only the ports of this binding (its local name)")
    command.add_argument("--allow-network", action="store_true", help="let the WSDL and its imports be fetched")
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    mock = load_mock(
        load_wsdl(_location(arguments), allow_network=arguments.allow_network),
        binding=arguments.binding,
        responses_dir=_responses(arguments.responses),
    )
    with serve_in_background(mock, arguments.host, arguments.port, name="mock") as served:
        _announce(mock, served.server.server_address[:2])
        wait_for_stop(watch_stdin=False)
    return 0


def _location(arguments: argparse.Namespace) -> str:
    location: str = arguments.wsdl
    if urlparse(location).scheme not in ("http", "https") and not Path(location).is_file():
        raise UsageError(f"no WSDL file {location}")
    return location


def _responses(folder: Path | None) -> Path | None:
    if folder is not None and not folder.is_dir():
        raise UsageError(f"no responses folder {folder}")
    return folder


def _announce(mock: Mock, address: tuple[Any, ...]) -> None:
    host, port = address
    for endpoint in mock.endpoints.values():
        print(f"mock {endpoint.label} SOAP {endpoint.version} http://{host}:{port}{endpoint.path}", flush=True)
    print(READY, flush=True)
