"""The soapbridge command: `soapbridge serve`, `soapbridge legacy`.

Every error is one line on stderr; exit 0 on success, 1 on failure, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import SoapbridgeError, UsageError
from . import check, hashpw, legacy, mock, serve, transform, validate, wsdl


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="soapbridge", description="A SOAP/XML adapter gateway for legacy systems.")
    top.add_argument("--version", action="version", version=f"soapbridge {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve.register(commands)
    legacy.register(commands)
    validate.register(commands)
    mock.register(commands)
    check.register(commands)
    transform.register(commands)
    wsdl.register(commands)
    hashpw.register(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
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
