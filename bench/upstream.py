"""The canned upstream: the legacy systems' recorded answers, replayed fast.

At start it records: the project's real emulators (soapbridge.legacy) run in this process, the CRM seeded with
the bench customers; each scenario's canonical request goes through the project's own request stylesheet of
every adapter that serves it (a pass-through scenario's payload is the legacy request already), is posted (with
WS-Security where the adapter uses it), and the answer is kept.
Then the emulators stop, and an asyncio server answers POST /<system> with the recording whose SOAPAction
matches and whose markers (the legacy request's text values, as >value<) are all in the body: no XML parsing,
a dict lookup and a few substring tests. Anything else gets a 500 SOAP fault naming what did not match.

    python -m bench.upstream [--port 0]     prints "ready http://127.0.0.1:PORT", stops on SIGTERM or SIGINT
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import signal
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import urllib3
from lxml import etree
from zeep.wsse.username import UsernameToken

from soapbridge.legacy import build
from soapbridge.legacy import crm as crm_emulator
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.soapenv import content_type, fault, serialize, wrap
from soapbridge.upstream import addressing

from .project import CHECKOUT
from .reference import CANONICAL, binding
from .scenarios import Scenario, customers, scenarios, upstream_baseline

#: Adapters that talk to another system's emulator (same WSDL, same data).
EMULATED_BY = {"crm_archive": "crm"}
#: (b"/system", SOAPAction) -> the recordings to choose from by their markers.
Table = dict[tuple[bytes, bytes], list["Recording"]]


@dataclass(frozen=True)
class Recording:
    markers: tuple[bytes, ...]
    status: bytes
    content_type: bytes
    body: bytes


@dataclass(frozen=True)
class LegacyCall:
    """One legacy request as an adapter makes it, before it is sent."""

    system: str
    action: str
    version: str
    body: etree._Element
    credentials: dict[str, str]


# -- recording --------------------------------------------------------------------------------------


def record(project: Path = CHECKOUT, requests: Iterable[Scenario] | None = None) -> Table:
    """Record the emulators' answers to the legacy requests the adapters make for the scenarios (and the baseline)."""
    wanted = list(requests) if requests is not None else [*scenarios(), upstream_baseline()]
    accounts = {"SOAPBRIDGE_CRM_USERNAME": "bench", "SOAPBRIDGE_CRM_PASSWORD": secrets.token_urlsafe(16)}
    accounts |= {"SOAPBRIDGE_MAILING_USERNAME": "bench", "SOAPBRIDGE_MAILING_PASSWORD": secrets.token_urlsafe(16)}
    calls = [legacy_call(project, s, accounts) for s in wanted if s.canonical or s.passthrough]
    running = {name: _emulate(name, project, accounts) for name in {EMULATED_BY.get(c.system, c.system) for c in calls}}
    table: Table = {}
    try:
        http = urllib3.PoolManager()
        for call in calls:
            url = running[EMULATED_BY.get(call.system, call.system)].url
            key = (f"/{call.system}".encode(), call.action.encode())
            table.setdefault(key, []).append(_post(http, url, call))
    finally:
        for emulator in running.values():
            emulator.stop(grace=5)
    for recordings in table.values():
        recordings.sort(key=lambda recording: -len(recording.markers))  # the most specific first
    return table


def legacy_call(project: Path, scenario: Scenario, accounts: dict[str, str]) -> LegacyCall:
    """The legacy request of the adapter that serves the scenario: the first whose route takes the canonical
    request, else the one without a route (as the gateway routes). Only that system gets a recording. A
    pass-through scenario's legacy request is its own payload."""
    if scenario.passthrough:
        return _passthrough_call(project, scenario, accounts)
    request = etree.fromstring(scenario.canonical)
    serving = []
    for path in sorted((project / "adapters").glob("*.toml")):
        adapter = tomllib.loads(path.read_text())
        operation = adapter.get("operations", {}).get(scenario.operation, {})
        if operation.get("upstream"):
            serving.append((path.stem, adapter, operation))
    for system, adapter, operation in sorted(serving, key=lambda serves: "route" not in serves[2]):
        namespaces = {"cn": CANONICAL, **adapter.get("namespaces", {})}
        if "route" in operation and not request.xpath(f"boolean({operation['route']})", namespaces=namespaces):
            continue
        body = etree.XSLT(etree.parse(str(project / operation["request"])))(request).getroot()
        version, action = binding(project / adapter["system"]["wsdl"], operation["upstream"])
        return LegacyCall(system, action, version, body, _credentials(adapter.get("credentials", {}), accounts))
    raise LookupError(f"no adapter of {project} serves {scenario.key}")


def _passthrough_call(project: Path, scenario: Scenario, accounts: dict[str, str]) -> LegacyCall:
    system = scenario.passthrough
    adapter = tomllib.loads((project / "adapters" / f"{system}.toml").read_text())
    version, action = binding(project / adapter["system"]["wsdl"], scenario.operation)
    payload = etree.fromstring(scenario.body)[-1][0]
    return LegacyCall(system, action, version, payload, _credentials(adapter.get("credentials", {}), accounts))


