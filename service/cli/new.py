"""`soapbridge new adapter SYSTEM --wsdl FILE [--operation OP ...]`: a legacy WSDL turned into a starting point.

Writes, in the project (SOAPBRIDGE_HOME, else the current folder, else the checkout):

  adapters/SYSTEM.toml                  the port to call (with several SOAP ports: the first SOAP 1.1
                                        document/literal one; the others listed), default policies, and an
                                        [operations.Op] table per legacy operation (default: all of the port's)
  wsdl/SYSTEM/                          the WSDL and the local files it imports (unless it is in wsdl/ already)
  wsdl/canonical/SYSTEM.xsd             a canonical Op/OpResponse pair per operation, mirroring the legacy
                                        messages, with its effect; included by the canonical XSD
  xslt/SYSTEM/Op.request.xsl, .response.xsl
                                        every field mapped by name; a comment on each it could not match
  xslt/SYSTEM/samples/Op.*.in.xml       schema-valid golden inputs

Op is the legacy operation's name in PascalCase (prefixed with the system's when the canonical XSD has it).
Then `soapbridge check --accept` writes the golden outputs, `soapbridge check` passes, and
`soapbridge try Op xslt/SYSTEM/samples/Op.request.in.xml --mock` runs a call against a mock of the WSDL.
Refused, in one line and with nothing written: a WSDL that does not load, a system that has an adapter
file, an operation the port does not have, an rpc/encoded operation, a WSDL without a SOAP port.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..settings import Settings
from ..toolkit.scaffold import plan_adapter, write_scaffold


def register(commands: Any) -> None:
    command = commands.add_parser(
        "new",
        help="scaffold a new part of the project (an adapter, from a legacy WSDL)",
        description="Scaffold a new part of the project. `soapbridge new adapter --help` says what is written.",
    )
    kinds = command.add_subparsers(dest="kind", metavar="KIND", required=True)
    adapter = kinds.add_parser(
        "adapter",
        help="an adapter, its canonical operations, stylesheets and golden inputs, from a legacy WSDL",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    adapter.add_argument("system", metavar="SYSTEM", help="the system's name: lower case, digits and _")
    adapter.add_argument("--wsdl", type=Path, required=True, metavar="FILE", help="the legacy WSDL (a local file)")
    adapter.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="OP",
        help="a legacy operation to scaffold (repeatable; default: every operation of the port)",
    )
    adapter.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    settings = Settings.from_env()
    scaffold = plan_adapter(settings, arguments.system, arguments.wsdl, arguments.operation)
    written = write_scaffold(settings, scaffold)
    for path in written:
        print(f"wrote {path.relative_to(settings.root)}")
    canonical = settings.canonical_xsd.relative_to(settings.root)
    if scaffold.canonical_text is not None:
        print(f"added {scaffold.include} to {canonical}")
    else:
        print(f"add this line to {canonical}, before its first declaration: {scaffold.include}")
    for reason in scaffold.skipped:
        print(f"not scaffolded: {reason}")
    first = scaffold.operations[0].name
    print("next: soapbridge check --accept   (writes the golden outputs; then soapbridge check passes)")
    print(f"      soapbridge try {first} xslt/{scaffold.system}/samples/{first}.request.in.xml --mock")
    return 0
