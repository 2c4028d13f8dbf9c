"""One correlation id, followed from the request through the gateway's log lines into the legacy system.

Over a real `soapbridge serve` (JSON log) and its emulators: the id a client gives (X-Correlation-ID,
a cn:CorrelationID block, or a WS-Addressing MessageID) or the one the gateway makes comes back in the
answer, is on every log line of the request, and reaches the emulated system in its X-Correlation-ID
header and, for the weather feed (a WS-Addressing service), in its wsa:MessageID. A SOAP answer names
the id in its Header only as the client asked: wsa:RelatesTo for a MessageID, cn:CorrelationID for that block.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from lxml import etree

from tests.emulator_admin import EmulatorAdmin
from tests.running import RunningGateway, start_gateway, stop_gateway

CN = "urn:soapbridge:canonical:v1"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSA_2004 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
#: How long a log line may take to come through the pipe before a test gives up looking for it.
LOG_WAIT = 10.0


@pytest.fixture(scope="module")
def gateway() -> Iterator[RunningGateway]:
    process, running = start_gateway(extra_env={"SOAPBRIDGE_LOG_FORMAT": "json"})
    try:
        yield running
    finally:
        assert stop_gateway(process) == 0


@pytest.fixture
def admin(gateway: RunningGateway) -> Iterator[EmulatorAdmin]:
    admin = EmulatorAdmin(gateway.admin)
    admin.zero("weather")
    yield admin
    admin.clear("weather")


def records(gateway: RunningGateway) -> list[dict[str, Any]]:
    """The JSON log lines written so far (the start-up banner is not JSON)."""
    found = []
    for line in list(gateway.output):
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def wait_for(gateway: RunningGateway, found: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The log once found(log) holds; it is written by other processes, through a pipe."""
    deadline = time.monotonic() + LOG_WAIT
    while not found(log := records(gateway)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found(log), "the expected log lines never came:\n" + "".join(gateway.output[-20:])
    return log


def lines_of(gateway: RunningGateway, correlation_id: str) -> list[dict[str, Any]]:
    """Every log line of the request with that id, once its request line is there."""
    log = wait_for(gateway, lambda log: any(_request_line(r, correlation_id) for r in log))
    return [record for record in log if record.get("correlation_id") == correlation_id]


def request_line(lines: list[dict[str, Any]]) -> dict[str, Any]:
    (line,) = [record for record in lines if record["logger"] == "soapbridge.request"]
    return line


def weather_json(gateway: RunningGateway, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{gateway.base}/json/GetCurrentWeather", json={"stationId": "EGLL"}, headers=headers or {}, timeout=30
    )


def weather_soap12(
    gateway: RunningGateway, header_blocks: list[etree._Element], station: str = "EGLL"
) -> etree._Element:
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12, "cn": CN})
    etree.SubElement(envelope, f"{{{SOAP12}}}Header").extend(header_blocks)
    operation = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP12}}}Body"), f"{{{CN}}}GetCurrentWeather")
    etree.SubElement(operation, f"{{{CN}}}stationId").text = station
    answer = requests.post(
        f"{gateway.base}/soap12",
        data=etree.tostring(envelope),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        timeout=30,
    )
    root = etree.fromstring(answer.content)
    root.set("http-correlation-id", answer.headers["X-Correlation-ID"])
    root.set("http-status", str(answer.status_code))
    return root


def message_id(value: str, namespace: str = WSA) -> etree._Element:
    block = etree.Element(f"{{{namespace}}}MessageID", nsmap={"wsa": namespace})
    block.text = value
    return block


def correlation_block(value: str = "") -> etree._Element:
    block = etree.Element(f"{{{CN}}}CorrelationID", nsmap={"cn": CN})
    block.text = value
    return block


