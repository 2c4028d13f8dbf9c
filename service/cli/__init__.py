"""The soapbridge command: `soapbridge serve`, `soapbridge init`, `soapbridge legacy` and the tester's tools.

Every error is one line on stderr; exit 0 on success, 1 on failure, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import SoapbridgeError, UsageError

#: Every subcommand and the module here that registers it, in the order `soapbridge --help` lists them.
COMMANDS = {
    "serve": "serve",
    "init": "init",
    "legacy": "legacy",
    "validate": "validate",
    "mock": "mock",
    "check": "check",
    "new": "new",
    "transform": "transform",
    "try": "trycall",
    "wsdl": "wsdl",
    "hash-password": "hashpw",
    "flows": "flows",
}


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line parser. When argv starts with a subcommand, only that subcommand is registered: its
    module is the only one imported (the others bring the toolkit, xmlschema, the emulators, none of which
    `serve` needs), and its parser, help and errors are the same either way. Otherwise every one is."""
    top = argparse.ArgumentParser(prog="soapbridge", description="A SOAP/XML adapter gateway for legacy systems.")
    top.add_argument("--version", action="version", version=f"soapbridge {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    first = next(iter(sys.argv[1:] if argv is None else argv), None)
    for name in [first] if first in COMMANDS else COMMANDS:
        importlib.import_module(f".{COMMANDS[name]}", __name__).register(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser(argv).parse_args(argv)
    try:
        code: int = arguments.run(arguments)
    except UsageError as exc:
        print(f"soapbridge: {exc.message}", file=sys.stderr)
        return 2
    except SoapbridgeError as exc:
        print(f"soapbridge: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
