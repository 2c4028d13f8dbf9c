"""Adapter files (adapters/<system>.toml) read into plain, validated values.

Everything that can be checked without loading a WSDL or compiling a stylesheet is checked
here, with the file and the key in the message: a typo fails at start-up, never on a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ._toml import Table
from .errors import ConfigError
from .settings import Settings

FAULT_CODES = ("InvalidRequest", "NotFound", "Conflict", "UpstreamFault", "UpstreamUnavailable", "UpstreamTimeout")
CREDENTIAL_TYPES = ("wsse-username-token", "http-basic")
_SECRET_KEYS = ("username_env", "password_env")
_SYSTEM_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, to wait for the answer, and for the client's whole call (retries and steps included)."""

    connect: float = 2.0
    operation: float = 10.0
    deadline: float = 15.0


@dataclass(frozen=True)
class Tls:
    """How the adapter checks an https endpoint, and the certificate it shows (paths inside the project)."""

    #: False only when the adapter file says `verify = false`; start-up then logs a WARNING.
    verify: bool = True
    #: The CA certificates to trust instead of the system's (PEM).
    ca_bundle: Path | None = None
    #: A client certificate (PEM), and its key when not in the same file.
    client_cert: Path | None = None
    client_key: Path | None = None


@dataclass(frozen=True)
class Credentials:
    """How to authenticate upstream; the secret itself stays in the environment until used."""

    type: str
    username: str
    password: str = field(repr=False)
    password_type: str = "digest"
    #: The environment variables the username and the password come from.
    variables: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class FaultRule:
    """A legacy SOAP fault that means a canonical fault: `when` is an XPath on the Fault element."""

    when: str
    code: str
    message: str | None = None


@dataclass(frozen=True)
class Step:
    """A canonical operation run before the upstream call; its answer joins the context."""

    name: str
    call: str
    request: Path


@dataclass(frozen=True)
class OperationConfig:
    name: str
    response: Path
    upstream: str | None = None
    request: Path | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class AdapterConfig:
    """One legacy system, as its adapter file declares it."""

    name: str
    file: Path
    description: str = ""
    wsdl: Path | None = None
    endpoint: str | None = None
    service: str | None = None
    port: str | None = None
    timeouts: Timeouts = Timeouts()
    tls: Tls = Tls()
    credentials: Credentials | None = None
    namespaces: dict[str, str] = field(default_factory=dict)
    faults: tuple[FaultRule, ...] = ()
    operations: dict[str, OperationConfig] = field(default_factory=dict)


def load_adapters(settings: Settings) -> list[AdapterConfig]:
    """Every adapters/*.toml, in name order; a canonical operation may be served by one adapter only."""
    files = sorted(settings.adapters_dir.glob("*.toml"))
    if not files:
        raise ConfigError("no adapter files (*.toml)", file=str(settings.adapters_dir))
    adapters = [load_adapter(path, settings) for path in files]
    _refuse_duplicate_operations(adapters)
    return adapters


def load_adapter(path: Path, settings: Settings, *, need_secrets: bool = True) -> AdapterConfig:
    """One adapter file; with need_secrets=False (offline checks) an unset credential variable reads as ""."""
    top = Table.load(path)
    top.only("system", "timeouts", "tls", "credentials", "namespaces", "faults", "operations")
    system = top.subtable("system")
    system.only("name", "description", "wsdl", "endpoint", "service", "port")
    name = _system_name(system, path)
    wsdl = _optional_file(system, "wsdl", settings)
    operations = _operations(top, settings)
    if wsdl is None and any(op.upstream for op in operations.values()):
        raise system.error("wsdl", "missing; an adapter with upstream operations needs its legacy WSDL")
    return AdapterConfig(
        name=name,
        file=path,
        description=system.optional("description", str, "a string", ""),
        wsdl=wsdl,
        endpoint=_endpoint(system, name, settings),
        service=system.text("service", "a service name"),
        port=system.text("port", "a port name"),
        timeouts=_timeouts(top.table("timeouts")),
        tls=_tls(top.table("tls"), settings),
        credentials=_credentials(top.table("credentials"), settings, need_secrets),
        namespaces=_namespaces(top.table("namespaces")),
        faults=tuple(_fault_rule(rule) for rule in top.tables("faults")),
        operations=operations,
    )


def endpoint_variable(system: str) -> str:
    """The environment variable that overrides a system's endpoint, e.g. SOAPBRIDGE_CRM_URL."""
    return f"SOAPBRIDGE_{system.upper()}_URL"


def _system_name(system: Table, path: Path) -> str:
    name = system.require("name", str, "the system's name")
    if name != path.stem or not _SYSTEM_NAME.fullmatch(name):
        raise system.error("name", f"expected {path.stem!r} (the file's name, lower case), got {name!r}")
    return name


def _endpoint(system: Table, name: str, settings: Settings) -> str | None:
    override = settings.env.get(endpoint_variable(name))
    endpoint = override or system.text("endpoint", "an http(s) URL")
    if endpoint is not None and not re.match(r"https?://[^/\s]+", endpoint):
        where = endpoint_variable(name) if override else "endpoint"
        raise system.error(where, f"expected an http(s) URL, got {endpoint!r}")
    return endpoint


