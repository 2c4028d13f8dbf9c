"""Adapter parameters: named values that every stylesheet of one adapter receives as top-level xsl:params.

    [parameters]
    region = "EU"                                       # a literal, written in the file
    licence = { env = "SOAPBRIDGE_WEATHER_LICENCE" }    # read from the environment: secret unless secret = false

A value from the environment is secret by default: whatever carries it (a body field, a licence key) must not be
in the repository, and what is secret is never logged, shown or written to a golden sample. Golden samples and
the offline tools see a placeholder instead (`{{licence}}`), so their outputs are the same on every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._toml import Table
from .settings import Settings

#: An xsl:param name that needs no namespace: an NCName, in ASCII.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_EXPECTED = 'a string, or a table like { env = "VARIABLE", secret = true }'


@dataclass(frozen=True)
class Parameter:
    """One named value of an adapter; `value` is "" for an unset variable when secrets are not needed."""

    name: str
    value: str = field(repr=False)
    #: The environment variable the value comes from; None for a literal.
    variable: str | None = None
    secret: bool = False

    @property
    def placeholder(self) -> str:
        """What golden samples and the offline tools use: a literal itself, else {{name}}."""
        return self.value if self.variable is None else f"{{{{{self.name}}}}}"


def read_parameters(table: Table | None, settings: Settings, need_secrets: bool) -> dict[str, Parameter]:
    """The [parameters] table; with need_secrets, an unset variable stops start-up naming the key and the variable."""
    if table is None:
        return {}
    return {name: _parameter(table, name, raw, settings, need_secrets) for name, raw in table.items()}


def _parameter(table: Table, name: str, raw: Any, settings: Settings, need_secrets: bool) -> Parameter:
    if not _NAME.fullmatch(name):
        raise table.error(name, "not a usable xsl:param name (a letter or _, then letters, digits, _ . or -)")
    if isinstance(raw, str):
        return Parameter(name, raw)
    if not isinstance(raw, dict):
        raise table.error(name, f"expected {_EXPECTED}, got {raw!r}")
    source = table.subtable(name)
    source.only("env", "secret")
    variable = source.require("env", str, "the name of an environment variable")
    secret = source.optional("secret", bool, "true or false", True)
    value = settings.env.get(variable, "")
    if need_secrets and not value:
        raise source.error("env", f"the environment variable {variable} is not set (parameter {name!r})")
    return Parameter(name, value, variable, secret)


def placeholders(parameters: dict[str, Parameter]) -> dict[str, str]:
    """Each parameter's placeholder by name: what golden samples are made with."""
    return {name: parameter.placeholder for name, parameter in parameters.items()}
