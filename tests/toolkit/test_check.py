"""check's logic: green on the shipped configuration, and one failing row, saying why, per kind of breakage."""

from __future__ import annotations

import shutil
from pathlib import Path

from soapbridge.engine import Engine
from soapbridge.settings import Auth, Settings
from soapbridge.toolkit.check import Row, check_project
from tests.conftest import CREDENTIALS, ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "check"


def failures(root: Path) -> list[Row]:
    return list(check_project(Settings(root=root, env={})).failures)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_shipped_configuration_checks_out_with_a_row_per_operation() -> None:
    report = check_project(Settings(root=ROOT, env={}))
    assert report.ok, report.failures
    checked = {row.operation for row in report.rows if row.operation}
    assert checked == set(Engine(Settings(root=ROOT, env=CREDENTIALS)).operations)
    assert all(row.detail for row in report.rows)


def test_unset_credentials_are_a_note_not_a_failure() -> None:
    without = {row.adapter: row for row in check_project(Settings(root=ROOT, env={})).rows if not row.operation}
    with_them = {
        row.adapter: row for row in check_project(Settings(root=ROOT, env=CREDENTIALS)).rows if not row.operation
    }
    assert without["crm"].ok and without["crm"].detail.endswith(
        "credentials from $SOAPBRIDGE_CRM_USERNAME, $SOAPBRIDGE_CRM_PASSWORD (not set)"
    )
    assert "credentials" not in with_them["crm"].detail


def test_a_toml_typo_fails_its_adapter_row(project: Path) -> None:
    edit(project / "adapters" / "crm.toml", "[timeouts]", "[timeout]")
    assert failures(project) == [
        Row("crm", "", False, "adapters/crm.toml: timeout: unknown key; expected one of: "
            "system, timeouts, retry, breaker, bulkhead, tls, credentials, namespaces, faults, answers, parameters, "
            "operations, passthrough, debug")
    ]  # fmt: skip


def test_a_file_that_is_not_toml_is_a_row_not_a_traceback(project: Path) -> None:
    (project / "adapters" / "weather.toml").write_text('[system]\nname = "weather\n')
    [row] = failures(project)
    assert (row.adapter, row.operation) == ("weather", "")
    assert row.detail.startswith("adapters/weather.toml: not valid TOML: ")


def test_a_missing_wsdl_fails_its_adapter_row(project: Path) -> None:
    (project / "wsdl" / "weather" / "WxFeed.wsdl").unlink()
    assert failures(project) == [
        Row("weather", "", False, "adapters/weather.toml: system.wsdl: no such file: wsdl/weather/WxFeed.wsdl")
    ]


def test_a_wsdl_that_does_not_load_fails_its_adapter_row(project: Path) -> None:
    shutil.copy(FIXTURES / "truncated.wsdl", project / "wsdl" / "billing" / "InvoiceService.wsdl")
    [row] = failures(project)
    assert (row.adapter, row.operation) == ("billing", "")
    assert row.detail.startswith("adapters/billing.toml: system.wsdl: the WSDL InvoiceService.wsdl is not well-formed")


def test_an_unknown_upstream_operation_fails_its_operation_row(project: Path) -> None:
    edit(project / "adapters" / "weather.toml", '"GetDailyForecast"', '"GetDailyForcast"')
    assert failures(project) == [
        Row(
            "weather",
            "GetForecast",
            False,
            "adapters/weather.toml: operations.GetForecast.upstream: the WSDL's binding has no operation "
            "'GetDailyForcast'; it has: GetCurrentObservation, GetDailyForecast, ListStations",
        )
    ]


def test_a_stylesheet_that_does_not_compile_is_named_with_its_line(project: Path) -> None:
    shutil.copy(FIXTURES / "uncompilable.xsl", project / "xslt" / "crm" / "SearchCustomers.response.xsl")
    assert failures(project) == [
        Row(
            "crm",
            "SearchCustomers",
            False,
            "xslt/crm/SearchCustomers.response.xsl, line 8: "
            "xsl:value-of : could not compile select expression 'count(//item'",
        )
    ]


def test_a_golden_pair_that_no_longer_holds_fails_its_operation_row(project: Path) -> None:
    edit(project / "xslt" / "billing" / "samples" / "RecordPayment.response.out.xml", ">75.00<", ">75.01<")
    [row] = failures(project)
    assert (row.adapter, row.operation) == ("billing", "RecordPayment")
    assert row.detail == (
        "xslt/billing/samples/RecordPayment.response.in.xml no longer gives RecordPayment.response.out.xml: "
        "/RecordPaymentResponse/receipt/remainingBalance: expected text '75.01', got '75.00'"
    )


def test_a_stylesheet_without_golden_pairs_fails(project: Path) -> None:
    for sample in (project / "xslt" / "weather" / "samples").glob("GetForecast.request*.xml"):
        sample.unlink()
    assert failures(project) == [
        Row(
            "weather",
            "GetForecast",
            False,
            "xslt/weather/GetForecast.request.xsl: no golden pair "
            "(xslt/weather/samples/GetForecast.request.in.xml and .out.xml)",
        )
    ]


def test_a_step_calling_an_operation_nobody_serves_fails(project: Path) -> None:
    edit(project / "adapters" / "composite.toml", 'call = "ListInvoices"', 'call = "ListInvoice"')
    assert failures(project) == [
        Row(
            "composite",
            "GetCustomerAccount",
            False,
            "adapters/composite.toml: operations.GetCustomerAccount.steps[1].call: "
            "calls ListInvoice, which no adapter serves",
        )
    ]