def test_a_given_id_reaches_every_log_line_and_the_legacy_system(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    given = str(uuid.uuid4())
    admin.set_fault("weather", "down", times=1)  # one 503 page first: a retry, with its own log line

    answer = weather_json(gateway, {"X-Correlation-ID": given})

    assert answer.status_code == 200 and answer.headers["X-Correlation-ID"] == given
    lines = lines_of(gateway, given)
    retry = [line for line in lines if line["logger"] == "soapbridge.upstream" and "trying again" in line["message"]]
    assert len(retry) == 1, lines
    line = request_line(lines)
    assert (line["operation"], line["protocol"], line["outcome"], line["status"]) == (
        "GetCurrentWeather",
        "json",
        "ok",
        200,
    )
    assert [(call["system"], call["operation"], call["outcome"]) for call in line["upstream"]] == [
        ("weather", "GetCurrentObservation", "unavailable"),
        ("weather", "GetCurrentObservation", "ok"),
    ]
    assert all(call["duration_ms"] >= 0 for call in line["upstream"]) and line["duration_ms"] >= 0
    assert line["time"].endswith("Z") and line["level"] == "INFO"
    received = admin.received("weather")
    assert [request["headers"]["X-Correlation-ID"] for request in received] == [given, given]
    assert [request["addressing"]["MessageID"] for request in received] == [f"urn:uuid:{given}"] * 2
    assert received[-1]["addressing"]["Action"] == "http://aerowx.example.net/WxFeed/2005/03/GetCurrentObservation"


@pytest.mark.parametrize("namespace", [WSA, WSA_2004], ids=["wsa-1.0", "wsa-2004"])
def test_a_ws_addressing_message_id_is_the_id_on_soap(
    gateway: RunningGateway, admin: EmulatorAdmin, namespace: str
) -> None:
    given = f"urn:uuid:{uuid.uuid4()}"

    answer = weather_soap12(gateway, [message_id(given, namespace)])

    assert answer.get("http-status") == "200" and answer.get("http-correlation-id") == given
    assert answer.find(f"{{{SOAP12}}}Header/{{{CN}}}CorrelationID") is None  # not asked for: RelatesTo says it
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{namespace}}}RelatesTo") == given
    line = request_line(lines_of(gateway, given))
    assert (line["protocol"], line["operation"], line["outcome"]) == ("soap12", "GetCurrentWeather", "ok")
    last = admin.last_request("weather")
    assert last["headers"]["X-Correlation-ID"] == given
    assert last["addressing"]["MessageID"] == given  # a URI already: passed on as it is


def test_the_header_wins_over_the_block_and_the_message_id_which_are_still_answered(gateway: RunningGateway) -> None:
    header, message = f"hdr-{uuid.uuid4()}", f"urn:uuid:{uuid.uuid4()}"
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12, "cn": CN})
    etree.SubElement(envelope, f"{{{SOAP12}}}Header").extend([message_id(message), correlation_block("blk-1")])
    operation = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP12}}}Body"), f"{{{CN}}}GetCurrentWeather")
    etree.SubElement(operation, f"{{{CN}}}stationId").text = "EGLL"
    answer = requests.post(
        f"{gateway.base}/soap12",
        data=etree.tostring(envelope),
        headers={"Content-Type": "application/soap+xml; charset=utf-8", "X-Correlation-ID": header},
        timeout=30,
    )
    root = etree.fromstring(answer.content)
    assert answer.headers["X-Correlation-ID"] == header
    assert root.findtext(f"{{{SOAP12}}}Header/{{{CN}}}CorrelationID") == header  # the id used, not the block's
    assert root.findtext(f"{{{SOAP12}}}Header/{{{WSA}}}RelatesTo") == message


def test_a_soap_answer_names_the_id_in_http_only_unless_asked(gateway: RunningGateway) -> None:
    """No header block the WSDL does not bind: strict stacks (Perl's SOAP::WSDL) fail on any they were not told of."""
    answer = weather_soap12(gateway, [])

    made = answer.get("http-correlation-id") or ""
    assert answer.get("http-status") == "200" and str(uuid.UUID(made)) == made
    assert answer.find(f"{{{SOAP12}}}Header") is None
    assert request_line(lines_of(gateway, made))["protocol"] == "soap12"


