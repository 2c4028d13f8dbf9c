"""The weather system: the AeroWx Data Feed, SOAP 1.2 document/literal (wsdl/weather/WxFeed.wsdl).

It answers in the feed's own units (tenths of degrees Fahrenheit, knots, yyyyMMddTHHmmZ).
Values come from weather_data's deterministic climate; the only state is the feed's
register of issued observations, which numbers each one the first time it is asked for.

Like the WCF service it imitates, it requires WS-Addressing: a request without wsa:Action and
wsa:MessageID, or with another operation's Action, is refused with a Sender fault. It reads the
subscriber's licence key from the body (LicenceKey) and refuses a wrong one with an InvalidRequestFault
that never repeats the key. Like many such services, GetDailyForecast reports an unknown station inside
an ordinary answer (IsError, ErrorCode, ErrorMessage); GetCurrentObservation answers a SOAP fault.

Settings (the env mapping given to build, normally os.environ):
    SOAPBRIDGE_WEATHER_NOW   pin the feed's clock to a UTC instant, e.g. 2026-11-21T09:55:00Z
    SOAPBRIDGE_WEATHER_SEED  an integer that varies the weather (default 0)
    SOAPBRIDGE_WEATHER_LICENCE  the one licence key accepted; unset, the feed is open and checks none
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from lxml import etree

from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from .weather_data import STATIONS, DayOutlook, Reading, Station, day_outlook, observe

NS = "http://aerowx.example.net/WxFeed/2005/03/types"
#: Each operation's wsa:Action is this and its name: the feed, a WCF service, requires WS-Addressing.
ACTIONS = "http://aerowx.example.net/WxFeed/2005/03/"
WSDL = Path("weather") / "WxFeed.wsdl"
MAX_DAYS = 10
LICENCE_ENV = "SOAPBRIDGE_WEATHER_LICENCE"
#: The ErrorCode of a GetDailyForecast answer for a station outside the subscription.
STATION_UNKNOWN = "STATION_UNKNOWN"

Clock = Callable[[], dt.datetime]


def build(wsdl_root: Path, env: Mapping[str, str]) -> Emulator:
    """The feed, with its clock, seed and licence key taken from the environment."""
    return make_emulator(wsdl_root, clock_from_env(env), seed_from_env(env), env.get(LICENCE_ENV) or None)


def make_emulator(wsdl_root: Path, clock: Clock, seed: int = 0, licence: str | None = None) -> Emulator:
    """The feed on an explicit clock (returning aware datetimes) and seed; licence None checks no key."""
    feed = Feed(clock, seed, licence)
    handlers: dict[str, Handler] = {
        _q("GetCurrentObservation"): feed.current_observation,
        _q("GetDailyForecast"): feed.daily_forecast,
        _q("ListStations"): feed.list_stations,
    }
    actions = {tag: f"{ACTIONS}{etree.QName(tag).localname}" for tag in handlers}
    return Emulator("weather", wsdl_root / WSDL, "1.2", handlers, actions)


def clock_from_env(env: Mapping[str, str]) -> Clock:
    pinned = env.get("SOAPBRIDGE_WEATHER_NOW")
    if not pinned:
        return lambda: dt.datetime.now(dt.UTC)
    try:
        instant = dt.datetime.strptime(pinned, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        example = "2026-11-21T09:55:00Z"
        raise ValueError(f"SOAPBRIDGE_WEATHER_NOW={pinned!r} is not a UTC time like {example}") from exc
    return lambda: instant


def seed_from_env(env: Mapping[str, str]) -> int:
    text = env.get("SOAPBRIDGE_WEATHER_SEED", "0")
    try:
        return int(text)
    except ValueError as exc:
        raise ValueError(f"SOAPBRIDGE_WEATHER_SEED={text!r} is not an integer") from exc


def observation_time(now: dt.datetime) -> dt.datetime:
    """The latest routine observation at or before now: stations report at minute 50."""
    latest = now.astimezone(dt.UTC).replace(minute=50, second=0, microsecond=0)
    return latest if latest <= now else latest - dt.timedelta(hours=1)


def issue_time(now: dt.datetime) -> dt.datetime:
    """Forecasts are issued every six hours, at 00, 06, 12 and 18 UTC."""
    utc = now.astimezone(dt.UTC)
    return utc.replace(hour=utc.hour - utc.hour % 6, minute=0, second=0, microsecond=0)


def wx_time(instant: dt.datetime) -> str:
    return instant.strftime("%Y%m%dT%H%MZ")


class Feed:
    """The feed's operations, over one clock, one seed and one register of issued observations."""

    def __init__(self, clock: Clock, seed: int, licence: str | None = None) -> None:
        self._clock = clock
        self._seed = seed
        self._licence = licence
        self._lock = threading.Lock()
        self._report_numbers: dict[tuple[str, dt.datetime], int] = {}

    def current_observation(self, request: SoapRequest) -> etree._Element:
        self._check_licence(request.body)
        station = _station(request.body)
        at = observation_time(self._now())
        response = etree.Element(_q("GetCurrentObservationResponse"), nsmap={None: NS})
        observation = etree.SubElement(response, _q("Observation"))
        _add(observation, "StationICAO", station.icao)
        _add(observation, "ObsTime", wx_time(at))
        _add(observation, "ReportNo", self._report_number(station.icao, at))
        _add_reading(observation, observe(station, at, self._seed))
        return response

    def daily_forecast(self, request: SoapRequest) -> etree._Element:
        self._check_licence(request.body)
        code = _station_code(request.body)
        if code not in STATIONS:
            return _unknown_station_answer(code)
        station = STATIONS[code]
        days = _num_days(request.body)
        now = self._now()
        response = etree.Element(_q("GetDailyForecastResponse"), nsmap={None: NS})
        _add(response, "IsError", "false")
        forecast = etree.SubElement(response, _q("Forecast"))
        _add(forecast, "StationICAO", station.icao)
        _add(forecast, "IssuedAt", wx_time(issue_time(now)))
        tomorrow = now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
        for offset in range(days):
            _add_day(forecast, day_outlook(station, tomorrow + dt.timedelta(days=offset), self._seed))
        return response

    def list_stations(self, request: SoapRequest) -> etree._Element:
        self._check_licence(request.body)
        response = etree.Element(_q("ListStationsResponse"), nsmap={None: NS})
        for station in STATIONS.values():
            entry = etree.SubElement(response, _q("Station"))
            _add(entry, "StationICAO", station.icao)
            _add(entry, "Name", station.name)
            _add(entry, "CountryCode", station.country)
            _add(entry, "UtcOffsetMin", station.utc_offset_min)
        return response

    def _check_licence(self, body: etree._Element) -> None:
        given = body.findtext(_q("LicenceKey")) or ""
        if self._licence is not None and not hmac.compare_digest(given.encode(), self._licence.encode()):
            raise _invalid("LicenceKey", "The licence key is missing or not valid for this subscription")

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the weather feed's clock must return aware datetimes")
        return now

    def _report_number(self, icao: str, at: dt.datetime) -> int:
        """An observation keeps the number it was first issued with; new ones take the next."""
        with self._lock:
            return self._report_numbers.setdefault((icao, at), len(self._report_numbers) + 1)


