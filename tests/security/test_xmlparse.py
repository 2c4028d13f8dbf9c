"""The one parsing path: its limits are ours, configurable, and checked before anything reads the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from soapbridge.errors import ConfigError, XmlError
from soapbridge.settings import Limits, Settings
from soapbridge.xmlparse import parse_bytes, parse_file
from tests.conftest import ROOT

SMALL = Limits(max_depth=3, max_attributes=2, max_name_length=5)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (b"<a><b><c><d/></c></b></a>", "deeper than 3 levels"),
        (b'<a x="1" y="2" z="3"/>', "more than 2 attributes"),
        (b"<abcdef/>", "name longer than 5 characters"),
        (b'<a abcdef="1"/>', "name longer than 5 characters"),
    ],
)
def test_each_limit_is_ours_and_configurable(document: bytes, says: str) -> None:
    parse_bytes(document)  # within the defaults
    with pytest.raises(XmlError, match=says):
        parse_bytes(document, limits=SMALL)


def test_at_the_limit_is_accepted() -> None:
    parse_bytes(b'<a><b x="1" y="2"><abcde/></b></a>', limits=SMALL)


def test_a_prefix_or_namespace_does_not_count_towards_a_name() -> None:
    parse_bytes(b'<p:a xmlns:p="urn:a-very-long-namespace-name" p:b="1"/>', limits=SMALL)


def test_libxml2s_own_ceilings_are_told_in_our_words() -> None:
    with pytest.raises(XmlError) as deep:
        parse_bytes(b"<a>" * 1000, limits=Limits(max_depth=256))
    with pytest.raises(XmlError) as long:
        parse_bytes(b"<" + b"n" * 60_000 + b"/>", limits=Limits(max_name_length=50_000))
    assert str(deep.value) == "the document nests elements deeper than 256 levels"
    assert str(long.value) == "the document has a name longer than 50000 characters"


@pytest.mark.parametrize(
    "prolog",
    [b"", b'<?xml version="1.0"?>\n', b"\xef\xbb\xbf<!-- a comment -->\n<?pi x?>"],
)
def test_a_doctype_is_refused_before_the_parse(prolog: bytes) -> None:
    laughs = b'<!DOCTYPE a [<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (n, b"&l%d;" % (n - 1) * 10) for n in range(1, 10)
    )
    with pytest.raises(XmlError, match="carries a DOCTYPE"):
        parse_bytes(prolog + laughs + b"]><a>&l9;</a>")


@pytest.mark.timeout(10)
def test_a_prolog_of_many_comments_costs_one_pass() -> None:
    """The DOCTYPE check once backtracked through every way of splitting the comments: 2**n tries."""
    comments = b"<!-- a -->\n" * 60
    assert parse_bytes(comments + b"<a/>").tag == "a"
    with pytest.raises(XmlError, match="carries a DOCTYPE"):
        parse_bytes(comments + b"<?pi x?><!DOCTYPE a><a/>")


def test_libxml2_advice_is_left_out() -> None:
    with pytest.raises(XmlError) as refused:
        parse_bytes(b'<a xmlns="urn:x">&undefined;</a>')
    assert "xml" not in str(refused.value).replace("XML", "")


def test_parse_file_applies_the_limits_and_keeps_the_base_url(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_bytes(b"<a><b><c><d/></c></b></a>")
    url = parse_file(path).docinfo.URL
    assert url == str(path)
    with pytest.raises(XmlError, match="deeper than 3 levels"):
        parse_file(path, limits=SMALL)


def test_limits_come_from_the_environment() -> None:
    env = {"SOAPBRIDGE_MAX_BODY": "1024", "SOAPBRIDGE_MAX_DEPTH": "20", "SOAPBRIDGE_MAX_ATTRIBUTES": "7"}
    limits = Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), **env}).limits
    assert limits == Limits(max_body=1024, max_depth=20, max_attributes=7, max_name_length=Limits().max_name_length)
    assert Settings(root=ROOT).limits == Limits()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SOAPBRIDGE_MAX_BODY", "ten"),
        ("SOAPBRIDGE_MAX_DEPTH", "0"),
        ("SOAPBRIDGE_MAX_DEPTH", "257"),
        ("SOAPBRIDGE_MAX_NAME_LENGTH", "50001"),
    ],
)
def test_a_bad_limit_fails_loudly_naming_its_variable(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        Settings.from_env({"SOAPBRIDGE_HOME": str(ROOT), key: value})


@pytest.mark.parametrize("encoding", ["UTF-8", "ISO-8859-1", "UTF-16"])
@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("<abcdef/>", "name longer than 5 characters"),
        ('<a abcdef="1"/>', "name longer than 5 characters"),
        ("<a>" + "x" * 50 + "<abcdef/></a>", "name longer than 5 characters"),
        ("<a><b/><\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9/></a>", "name longer than 5 characters"),
        ("<a><b/><\u00e9\u00e9\u00e9/></a>", None),
        ("<a><b/></a>", None),
        ('<a b="1">' + "\u00e9" * 50 + "</a>", None),
    ],
)
def test_names_are_measured_in_characters_whatever_the_encoding_and_the_text(
    encoding: str, document: str, says: str | None
) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?>{document}'.encode(encoding)
    if says is None:
        parse_bytes(data, limits=SMALL)
        return
    with pytest.raises(XmlError, match=says):
        parse_bytes(data, limits=SMALL)