def test_a_correlation_block_names_the_id_before_a_message_id(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    given, message = f"order-{uuid.uuid4()}", f"urn:uuid:{uuid.uuid4()}"

    answer = weather_soap12(gateway, [message_id(message), correlation_block(given)])

    assert answer.get("http-status") == "200" and answer.get("http-correlation-id") == given
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{CN}}}CorrelationID") == given
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{WSA}}}RelatesTo") == message
    assert request_line(lines_of(gateway, given))["operation"] == "GetCurrentWeather"
    assert admin.last_request("weather")["headers"]["X-Correlation-ID"] == given


def test_a_soap_fault_carries_the_id_too(gateway: RunningGateway) -> None:
    given = f"urn:uuid:{uuid.uuid4()}"

    answer = weather_soap12(gateway, [message_id(given), correlation_block()], station="ZZZZ")

    assert answer.get("http-status") == "400" and answer.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault") is not None
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{CN}}}CorrelationID") == given
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{WSA}}}RelatesTo") == given
    line = request_line(lines_of(gateway, given))
    assert (line["outcome"], line["fault_code"]) == ("client_fault", "NotFound")


def test_without_an_id_one_is_made_and_passed_on(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    answer = weather_json(gateway)

    made = answer.headers["X-Correlation-ID"]
    assert str(uuid.UUID(made)) == made
    assert request_line(lines_of(gateway, made))["status"] == 200
    last = admin.last_request("weather")
    assert last["headers"]["X-Correlation-ID"] == made
    assert last["addressing"]["MessageID"] == f"urn:uuid:{made}"


@pytest.mark.parametrize(
    "unusable", ["x" * 129, "ab\tcd", "two words", "<script>"], ids=["too-long", "control", "space", "markup"]
)
def test_an_unusable_id_is_replaced(gateway: RunningGateway, admin: EmulatorAdmin, unusable: str) -> None:
    answer = weather_json(gateway, {"X-Correlation-ID": unusable})

    made = answer.headers["X-Correlation-ID"]
    assert made != unusable and str(uuid.UUID(made)) == made
    assert request_line(lines_of(gateway, made))["status"] == 200
    assert admin.last_request("weather")["headers"]["X-Correlation-ID"] == made
    assert not any(unusable in line for line in gateway.output)


def test_an_unusable_message_id_is_not_taken(gateway: RunningGateway) -> None:
    answer = weather_soap12(gateway, [message_id("not a uri at all"), correlation_block()])

    made = answer.get("http-correlation-id") or ""
    assert str(uuid.UUID(made)) == made
    assert answer.findtext(f"{{{SOAP12}}}Header/{{{CN}}}CorrelationID") == made
    assert answer.find(f"{{{SOAP12}}}Header/{{{WSA}}}RelatesTo") is None


def _request_line(record: dict[str, Any], correlation_id: str) -> bool:
    return record.get("logger") == "soapbridge.request" and record.get("correlation_id") == correlation_id


def test_a_w3c_trace_context_is_passed_on_unchanged_and_logged(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    trace_id = uuid.uuid4().hex
    traceparent, tracestate = f"00-{trace_id}-00f067aa0ba902b7-01", "vendor=opaque-value,other=1"
    given = str(uuid.uuid4())
    admin.set_fault("weather", "down", times=1)  # the retry carries it too

    answer = weather_json(gateway, {"X-Correlation-ID": given, "traceparent": traceparent, "tracestate": tracestate})

    assert answer.status_code == 200
    lines = lines_of(gateway, given)
    assert len(lines) >= 2 and {line.get("trace_id") for line in lines} == {trace_id}
    sent = [{key.lower(): value for key, value in request["headers"].items()} for request in admin.received("weather")]
    assert [(headers["traceparent"], headers["tracestate"]) for headers in sent] == [(traceparent, tracestate)] * 2


def test_a_broken_traceparent_is_dropped_not_repaired(gateway: RunningGateway, admin: EmulatorAdmin) -> None:
    given = str(uuid.uuid4())
    broken = f"00-{'0' * 32}-00f067aa0ba902b7-01"  # an all-zero trace id is invalid
    assert weather_json(gateway, {"X-Correlation-ID": given, "traceparent": broken}).status_code == 200
    assert "trace_id" not in request_line(lines_of(gateway, given))
    sent = {key.lower() for key in admin.last_request("weather")["headers"]}
    assert "traceparent" not in sent and "tracestate" not in sent
