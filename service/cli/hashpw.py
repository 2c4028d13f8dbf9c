"""`soapbridge hash-password`: the salted hash line a clients file stores instead of a password.

The password is read from standard input when it is not a terminal (one line), else asked for
twice without echo. It is never taken as an argument: arguments end up in shell histories and
process listings.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ..errors import UsageError
from ..passwords import hash_password


def register(commands: Any) -> None:
    command = commands.add_parser(
        "hash-password",
        help="print the hash line of a password for clients.toml",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    password = _read_password()
    if not password:
        raise UsageError("the password is empty")
    print(hash_password(password))
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("the two passwords differ")
    return first
