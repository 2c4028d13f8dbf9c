"""The outbound message filled into its composed template is, byte for byte, the one built as a tree."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from soapbridge.config import Credentials, load_adapter
from soapbridge.settings import Settings
from soapbridge.upstream.client import Upstream
from soapbridge.upstream.outbound import Addressing, Outbound
from soapbridge.upstream.wsse import UsernameToken
from tests.conftest import ROOT

BODY = (
    '<urn:Z_CRM_CUSTOMER_READ xmlns:urn="urn:example-erp:crm:customer:v3" xmlns:x="urn:x" x:flag="1">'
    "<IV_KUNNR>0000100001</IV_KUNNR><NAME>Müller &amp; Söhne &lt;GmbH&gt; \u2603</NAME><x:empty/><!-- kept -->"
    "</urn:Z_CRM_CUSTOMER_READ>"
)
DIGEST = UsernameToken(Credentials("wsse-username-token", "gateway & co", "s3cret", "digest"))
TEXT = UsernameToken(Credentials("wsse-username-token", "gateway", "<s3cret>", "text"))
WSA = Addressing("http://legacy/Action", "http://legacy/service?a=1&b=2")
IDS = ["4BF92F35-77B3-4DA6-A3CE-929BBC6A5C12", "urn:x:a&b<c>", "plain-id"]


def body() -> etree._Element:
    return etree.fromstring(BODY)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("token", [DIGEST, TEXT, None], ids=["digest", "text", "none"])
@pytest.mark.parametrize("wsa", [WSA, None], ids=["addressing", "plain"])
@pytest.mark.parametrize("correlation_id", IDS)
def test_the_filled_template_is_the_tree(
    version: str, token: UsernameToken | None, wsa: Addressing | None, correlation_id: str
) -> None:
    outbound = Outbound(version, token, wsa)
    values = outbound.values(correlation_id)
    given = body()
    assert outbound.message(given, values) == outbound.tree(copy.deepcopy(given), values)
    assert given.getparent() is None  # the body is left where it was


def test_a_body_inside_another_document_is_built_as_a_tree() -> None:
    holder = etree.fromstring(f'<h:holder xmlns:h="urn:h" xmlns:unused="urn:u">{BODY}</h:holder>')
    outbound = Outbound("1.1", DIGEST, WSA)
    values = outbound.values("id")
    expected = outbound.tree(copy.deepcopy(holder[0]), values)
    assert outbound.message(holder[0], values) == expected and b"urn:u" not in expected


@pytest.mark.parametrize("system", ["crm", "billing", "weather", "mailing"])
def test_every_operation_of_the_projects_adapters_reads_back(system: str) -> None:
    secrets = {f"SOAPBRIDGE_{name}_{key}": "s3cret" for name in ("CRM", "MAILING") for key in ("USERNAME", "PASSWORD")}
    settings = Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), "SOAPBRIDGE_WEATHER_LICENCE": "x", **secrets})
    path = settings.adapters_dir / f"{system}.toml"
    upstream = Upstream(load_adapter(path, settings))
    for name, operation in upstream.operations.items():
        message = upstream._message(operation, body(), "4bf92f35-77b3-4da6-a3ce-929bbc6a5c12")
        root = etree.fromstring(message)
        assert b"soapbridge-slot" not in message
        assert _c14n(root[-1][0]) == _c14n(body()), name


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def test_each_message_has_its_own_nonce_and_digest() -> None:
    outbound = Outbound("1.1", DIGEST, None)
    first, second = (outbound.message(body(), outbound.values("id")) for _ in range(2))
    assert first != second
