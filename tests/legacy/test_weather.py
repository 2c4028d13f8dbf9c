"""The weather emulator (AeroWx Data Feed, SOAP 1.2) over real HTTP, and its stylesheets.

Seed 0 and a clock pinned to NOW make every value below a fact of the seed data.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import threading
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree

from soapbridge.legacy import Emulator
from soapbridge.legacy import build as build_system
from soapbridge.legacy._server import RunningEmulator, start
from soapbridge.legacy.weather import ACTIONS, build, make_emulator
from soapbridge.legacy.weather_data import STATIONS
from soapbridge.namespaces import WSDL11, XSD
from soapbridge.xmlparse import parse_bytes, parse_file
from tests.xmlcompare import assert_xml_equal

ROOT = Path(__file__).resolve().parents[2]
WSDL = ROOT / "wsdl" / "weather" / "WxFeed.wsdl"
XSLT = ROOT / "xslt" / "weather"
SAMPLES = XSLT / "samples"
WX = "http://aerowx.example.net/WxFeed/2005/03/types"
CN = "urn:soapbridge:canonical:v1"
ENV = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
BINDING = "{http://aerowx.example.net/WxFeed/2005/03/}WxFeedSoap12"
NS = {"wx": WX, "cn": CN, "env": ENV}
NOW = dt.datetime(2026, 11, 21, 9, 55, tzinfo=dt.UTC)
JANUARY = dt.datetime(2026, 1, 15, 11, 55, tzinfo=dt.UTC)
ZEEP_SETTINGS = zeep.Settings(forbid_external=True, forbid_entities=True, forbid_dtd=True)

#: Each legacy response sample, with the clock its answer was taken at (seed 0, a fresh emulator).
SAMPLE_CLOCKS = {
    "GetCurrentWeather.response.in.xml": NOW,
    "GetCurrentWeather.response.fog.in.xml": NOW,
    "GetCurrentWeather.response.freezing.in.xml": JANUARY,
    "GetForecast.response.in.xml": NOW,
    "GetForecast.response.one-day.in.xml": NOW,
    "GetForecast.response.padded.in.xml": NOW,
    "GetForecast.response.ten-days.in.xml": JANUARY,
}


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def canonical_schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(ROOT / "wsdl" / "canonical" / "soapbridge-v1.xsd"))


@pytest.fixture(scope="module")
def legacy_schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(WSDL.parent / "WxFeedTypes.xsd"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def running(clock: ManualClock) -> Iterator[RunningEmulator]:
    with start(make_emulator(ROOT / "wsdl", clock, 0), "127.0.0.1", 0) as server:
        yield server


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningEmulator]:
    """One emulator at NOW for the tests that neither move the clock nor count reports."""
    with start(make_emulator(ROOT / "wsdl", ManualClock(NOW), 0), "127.0.0.1", 0) as server:
        yield server


@pytest.fixture
def feed(running: RunningEmulator) -> zeep.proxy.ServiceProxy:
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS)
    service: zeep.proxy.ServiceProxy = client.create_service(BINDING, running.url)
    return service


# -- helpers ----------------------------------------------------------------------------------


def wx(name: str, *children: etree._Element, text: str | None = None) -> etree._Element:
    element = etree.Element(f"{{{WX}}}{name}", nsmap={"wx": WX})
    element.text = text
    element.extend(children)
    return element


def post(url: str, payload: etree._Element, envelope_ns: str = ENV) -> tuple[int, etree._Element]:
    """POST one SOAP envelope around payload; the HTTP status and the answer's Body child."""
    envelope = etree.Element(f"{{{envelope_ns}}}Envelope", nsmap={"soap": envelope_ns})
    etree.SubElement(envelope, f"{{{envelope_ns}}}Header").extend(addressing(payload))
    etree.SubElement(envelope, f"{{{envelope_ns}}}Body").append(payload)
    headers = {"Content-Type": 'application/soap+xml; charset=utf-8; action="urn:test"'}
    answer = requests.post(url, data=etree.tostring(envelope), headers=headers, timeout=5)
    body = parse_bytes(answer.content).find(f"{{{ENV}}}Body")
    assert body is not None
    return answer.status_code, body[0]


