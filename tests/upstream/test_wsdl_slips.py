"""zeep, the upstream contract, slips on some real WSDLs that it should refuse (an IndexError on a type it cannot
find, a port without an address): serve, check and the scaffold each get one line naming the WSDL, never a
traceback. The WSDLs are real ones from the shared corpus, read in place."""

from __future__ import annotations

import pytest

from soapbridge.errors import ConfigError
from soapbridge.upstream.wsdl import load_service
from tests.corpora import WSDL, required


@pytest.mark.parametrize(
    ("relative", "said"),
    [
        ("wsdl-to-postman/validWSDLs11/hrextract.wsdl", "the WSDL does not load: IndexError: No definition"),
        ("node-soap/recursive.wsdl", None),
    ],
    ids=["workday-hrextract", "node-soap-recursive"],
)
def test_a_wsdl_zeep_slips_on_is_a_config_error_naming_it(relative: str, said: str | None) -> None:
    wsdl = required(WSDL / relative)
    try:
        service = load_service(wsdl, folder=wsdl.parent)
    except ConfigError as exc:
        assert str(wsdl) in exc.message
        assert said is None or said in exc.message
        assert "\n" not in exc.message
    else:
        assert said is None, "zeep loaded it"
        assert service.operations  # a port with no address loads, its calls go where the adapter says