def _timeouts(table: Table | None) -> Timeouts:
    if table is None:
        return Timeouts()
    table.only("connect", "operation", "deadline")
    values = {
        name: table.optional(name, float, "a number of seconds", default)
        for name, default in (
            ("connect", Timeouts.connect),
            ("operation", Timeouts.operation),
            ("deadline", Timeouts.deadline),
        )
    }
    for name, value in values.items():
        if not 0 < value <= 600:
            raise table.error(name, f"expected seconds between 0 and 600, got {value}")
    return Timeouts(**values)


def _tls(table: Table | None, settings: Settings) -> Tls:
    if table is None:
        return Tls()
    table.only("verify", "ca_bundle", "client_cert", "client_key")
    tls = Tls(
        verify=table.optional("verify", bool, "true or false", True),
        ca_bundle=_optional_file(table, "ca_bundle", settings),
        client_cert=_optional_file(table, "client_cert", settings),
        client_key=_optional_file(table, "client_key", settings),
    )
    if tls.client_key is not None and tls.client_cert is None:
        raise table.error("client_key", "given without client_cert")
    if not tls.verify and tls.ca_bundle is not None:
        raise table.error("verify", "false, yet a ca_bundle is given; choose one")
    return tls


def _credentials(table: Table | None, settings: Settings, need_secrets: bool) -> Credentials | None:
    if table is None:
        return None
    table.only("type", "password_type", "username_env", "password_env")
    kind = table.require("type", str, " or ".join(CREDENTIAL_TYPES))
    if kind not in CREDENTIAL_TYPES:
        raise table.error("type", f"expected one of {', '.join(CREDENTIAL_TYPES)}, got {kind!r}")
    password_type = table.optional("password_type", str, "digest or text", "digest")
    if password_type not in ("digest", "text"):
        raise table.error("password_type", f"expected digest or text, got {password_type!r}")
    username_env, password_env = (
        table.require(key, str, "the name of an environment variable") for key in _SECRET_KEYS
    )
    if need_secrets:
        _require_set(table, settings, (username_env, password_env))
    username, password = (settings.env.get(variable, "") for variable in (username_env, password_env))
    return Credentials(kind, username, password, password_type, (username_env, password_env))


def _require_set(table: Table, settings: Settings, variables: tuple[str, str]) -> None:
    for key, variable in zip(_SECRET_KEYS, variables, strict=True):
        if not settings.env.get(variable):
            raise table.error(key, f"the environment variable {variable} is not set")


def _namespaces(table: Table | None) -> dict[str, str]:
    if table is None:
        return {}
    return {prefix: table.require(prefix, str, "a namespace URI") for prefix, _ in table.items()}


def _fault_rule(table: Table) -> FaultRule:
    table.only("when", "code", "message")
    code = table.require("code", str, "a canonical fault code")
    if code not in FAULT_CODES:
        raise table.error("code", f"expected one of {', '.join(FAULT_CODES)}, got {code!r}")
    message = table.text("message", "a string")
    return FaultRule(table.require("when", str, "an XPath 1.0 expression"), code, message)


def _operations(top: Table, settings: Settings) -> dict[str, OperationConfig]:
    table = top.subtable("operations")
    return {name: _operation(name, table.subtable(name), settings) for name, _ in table.items()}


def _operation(name: str, table: Table, settings: Settings) -> OperationConfig:
    table.only("upstream", "request", "response", "steps")
    upstream = table.text("upstream", "the legacy operation's name")
    request = _optional_file(table, "request", settings)
    if upstream and request is None:
        raise table.error("request", "missing; an upstream call needs a request stylesheet")
    steps = tuple(_step(step, settings) for step in table.tables("steps"))
    if not upstream and not steps:
        raise table.error("upstream", "missing; an operation calls an upstream operation, or has steps, or both")
    response = _optional_file(table, "response", settings)
    if response is None:
        raise table.error("response", "missing; expected the response stylesheet's path")
    return OperationConfig(name, response, upstream, request, steps)


def _step(table: Table, settings: Settings) -> Step:
    table.only("name", "call", "request")
    name = table.require("name", str, "the step's name")
    request = _optional_file(table, "request", settings)
    if request is None:
        raise table.error("request", "missing; a step needs the stylesheet that builds its request")
    return Step(name, table.require("call", str, "a canonical operation's name"), request)


def _optional_file(table: Table, key: str, settings: Settings) -> Path | None:
    relative = table.text(key, "a path relative to the project root")
    if relative is None:
        return None
    path = settings.resolve(relative)
    if not path.is_relative_to(settings.root):
        raise table.error(key, f"expected a path inside {settings.root}, got {relative!r}")
    if not path.is_file():
        raise table.error(key, f"no such file: {relative}")
    return path


def _refuse_duplicate_operations(adapters: list[AdapterConfig]) -> None:
    owner: dict[str, str] = {}
    for adapter in adapters:
        for name in adapter.operations:
            if name in owner:
                raise ConfigError(
                    f"{name} is already served by {owner[name]}.toml", file=str(adapter.file), key=f"operations.{name}"
                )
            owner[name] = adapter.name
