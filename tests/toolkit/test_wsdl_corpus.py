"""`soapbridge wsdl` over the real-world corpus (node-soap's and Postman's converter fixtures), read in place.

Every file is run through the command. A WSDL 1.1 that we can read must exit 0 and print its
operations; every other file must exit 1 with one line on stderr saying why: no traceback, no hang.
The files expected not to load are listed below, by class, with a piece of the reason each must give;
a file not listed must load. Each was looked at before it was listed here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from soapbridge.cli import main
from tests.conftest import ROOT
from tests.corpora import WSDL, required

CORPUS = WSDL
NOT_CORPUS = {"LICENSE", "README.md"}  # the corpus's own licences and notes

# WSDL 2.0 (wsdl:description): only WSDL 1.1 is supported.
WSDL_20 = "is a WSDL 2.0 description; only WSDL 1.1 is supported"
# Postman's templates: a namespace of 'http://{{url}}/...' is not a URI, and libxml2 refuses the document.
TEMPLATE_URI = "is not a valid URI"
# Not namespace-well-formed: a prefix used on an element or attribute is never declared.
UNDECLARED_PREFIX = "Namespace prefix"
# A QName in the WSDL (binding type, part element) uses a prefix that is not declared where it is written.
UNDECLARED_QNAME = "is not declared"
# Imports a document over http(s); the network is off without --allow-network.
REMOTE_IMPORT = "network access is off (--allow-network turns it on)"
# Imports a local file that is not in the corpus (node-soap's fixedPath option, a case mismatch, a missing folder).
MISSING_IMPORT = "No such file or directory"
# Not a WSDL at all: a schema, JSON, or an extra XML file.
NOT_A_WSDL = "is not a WSDL 1.1 document"
NOT_XML = "is not well-formed XML: Start tag expected"

EXPECTED_FAILURES = {
    **dict.fromkeys(
        [
            "wsdl-to-postman/validWSDLs20/2BindingByMessageElement.wsdl",
            "wsdl-to-postman/validWSDLs20/Axis2SchemaPositiveInteger.wsdl",
            "wsdl-to-postman/validWSDLs20/Axis2WSD20.wsdl",
            "wsdl-to-postman/validWSDLs20/BindingByMessageElement.wsdl",
            "wsdl-to-postman/validWSDLs20/Service1Modified.wsdl",
            "wsdl-to-postman/validWSDLs20/W3Example_wsdl_20.wsdl",
            "wsdl-to-postman/validWSDLs20/addressURIEspecialChars.wsdl",
            "wsdl-to-postman/validWSDLs20/wikipedia.wsdl",
        ],
        WSDL_20,
    ),
    **{
        f"wsdl-to-postman/validWSDLs11/{name}.wsdl": TEMPLATE_URI
        for name in [
            "getActivityByID",
            "getActivityByType",
            "getActivityByUser",
            "getActivityCalendar",
            "getActivitySessions",
            "getAllActivityTypesForAssociation",
            "getAllClubsForAssociation",
            "getAllClubsForTournament",
            "getAllPlayersForAssociation",
            "getAllPlayersForTournament",
            "getAllRegionsForAssociation",
            "getAllTeamsForTournament",
            "getClubLicenceKey",
            "getCompetition",
            "getLeagueTable",
            "getMatchClassesForTournament",
            "getMatchDetails",
            "getMatchesAndTable",
            "getMatchesByCompetitionAndPeriod",
            "getMatchesByUserAndRole",
            "getPlayedMatches",
            "getSeasons",
            "getTeamContactsForSeason",
            "getTeamSports",
            "getTopScorers",
            "getTournamentDetails",
            "getTournamentReferees",
            "getTournamentRegistrations",
            "getTournamentsForClub",
            "getUpcomingMatches",
            "getUserAuthentication",
            "manyfaults",
            "mergedImportedSchema",
            "newAuth",
            "setMatchResult",
            "testService",
        ]
    },
    "wsdl-to-postman/validWSDLs20/heron2.wsdl": TEMPLATE_URI,
    "wsdl-to-postman/validWSDLs20/noWSDLNamespace.wsdl": TEMPLATE_URI,
    **dict.fromkeys(
        [
            "node-soap/attachments.wsdl",  # xmime
            "node-soap/connection/econnrefused.wsdl",  # xsd
            "node-soap/default_namespace_soap12.wsdl",  # soap
            "node-soap/mergeWithAttributes/def.xsd",  # xs
            "node-soap/mergeWithAttributes/main.wsdl",  # imports def.xsd
            "node-soap/strict/ImportSample.wsdl",  # imports ImportSample.xsd
            "node-soap/strict/ImportSample.xsd",  # xsd
            "node-soap/ws-policy.wsdl",  # wsu
            "node-soap/wsdl_with_attributes.wsdl",  # s
            "wsdl-to-postman/validWSDLs11/noWSDLNamespace.wsdl",  # wsdl
            "wsdl-to-postman/validWSDLs11/usernameTokenSSL.wsdl",  # sp
            "wsdl-to-postman/validWSDLs20/Axis2WSD20WithSecurity.wsdl",  # sp
        ],
        UNDECLARED_PREFIX,
    ),
    **dict.fromkeys(
        [
            "node-soap/binding-exception.wsdl",  # tns:wsdlt1
            "node-soap/binding_document.wsdl",  # wsdlns:mySoapPort
            "node-soap/extended_element.wsdl",  # e:ExtendedDummyRequest, declared only inside the schema
            "node-soap/schemas_without_targetnamespace.wsdl",  # n:DummyRequest
            "node-soap/strict/npe.wsdl",  # wsdlns:mySoapPort
        ],
        UNDECLARED_QNAME,
    ),
    **dict.fromkeys(
        [
            "node-soap/strict/stockquote-url.wsdl",
            "node-soap/xsdinclude/xsd_include_http.wsdl",
            "wsdl-to-postman/separatedFiles/W3Example/output.wsdl",
            "wsdl-to-postman/separatedFiles/W3Example/outputNoImports.wsdl",
            "wsdl-to-postman/separatedFiles/W3Example/stockquote.wsdl",
            "wsdl-to-postman/separatedFiles/W3Example/stockquoteservice.wsdl",
            "wsdl-to-postman/separatedFiles/remoteDeepCircularRef/ServiceFinderQuery.wsdl",
            "wsdl-to-postman/separatedFiles/remoteDeepCircularRef/output.wsdl",
            "wsdl-to-postman/separatedFiles/remoteRefs/output.wsdl",
            "wsdl-to-postman/separatedFiles/remoteRefs/remoteStockquote.wsdl",
            "wsdl-to-postman/separatedFiles/remoteRefs/remoteStockquoteservice.wsdl",
            "wsdl-to-postman/separatedFiles/remoteRefsServiceFinderQuery/ServiceFinderQuery.wsdl",
            "wsdl-to-postman/separatedFiles/remoteRefsServiceFinderQuery/output.wsdl",
            "wsdl-to-postman/separatedFiles/wsdlfolderextrafile/stockquote.wsdl",
            "wsdl-to-postman/separatedFiles/wsdlfolderextrafile/stockquoteservice.wsdl",
            "wsdl-to-postman/separatedFiles/wsdlfolderextrafilexml/stockquote.wsdl",
            "wsdl-to-postman/separatedFiles/wsdlfolderextrafilexml/stockquoteservice.wsdl",
            "wsdl-to-postman/validWSDLs11/mergedW3.wsdl",
        ],
        REMOTE_IMPORT,
    ),
    **dict.fromkeys(
        [
            "node-soap/fixedPath/netsuite.wsdl",  # ../../xsd/platform.core.xsd: node-soap's fixedPath option
            "node-soap/strict/Netsuite.wsdl",  # ../../platform/platform.core.xsd
            "wsdl-to-postman/separatedFiles/ServicesWithPrincipalPrefix/goodService.wsdl",  # GoodService-common.wsdl
            "wsdl-to-postman/separatedFiles/counting/CountingCategoryService.wsdl",  # ../common/v1/CommonData.xsd
            "wsdl-to-postman/separatedFiles/counting/output.wsdl",
            "wsdl-to-postman/separatedFiles/multipleRoot/CountingCategoryService.wsdl",
            "wsdl-to-postman/separatedFiles/multipleRoot/CountingCategoryServiceCopy.wsdl",
            "wsdl-to-postman/separatedFiles/remoteNotFound/Services.wsdl",  # Types.xsd, missing on purpose
            "wsdl-to-postman/separatedFiles/remoteNotFound/output.wsdl",
        ],
        MISSING_IMPORT,
    ),
    # Deliberately broken fixtures.
    "node-soap/bad.txt": "bad.txt is not well-formed XML: Start tag expected",  # "I'm a jpeg."
    "node-soap/recursive/A.xsd": "Premature end of data",  # truncated
    "node-soap/recursive/B.xsd": "Premature end of data",
    "node-soap/recursive/file.wsdl": "the schema A.xsd is not well-formed XML: Premature end of data",
    "node-soap/missing_message_definition.wsdl": "refers to message GetWeatherResponse",
    "wsdl-to-postman/invalidWSDLs11/calculator-invalid.wsdl": "its root element is {http://schemas.xmlsoap.org/wsdl/}definitionsw",
    "wsdl-to-postman/separatedFiles/wsdlfolderextrafilexml/README.xml": NOT_A_WSDL,
    # Not WSDLs: the corpus's request samples.
    "node-soap/perf/request.json": NOT_XML,
    "node-soap/typeref/request.json": NOT_XML,
}


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name not in NOT_CORPUS)


def _expected_reason(name: str) -> str | None:
    if name.endswith(".xsd") and name not in EXPECTED_FAILURES:
        return NOT_A_WSDL  # a schema document on its own is not a WSDL
    return EXPECTED_FAILURES.get(name)


FILES = _corpus_files()


def test_the_corpus_is_there() -> None:
    required(CORPUS)
    assert len(FILES) > 200


def test_every_listed_failure_is_a_corpus_file() -> None:
    required(CORPUS)
    assert set(EXPECTED_FAILURES) <= set(FILES)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", FILES)
def test_each_file_loads_or_gets_one_clear_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["wsdl", str(CORPUS / name)])
    out, err = capsys.readouterr()
    reason = _expected_reason(name)
    if reason is None:
        assert (code, err) == (0, ""), err
        assert "Binding " in out or "Services: none" in out
    else:
        assert code == 1
        assert len(err.splitlines()) == 1 and err.startswith("soapbridge: "), err
        assert reason in err
        assert "Traceback" not in err and out == ""


def test_the_real_command_reads_a_corpus_wsdl_and_refuses_a_broken_one() -> None:
    required(CORPUS)
    good = _run(CORPUS / "node-soap" / "multi-service.wsdl")
    assert good.returncode == 0, good.stderr
    assert "Binding " in good.stdout
    bad = _run(CORPUS / "node-soap" / "bad.txt")
    assert bad.returncode == 1
    assert bad.stderr.startswith("soapbridge: ") and len(bad.stderr.splitlines()) == 1
    assert "Traceback" not in bad.stderr


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "soapbridge", "wsdl", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
