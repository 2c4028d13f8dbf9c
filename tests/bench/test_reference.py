"""The reference proxy sends the CRM the WS-Security header the gateway sends: a UsernameToken with a
PasswordDigest, built once at start and copied into every legacy envelope."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from lxml import etree

from bench import reference
from bench.project import DUMMY_PASSWORD, DUMMY_USERNAME, credential_env, prepare_project

WSSE = {"wsse": reference.WSSE, "wsu": reference.WSU}


def test_the_crm_gets_a_password_digest_token_and_a_system_without_an_account_none(tmp_path: Path) -> None:
    project = prepare_project(tmp_path / "project")
    targets = reference.load(project, "http://127.0.0.1:9", credential_env(project))
    crm, weather = targets["GetCustomer"][-1], targets["GetCurrentWeather"][0]
    assert weather.security is None
    assert crm.security is not None
    token = crm.security[0]
    assert token.findtext("wsse:Username", namespaces=WSSE) == DUMMY_USERNAME
    password = token.find("wsse:Password", namespaces=WSSE)
    assert password.get("Type").endswith("#PasswordDigest")
    nonce = base64.b64decode(token.findtext("wsse:Nonce", namespaces=WSSE))
    created = token.findtext("wsu:Created", namespaces=WSSE)
    expected = hashlib.sha1(nonce + created.encode() + DUMMY_PASSWORD.encode()).digest()
    assert base64.b64decode(password.text) == expected


def test_every_envelope_carries_a_copy_of_the_one_token(tmp_path: Path) -> None:
    project = prepare_project(tmp_path / "project")
    crm = reference.load(project, "http://127.0.0.1:9", credential_env(project))["GetCustomer"][-1]
    body = etree.Element("{urn:example-erp:crm:customer:v3}Z_CRM_CUSTOMER_READ")
    sent = [etree.fromstring(reference.envelope(body, "1.1", "soapenv", crm.security)) for _ in range(2)]
    tokens = [envelope.find("*/wsse:Security", namespaces=WSSE) for envelope in sent]
    assert all(token is not None for token in tokens)
    written = [etree.tostring(token, method="c14n", exclusive=True) for token in (*tokens, crm.security)]
    assert written[0] == written[1] == written[2]
    assert sent[0][-1][0].tag == body.tag  # the Body stays last: payload() finds the answer's content there