def addressing(payload: etree._Element, action: str | None = None) -> list[etree._Element]:
    """The wsa:Action (the payload's operation's, unless given) and wsa:MessageID the feed requires."""
    action = action or f"{ACTIONS}{etree.QName(payload).localname}"
    blocks = [etree.Element(f"{{{WSA}}}Action"), etree.Element(f"{{{WSA}}}MessageID")]
    blocks[0].text, blocks[1].text = action, f"urn:uuid:{uuid.uuid4()}"
    return blocks


def transform(stylesheet: str, document: etree._Element) -> etree._Element:
    result = etree.XSLT(etree.parse(str(XSLT / stylesheet)))(document)
    root = result.getroot()
    assert root is not None
    return root


def twin_celsius(tenths_f: float) -> str:
    """The Python twin of the stylesheets' conversion, double for double."""
    value = math.floor(((tenths_f / 10) - 32) * 5 / 9 * 10 + 0.5) / 10
    return f"{value + 0.0:.1f}"


def twin_kph(knots: int) -> str:
    return f"{math.floor(knots * 1.852 * 10 + 0.5) / 10:.1f}"


def legacy_answer_for(sample: str, clock: dt.datetime) -> etree._Element:
    """What a fresh emulator answers to the canonical request sample matching a response sample."""
    operation, case = sample.split(".response")
    request = etree.parse(str(SAMPLES / f"{operation}.request{case}")).getroot()
    emulator = make_emulator(ROOT / "wsdl", ManualClock(clock), 0)
    return _call(emulator, transform(f"{operation}.request.xsl", request))


def fault_detail(answer: etree._Element) -> etree._Element:
    assert answer.tag == f"{{{ENV}}}Fault"
    detail = answer.find("env:Detail", NS)
    assert detail is not None and len(detail) == 1
    return detail[0]


# -- the WSDL ---------------------------------------------------------------------------------


def test_wsdl_loads_in_zeep_with_its_imported_schema(legacy_schema: etree.XMLSchema) -> None:
    client = zeep.Client(str(WSDL), settings=ZEEP_SETTINGS)
    operations = client.wsdl.bindings[BINDING]._operations
    assert set(operations) == {"GetCurrentObservation", "GetDailyForecast", "ListStations"}
    assert all(op.soapaction.startswith("http://aerowx.example.net/") for op in operations.values())
    assert client.get_element(f"{{{WX}}}UnknownStationFault") is not None
    embedded = parse_file(WSDL).find("wsdl:types/xs:schema", {"wsdl": WSDL11, "xs": XSD})
    assert embedded is not None
    etree.XMLSchema(embedded)  # its import of WxFeedTypes.xsd resolves beside the WSDL


def test_served_wsdl_has_the_rewritten_address_and_its_schema_is_served(shared: RunningEmulator) -> None:
    answer = requests.get(f"{shared.url}?wsdl", timeout=5)
    address = parse_bytes(answer.content).find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address")
    assert address is not None and address.get("location") == shared.url
    base = shared.url.rsplit("/", 1)[0]
    assert requests.get(f"{base}/WxFeedTypes.xsd", timeout=5).status_code == 200
    # forbid_external refuses any import fetched over HTTP, this loopback one included; the
    # gateway loads the local file instead, so only this check of the served pair relaxes it.
    loopback = zeep.Settings(forbid_external=False, forbid_entities=True, forbid_dtd=True)
    served = zeep.Client(f"{shared.url}?wsdl", settings=loopback)
    assert served.service.ListStations()[0].StationICAO == "EGLL"


# -- operations over zeep ---------------------------------------------------------------------


def test_current_observation_reports_the_seeded_weather(feed: zeep.proxy.ServiceProxy) -> None:
    observation = feed.GetCurrentObservation(StationICAO="EGLL")
    assert observation.ObsTime == "20261121T0950Z"
    assert (observation.TempF10, observation.RelHumPct, observation.WxCode) == (398, 90, "OVC")
    assert (observation.WindSpeedKt, observation.WindDirDeg, observation.WindGustKt) == (0, 0, None)
    assert observation.ReportNo == 1


def test_a_gusty_freezing_morning_in_toronto(feed: zeep.proxy.ServiceProxy, clock: ManualClock) -> None:
    clock.now = JANUARY
    observation = feed.GetCurrentObservation(StationICAO="CYYZ")
    assert (observation.ObsTime, observation.TempF10, observation.WxCode) == ("20260115T1150Z", 90, "-SN")
    assert (observation.WindSpeedKt, observation.WindGustKt, observation.WindDirDeg) == (17, 28, 290)


