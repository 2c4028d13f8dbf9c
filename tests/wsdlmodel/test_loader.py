"""load_wsdl's access policy and refusals: network off by default, no DTDs, WSDL 1.1 only, root confinement."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.errors import WsdlError
from soapbridge.wsdlmodel import load_wsdl
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_remote_import_is_refused_without_allow_network_in_one_line_naming_it() -> None:
    with pytest.raises(WsdlError) as caught:
        load_wsdl(FIXTURES / "remote-import.wsdl")
    assert caught.value.message == (
        "refusing to fetch http://schemas.example.com/types.xsd: network access is off (--allow-network turns it on)"
    )
    assert caught.value.location == "http://schemas.example.com/types.xsd"


def test_a_wsdl_url_is_refused_without_allow_network() -> None:
    with pytest.raises(WsdlError, match=r"refusing to fetch http://127\.0\.0\.1:9/x\.wsdl: network access is off"):
        load_wsdl("http://127.0.0.1:9/x.wsdl")


def test_a_doctype_is_refused_and_its_entity_never_read() -> None:
    with pytest.raises(WsdlError, match="DOCTYPE; DTDs are not accepted") as caught:
        load_wsdl(FIXTURES / "doctype.wsdl")
    assert "\n" not in caught.value.message and "root:" not in caught.value.message


def test_a_wsdl_20_description_is_refused_by_name() -> None:
    with pytest.raises(WsdlError) as caught:
        load_wsdl(FIXTURES / "wsdl20.wsdl")
    assert caught.value.message == "wsdl20.wsdl is a WSDL 2.0 description; only WSDL 1.1 is supported"


def test_root_refuses_an_import_from_outside_it() -> None:
    inside = FIXTURES / "inside"
    with pytest.raises(WsdlError, match=r"refusing to read .*outside\.xsd: it is outside .*inside"):
        load_wsdl(inside / "escapes.wsdl", root=inside)
    assert load_wsdl(inside / "escapes.wsdl", root=FIXTURES).target_namespace == "urn:example:inside"


def test_a_missing_wsdl_and_a_missing_import_are_named(tmp_path: Path) -> None:
    with pytest.raises(WsdlError, match=r"cannot read .*nothing\.wsdl: No such file or directory"):
        load_wsdl(tmp_path / "nothing.wsdl")
    (tmp_path / "escapes.wsdl").write_bytes((FIXTURES / "inside" / "escapes.wsdl").read_bytes())
    with pytest.raises(WsdlError, match=r"cannot read .*outside\.xsd: No such file or directory"):
        load_wsdl(tmp_path / "escapes.wsdl")


def test_an_imported_schema_is_read_beside_the_wsdl_and_compiles() -> None:
    wsdl = load_wsdl(ROOT / "wsdl" / "weather" / "WxFeed.wsdl", root=ROOT / "wsdl")
    assert any(url.endswith("/WxFeedTypes.xsd") for url in wsdl.schemas.documents)
    assert wsdl.schemas.validator() is wsdl.schemas.validator()  # compiled once
    model = wsdl.schemas.model()
    assert "{http://aerowx.example.net/WxFeed/2005/03/types}GetDailyForecast" in model.maps.elements


def test_a_schema_included_by_an_inline_schema_is_in_both_views_of_the_types() -> None:
    wsdl = load_wsdl(FIXTURES / "include" / "main.wsdl")
    model = wsdl.schemas.model()
    assert "{urn:example:include}OrderType" in model.maps.types
    assert model.maps.elements["{urn:example:include}Order"].type.name == "{urn:example:include}OrderType"
    assert wsdl.schemas.validator() is not None


def test_a_wsdl_without_schemas_still_has_a_model_to_walk() -> None:
    wsdl = load_wsdl(FIXTURES / "misqualified-binding.wsdl")
    assert list(wsdl.schemas.documents) == []
    assert wsdl.schemas.model().all_errors == []
