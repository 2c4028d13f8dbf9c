"""What a pass-through call accepts as a legacy answer: a SOAP envelope of the operation's version, fault or not."""

from __future__ import annotations

import re

import pytest

from soapbridge.errors import UpstreamUnavailable
from soapbridge.namespaces import SOAP11_ENV, SOAP12_ENV
from soapbridge.upstream.passthrough import AnswerCheck
from soapbridge.upstream.transport import HttpAnswer

FAULT12 = f'<e:Envelope xmlns:e="{SOAP12_ENV}"><e:Body><e:Fault/></e:Body></e:Envelope>'.encode()


def test_an_envelope_of_the_version_passes_as_it_is_fault_or_not() -> None:
    check = AnswerCheck("1.2", "weather")
    for status in (200, 400, 500):
        answer = HttpAnswer(status, "application/soap+xml", FAULT12)
        assert check.check(answer) is answer


@pytest.mark.parametrize(
    ("status", "content", "says", "transient", "sent"),
    [
        (503, b"<html><body>down</body></html>", "XML that is not a SOAP 1.2 envelope", True, False),
        (200, b"\x00\x01 garbage", "something that is not XML", False, True),
        (200, FAULT12[:-12], "XML that is not well-formed", False, True),
        (200, FAULT12.replace(SOAP12_ENV.encode(), SOAP11_ENV.encode()), "not a SOAP 1.2 envelope", False, True),
        (502, b"", "no XML (empty, or with a DOCTYPE)", True, True),
        (200, b"<!DOCTYPE e [<!ENTITY x 'y'>]>" + FAULT12, "no XML (empty, or with a DOCTYPE)", False, True),
    ],
    ids=["html-503", "garbage", "truncated", "soap-1.1", "empty-502", "doctype"],
)
def test_anything_else_is_a_failure_of_the_system(
    status: int, content: bytes, says: str, transient: bool, sent: bool
) -> None:
    with pytest.raises(UpstreamUnavailable, match=re.escape(says)) as raised:
        AnswerCheck("1.2", "weather").check(HttpAnswer(status, "text/html", content))
    assert (raised.value.transient, raised.value.sent) == (transient, sent)
