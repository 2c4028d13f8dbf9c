"""The reference proxy: the same work as the gateway's core path with nothing else, the practical limit of the stack.

    SOAPBRIDGE_HOME=<project> BENCH_UPSTREAM=<canned upstream> python -m gunicorn -k gthread -w 2 --threads 8 \\
        -b 127.0.0.1:PORT bench.reference:app

Per request: parse (a hardened lxml parser, like the gateway's), apply the project's own request stylesheet,
post the legacy envelope with a pooled urllib3 client, parse the answer, apply the project's response
stylesheet (with the request's simple fields as xsl:params, as the engine passes them), serialise.
/soap11 takes and answers a SOAP 1.1 envelope; /json/<Operation> walks JSON to the canonical request and the
canonical response back to JSON (one object per element, arrays for repeated siblings, text as strings).
A `route` in an adapter file picks the adapter as the gateway does. An adapter with a WS-Security account
(the CRM's UsernameToken with PasswordDigest) gets the same wsse:Security block the gateway sends, built once
at start and copied into each legacy envelope: the gateway makes a fresh nonce and digest per message, and
that small difference is its own cost. Nothing else: no validation, no authentication, no fault mapping, no
retries. It reads the adapter files with tomllib and never imports soapbridge.

/passthrough/<system> is the direct proxy for an adapter's [passthrough] operations: the Body's content is cut
out of the request by a byte search (the bench writes its namespace on the payload), put between the envelope
head and tail the gateway sends (its wsse:Security when the system has an account, WS-Addressing with a fresh
wsa:MessageID when the WSDL uses it), posted with the operation's action and an X-Correlation-ID, and the
legacy answer goes back as received, status and media type included.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import threading
import tomllib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from lxml import etree

CANONICAL = "urn:soapbridge:canonical:v1"
ENVELOPES = {"1.1": "http://schemas.xmlsoap.org/soap/envelope/", "1.2": "http://www.w3.org/2003/05/soap-envelope"}
MEDIA = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
XSL = "http://www.w3.org/1999/XSL/Transform"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSA = "http://www.w3.org/2005/08/addressing"
TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
MESSAGE_SECURITY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_local = threading.local()


class Transform:
    """A compiled stylesheet, one copy per thread (an XSLT called from another thread copies itself each call)."""

    def __init__(self, path: Path) -> None:
        self.document = etree.parse(str(path))
        self.params = frozenset(p.get("name", "") for p in self.document.getroot().iterchildren(f"{{{XSL}}}param"))
        self.key = str(path)
        self._compile()

    def __call__(self, source: etree._Element, params: dict[str, str] | None = None) -> etree._Element:
        sheets: dict[str, etree.XSLT] = _local.__dict__.setdefault("sheets", {})
        transform = sheets.get(self.key) or sheets.setdefault(self.key, self._compile())
        quoted = {name: etree.XSLT.strparam(value) for name, value in (params or {}).items() if name in self.params}
        return transform(source, **quoted).getroot()

    def _compile(self) -> etree.XSLT:
        return etree.XSLT(self.document, access_control=etree.XSLTAccessControl.DENY_ALL)


@dataclass(frozen=True)
class Target:
    """One adapter's upstream operation: where to post, how to map there and back."""

    url: str
    version: str
    headers: dict[str, str]
    request: Transform
    response: Transform
    route: etree.XPath | None
    #: The wsse:Security block for the legacy envelope's Header, or None when the system wants none.
    security: etree._Element | None = None
    #: The adapter's [parameters] (a licence key...), passed to the request stylesheet as the engine does.
    parameters: dict[str, str] | None = None


def load(project: Path, upstream: str, env: dict[str, str] | None = None) -> dict[str, list[Target]]:
    """Every adapter's mapped operations by canonical name, routed ones first, in adapter-file order."""
    sheets: dict[Path, Transform] = {}
    operations: dict[str, list[Target]] = {}
    for path in sorted((project / "adapters").glob("*.toml")):
        adapter = tomllib.loads(path.read_text())
        namespaces = {"cn": CANONICAL, **adapter.get("namespaces", {})}
        security = security_block(adapter.get("credentials", {}), os.environ if env is None else env)
        parameters = adapter_parameters(adapter.get("parameters", {}), os.environ if env is None else env)
        for name, table in adapter.get("operations", {}).items():
            if not table.get("upstream"):
                continue
            version, action = binding(project / adapter["system"]["wsdl"], table["upstream"])
            route = etree.XPath(f"boolean({table['route']})", namespaces=namespaces) if "route" in table else None
            operations.setdefault(name, []).append(
                Target(
                    f"{upstream}/{adapter['system']['name']}",
                    version,
                    _headers(version, action),
                    _sheet(sheets, project / table["request"]),
                    _sheet(sheets, project / table["response"]),
                    route,
                    security,
                    parameters,
                )
            )
    return {name: sorted(targets, key=lambda target: target.route is None) for name, targets in operations.items()}


