"""`soapbridge init DIR`: write a runnable gateway project into DIR (a new or empty folder).

The project is the demo's: adapters/, the legacy and canonical WSDLs under wsdl/, the stylesheets and their
golden samples under xslt/, and clients.toml with the demo client. Run `soapbridge serve` in DIR (or point
SOAPBRIDGE_HOME at it) and the gateway serves it with the emulated legacy systems; then replace the demo's
systems with yours (README, "Adding a legacy system").
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from ..skeleton import write_project


def register(commands: Any) -> None:
    command = commands.add_parser(
        "init",
        help="write a runnable gateway project into a new folder",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("folder", type=Path, metavar="DIR", help="the folder to create (or an empty one)")
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    target: Path = arguments.folder
    written = write_project(target)
    print(f"soapbridge project written to {target}: {', '.join(written)}")
    print(f"run it: cd {shlex.quote(str(target))} && soapbridge serve")
    return 0