def test_the_latest_observation_is_the_one_at_minute_50(feed: zeep.proxy.ServiceProxy, clock: ManualClock) -> None:
    clock.now = dt.datetime(2026, 11, 21, 0, 49, 59, tzinfo=dt.UTC)
    assert feed.GetCurrentObservation(StationICAO="KJFK").ObsTime == "20261120T2350Z"
    clock.now = dt.datetime(2026, 11, 21, 0, 50, tzinfo=dt.UTC)
    assert feed.GetCurrentObservation(StationICAO="KJFK").ObsTime == "20261121T0050Z"


def test_observations_are_numbered_once_when_first_issued(feed: zeep.proxy.ServiceProxy, clock: ManualClock) -> None:
    first = feed.GetCurrentObservation(StationICAO="EGLL")
    assert feed.GetCurrentObservation(StationICAO="EGLL") == first
    assert feed.GetCurrentObservation(StationICAO="LFPG").ReportNo == 2
    clock.now += dt.timedelta(hours=1)
    later = feed.GetCurrentObservation(StationICAO="EGLL")
    assert (later.ObsTime, later.ReportNo) == ("20261121T1050Z", 3)
    assert later.TempF10 != first.TempF10


def test_forecast_covers_the_days_after_today(feed: zeep.proxy.ServiceProxy) -> None:
    answer = feed.GetDailyForecast(StationICAO="EGLL", NumDays=3)
    assert (answer.IsError, answer.ErrorCode, answer.ErrorMessage) == (False, None, None)
    forecast = answer.Forecast
    assert (forecast.StationICAO, forecast.IssuedAt) == ("EGLL", "20261121T0600Z")
    days = [(d.ValidDate, d.MinTempF10, d.MaxTempF10, d.WxCode) for d in forecast.Day]
    assert [d[0] for d in days] == ["20261122", "20261123", "20261124"]
    assert all(low < high for _, low, high, _ in days)
    assert days == sorted(days)  # in date order
    assert len(feed.GetDailyForecast(StationICAO="EGLL", NumDays=10).Forecast.Day) == 10


def test_forecast_days_are_stable_across_issues_and_start_after_midnight_utc(
    feed: zeep.proxy.ServiceProxy, clock: ManualClock
) -> None:
    clock.now = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    later = feed.GetDailyForecast(StationICAO="YSSY", NumDays=2).Forecast.Day
    clock.now = dt.datetime(2026, 12, 30, 0, 0, tzinfo=dt.UTC)
    earlier = feed.GetDailyForecast(StationICAO="YSSY", NumDays=4).Forecast.Day
    assert later[0].ValidDate == "20270101"
    assert earlier[1:3] == later


def test_list_stations(feed: zeep.proxy.ServiceProxy) -> None:
    stations = {s.StationICAO: (s.Name, s.CountryCode) for s in feed.ListStations()}
    assert {"EGLL", "KJFK", "LFPG", "RJTT", "EDDF", "KSFO", "YSSY"} <= set(stations)
    assert stations["EGLL"] == ("London Heathrow", "GB")


# -- faults -----------------------------------------------------------------------------------


def test_unknown_station_is_a_sender_fault_over_zeep(feed: zeep.proxy.ServiceProxy) -> None:
    with pytest.raises(zeep.exceptions.Fault) as raised:
        feed.GetCurrentObservation(StationICAO="ZZZZ")
    assert raised.value.code == "soapenv:Sender"
    assert raised.value.detail.find("wx:UnknownStationFault/wx:StationICAO", NS).text == "ZZZZ"


def test_a_forecast_for_an_unknown_station_is_an_ordinary_answer_saying_so(feed: zeep.proxy.ServiceProxy) -> None:
    answer = feed.GetDailyForecast(StationICAO="ZZZZ", NumDays=2)
    assert (answer.IsError, answer.ErrorCode, answer.Forecast) == (True, "STATION_UNKNOWN", None)
    assert answer.ErrorMessage == "Station ZZZZ is not covered by this subscription"


