"""rpc/encoded legacy operations are refused in one line naming the style, the operation and what to do: by the
upstream client at start-up, and by check, before any schema error about soapenc:arrayType."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.cli import main
from soapbridge.config import load_adapter
from soapbridge.errors import ConfigError
from soapbridge.settings import Settings
from soapbridge.upstream.client import Upstream
from soapbridge.upstream.encoding import encoded_operations
from tests.conftest import CREDENTIALS, ROOT
from tests.corpora import WSDL, required

FIXTURE = Path(__file__).parent / "fixtures" / "rpc-encoded.wsdl"
REFUSAL = (
    "adapters/stock.toml: operations.GetCustomer.upstream: GetQuotes is rpc/encoded (SOAP section 5 encoding), "
    "which soapbridge does not call; ask for a document/literal or rpc/literal binding of stock, or put a "
    "literal facade in front of it"
)


def add_stock(project: Path) -> Path:
    """adapters/stock.toml calling the encoded GetQuotes (its stylesheets borrowed: it never gets that far)."""
    (project / "wsdl" / "stock").mkdir()
    (project / "wsdl" / "stock" / "Stock.wsdl").write_bytes(FIXTURE.read_bytes())
    adapter = project / "adapters" / "stock.toml"
    adapter.write_text(
        '[system]\nname = "stock"\nwsdl = "wsdl/stock/Stock.wsdl"\n\n'
        '[operations.GetCustomer]\nupstream = "GetQuotes"\nroute = "false()"\n'
        'request = "xslt/crm/GetCustomer.request.xsl"\nresponse = "xslt/crm/GetCustomer.response.xsl"\n'
    )
    return adapter


def test_the_encoded_operations_of_a_wsdl_and_their_style() -> None:
    assert encoded_operations(FIXTURE) == {"GetQuotes": "rpc"}
    assert encoded_operations(ROOT / "wsdl" / "crm" / "ZCRM_CUSTOMER_V3.wsdl") == {}


def test_the_upstream_client_refuses_it_in_one_line(project: Path) -> None:
    adapter = load_adapter(add_stock(project), Settings(root=project, env=CREDENTIALS))
    with pytest.raises(ConfigError) as caught:
        Upstream(adapter)
    assert caught.value.message == f"{project}/{REFUSAL}"


def test_check_refuses_it_in_one_line_without_a_schema_error(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stock(project)
    monkeypatch.setenv("SOAPBRIDGE_HOME", str(project))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    rows = [line.split(None, 3) for line in out.splitlines() if line.startswith("stock ")]
    assert rows[0] == ["stock", "-", "FAIL", REFUSAL]
    assert "arrayType" not in out


def test_the_node_soap_corpus_rpc_examples_are_seen_as_encoded() -> None:
    folder = required(WSDL / "node-soap")
    assert set(encoded_operations(folder / "rpcexample.wsdl").values()) == {"rpc"}
    assert encoded_operations(folder / "hello.wsdl") == {"sayHello": "rpc"}