@dataclass(frozen=True)
class Passthrough:
    """One system's pass-through operations: where to post, and the envelope around each payload."""

    url: str
    version: str
    #: The HTTP headers of each operation, by its SOAPAction (1.1) or action parameter (1.2).
    headers: dict[str, dict[str, str]]
    #: The envelope up to the payload, split where the wsa:MessageID goes (one piece when there is none).
    head: tuple[bytes, ...]
    tail: bytes


def load_passthrough(project: Path, upstream: str, env: Any) -> dict[str, Passthrough]:
    """The /passthrough/<system> of every adapter with [passthrough] operations, by path."""
    systems = {}
    for path in sorted((project / "adapters").glob("*.toml")):
        adapter = tomllib.loads(path.read_text())
        operations = list(adapter.get("passthrough", {}))
        if not operations:
            continue
        wsdl = project / adapter["system"]["wsdl"]
        bindings = [binding(wsdl, operation) for operation in operations]
        version = bindings[0][0]
        security = security_block(adapter.get("credentials", {}), env)
        url = f"{upstream}/{adapter['system']['name']}"
        addressing = b"UsingAddressing" in wsdl.read_bytes()
        head, tail = _passthrough_envelope(version, security, url if addressing else None)
        headers = {action: _headers(version, action) for _, action in bindings}
        systems[f"/passthrough/{adapter['system']['name']}"] = Passthrough(url, version, headers, head, tail)
    return systems


def _passthrough_envelope(
    version: str, security: etree._Element | None, to: str | None
) -> tuple[tuple[bytes, ...], bytes]:
    """The envelope's bytes before and after the payload; the head split at the wsa:MessageID's text when the
    system uses WS-Addressing (its Action is filled in per call too, from the operation's action)."""
    namespace = ENVELOPES[version]
    root = etree.Element(f"{{{namespace}}}Envelope", nsmap={"soapenv": namespace})
    header = etree.SubElement(root, f"{{{namespace}}}Header")
    if security is not None:
        header.append(copy.deepcopy(security))
    if to is not None:
        for name, value in (("MessageID", "@MESSAGE@"), ("Action", "@ACTION@"), ("To", to)):
            etree.SubElement(header, f"{{{WSA}}}{name}", nsmap={"wsa": WSA}).text = value
    etree.SubElement(root, f"{{{namespace}}}Body").text = "@BODY@"
    head, tail = bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8")).split(b"@BODY@")
    return tuple(head.replace(b"@ACTION@", b"@MESSAGE@").split(b"@MESSAGE@")), tail


def binding(wsdl: Path, operation: str) -> tuple[str, str]:
    """(SOAP version, soapAction) of a legacy operation, from its WSDL's binding."""
    found = etree.parse(str(wsdl)).xpath(
        "//w:binding/w:operation[@name=$name]/*[local-name()='operation']", namespaces={"w": WSDL}, name=operation
    )[0]
    return ("1.2" if "soap12" in etree.QName(found).namespace else "1.1"), found.get("soapAction", "")


def security_block(credentials: dict[str, str], env: Any) -> etree._Element | None:
    """A UsernameToken as the gateway writes it (OASIS UsernameToken Profile 1.0), made once: PasswordDigest is
    Base64(SHA-1(nonce + created + password)), with one nonce and one wsu:Created for the whole run."""
    if credentials.get("type") != "wsse-username-token":
        return None
    username, password = env[credentials["username_env"]], env[credentials["password_env"]]
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    if credentials.get("password_type") != "digest":
        kind = f"{TOKEN_PROFILE}#PasswordText"
        etree.SubElement(token, f"{{{WSSE}}}Password", Type=kind).text = password
        return security
    nonce, created = os.urandom(16), "2026-01-01T00:00:00Z"
    digest = hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=f"{TOKEN_PROFILE}#PasswordDigest").text = _b64(digest)
    etree.SubElement(token, f"{{{WSSE}}}Nonce", EncodingType=f"{MESSAGE_SECURITY}#Base64Binary").text = _b64(nonce)
    etree.SubElement(token, f"{{{WSU}}}Created", nsmap={"wsu": WSU}).text = created
    return security


def adapter_parameters(table: dict[str, Any], env: Any) -> dict[str, str]:
    """[parameters]: each a literal, or { env = "NAME" } read from the environment."""
    values = {}
    for name, value in table.items():
        values[name] = env[value["env"]] if isinstance(value, dict) else str(value)
    return values


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _headers(version: str, action: str) -> dict[str, str]:
    if version == "1.2":
        return {"Content-Type": f'{MEDIA["1.2"]}; action="{action}"'}
    return {"Content-Type": MEDIA["1.1"], "SOAPAction": f'"{action}"'}


def _sheet(sheets: dict[Path, Transform], path: Path) -> Transform:
    return sheets.get(path) or sheets.setdefault(path, Transform(path))