def test_an_operation_served_twice_fails_the_second(project: Path) -> None:
    shutil.copy(project / "adapters" / "weather.toml", project / "adapters" / "wx.toml")
    edit(project / "adapters" / "wx.toml", 'name = "weather"', 'name = "wx"')
    assert {(row.adapter, row.operation, row.detail) for row in failures(project)} == {
        (
            "wx",
            op,
            f"adapters/wx.toml: operations.{op}: already served by weather.toml without a route, "
            "and neither says which requests it takes; give one of them a route",
        )
        for op in ("GetCurrentWeather", "GetForecast")
    }


def test_two_adapters_routing_one_operation_check_out_and_a_bad_route_fails_its_row(project: Path) -> None:
    archive = project / "adapters" / "crm_archive.toml"
    shutil.copy(project / "adapters" / "crm.toml", archive)
    edit(archive, 'name = "crm"', 'name = "crm_archive"')
    archive.write_text(
        archive.read_text().replace("upstream = ", "route = \"starts-with(cn:customerId, '9')\"\nupstream = ")
    )
    report = check_project(Settings(root=project, env={}))
    assert report.ok, report.failures
    assert {row.operation for row in report.rows if row.adapter == "crm_archive" and row.operation} == {
        "GetCustomer",
        "SearchCustomers",
        "UpdateCustomer",
        "ListCustomerChanges",
    }
    edit(archive, "starts-with(cn:customerId, '9')", "starts-with(cn:customerId, '9'")
    assert failures(project)[0] == Row(
        "crm_archive",
        "GetCustomer",
        False,
        "adapters/crm_archive.toml: operations.GetCustomer.route: not a valid XPath 1.0 expression: Invalid expression",
    )


def test_each_failure_is_its_own_row_and_the_rest_stays_ok(project: Path) -> None:
    edit(project / "adapters" / "crm.toml", "[timeouts]", "[timeout]")
    (project / "wsdl" / "weather" / "WxFeed.wsdl").unlink()
    report = check_project(Settings(root=project, env={}))
    assert [(row.adapter, row.operation) for row in report.failures] == [("crm", ""), ("weather", "")]
    ok = [(row.adapter, row.operation) for row in report.rows if row.ok]
    assert ("billing", "ListInvoices") in ok and ("mailing", "SubscribeCustomer") in ok


def test_a_step_calling_its_own_operation_fails_as_serve_refuses_it(project: Path) -> None:
    edit(project / "adapters" / "composite.toml", 'call = "ListInvoices"', 'call = "GetCustomerAccount"')
    # the step's golden output (a ListInvoices request) is then no GetCustomerAccount request either
    assert failures(project)[:1] == [
        Row(
            "composite",
            "GetCustomerAccount",
            False,
            "adapters/composite.toml: operations.GetCustomerAccount.steps[1].call: "
            "calls GetCustomerAccount, its own operation",
        )
    ]


def test_a_misspelled_element_in_a_request_stylesheet_and_its_golden_outputs_fails(project: Path) -> None:
    edit(project / "xslt" / "weather" / "GetForecast.request.xsl", "wx:StationICAO>", "wx:StationIcao>")
    edit(project / "xslt" / "weather" / "GetForecast.request.xsl", "wx:StationICAO>", "wx:StationIcao>")
    for output in (project / "xslt" / "weather" / "samples").glob("GetForecast.request*.out.xml"):
        output.write_text(output.read_text().replace("wx:StationICAO>", "wx:StationIcao>"))
    rows = failures(project)
    assert {(row.adapter, row.operation) for row in rows} == {("weather", "GetForecast")}
    assert rows[0].detail.startswith(
        "xslt/weather/samples/GetForecast.request.out.xml, line 4: "
        "not a valid weather's GetDailyForecast input message: "
    )
    assert "StationIcao" in rows[0].detail


def test_a_response_golden_output_the_canonical_xsd_refuses_fails(project: Path) -> None:
    out = project / "xslt" / "billing" / "samples" / "RecordPayment.response.out.xml"
    out.write_text(out.read_text().replace("cn:remainingBalance>", "cn:remainingBalanse>"))
    sheet = project / "xslt" / "billing" / "RecordPayment.response.xsl"
    sheet.write_text(sheet.read_text().replace("cn:remainingBalance>", "cn:remainingBalanse>"))
    details = [row.detail for row in failures(project)]
    assert any(
        detail.startswith("xslt/billing/samples/RecordPayment.response.out.xml, line ")
        and "not a valid canonical RecordPaymentResponse: " in detail
        for detail in details
    ), details


def test_the_clients_file_is_checked_as_the_gateway_reads_it(project: Path) -> None:
    rows = {row.adapter: row for row in check_project(Settings(root=project, env={})).rows}
    assert rows["(clients)"] == Row("(clients)", "", True, "clients.toml: 1 client")
    edit(project / "clients.toml", 'operations = ["*"]', 'operations = ["GetWeather"]')
    assert failures(project) == [
        Row(
            "(clients)",
            "",
            False,
            "clients.toml: clients.demo.operations: 'GetWeather' is not an operation of this gateway",
        )
    ]
    off = {row.adapter: row for row in check_project(Settings(root=project, env={}, auth=Auth(enabled=False))).rows}
    assert off["(clients)"] == Row("(clients)", "", True, "authentication is off (SOAPBRIDGE_AUTH=off)")
