"""The settings object: built once from the environment, then passed down explicitly."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .skeleton import CHECKOUT, is_project

#: libxml2's own ceilings without XML_PARSE_HUGE; our limits must stay under them so that our check speaks first.
LIBXML_MAX_DEPTH = 256
LIBXML_MAX_NAME_LENGTH = 50_000


@dataclass(frozen=True)
class Limits:
    """What a document may weigh before soapbridge refuses it; every parse checks these before any other work."""

    #: The largest request body read from a client, in bytes (SOAPBRIDGE_MAX_BODY).
    max_body: int = 10 * 1024 * 1024
    #: The deepest element nesting, the root being depth 1 (SOAPBRIDGE_MAX_DEPTH, at most 256).
    max_depth: int = 100
    #: The most attributes one element may carry (SOAPBRIDGE_MAX_ATTRIBUTES).
    max_attributes: int = 100
    #: The longest element or attribute name, prefix and namespace left out (SOAPBRIDGE_MAX_NAME_LENGTH).
    max_name_length: int = 1000

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        defaults = cls()
        return cls(
            max_body=_positive(env, "SOAPBRIDGE_MAX_BODY", defaults.max_body, None),
            max_depth=_positive(env, "SOAPBRIDGE_MAX_DEPTH", defaults.max_depth, LIBXML_MAX_DEPTH),
            max_attributes=_positive(env, "SOAPBRIDGE_MAX_ATTRIBUTES", defaults.max_attributes, None),
            max_name_length=_positive(
                env, "SOAPBRIDGE_MAX_NAME_LENGTH", defaults.max_name_length, LIBXML_MAX_NAME_LENGTH
            ),
        )


#: Where clear-text credentials (HTTP Basic, UsernameToken PasswordText) are accepted over plain HTTP.
PLAIN_HTTP_POLICIES = ("loopback", "never", "anywhere")
#: The log formats and levels SOAPBRIDGE_LOG_FORMAT and SOAPBRIDGE_LOG_LEVEL accept.
LOG_FORMATS = ("auto", "json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Auth:
    """Inbound authentication: who may call the gateway, and how their credentials are checked."""

    #: On unless switched off explicitly (SOAPBRIDGE_AUTH=off).
    enabled: bool = True
    #: The clients file (SOAPBRIDGE_CLIENTS; default clients.toml in the root folder).
    clients_file: Path | None = None
    #: Clear-text credentials without TLS: from loopback peers only, never, or anywhere (SOAPBRIDGE_AUTH_PLAIN_HTTP).
    plain_http: str = "loopback"
    #: How old a wsu:Created may be, in seconds, and how long its nonce is kept (SOAPBRIDGE_AUTH_WINDOW).
    window: int = 300
    #: Failed checks allowed per client name and per peer address within failure_window; further attempts get
    #: TooManyRequests (HTTP 429) until the oldest leaves the window (SOAPBRIDGE_AUTH_FAILURES).
    failures: int = 10
    #: The moving window failures are counted in, in seconds (SOAPBRIDGE_AUTH_FAILURE_WINDOW).
    failure_window: int = 300
    #: How long a right password is remembered, in seconds, so that a client's next calls run no scrypt
    #: (SOAPBRIDGE_AUTH_CACHE_TTL; the password itself is never kept, only a keyed HMAC of it).
    cache_ttl: int = 60
    #: Failed password hashes (scrypt, about 40 ms of CPU each) one worker runs per second at most; past it,
    #: checks not remembered get TooManyRequests without any hashing (SOAPBRIDGE_AUTH_HASH_RATE).
    hash_rate: int = 4

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Auth:
        defaults = cls()
        return cls(
            enabled=_choice(env, "SOAPBRIDGE_AUTH", ("on", "off"), "on") == "on",
            clients_file=Path(env["SOAPBRIDGE_CLIENTS"]) if env.get("SOAPBRIDGE_CLIENTS") else None,
            plain_http=_choice(env, "SOAPBRIDGE_AUTH_PLAIN_HTTP", PLAIN_HTTP_POLICIES, "loopback"),
            window=_seconds(env, "SOAPBRIDGE_AUTH_WINDOW", 300),
            failures=_positive(env, "SOAPBRIDGE_AUTH_FAILURES", defaults.failures, None),
            failure_window=_seconds(env, "SOAPBRIDGE_AUTH_FAILURE_WINDOW", defaults.failure_window),
            cache_ttl=_seconds(env, "SOAPBRIDGE_AUTH_CACHE_TTL", defaults.cache_ttl),
            hash_rate=_positive(env, "SOAPBRIDGE_AUTH_HASH_RATE", defaults.hash_rate, None),
        )


@dataclass(frozen=True)
class Idempotency:
    """Where idempotency keys of write operations are kept, and for how long."""

    #: A SQLite file path, or a redis:// URL for several instances (SOAPBRIDGE_IDEMPOTENCY_STORE;
    #: default idempotency.sqlite3 in the state folder, shared by the workers of one instance).
    store: str | None = None
    #: How long a key and its outcome are kept, in seconds (SOAPBRIDGE_IDEMPOTENCY_TTL; default a day).
    ttl: int = 86400

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Idempotency:
        return cls(
            store=env.get("SOAPBRIDGE_IDEMPOTENCY_STORE", "").strip() or None,
            ttl=_seconds(env, "SOAPBRIDGE_IDEMPOTENCY_TTL", cls.ttl),
        )


@dataclass(frozen=True)
class Connections:
    """How long a client may take to send a request, and how many connections one peer may hold open: the event
    loop reads every request in full before a thread serves it, and closes a connection that overruns."""

    #: Seconds a client has to send a request's head (request line and headers), counted from its connection,
    #: or on a kept-alive connection from the head's first byte (SOAPBRIDGE_HEADER_TIMEOUT).
    header_timeout: int = 5
    #: Seconds a client has to send a request's whole body once its head is in; each write of the answer has as
    #: long (SOAPBRIDGE_BODY_TIMEOUT).
    body_timeout: int = 10
    #: Seconds a kept-alive connection may stay idle before the gateway closes it (SOAPBRIDGE_IDLE_TIMEOUT).
    idle_timeout: int = 2
    #: The most connections one peer address may hold open at once, across the instance's workers; the trusted
    #: proxies are not bounded (SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER).
    max_per_peer: int = 256

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Connections:
        defaults = cls()
        return cls(
            header_timeout=_seconds(env, "SOAPBRIDGE_HEADER_TIMEOUT", defaults.header_timeout),
            body_timeout=_seconds(env, "SOAPBRIDGE_BODY_TIMEOUT", defaults.body_timeout),
            idle_timeout=_seconds(env, "SOAPBRIDGE_IDLE_TIMEOUT", defaults.idle_timeout),
            max_per_peer=_positive(env, "SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER", defaults.max_per_peer, None),
        )


@dataclass(frozen=True)
class Settings:
    """Everything the gateway needs to know before it loads a single file."""

    #: The folder that holds adapters/, wsdl/ and xslt/ (SOAPBRIDGE_HOME, else the checkout).
    root: Path
    #: The environment the adapters read endpoints and credentials from.
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: Size, depth, attribute and name limits for every document parsed (SOAPBRIDGE_MAX_*).
    limits: Limits = field(default_factory=Limits)
    #: Inbound authentication (SOAPBRIDGE_AUTH, SOAPBRIDGE_CLIENTS, SOAPBRIDGE_AUTH_*).
    auth: Auth = field(default_factory=Auth)
    #: The idempotency-key store (SOAPBRIDGE_IDEMPOTENCY_*).
    idempotency: Idempotency = field(default_factory=Idempotency)
    #: Client timeouts and connections per peer (SOAPBRIDGE_*_TIMEOUT, SOAPBRIDGE_MAX_CONNECTIONS_PER_PEER).
    connections: Connections = field(default_factory=Connections)
    #: Seconds a stopping gateway gives in-flight requests to finish (SOAPBRIDGE_GRACE_PERIOD).
    grace_period: int = 30
    #: The folder whose files every worker process shares while the instance runs: its metrics
    #: (SOAPBRIDGE_RUNTIME_DIR; default a new temporary folder, see soapbridge.runtime).
    runtime_dir: Path | None = None
    #: The folder whose files outlive a restart: the default SQLite nonce and idempotency stores, and the
    #: journal of idempotent outcomes (SOAPBRIDGE_STATE_DIR; from the environment, default var/ in the root
    #: folder; None, as a Settings built in code has, is a new temporary folder, so that tests share nothing).
    state_dir: Path | None = None
    #: How `soapbridge serve` writes its log: json (one object per line), text, or auto: text on a
    #: terminal, json otherwise (SOAPBRIDGE_LOG_FORMAT).
    log_format: str = "auto"
    #: The least severe log level written: debug, info, warning or error (SOAPBRIDGE_LOG_LEVEL).
    log_level: str = "info"
    #: Whether every adapter's legacy exchange (each request as sent, each answer as received, bounded, secrets
    #: redacted) is logged at INFO, as `[debug] exchange = true` does for one adapter (SOAPBRIDGE_LOG_EXCHANGE,
    #: on or off; default off, when the exchange is logged only at DEBUG).
    log_exchange: bool = False
    #: Where accepted UsernameToken nonces are kept: a SQLite file path, or a redis:// URL shared by several
    #: instances (SOAPBRIDGE_NONCE_STORE; default the idempotency store's Redis when it is one, else
    #: nonces.sqlite3 in the state folder).
    nonce_store: str | None = None
    #: This instance's name, on its metrics and log lines (SOAPBRIDGE_INSTANCE; default derived at start-up).
    instance: str | None = None
    #: The peers whose X-Forwarded-* and Forwarded headers are believed: addresses or networks
    #: (SOAPBRIDGE_TRUSTED_PROXIES, comma-separated; default none).
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    #: The address published in the WSDLs and OpenAPI, fixed by the operator (SOAPBRIDGE_PUBLIC_URL).
    public_url: str | None = None

    @property
    def adapters_dir(self) -> Path:
        return self.root / "adapters"

    @property
    def wsdl_dir(self) -> Path:
        return self.root / "wsdl"

    @property
    def canonical_xsd(self) -> Path:
        return self.wsdl_dir / "canonical" / "soapbridge-v1.xsd"

    def resolve(self, relative: str) -> Path:
        """A project-relative path from a configuration file, made absolute."""
        return (self.root / relative).resolve()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        root = Path(env["SOAPBRIDGE_HOME"]) if env.get("SOAPBRIDGE_HOME") else _default_root()
        if not is_project(root):
            raise ConfigError(
                f"{root} is not a soapbridge project (it has no adapters/ folder); create one with "
                "`soapbridge init DIR`, then run soapbridge in DIR or set SOAPBRIDGE_HOME to it",
                key="SOAPBRIDGE_HOME" if env.get("SOAPBRIDGE_HOME") else None,
            )
        return cls(
            root=root.resolve(),
            env=env,
            limits=Limits.from_env(env),
            auth=Auth.from_env(env),
            idempotency=Idempotency.from_env(env),
            connections=Connections.from_env(env),
            grace_period=_seconds(env, "SOAPBRIDGE_GRACE_PERIOD", 30),
            runtime_dir=Path(env["SOAPBRIDGE_RUNTIME_DIR"]) if env.get("SOAPBRIDGE_RUNTIME_DIR") else None,
            state_dir=Path(env.get("SOAPBRIDGE_STATE_DIR", "").strip() or root.resolve() / "var"),
            log_format=_choice(env, "SOAPBRIDGE_LOG_FORMAT", LOG_FORMATS, "auto"),
            log_level=_choice(env, "SOAPBRIDGE_LOG_LEVEL", LOG_LEVELS, "info"),
            log_exchange=_choice(env, "SOAPBRIDGE_LOG_EXCHANGE", ("on", "off"), "off") == "on",
            nonce_store=env.get("SOAPBRIDGE_NONCE_STORE", "").strip() or None,
            instance=_instance(env),
            trusted_proxies=_networks(env, "SOAPBRIDGE_TRUSTED_PROXIES"),
            public_url=_public_url(env, "SOAPBRIDGE_PUBLIC_URL"),
        )


def _choice(env: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(key, "").strip().lower() or default
    if value not in choices:
        raise ConfigError(f"must be one of {', '.join(choices)}, not {value!r}", key=key)
    return value


def _seconds(env: Mapping[str, str], key: str, default: int) -> int:
    text = env.get(key, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 86400:
        raise ConfigError(f"must be a whole number of seconds between 1 and 86400, not {text!r}", key=key)
    return int(text)


def _instance(env: Mapping[str, str]) -> str | None:
    text = env.get("SOAPBRIDGE_INSTANCE", "").strip()
    if len(text) > 64 or not all(c.isalnum() or c in "-_.:" for c in text):
        raise ConfigError(
            f"letters, digits and - _ . : only, at most 64 characters, not {text[:80]!r}", key="SOAPBRIDGE_INSTANCE"
        )
    return text or None


def _networks(env: Mapping[str, str], key: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in env.get(key, "").replace(" ", "").split(","):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"not an IP address or network: {item[:80]!r}", key=key) from None
    return tuple(networks)


def _public_url(env: Mapping[str, str], key: str) -> str | None:
    text = env.get(key, "").strip().rstrip("/")
    if not text:
        return None
    scheme, _, rest = text.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in "\"'<>`\\ ?#"):
        raise ConfigError(f"must be an http:// or https:// URL with no query, not {text[:80]!r}", key=key)
    return text


def _default_root() -> Path:
    """The current folder when it is a project, else the checkout this code runs from (an installed wheel has
    none: its settings then say how to make a project)."""
    cwd = Path.cwd()
    return cwd if is_project(cwd) or not is_project(CHECKOUT) else CHECKOUT


def _positive(env: Mapping[str, str], key: str, default: int, ceiling: int | None) -> int:
    text = env.get(key, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"must be a positive whole number, not {text!r}", key=key)
    if ceiling is not None and int(text) > ceiling:
        raise ConfigError(f"must be at most {ceiling}, not {text}", key=key)
    return int(text)
