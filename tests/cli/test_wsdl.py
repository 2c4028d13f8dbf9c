"""`soapbridge wsdl`: the real command on the project's WSDLs, JSON output, errors, and --allow-network."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from soapbridge.cli import main
from tests.conftest import ROOT

CRM = ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl"
WEATHER = ROOT / "wsdl" / "weather"
RPC_ENCODED = ROOT / "tests" / "wsdlmodel" / "fixtures" / "rpc-encoded.wsdl"
SHAPES = ROOT / "tests" / "toolkit" / "fixtures" / "inspect" / "shapes.wsdl"


def _soapbridge(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "soapbridge", "wsdl", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_the_crm_wsdl_prints_endpoints_bindings_signatures_and_structure() -> None:
    result = _soapbridge(str(CRM))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "    port ZCRM_CUSTOMER_V3_SOAP: binding ZCRM_CUSTOMER_V3_BINDING (SOAP 1.1)" in lines
    assert "      address http://localhost:8080/crm" in lines
    assert "  SOAP 1.1, style document, transport http://schemas.xmlsoap.org/soap/http" in lines
    assert "  Z_CRM_CUSTOMER_READ(IV_KUNNR: string(maxLength 10)) -> ES_CUSTOMER: ZCRM_S_CUSTOMER" in lines
    assert "          TELF1 [0..1]: string(maxLength 30)" in lines
    assert "            item [0..*]: ZCRM_S_TAG" in lines
    assert "    fault ZCX_CRM_NOT_FOUND (literal)" in lines


def test_one_operation_with_enumerations_recursion_and_choice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(SHAPES), "--operation", "Draw"]) == 0
    out = capsys.readouterr().out
    assert "Move(" not in out and "Clear(" not in out
    assert "          colour [0..1]: string one of: RED | GREEN | BLUE" in out
    assert "          part [0..*]: Shape (recursive)" in out
    assert "          choice\n            circle\n" in out
    assert "              corner [3..*]: Point (as above)" in out


def test_json_gives_the_same_description_for_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(SHAPES), "--format", "json", "--operation", "Move"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in document["bindings"]] == ["MoverRpc"]
    (move,) = document["bindings"][0]["operations"]
    assert move["signature"] == "Move(from: Point, by: int) -> to: Point"
    point = move["input"]["parts"][0]
    assert (point["name"], point["type"], [c["name"] for c in point["children"]]) == ("from", "Point", ["x", "y"])
    assert point["max_occurs"] == 1


def test_a_soap12_wsdl_with_an_imported_schema() -> None:
    result = _soapbridge(str(WEATHER / "WxFeed.wsdl"), "--operation", "GetCurrentObservation")
    assert result.returncode == 0, result.stderr
    assert "  SOAP 1.2, style document" in result.stdout
    assert "TempF10: int(>= -1200, <= 1500)" in result.stdout


def test_an_unknown_operation_or_a_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(CRM), "--operation", "Nope"]) == 2
    assert "no operation Nope; it has Z_CRM_CUSTOMER_CHANGES_READ, Z_CRM_CUSTOMER_READ" in capsys.readouterr().err
    assert main(["wsdl", "no/such.wsdl"]) == 2
    assert capsys.readouterr().err == "soapbridge: no/such.wsdl: no such file\n"


def test_a_broken_wsdl_is_one_line_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wsdl"
    broken.write_text('<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><wsdl:types>')
    result = _soapbridge(str(broken))
    assert result.returncode == 1
    assert result.stderr.startswith(f"soapbridge: {broken}: the WSDL broken.wsdl is not well-formed XML")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_a_url_is_refused_without_allow_network(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", "http://127.0.0.1:9/x.wsdl"]) == 1
    assert "network access is off (--allow-network turns it on)" in capsys.readouterr().err


@pytest.fixture
def served_weather() -> Iterator[str]:
    """The weather WSDL and the schema it imports by a relative URL, over loopback HTTP."""
    handler = functools.partial(_QuietHandler, directory=str(WEATHER))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_allow_network_fetches_the_wsdl_and_its_relative_import(
    served_weather: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wsdl", f"{served_weather}/WxFeed.wsdl", "--allow-network", "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert f"  {served_weather}/WxFeed.wsdl" in out
    assert "WxCode: string one of: SKC | CLR" in out
    assert main(["wsdl", f"{served_weather}/Missing.wsdl", "--allow-network"]) == 1
    assert "cannot fetch" in capsys.readouterr().err


QUALIFIED = ROOT / "tests" / "toolkit" / "fixtures" / "inspect" / "qualified.wsdl"


def test_namespaces_nillable_and_ws_addressing_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(QUALIFIED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    port OrdersSoap12: binding OrdersSoap12 (SOAP 1.2, WS-Addressing)" in lines
    assert (
        "  WS-Addressing, declared by the port OrdersSoap12: calls carry wsa:MessageID, wsa:Action and wsa:To" in lines
    )
    assert "    wsa:Action urn:example:orders:GetOrder" in lines
    assert "      GetOrder  [ns urn:example:orders:types]" in lines
    assert "        orderId: string" in lines  # qualified like its parent: nothing to say
    assert "        channel [0..1]: string  [no namespace]" in lines  # form="unqualified"
    assert "        note: string  [nillable]" in lines


def test_unqualified_children_and_no_addressing_in_the_crm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(CRM), "--operation", "Z_CRM_CUSTOMER_READ"]) == 0
    out = capsys.readouterr().out
    assert "      Z_CRM_CUSTOMER_READ  [ns urn:example-erp:crm:customer:v3]\n" in out
    assert "        IV_KUNNR: string(maxLength 10)  [no namespace]\n" in out
    assert "WS-Addressing" not in out and "wsa:Action" not in out


def test_the_json_form_has_namespace_nillable_and_addressing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(QUALIFIED), "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)
    (binding,) = view["bindings"]
    assert binding["addressing"] == ["port OrdersSoap12"]
    assert view["services"][0]["ports"][0]["addressing"] is True
    (operation,) = binding["operations"]
    assert operation["addressing_action"] == "urn:example:orders:GetOrder"
    request = operation["input"]["parts"][0]
    assert request["namespace"] == "urn:example:orders:types"
    children = {child["name"]: child for child in request["children"]}
    assert (children["channel"]["namespace"], children["note"]["nillable"]) == ("", True)


def test_an_rpc_wrapper_is_in_the_body_namespace_and_its_parts_are_not(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wsdl", str(RPC_ENCODED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "      GetQuotes (rpc wrapper)  [ns urn:example:stock]" in lines
    assert "        symbols: SymbolList  [no namespace]" in lines
