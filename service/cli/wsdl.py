"""`soapbridge wsdl WSDL`: what a WSDL offers, for a person (text) or a tool (--format json).

Services, ports and endpoints; bindings with protocol, style and transport; each operation with its
SOAPAction, a signature and the element structure of its messages. A WSDL that cannot be read is one
line on stderr and exit 1. Local files only, unless --allow-network.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import UsageError, XmlError
from ..toolkit.inspect import describe
from ..wsdlmodel import load_wsdl
from .wsdltext import render


def register(commands: Any) -> None:
    command = commands.add_parser(
        "wsdl",
        help="inspect a WSDL: services, bindings, operations and their message structure",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("wsdl", metavar="WSDL", help="a WSDL file, or an http(s) URL with --allow-network")
    command.add_argument("--operation", metavar="NAME", help="show only the operation NAME")
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    command.add_argument(
        "--allow-network",
        action="store_true",
        help="fetch a WSDL given as a URL, and remote imports (off by default: local files only)",
    )
    command.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="per fetched document (default 10)"
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    location: str = arguments.wsdl
    remote = urlparse(location).scheme in ("http", "https")
    if not remote and not Path(location).is_file():
        raise UsageError(f"{location}: no such file")
    try:
        wsdl = load_wsdl(location, allow_network=arguments.allow_network, timeout=arguments.timeout)
        view = describe(wsdl, arguments.operation)
    except XmlError as exc:  # WsdlError too: the reason, after the file it concerns
        raise type(exc)(f"{location}: {exc.message}") from exc
    if arguments.format == "json":
        print(json.dumps(dataclasses.asdict(view), indent=2, ensure_ascii=False))
    else:
        print(render(view))
    return 0
