"""The per-request cost of each stage of the gateway's pipeline, with the project's own functions, in µs.

The request side runs on the golden SearchCustomers request (its size does not grow); the response side on
a legacy answer whose canonical response is about 1, 10 and 100 KB. The floor beside them is what any
lxml gateway must do at least: parse the legacy answer, apply the compiled response stylesheet, serialise.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lxml import etree

from soapbridge.config import load_adapter
from soapbridge.contract import Contract
from soapbridge.engine.engine import request_fields
from soapbridge.engine.operations import StylesheetCache
from soapbridge.jsonform import load_shapes, to_json
from soapbridge.settings import Settings
from soapbridge.soapenv import serialize, wrap
from soapbridge.upstream.client import Upstream
from soapbridge.upstream.envelope import read_answer
from soapbridge.xmlparse import parse_bytes

from .documents import ROOT, SAMPLES, SIZES, search_response
from .startup import serve_env
from .timing import median_us, row

LEGACY = "urn:example-erp:crm:customer:v3"


class Pipeline:
    """The gateway's pieces for crm's SearchCustomers, loaded as the engine loads them."""

    def __init__(self) -> None:
        self.settings = Settings.from_env(serve_env())
        self.contract = Contract(self.settings.canonical_xsd)
        sheets = StylesheetCache(self.settings.root)
        self.request_sheet = sheets.get(ROOT / "xslt/crm/SearchCustomers.request.xsl")
        self.response_sheet = sheets.get(ROOT / "xslt/crm/SearchCustomers.response.xsl")
        self.upstream = Upstream(load_adapter(self.settings.adapters_dir / "crm.toml", self.settings))
        self.operation = self.upstream.operation("Z_CRM_CUSTOMER_SEARCH")
        self.shape = load_shapes(self.settings.canonical_xsd)["SearchCustomersResponse"]
        self.floor_sheet = etree.XSLT(etree.parse(str(self.response_sheet.path)))


def inbound_envelope() -> bytes:
    request = etree.parse(str(SAMPLES / "SearchCustomers.request.in.xml")).getroot()
    return serialize(wrap(request, "1.1"))


def legacy_answer(customers: int) -> bytes:
    """A legacy SOAP 1.1 answer to Z_CRM_CUSTOMER_SEARCH with this many customers (the golden ones, repeated)."""
    golden = etree.parse(str(SAMPLES / "SearchCustomers.response.all.in.xml")).getroot()
    table = golden.find("ET_CUSTOMERS")
    assert table is not None
    items = list(table)
    table[:] = []
    for index in range(customers):
        item = copy.deepcopy(items[index % len(items)])
        item.findall("KUNNR")[0].text = f"{200000 + index:010d}"
        table.append(item)
    return serialize(wrap(golden, "1.1", prefix="soapenv"))


def request_stages(pipeline: Pipeline, runs: int) -> list[dict[str, Any]]:
    data = inbound_envelope()
    limits = pipeline.settings.limits
    envelope = parse_bytes(data, what="request", limits=limits)
    request = envelope[0][0]
    body = pipeline.request_sheet.apply(request)
    stages: dict[str, Callable[[], Any]] = {
        "parse the inbound envelope": lambda: parse_bytes(data, what="request", limits=limits),
        "validate the canonical request": lambda: pipeline.contract.validate(request),
        "request XSLT": lambda: pipeline.request_sheet.apply(request),
        "legacy envelope + WS-Security, serialised": lambda: pipeline.upstream._message(
            pipeline.operation, copy.deepcopy(body)
        ),
    }
    return [row(f"stage request: {name}", median_us(call, runs=runs), "us") for name, call in stages.items()]


def response_stages(pipeline: Pipeline, label: str, size: int, runs: int) -> list[dict[str, Any]]:
    customers = len(search_response(size))
    answer = legacy_answer(customers)
    params = request_fields(etree.parse(str(SAMPLES / "SearchCustomers.request.in.xml")).getroot())
    legacy = _read(pipeline, answer)
    canonical = pipeline.response_sheet.apply(legacy, params)
    pipeline.contract.validate(canonical)
    stages: dict[str, Callable[[], Any]] = {
        "parse the legacy answer": lambda: _read(pipeline, answer),
        "response XSLT": lambda: pipeline.response_sheet.apply(legacy, params),
        "validate the canonical response": lambda: pipeline.contract.validate(canonical),
        "serialise the outbound envelope": lambda: serialize(wrap(canonical, "1.1")),
        "canonical XML -> JSON": lambda: to_json(canonical, pipeline.shape),
    }
    rows = [row(f"stage {label}: {name}", median_us(call, runs=runs), "us") for name, call in stages.items()]
    rows.append(
        row(
            f"stage {label}: raw floor (lxml parse + compiled XSLT + serialise)",
            _floor(pipeline, answer, params, runs),
            "us",
        )
    )
    return rows


def _read(pipeline: Pipeline, answer: bytes) -> etree._Element:
    result = read_answer(answer, 200, "text/xml; charset=utf-8", "1.1", "crm")
    assert isinstance(result, etree._Element), result
    return result


def _floor(pipeline: Pipeline, answer: bytes, params: dict[str, str], runs: int) -> float:
    """Parse the answer, apply the compiled stylesheet to its body element, serialise: nothing else."""
    transform = pipeline.floor_sheet
    quoted = {
        name: etree.XSLT.strparam(value) for name, value in params.items() if name in pipeline.response_sheet.params
    }
    return median_us(lambda: etree.tostring(transform(etree.fromstring(answer)[0][0], **quoted)), runs=runs)


def measure(*, quick: bool = False) -> list[dict[str, Any]]:
    pipeline = Pipeline()
    runs = 20 if quick else 300
    rows = request_stages(pipeline, runs)
    for label, size in SIZES.items():
        rows.extend(response_stages(pipeline, label, size, runs))
    return rows