def _station_code(body: etree._Element) -> str:
    code = (body.findtext(_q("StationICAO")) or "").strip()
    if not code:
        raise _invalid("StationICAO", "StationICAO is required")
    return code


def _station(body: etree._Element) -> Station:
    code = _station_code(body)
    station = STATIONS.get(code)
    if station is None:
        raise LegacyFault("client", f"Station {code} is not in the feed", _unknown_station(code))
    return station


def _num_days(body: etree._Element) -> int:
    text = (body.findtext(_q("NumDays")) or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise _invalid("NumDays", f"NumDays must be a whole number from 1 to {MAX_DAYS}, got {text!r}")
    return int(text)


def _unknown_station(code: str) -> etree._Element:
    detail = etree.Element(_q("UnknownStationFault"), nsmap={None: NS})
    _add(detail, "StationICAO", code)
    _add(detail, "Message", "The station is not covered by this subscription")
    return detail


def _unknown_station_answer(code: str) -> etree._Element:
    """GetDailyForecast's in-band error: an ordinary answer saying that the station is not in the feed."""
    response = etree.Element(_q("GetDailyForecastResponse"), nsmap={None: NS})
    _add(response, "IsError", "true")
    _add(response, "ErrorCode", STATION_UNKNOWN)
    _add(response, "ErrorMessage", f"Station {code[:50]} is not covered by this subscription")
    return response


def _invalid(parameter: str, message: str) -> LegacyFault:
    detail = etree.Element(_q("InvalidRequestFault"), nsmap={None: NS})
    _add(detail, "Parameter", parameter)
    _add(detail, "Message", message)
    return LegacyFault("client", message, detail)


def _add_reading(parent: etree._Element, reading: Reading) -> None:
    _add(parent, "TempF10", reading.temp_f10)
    _add(parent, "RelHumPct", reading.humidity_pct)
    _add(parent, "WindDirDeg", reading.wind_dir)
    _add(parent, "WindSpeedKt", reading.wind_kt)
    if reading.gust_kt is not None:
        _add(parent, "WindGustKt", reading.gust_kt)
    _add(parent, "AltimeterInHg100", reading.altimeter)
    _add(parent, "WxCode", reading.code)


def _add_day(parent: etree._Element, day: DayOutlook) -> None:
    entry = etree.SubElement(parent, _q("Day"))
    _add(entry, "ValidDate", day.date.strftime("%Y%m%d"))
    _add(entry, "MinTempF10", day.min_f10)
    _add(entry, "MaxTempF10", day.max_f10)
    _add(entry, "WxCode", day.code)
    _add(entry, "PrecipProbPct", day.precip_pct)


def _add(parent: etree._Element, name: str, value: object) -> None:
    etree.SubElement(parent, _q(name)).text = str(value)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"
