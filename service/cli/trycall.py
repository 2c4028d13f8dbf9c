"""`soapbridge try OPERATION REQUEST`: one canonical request through the whole pipeline, every stage shown.

REQUEST is a canonical request (its body element, or a SOAP envelope), or with --json its JSON form. It
runs through the same engine `serve` runs, against the legacy system the adapter names (its endpoint, or
SOAPBRIDGE_<SYSTEM>_URL), or with --mock against the toolkit's mock of each adapter's WSDL (canned answers
from --responses DIR, as `soapbridge mock` reads them, else schema-valid samples). Printed in order:

  the canonical request and its verdict against the canonical XSD;
  each legacy request as sent and each legacy answer as received (secrets redacted, as in the exchange log);
  the [[faults]] rule that matched a legacy fault, or that none did;
  the canonical answer and its verdict, or the canonical fault a client would get.

--format json gives the same as one object. Exit 0 when the request and the answer are valid, 1 when the
call failed or something was invalid, 2 on usage errors. Credentials come from the environment as for
`serve`; with --mock, unset ones read as "mock", since the mocks check none.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import UsageError
from ..jsonform import from_json, load_shapes, parse_json
from ..settings import Settings
from ..soapenv import open_envelope
from ..toolkit.trial import Event, Trial, mocked, run_trial
from ..upstream.exchange import Faulted, Received, Sent
from ..xmlparse import parse_bytes


def register(commands: Any) -> None:
    command = commands.add_parser(
        "try",
        help="run one canonical request through the whole pipeline and show every stage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("operation", metavar="OPERATION", help="a canonical operation the gateway serves")
    command.add_argument("request", type=Path, metavar="REQUEST", help="the canonical request (XML, or --json)")
    command.add_argument("--json", action="store_true", help="REQUEST is in the JSON form")
    command.add_argument("--mock", action="store_true", help="call mocks of the adapters' WSDLs, not the systems")
    command.add_argument("--responses", type=Path, metavar="DIR", help="with --mock: canned answers (see mock)")
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    command.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    if arguments.responses is not None and not arguments.mock:
        raise UsageError("--responses goes with --mock")
    if arguments.responses is not None and not arguments.responses.is_dir():
        raise UsageError(f"no responses folder {arguments.responses}")
    settings = Settings.from_env()
    request = _request(settings, arguments.operation, arguments.request, arguments.json)
    if arguments.mock:
        with mocked(settings, arguments.responses) as mocks:
            trial = run_trial(mocks, arguments.operation, request)
    else:
        trial = run_trial(settings, arguments.operation, request)
    print(json.dumps(as_json(trial), indent=2, ensure_ascii=False) if arguments.format == "json" else as_text(trial))
    return 0 if trial.ok else 1


def _request(settings: Settings, operation: str, path: Path, as_json: bool) -> etree._Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if as_json:
        shape = load_shapes(settings.canonical_xsd).get(operation)
        if shape is None:
            raise UsageError(f"{operation} is not a canonical operation; it has no JSON form")
        return from_json(parse_json(data), shape)
    document = parse_bytes(data, what=str(path))
    return _body(document)


def _body(document: etree._Element) -> etree._Element:
    """The request itself: the document, or the element in an envelope's Body."""
    opened = open_envelope(document)
    if opened is None:
        return document
    request = next(opened[1].iterchildren(tag=etree.Element), None)
    if request is None:
        raise UsageError("the SOAP Body holds no request element")
    return request


def as_text(trial: Trial) -> str:
    lines = [
        f"== canonical request ({trial.operation})",
        trial.request.rstrip(),
        f"   verdict: {trial.request_verdict}",
    ]
    for event in trial.exchanges:
        lines += _event(event)
    if trial.request_verdict == "valid":
        rules = trial.rules or ["none (no legacy fault, no [[answers]] rule held)"]
        lines += ["== rule", *(f"   {rule}" for rule in rules)]
    if trial.answer_verdict is not None:
        answer = trial.answer.rstrip() if trial.answer is not None else "   (not shown: the engine refused it)"
        lines += ["== canonical answer", answer, f"   verdict: {trial.answer_verdict}"]
    if trial.fault is not None:
        side = "client" if trial.fault.client else "server"
        lines += [f"== canonical fault: {trial.fault.code} ({side}'s fault)", f"   {trial.fault.message}"]
    return "\n".join(lines)


def _event(event: Event) -> list[str]:
    if isinstance(event, Sent):
        headers = [f"   {name}: {value}" for name, value in event.headers.items()]
        return [f"== legacy request: {event.system} {event.operation} to {event.address}", *headers, event.envelope]
    if isinstance(event, Received):
        return [f"== legacy answer: HTTP {event.status} ({event.content_type or 'no Content-Type'})", event.body]
    return [f"== legacy fault: {event.code}: {event.message}"]


def as_json(trial: Trial) -> dict[str, Any]:
    shown = dataclasses.asdict(trial)
    shown["exchanges"] = [{_kind(event): dataclasses.asdict(event)} for event in trial.exchanges]
    for event in shown["exchanges"]:
        faulted = event.get("fault")
        if faulted is not None and faulted["rule"] is not None:
            index, rule = faulted["rule"]
            faulted["rule"] = {"index": index, **rule}
    return {**shown, "rules": trial.rules, "ok": trial.ok}


def _kind(event: Event) -> str:
    return {Sent: "sent", Received: "received", Faulted: "fault"}[type(event)]