def markers(body: etree._Element) -> tuple[bytes, ...]:
    """The text values of a legacy request as they appear on the wire, between > and <."""
    texts = (element.text.strip() for element in body.iter(etree.Element) if len(element) == 0 and element.text)
    return tuple(f">{escape(text)}<".encode() for text in texts if text)


def _credentials(table: dict[str, str], accounts: dict[str, str]) -> dict[str, str]:
    """The account the emulator accepts, for an adapter that names one (crm_archive uses the CRM's)."""
    if not table:
        return {}
    system = "MAILING" if table.get("type") == "http-basic" else "CRM"
    return {
        "type": table["type"],
        "username": accounts[f"SOAPBRIDGE_{system}_USERNAME"],
        "password": accounts[f"SOAPBRIDGE_{system}_PASSWORD"],
    }


def _emulate(name: str, project: Path, accounts: dict[str, str]) -> RunningEmulator:
    env = {**os.environ, **accounts}
    wsdl = project / "wsdl"
    emulator = crm_emulator.build(wsdl, env, customers()) if name == "crm" else build(name, wsdl, env)
    return start(emulator)


def _post(http: urllib3.PoolManager, url: str, call: LegacyCall) -> Recording:
    found = markers(call.body)
    envelope = wrap(call.body, call.version, prefix="soapenv")
    # wsa:Action and wsa:MessageID, which a WS-Addressing system (the weather feed) requires and the others ignore
    envelope.insert(0, etree.Element(f"{{{etree.QName(envelope).namespace}}}Header"))
    envelope[0].extend(addressing.headers(addressing.message_id(str(uuid.uuid4())), call.action, url))
    headers = {"Content-Type": content_type(call.version)}
    if call.version == "1.2":
        headers["Content-Type"] += f'; action="{call.action}"'
    else:
        headers["SOAPAction"] = f'"{call.action}"'
    if call.credentials.get("type") == "wsse-username-token":
        UsernameToken(call.credentials["username"], call.credentials["password"], use_digest=True).apply(envelope, {})
    elif call.credentials:
        pair = f"{call.credentials['username']}:{call.credentials['password']}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    answer = http.request("POST", url, body=serialize(envelope), headers=headers)
    if answer.status != 200:
        raise RuntimeError(f"recording {call.system} {call.action} failed: {answer.status} {answer.data[:300]!r}")
    status = f"{answer.status} {answer.reason}".encode()
    return Recording(found, status, answer.headers["Content-Type"].encode(), answer.data)


# -- replaying --------------------------------------------------------------------------------------


def choose(table: Table, path: bytes, action: bytes, body: bytes) -> Recording | None:
    for recording in table.get((path, action.strip(b'"')), ()):
        if all(marker in body for marker in recording.markers):
            return recording
    return None


def unmatched(path: bytes, action: bytes, body: bytes) -> Recording:
    sent = action.strip(b'"').decode("latin-1")
    asked = f"POST {path.decode('latin-1')} with SOAPAction {sent!r}"
    began = body[:200].decode("utf-8", "replace")
    answer = fault("1.1", "Server", f"canned upstream: no recording for {asked}; the body began {began!r}")
    envelope = serialize(wrap(answer, "1.1", prefix="soapenv"))
    return Recording((), b"500 Internal Server Error", content_type("1.1").encode(), envelope)


class Replay(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: one request at a time per connection, answered from the table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            line, headers = _head(self.buffer[:end])
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body, self.buffer = self.buffer[end + 4 : end + 4 + length], self.buffer[end + 4 + length :]
            self._answer(line, headers, body)

    def _answer(self, line: list[bytes], headers: dict[bytes, bytes], body: bytes) -> None:
        assert self.transport is not None
        path = line[1] if len(line) > 1 else b"/"
        action = headers.get(b"soapaction") or _action_parameter(headers.get(b"content-type", b""))
        recording = choose(self.table, path, action, body) or unmatched(path, action, body)
        close = headers.get(b"connection", b"").lower() == b"close"
        head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
            recording.status,
            recording.content_type,
            len(recording.body),
            b"Connection: close\r\n" if close else b"",
        )
        self.transport.write(head + recording.body)
        if close:
            self.transport.close()


def _head(data: bytes) -> tuple[list[bytes], dict[bytes, bytes]]:
    first, *lines = data.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return first.split(b" "), headers


def _action_parameter(media_type: bytes) -> bytes:
    """SOAP 1.2's action, a parameter of the Content-Type."""
    for parameter in media_type.split(b";")[1:]:
        name, _, value = parameter.partition(b"=")
        if name.strip().lower() == b"action":
            return value.strip().strip(b'"')
    return b""


async def serve(table: Table, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stop.done() or stop.set_result(None))
    server = await loop.create_server(lambda: Replay(table), host, port, backlog=1024)
    bound = server.sockets[0].getsockname()
    print(f"ready http://{bound[0]}:{bound[1]}", flush=True)
    async with server:
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.upstream", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--project", type=Path, default=Path(os.environ.get("SOAPBRIDGE_HOME") or CHECKOUT))
    arguments = parser.parse_args()
    table = record(arguments.project)
    asyncio.run(serve(table, arguments.host, arguments.port))


if __name__ == "__main__":
    main()