def test_adapter_answer_rules_make_the_in_band_error_not_found(
    shared: RunningEmulator, legacy_schema: etree.XMLSchema
) -> None:
    adapter = tomllib.loads((ROOT / "adapters" / "weather.toml").read_text())
    status, answer = post(shared.url, wx("GetDailyForecast", wx("StationICAO", text="ZZZZ"), wx("NumDays", text="2")))
    assert status == 200
    legacy_schema.assertValid(answer)
    namespaces = adapter["namespaces"]
    matched = [r for r in adapter["answers"] if answer.xpath(f"boolean({r['when']})", namespaces=namespaces)]
    assert matched[0]["code"] == "NotFound"
    assert answer.xpath(f"string({matched[0]['message_from']})", namespaces=namespaces).startswith("Station ZZZZ")
    good = post(shared.url, wx("GetDailyForecast", wx("StationICAO", text="EGLL"), wx("NumDays", text="2")))[1]
    assert not [r for r in adapter["answers"] if good.xpath(f"boolean({r['when']})", namespaces=namespaces)]


@pytest.mark.parametrize("given", [None, "", "not-the-licence"], ids=["missing", "empty", "wrong"])
def test_a_licensed_feed_refuses_any_other_key_without_repeating_it(given: str | None) -> None:
    with start(make_emulator(ROOT / "wsdl", ManualClock(NOW), 0, "the-licence"), "127.0.0.1", 0) as feed:
        key = [] if given is None else [wx("LicenceKey", text=given)]
        status, answer = post(feed.url, wx("GetCurrentObservation", *key, wx("StationICAO", text="EGLL")))
        assert status == 400  # a Sender fault
        assert fault_detail(answer).findtext("wx:Parameter", namespaces=NS) == "LicenceKey"
        assert given is None or given == "" or given not in etree.tostring(answer, encoding="unicode")
        licensed = wx("GetCurrentObservation", wx("LicenceKey", text="the-licence"), wx("StationICAO", text="EGLL"))
        assert post(feed.url, licensed)[0] == 200


def test_build_reads_the_licence_from_the_environment() -> None:
    emulator = build(
        ROOT / "wsdl", {"SOAPBRIDGE_WEATHER_NOW": "2026-11-21T09:55:00Z", "SOAPBRIDGE_WEATHER_LICENCE": "k"}
    )
    with start(emulator, "127.0.0.1", 0) as feed:
        assert post(feed.url, wx("ListStations"))[0] == 400
        assert post(feed.url, wx("ListStations", wx("LicenceKey", text="k")))[0] == 200


