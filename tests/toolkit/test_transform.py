"""transform's logic on the shipped adapters: samples in, mapped results out, checked against their targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from soapbridge.errors import MappingError, UsageError
from soapbridge.settings import Settings
from soapbridge.toolkit.transform import OperationMapping
from soapbridge.toolkit.xmldiff import first_difference
from soapbridge.xmlparse import parse_file
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "transform"
SAMPLES = ROOT / "xslt"


def mapping(adapter: str, operation: str, root: Path = ROOT) -> OperationMapping:
    return OperationMapping(Settings(root=root, env={}), adapter, operation)


def xml(path: Path) -> etree._Element:
    return parse_file(path).getroot()


def test_a_crm_request_becomes_the_legacy_body_and_fits_the_wsdl() -> None:
    outcome = mapping("crm", "GetCustomer").map_request(xml(SAMPLES / "crm/samples/GetCustomer.request.in.xml"))
    assert outcome.ok
    [result] = outcome.results
    assert result.stylesheet == "xslt/crm/GetCustomer.request.xsl"
    assert result.target == "crm's Z_CRM_CUSTOMER_READ input message (wsdl/crm/ZCRM_CUSTOMER_V3.wsdl)"
    assert first_difference(result.root, xml(SAMPLES / "crm/samples/GetCustomer.request.out.xml")) is None


def test_a_crm_answer_in_a_whole_envelope_becomes_the_canonical_response() -> None:
    outcome = mapping("crm", "GetCustomer").map_response(xml(FIXTURES / "GetCustomer.response.envelope.xml"))
    assert outcome.ok
    assert first_difference(outcome.results[0].root, xml(SAMPLES / "crm/samples/GetCustomer.response.out.xml")) is None


def test_a_soap12_envelope_is_opened_too() -> None:
    outcome = mapping("weather", "GetCurrentWeather").map_response(
        xml(FIXTURES / "GetCurrentWeather.response.soap12.xml")
    )
    expected = xml(SAMPLES / "weather/samples/GetCurrentWeather.response.out.xml")
    assert outcome.ok and first_difference(outcome.results[0].root, expected) is None


def test_an_invalid_request_is_reported_with_lines_and_paths_and_not_mapped() -> None:
    outcome = mapping("crm", "GetCustomer").map_request(xml(FIXTURES / "GetCustomer.invalid.xml"))
    assert not outcome.ok and not outcome.results
    assert [(p.line, p.path) for p in outcome.sample_problems] == [
        (4, "/GetCustomer/customerId"),
        (5, "/GetCustomer/includeInvoices"),
    ]
    assert "pattern '[1-9][0-9]{0,9}'" in outcome.sample_problems[0].reason


def test_a_request_of_another_operation_is_a_problem() -> None:
    outcome = mapping("crm", "SearchCustomers").map_request(xml(SAMPLES / "crm/samples/GetCustomer.request.in.xml"))
    [problem] = outcome.sample_problems
    assert problem.path == "/GetCustomer"
    assert problem.reason.startswith("expected a canonical SearchCustomers")


def test_billing_rpc_request_fits_the_rpc_wrapper() -> None:
    outcome = mapping("billing", "ListInvoices").map_request(
        xml(SAMPLES / "billing/samples/ListInvoices.request.in.xml")
    )
    assert outcome.ok
    assert outcome.results[0].root.tag == "{urn:example-billing:InvoiceService}getAccountInvoices"


def test_billing_response_takes_its_params_from_the_request_sample() -> None:
    samples = SAMPLES / "billing/samples"
    operation = mapping("billing", "ListInvoices")
    answer = xml(samples / "ListInvoices.response.status.in.xml")
    filtered = operation.map_response(answer, xml(samples / "ListInvoices.request.status.in.xml")).results[0]
    unfiltered = operation.map_response(answer).results[0]
    assert first_difference(filtered.root, xml(samples / "ListInvoices.response.status.out.xml")) is None
    assert len(unfiltered.root) > len(filtered.root)  # without the request, no status filter applies


def test_an_invalid_result_is_returned_with_its_problems_on_the_printed_lines() -> None:
    outcome = mapping("crm", "GetCustomer").map_response(xml(FIXTURES / "GetCustomer.response.unknown-status.xml"))
    [result] = outcome.results
    assert not outcome.ok
    [problem] = result.problems
    assert problem.path == "/GetCustomerResponse/customer/status"
    assert result.document.decode().splitlines()[problem.line - 1].strip() == "<cn:status>X</cn:status>"


def test_a_deliberate_refusal_names_the_stylesheet_line_and_message() -> None:
    with pytest.raises(MappingError) as caught:
        mapping("billing", "RecordPayment").map_request(xml(FIXTURES / "RecordPayment.subcent.xml"))
    error = caught.value
    assert (error.stylesheet, error.terminated) == ("xslt/billing/RecordPayment.request.xsl", True)
    source = (ROOT / error.stylesheet).read_text().splitlines()
    assert error.line is not None and '<xsl:message terminate="yes">amount' in source[error.line - 1]
    assert error.message == "amount 12.345 has digits beyond the cents; billing books whole cents only"


def test_a_composite_request_runs_each_step() -> None:
    outcome = mapping("composite", "GetCustomerAccount").map_request(xml(FIXTURES / "GetCustomerAccount.request.xml"))
    assert outcome.ok
    assert [etree.QName(r.root).localname for r in outcome.results] == ["GetCustomer", "ListInvoices"]
    assert [r.target.split(":")[0] for r in outcome.results] == ["step customer", "step invoices"]


def test_one_step_can_be_chosen_and_a_context_given() -> None:
    operation = mapping("mailing", "SubscribeCustomer")
    context = xml(SAMPLES / "mailing/samples/SubscribeCustomer.request.in.xml")  # request and the customer's answer
    assert operation.step_names == ["customer", "upstream"]
    [result] = operation.map_request(context, "upstream").results
    assert first_difference(result.root, xml(SAMPLES / "mailing/samples/SubscribeCustomer.request.out.xml")) is None
    with pytest.raises(UsageError, match="has no step 'invoices'; it has: customer, upstream"):
        operation.map_request(context, "invoices")


def test_a_composite_response_maps_its_context_with_the_request_inside() -> None:
    samples = SAMPLES / "composite/samples"
    outcome = mapping("composite", "GetCustomerAccount").map_response(
        xml(samples / "GetCustomerAccount.response.in.xml")
    )
    assert outcome.ok
    assert first_difference(outcome.results[0].root, xml(samples / "GetCustomerAccount.response.out.xml")) is None


def test_unknown_names_list_what_exists() -> None:
    with pytest.raises(
        UsageError, match="no adapter 'crn'; the adapters are: billing, composite, crm, ehr, mailing, weather"
    ):
        mapping("crn", "GetCustomer")
    with pytest.raises(UsageError, match="maps no operation 'ListInvoices'; it maps: GetCustomer, SearchCustomers"):
        mapping("crm", "ListInvoices")


def test_credentials_are_not_needed() -> None:
    assert mapping("crm", "GetCustomer").adapter.credentials is not None  # crm declares them; env is empty here


def test_a_broken_stylesheet_is_named_with_its_line(project: Path) -> None:
    stylesheet = project / "xslt" / "crm" / "GetCustomer.request.xsl"
    stylesheet.write_text(stylesheet.read_text().replace('select="cn:customerId"', 'select="$customerId"'))
    with pytest.raises(MappingError) as caught:
        mapping("crm", "GetCustomer", project).map_request(xml(SAMPLES / "crm/samples/GetCustomer.request.in.xml"))
    assert caught.value.stylesheet == "xslt/crm/GetCustomer.request.xsl"
    assert caught.value.line is not None
    assert 'select="$customerId"' in stylesheet.read_text().splitlines()[caught.value.line - 1]
    assert "Variable 'customerId' has not been declared" in caught.value.message


def test_a_result_the_wsdl_refuses_is_reported(project: Path) -> None:
    stylesheet = project / "xslt" / "billing" / "RecordPayment.request.xsl"
    stylesheet.write_text(stylesheet.read_text().replace("amountCents>", "amountCent>"))
    sample = xml(SAMPLES / "billing/samples/RecordPayment.request.in.xml")
    [result] = mapping("billing", "RecordPayment", project).map_request(sample).results
    [problem] = result.problems
    assert (problem.line, problem.path) == (3, "/postPayment/amountCent")
    assert "Expected is ( amountCents )" in problem.reason
