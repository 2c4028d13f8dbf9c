"""Adapter files (adapters/<system>.toml) read into plain, validated values.

Everything that can be checked without loading a WSDL or compiling a stylesheet is checked
here, with the file and the key in the message: a typo fails at start-up, never on a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ._toml import Table
from .faultrules import FAULT_CODES, AnswerRule, FaultRule, read_answer_rules, read_fault_rules
from .parameters import Parameter, read_parameters
from .settings import Settings

#: The rules and parameters have modules of their own; they are part of the adapter model all the same.
__all__ = [
    "FAULT_CODES",
    "AdapterConfig",
    "AnswerRule",
    "Breaker",
    "Bulkhead",
    "Credentials",
    "FaultRule",
    "OperationConfig",
    "Parameter",
    "PassthroughConfig",
    "Retry",
    "Step",
    "Timeouts",
    "Tls",
    "endpoint_variable",
    "load_adapter",
    "load_adapters",
]

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
class Retry:
    """How an idempotent operation is tried again after a transient failure: exponential back-off, full jitter."""

    #: Tries in all, the first included; 1 never retries.
    attempts: int = 3
    #: The first pause, in seconds; each later one doubles, up to max_backoff.
    backoff: float = 0.2
    max_backoff: float = 2.0


@dataclass(frozen=True)
class Breaker:
    """When the circuit to a legacy system opens, and how long it stays open."""

    #: Consecutive failures (or slow calls) that open the circuit.
    failures: int = 5
    #: Seconds after which a successful call still counts as a failure.
    slow_call: float = 8.0
    #: Seconds open before one half-open probe is let through; each failed probe doubles it, up to max_cooldown.
    cooldown: float = 10.0
    max_cooldown: float = 120.0


@dataclass(frozen=True)
class Bulkhead:
    """How many calls to a legacy system one worker process makes at once, and how long a call waits for a slot."""

    max_concurrent: int = 8
    max_wait: float = 0.5


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
    #: Whether a failed call may be tried again; None leaves it to the contract (reads are, writes are not).
    idempotent: bool | None = None
    #: The operation's own timeouts, else the adapter's.
    timeouts: Timeouts | None = None
    #: An XPath 1.0 test on the canonical request: this adapter serves the request when it holds (content-based
    #: routing among the adapters serving one operation); None serves every request no other adapter's route takes.
    route: str | None = None


@dataclass(frozen=True)
class PassthroughConfig:
    """A legacy operation published unchanged ([passthrough.<Operation>]): no mapping, the legacy body as sent."""

    #: The legacy operation's name in the WSDL's binding.
    name: str
    #: Whether a failed call may be tried again; the gateway cannot read the effect of a legacy operation, so
    #: a pass-through operation is tried once, and takes idempotency keys, unless its table says it is idempotent.
    idempotent: bool = False
    #: The operation's own timeouts, else the adapter's.
    timeouts: Timeouts | None = None


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
    retry: Retry = Retry()
    breaker: Breaker = Breaker()
    bulkhead: Bulkhead = Bulkhead()
    tls: Tls = Tls()
    credentials: Credentials | None = None
    namespaces: dict[str, str] = field(default_factory=dict)
    faults: tuple[FaultRule, ...] = ()
    #: Ordinary legacy answers that mean a canonical fault (in-band errors), tested before the response stylesheet.
    answers: tuple[AnswerRule, ...] = ()
    #: The values every stylesheet of the adapter receives as xsl:params, by name.
    parameters: dict[str, Parameter] = field(default_factory=dict)
    operations: dict[str, OperationConfig] = field(default_factory=dict)
    #: The legacy operations published unchanged at /passthrough/<system>, by their legacy name.
    passthrough: dict[str, PassthroughConfig] = field(default_factory=dict)
    #: Whether each legacy request and answer is logged at INFO, bounded and redacted ([debug] exchange = true,
    #: or SOAPBRIDGE_LOG_EXCHANGE=on for every adapter); else only at DEBUG.
    log_exchange: bool = False


def load_adapters(settings: Settings) -> list[AdapterConfig]:
    """Every adapters/*.toml, in name order; the rules across files (and "no adapter files") are the project
    compiler's, engine/compiler.py."""
    return [load_adapter(path, settings) for path in sorted(settings.adapters_dir.glob("*.toml"))]


def load_adapter(path: Path, settings: Settings, *, need_secrets: bool = True) -> AdapterConfig:
    """One adapter file; with need_secrets=False (offline checks) an unset credential or parameter variable reads
    as ""."""
    top = Table.load(path)
    top.only(
        "system",
        "timeouts",
        "retry",
        "breaker",
        "bulkhead",
        "tls",
        "credentials",
        "namespaces",
        "faults",
        "answers",
        "parameters",
        "operations",
        "passthrough",
        "debug",
    )
    system = top.subtable("system")
    system.only("name", "description", "wsdl", "endpoint", "service", "port")
    name = _system_name(system, path)
    wsdl = _optional_file(system, "wsdl", settings)
    timeouts = _timeouts(top.table("timeouts"), Timeouts())
    operations = _operations(top, settings, timeouts)
    passthrough = _passthrough(top.table("passthrough"), timeouts)
    if wsdl is None and (passthrough or any(op.upstream for op in operations.values())):
        raise system.error("wsdl", "missing; an adapter with upstream or pass-through operations needs its legacy WSDL")
    return AdapterConfig(
        name=name,
        file=path,
        description=system.optional("description", str, "a string", ""),
        wsdl=wsdl,
        endpoint=_endpoint(system, name, settings),
        service=system.text("service", "a service name"),
        port=system.text("port", "a port name"),
        timeouts=timeouts,
        retry=_retry(top.table("retry")),
        breaker=_breaker(top.table("breaker")),
        bulkhead=_bulkhead(top.table("bulkhead")),
        tls=_tls(top.table("tls"), settings),
        credentials=_credentials(top.table("credentials"), settings, need_secrets),
        namespaces=_namespaces(top.table("namespaces")),
        faults=read_fault_rules(top),
        answers=read_answer_rules(top, [name for name, op in operations.items() if op.upstream]),
        parameters=read_parameters(top.table("parameters"), settings, need_secrets),
        operations=operations,
        passthrough=passthrough,
        log_exchange=_log_exchange(top.table("debug")) or settings.log_exchange,
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


def _timeouts(table: Table | None, base: Timeouts) -> Timeouts:
    """The timeouts a table sets, each key it leaves out taken from base."""
    if table is None:
        return base
    table.only("connect", "operation", "deadline")
    values = {name: _seconds(table, name, getattr(base, name), 600) for name in ("connect", "operation", "deadline")}
    return Timeouts(**values)


def _retry(table: Table | None) -> Retry:
    if table is None:
        return Retry()
    table.only("attempts", "backoff", "max_backoff")
    retry = Retry(
        attempts=_count(table, "attempts", Retry.attempts, 10),
        backoff=_seconds(table, "backoff", Retry.backoff, 60),
        max_backoff=_seconds(table, "max_backoff", Retry.max_backoff, 600),
    )
    if retry.max_backoff < retry.backoff:
        raise table.error("max_backoff", f"expected at least backoff ({retry.backoff}), got {retry.max_backoff}")
    return retry


def _breaker(table: Table | None) -> Breaker:
    if table is None:
        return Breaker()
    table.only("failures", "slow_call", "cooldown", "max_cooldown")
    breaker = Breaker(
        failures=_count(table, "failures", Breaker.failures, 1000),
        slow_call=_seconds(table, "slow_call", Breaker.slow_call, 600),
        cooldown=_seconds(table, "cooldown", Breaker.cooldown, 3600),
        max_cooldown=_seconds(table, "max_cooldown", Breaker.max_cooldown, 86400),
    )
    if breaker.max_cooldown < breaker.cooldown:
        raise table.error(
            "max_cooldown", f"expected at least cooldown ({breaker.cooldown}), got {breaker.max_cooldown}"
        )
    return breaker


def _bulkhead(table: Table | None) -> Bulkhead:
    if table is None:
        return Bulkhead()
    table.only("max_concurrent", "max_wait")
    return Bulkhead(
        max_concurrent=_count(table, "max_concurrent", Bulkhead.max_concurrent, 1000),
        max_wait=_seconds(table, "max_wait", Bulkhead.max_wait, 600),
    )


def _seconds(table: Table, name: str, default: float, most: float) -> float:
    value = table.optional(name, float, "a number of seconds", default)
    if not 0 < value <= most:
        raise table.error(name, f"expected seconds between 0 and {most}, got {value}")
    return value


def _count(table: Table, name: str, default: int, most: int) -> int:
    value = table.optional(name, int, "a whole number", default)
    if not 1 <= value <= most:
        raise table.error(name, f"expected a whole number between 1 and {most}, got {value}")
    return value


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


def _log_exchange(table: Table | None) -> bool:
    if table is None:
        return False
    table.only("exchange")
    return table.optional("exchange", bool, "true or false", False)


def _namespaces(table: Table | None) -> dict[str, str]:
    if table is None:
        return {}
    return {prefix: table.require(prefix, str, "a namespace URI") for prefix, _ in table.items()}


def _operations(top: Table, settings: Settings, timeouts: Timeouts) -> dict[str, OperationConfig]:
    table = top.subtable("operations")
    return {name: _operation(name, table.subtable(name), settings, timeouts) for name, _ in table.items()}


def _operation(name: str, table: Table, settings: Settings, timeouts: Timeouts) -> OperationConfig:
    table.only("upstream", "request", "response", "steps", "idempotent", "timeouts", "route")
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
    idempotent = table.optional("idempotent", bool, "true or false", None)  # type: ignore[arg-type]
    own = table.table("timeouts")
    route = table.text("route", "an XPath 1.0 expression")
    if route is not None and not route.strip():
        raise table.error("route", "empty; expected an XPath 1.0 expression, or no route key")
    return OperationConfig(
        name, response, upstream, request, steps, idempotent, _timeouts(own, timeouts) if own else None, route
    )


def _passthrough(table: Table | None, timeouts: Timeouts) -> dict[str, PassthroughConfig]:
    """[passthrough.<Operation>] tables, each naming a legacy operation; an empty table takes the defaults."""
    if table is None:
        return {}
    return {name: _passthrough_operation(name, table.subtable(name), timeouts) for name, _ in table.items()}


def _passthrough_operation(name: str, table: Table, timeouts: Timeouts) -> PassthroughConfig:
    table.only("idempotent", "timeouts")
    own = table.table("timeouts")
    idempotent = table.optional("idempotent", bool, "true or false", False)
    return PassthroughConfig(name, idempotent, _timeouts(own, timeouts) if own else None)


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