@pytest.mark.parametrize(
    ("blocks", "refusal"),
    [
        ([], "not present: Action"),
        (["Action"], "not present: MessageID"),
        (["Action", "MessageID", "wrong"], "cannot be processed at the receiver"),
    ],
    ids=["none", "no-message-id", "another-action"],
)
def test_requests_without_ws_addressing_are_refused_like_wcf(
    shared: RunningEmulator, blocks: list[str], refusal: str
) -> None:
    payload = wx("ListStations")
    action, message_id = addressing(payload, f"{ACTIONS}GetDailyForecast" if "wrong" in blocks else None)
    envelope = etree.Element(f"{{{ENV}}}Envelope", nsmap={"soap": ENV})
    header = etree.SubElement(envelope, f"{{{ENV}}}Header")
    header.extend([block for block in (action, message_id) if etree.QName(block).localname in blocks])
    etree.SubElement(envelope, f"{{{ENV}}}Body").append(payload)
    content_type = "application/soap+xml; charset=utf-8"
    answer = requests.post(shared.url, data=etree.tostring(envelope), headers={"Content-Type": content_type}, timeout=5)
    fault = parse_bytes(answer.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert answer.status_code == 400 and fault is not None
    assert fault.findtext("env:Code/env:Value", namespaces=NS) == "soapenv:Sender"
    assert refusal in (fault.findtext("env:Reason/env:Text", namespaces=NS) or "")


@pytest.mark.parametrize(
    ("payload", "detail_name", "field"),
    [
        (wx("GetCurrentObservation", wx("StationICAO", text="egll")), "UnknownStationFault", "egll"),
        (wx("GetCurrentObservation"), "InvalidRequestFault", "StationICAO"),
        (
            wx("GetDailyForecast", wx("StationICAO", text="EGLL"), wx("NumDays", text="0")),
            "InvalidRequestFault",
            "NumDays",
        ),
        (
            wx("GetDailyForecast", wx("StationICAO", text="EGLL"), wx("NumDays", text="11")),
            "InvalidRequestFault",
            "NumDays",
        ),
        (
            wx("GetDailyForecast", wx("StationICAO", text="EGLL"), wx("NumDays", text="two")),
            "InvalidRequestFault",
            "NumDays",
        ),
    ],
    ids=["unknown-station", "no-station", "zero-days", "eleven-days", "days-not-a-number"],
)
def test_declared_faults_over_raw_http(
    shared: RunningEmulator,
    legacy_schema: etree.XMLSchema,
    payload: etree._Element,
    detail_name: str,
    field: str,
) -> None:
    status, answer = post(shared.url, payload)
    assert status == 400
    assert answer.findtext("env:Code/env:Value", namespaces=NS) == "soapenv:Sender"
    detail = fault_detail(answer)
    assert detail.tag == f"{{{WX}}}{detail_name}"
    assert field in (
        detail.findtext("wx:StationICAO", namespaces=NS),
        detail.findtext("wx:Parameter", namespaces=NS),
    )
    legacy_schema.assertValid(detail)


def test_a_soap11_envelope_is_a_version_mismatch(shared: RunningEmulator) -> None:
    payload = wx("GetCurrentObservation", wx("StationICAO", text="EGLL"))
    status, answer = post(shared.url, payload, "http://schemas.xmlsoap.org/soap/envelope/")
    assert status == 500
    assert answer.findtext("env:Code/env:Value", namespaces=NS) == "soapenv:VersionMismatch"


def test_adapter_fault_rules_map_each_declared_fault(shared: RunningEmulator) -> None:
    adapter = tomllib.loads((ROOT / "adapters" / "weather.toml").read_text())
    cases = {
        "NotFound": wx("GetCurrentObservation", wx("StationICAO", text="XXXX")),
        "InvalidRequest": wx("GetDailyForecast", wx("StationICAO", text="EGLL"), wx("NumDays", text="99")),
    }
    for expected, payload in cases.items():
        fault = post(shared.url, payload)[1]
        matched = [
            r["code"]
            for r in adapter["faults"]
            if fault.xpath(f"boolean({r['when']})", namespaces=adapter["namespaces"])
        ]
        assert matched[:1] == [expected]


# -- state, determinism, settings -------------------------------------------------------------


def test_concurrent_requests_share_one_register(running: RunningEmulator) -> None:
    numbers: dict[str, set[str]] = {icao: set() for icao in STATIONS}

    def ask(icao: str) -> None:
        answer = post(running.url, wx("GetCurrentObservation", wx("StationICAO", text=icao)))[1]
        numbers[icao].add(answer.findtext("wx:Observation/wx:ReportNo", namespaces=NS) or "")

    threads = [threading.Thread(target=ask, args=(icao,)) for _ in range(4) for icao in STATIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(seen) == 1 for seen in numbers.values())
    assert sorted(int(next(iter(seen))) for seen in numbers.values()) == list(range(1, len(STATIONS) + 1))


def test_build_reads_the_clock_and_seed_from_the_environment() -> None:
    payload = wx("GetDailyForecast", wx("StationICAO", text="RJTT"), wx("NumDays", text="5"))

    def answer(env: dict[str, str]) -> bytes:
        return bytes(etree.tostring(_call(build_system("weather", ROOT / "wsdl", env), payload)))

    pinned = {"SOAPBRIDGE_WEATHER_NOW": "2026-11-21T09:55:00Z"}
    assert answer(pinned) == answer(pinned)
    assert b"20261122" in answer(pinned)
    assert answer(pinned) != answer({**pinned, "SOAPBRIDGE_WEATHER_SEED": "7"})


@pytest.mark.parametrize("env", [{"SOAPBRIDGE_WEATHER_NOW": "yesterday"}, {"SOAPBRIDGE_WEATHER_SEED": "x"}])
def test_build_refuses_bad_settings(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=next(iter(env))):
        build(ROOT / "wsdl", env)


# -- stylesheets against the live emulator and the Python twin --------------------------------


@pytest.mark.parametrize("icao", sorted(STATIONS))
def test_live_answers_map_to_valid_canonical_documents(
    shared: RunningEmulator, canonical_schema: etree.XMLSchema, legacy_schema: etree.XMLSchema, icao: str
) -> None:
    for operation, request in (
        (
            "GetCurrentWeather",
            f"<GetCurrentWeather xmlns='{CN}'><stationId>{icao}</stationId></GetCurrentWeather>",
        ),
        (
            "GetForecast",
            f"<GetForecast xmlns='{CN}'><stationId>{icao}</stationId><days>10</days></GetForecast>",
        ),
    ):
        canonical_request = etree.fromstring(request)
        canonical_schema.assertValid(canonical_request)
        status, answer = post(shared.url, transform(f"{operation}.request.xsl", canonical_request))
        assert status == 200
        legacy_schema.assertValid(answer)
        result = transform(f"{operation}.response.xsl", answer)
        canonical_schema.assertValid(result)
        assert result.findtext(".//cn:stationId", namespaces=NS) == icao


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_conversions_match_the_python_twin_for_every_station(seed: int) -> None:
    seen_negative = False
    for hours in (0, 6, 12, 18, 24 * 180, 24 * 180 + 12):
        emulator = make_emulator(ROOT / "wsdl", ManualClock(JANUARY + dt.timedelta(hours=hours)), seed)
        for icao in STATIONS:
            seen_negative |= _check_observation(emulator, icao)
            _check_forecast(emulator, icao)
    assert seen_negative, "the sweep must include temperatures below freezing"


def _call(emulator: Emulator, payload: etree._Element) -> etree._Element:
    envelope = etree.Element(f"{{{ENV}}}Envelope")
    etree.SubElement(envelope, f"{{{ENV}}}Header").extend(addressing(payload))
    etree.SubElement(envelope, f"{{{ENV}}}Body").append(copy.deepcopy(payload))
    status, data = emulator.handle(etree.tostring(envelope), {})
    assert status == "200 OK"
    return parse_bytes(data)[0][0]


def _check_observation(emulator: Emulator, icao: str) -> bool:
    answer = _call(emulator, wx("GetCurrentObservation", wx("StationICAO", text=icao)))
    result = transform("GetCurrentWeather.response.xsl", answer)
    tenths = int(answer.findtext("wx:Observation/wx:TempF10", namespaces=NS) or "")
    knots = int(answer.findtext("wx:Observation/wx:WindSpeedKt", namespaces=NS) or "")
    assert result.findtext("cn:observation/cn:temperatureC", namespaces=NS) == twin_celsius(tenths)
    assert result.findtext("cn:observation/cn:windKph", namespaces=NS) == twin_kph(knots)
    return tenths < 320


def _check_forecast(emulator: Emulator, icao: str) -> None:
    answer = _call(emulator, wx("GetDailyForecast", wx("StationICAO", text=icao), wx("NumDays", text="10")))
    result = transform("GetForecast.response.xsl", answer)
    legacy = answer.findall("wx:Forecast/wx:Day", NS)
    canonical = result.findall("cn:forecast/cn:day", NS)
    assert len(legacy) == len(canonical) == 10
    for day, out in zip(legacy, canonical, strict=True):
        assert out.findtext("cn:minC", namespaces=NS) == twin_celsius(
            int(day.findtext("wx:MinTempF10", namespaces=NS) or "")
        )
        assert out.findtext("cn:maxC", namespaces=NS) == twin_celsius(
            int(day.findtext("wx:MaxTempF10", namespaces=NS) or "")
        )


def observation(tenths_f: str, knots: int = 0, code: str = "OVC") -> etree._Element:
    fields = [
        ("StationICAO", "EGLL"),
        ("ObsTime", "20261121T0950Z"),
        ("ReportNo", "1"),
        ("TempF10", tenths_f),
        ("RelHumPct", "80"),
        ("WindDirDeg", "240"),
        ("WindSpeedKt", str(knots)),
        ("AltimeterInHg100", "2992"),
        ("WxCode", code),
    ]
    return wx("GetCurrentObservationResponse", wx("Observation", *(wx(n, text=v) for n, v in fields)))


def day(low: str, high: str, code: str = "OVC") -> etree._Element:
    fields = [("ValidDate", "20261122"), ("MinTempF10", low), ("MaxTempF10", high), ("WxCode", code)]
    return wx("Day", *(wx(n, text=v) for n, v in fields), wx("PrecipProbPct", text="0"))


def forecast(*days: etree._Element) -> etree._Element:
    header = (wx("StationICAO", text="EGLL"), wx("IssuedAt", text="20261121T0600Z"))
    return wx("GetDailyForecastResponse", wx("IsError", text="false"), wx("Forecast", *header, *days))


def test_celsius_matches_the_twin_over_the_whole_legacy_range() -> None:
    stylesheet = etree.XSLT(etree.parse(str(XSLT / "GetForecast.response.xsl")))
    for first in range(-1200, 1501, 10):
        temperatures = range(first, min(first + 10, 1501))
        document = forecast(*(day(str(t), str(t)) for t in temperatures))
        printed = stylesheet(document).getroot().xpath("//cn:minC/text()", namespaces=NS)
        assert printed == [twin_celsius(t) for t in temperatures]


def test_kph_matches_the_twin_for_every_legacy_wind_speed() -> None:
    stylesheet = etree.XSLT(etree.parse(str(XSLT / "GetCurrentWeather.response.xsl")))
    for knots in range(251):
        printed = stylesheet(observation("500", knots)).getroot().findtext(".//cn:windKph", namespaces=NS)
        assert printed == twin_kph(knots)


@pytest.mark.parametrize("tenths_f", ["320", "319.1", "319.5", "319.9", "320.4"])
def test_negative_zero_is_never_printed(tenths_f: str) -> None:
    result = transform("GetCurrentWeather.response.xsl", observation(tenths_f))
    assert result.findtext(".//cn:temperatureC", namespaces=NS) == "0.0" == twin_celsius(float(tenths_f))


CONDITIONS = {
    "SKC": "clear",
    "CLR": "clear",
    "CAVOK": "clear",
    "FEW": "partly-cloudy",
    "SCT": "partly-cloudy",
    "BKN": "cloudy",
    "OVC": "cloudy",
    "BR": "fog",
    "FG": "fog",
    "-DZ": "drizzle",
    "DZ": "drizzle",
    "-RA": "rain",
    "RA": "rain",
    "+RA": "rain",
    "SHRA": "rain",
    "-SN": "snow",
    "SN": "snow",
    "+SN": "snow",
    "TS": "thunderstorm",
    "TSRA": "thunderstorm",
}


def test_every_legacy_weather_code_maps_to_a_canonical_condition() -> None:
    declared = etree.parse(str(WSDL.parent / "WxFeedTypes.xsd")).xpath(
        "//xs:simpleType[@name='WxCodeType']//xs:enumeration/@value",
        namespaces={"xs": "http://www.w3.org/2001/XMLSchema"},
    )
    assert sorted(declared) == sorted(CONDITIONS)
    for code, condition in CONDITIONS.items():
        for stylesheet in ("GetCurrentWeather.response.xsl", "GetForecast.response.xsl"):
            document = observation("500", 5, code) if "Current" in stylesheet else forecast(day("400", "500", code))
            assert transform(stylesheet, document).findtext(".//cn:condition", namespaces=NS) == condition


# -- golden samples ---------------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLE_CLOCKS))
def test_legacy_samples_are_what_the_emulator_answers(sample: str, legacy_schema: etree.XMLSchema) -> None:
    recorded = etree.parse(str(SAMPLES / sample)).getroot()
    legacy_schema.assertValid(recorded)
    assert_xml_equal(legacy_answer_for(sample, SAMPLE_CLOCKS[sample]), recorded, sample)


def test_every_legacy_response_sample_has_a_recorded_clock() -> None:
    assert {p.name for p in SAMPLES.glob("*.response*.in.xml")} == set(SAMPLE_CLOCKS)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.xml")))
def test_samples_are_valid_in_their_own_model(
    sample: str, canonical_schema: etree.XMLSchema, legacy_schema: etree.XMLSchema
) -> None:
    root = etree.parse(str(SAMPLES / sample)).getroot()
    canonical = (".request" in sample) == sample.endswith(".in.xml")
    (canonical_schema if canonical else legacy_schema).assertValid(root)
    if canonical:
        assert {etree.QName(e).namespace for e in root.iter()} == {CN}