class Reference:
    """The WSGI app: /soap11 and /json/<Operation>, mapped and proxied."""

    def __init__(self, operations: dict[str, list[Target]], passthrough: dict[str, Passthrough] | None = None) -> None:
        self.operations = operations
        self.passthrough = passthrough or {}
        self.http = urllib3.PoolManager(maxsize=32, block=False, retries=False)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if path in self.passthrough:
            return self.forward(self.passthrough[path], environ, body, start_response)
        try:
            if path == "/soap11":
                media, answer = MEDIA["1.1"], envelope(self.call(payload(parse(body))), "1.1")
            elif path.startswith("/json/"):
                request = from_json(path[len("/json/") :], json.loads(body))
                media, answer = (
                    "application/json",
                    json.dumps(to_json(self.call(request)), separators=(",", ":")).encode(),
                )
            else:
                raise LookupError(f"nothing at {path}")
        except Exception as exc:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [f"reference: {type(exc).__name__}: {exc}".encode()]
        start_response("200 OK", [("Content-Type", media), ("Content-Length", str(len(answer)))])
        return [answer]

    def forward(
        self, system: Passthrough, environ: dict[str, Any], body: bytes, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The payload between the gateway's envelope head and tail, posted; the answer back as received."""
        action = _action(environ, system.version)
        start = body.index(b">", body.index(b"Body")) + 1
        end = body.rindex(b"</", 0, body.rindex(b"</"))
        message_id = f"urn:uuid:{uuid.uuid4()}".encode()
        fills = (message_id, action.encode())[: len(system.head) - 1]
        head = b"".join(piece + fill for piece, fill in zip(system.head, (*fills, b""), strict=True))
        headers = {
            **system.headers.get(action, next(iter(system.headers.values()))),
            "X-Correlation-ID": str(uuid.uuid4()),
        }
        answer = self.http.request("POST", system.url, body=head + body[start:end] + system.tail, headers=headers)
        media = answer.headers.get("Content-Type", MEDIA[system.version])
        start_response(
            f"{answer.status} {answer.reason}", [("Content-Type", media), ("Content-Length", str(len(answer.data)))]
        )
        return [answer.data]

    def call(self, request: etree._Element) -> etree._Element:
        target = self.target(etree.QName(request).localname, request)
        mapped = target.request(request, target.parameters)
        legacy = envelope(mapped, target.version, prefix="soapenv", security=target.security)
        answer = self.http.request("POST", target.url, body=legacy, headers=target.headers)
        if answer.status != 200:
            raise RuntimeError(f"{target.url} answered {answer.status}")
        params = request_fields(request) if target.response.params else None
        return target.response(payload(parse(answer.data)), params)

    def target(self, operation: str, request: etree._Element) -> Target:
        for target in self.operations[operation]:
            if target.route is None or target.route(request):
                return target
        raise LookupError(f"no adapter's route takes this {operation}")


def _action(environ: dict[str, Any], version: str) -> str:
    """The SOAPAction header (1.1) or the Content-Type's action parameter (1.2)."""
    if version == "1.1":
        return str(environ.get("HTTP_SOAPACTION", "")).strip('"')
    for parameter in str(environ.get("CONTENT_TYPE", "")).split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "action":
            return value.strip().strip('"')
    return ""


def parse(data: bytes) -> etree._Element:
    parser = _local.__dict__.get("parser") or _local.__dict__.setdefault("parser", etree.XMLParser(**PARSER_OPTIONS))
    return etree.fromstring(data, parser)


def payload(envelope: etree._Element) -> etree._Element:
    """The Body's one child, whichever SOAP version."""
    return envelope[-1][0]


def envelope(body: etree._Element, version: str, prefix: str = "soap", security: etree._Element | None = None) -> bytes:
    namespace = ENVELOPES[version]
    root = etree.Element(f"{{{namespace}}}Envelope", nsmap={prefix: namespace})
    if security is not None:  # a copy: an element has one parent, and the block serves every request
        etree.SubElement(root, f"{{{namespace}}}Header").append(copy.deepcopy(security))
    etree.SubElement(root, f"{{{namespace}}}Body").append(body)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def request_fields(request: etree._Element) -> dict[str, str]:
    return {etree.QName(child).localname: child.text or "" for child in request if len(child) == 0}


def from_json(operation: str, value: dict[str, Any]) -> etree._Element:
    element = etree.Element(f"{{{CANONICAL}}}{operation}", nsmap={"cn": CANONICAL})
    _fill(element, value)
    return element


def _fill(parent: etree._Element, value: Any) -> None:
    if not isinstance(value, dict):
        parent.text = value if isinstance(value, str) else json.dumps(value)
        return
    for key, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            _fill(etree.SubElement(parent, f"{{{CANONICAL}}}{key}"), one)


def to_json(element: etree._Element) -> Any:
    if len(element) == 0:
        return element.text or ""
    result: dict[str, Any] = {}
    for child in element:
        key, value = etree.QName(child).localname, to_json(child)
        if key not in result:
            result[key] = value
        elif isinstance(result[key], list):
            result[key].append(value)
        else:
            result[key] = [result[key], value]
    return result


def create_app(env: dict[str, str] | None = None) -> Reference:
    env = dict(os.environ if env is None else env)
    project = Path(env.get("SOAPBRIDGE_HOME") or Path(__file__).resolve().parent.parent)
    upstream = env["BENCH_UPSTREAM"].rstrip("/")
    return Reference(load(project, upstream, env), load_passthrough(project, upstream, env))


app = create_app() if os.environ.get("BENCH_UPSTREAM") else None
