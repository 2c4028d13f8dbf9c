"""The weather feed's stations and the deterministic climate every value is derived from.

Nothing here is random: a value is a function of the station, the seed and either the UTC
hour of the observation or the forecast date, hashed with SHA-256, and scaled to the
station's monthly climate normals (whole degrees Fahrenheit, as US-built feeds kept them).
All arithmetic is on integers, so every platform derives the same numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Station:
    """A station of the feed and its climate."""

    icao: str
    name: str
    country: str
    utc_offset_min: int
    #: Monthly normal daily lows and highs, January first, in whole degrees Fahrenheit.
    lows_f: tuple[int, ...]
    highs_f: tuple[int, ...]
    humidity_pct: int
    wind_kt: int
    wind_dir: int
    #: How the station reports a clear sky: CLR (North American automated), CAVOK or SKC.
    clear_code: str
    #: Relative weights of the kinds of weather in KINDS order.
    weights: tuple[int, ...]


@dataclass(frozen=True)
class DayOutlook:
    """One forecast day: its extremes in tenths of degrees Fahrenheit, its weather code."""

    date: dt.date
    min_f10: int
    max_f10: int
    code: str
    precip_pct: int


@dataclass(frozen=True)
class Reading:
    """One routine observation, as the feed reports it."""

    temp_f10: int
    humidity_pct: int
    wind_dir: int
    wind_kt: int
    gust_kt: int | None
    altimeter: int
    code: str


KINDS = ("clear", "few", "scattered", "broken", "overcast", "mist", "fog", "drizzle", "rain", "thunder")
_EUROPE = (8, 14, 16, 20, 16, 4, 2, 7, 11, 2)
_NORTH_AMERICA = (20, 15, 14, 14, 12, 3, 2, 3, 12, 5)
STATIONS: dict[str, Station] = {
    s.icao: s
    for s in (
        Station(
            "EGLL",
            "London Heathrow",
            "GB",
            0,
            (37, 37, 39, 42, 47, 53, 57, 56, 52, 47, 41, 38),
            (47, 48, 53, 58, 64, 70, 75, 74, 68, 60, 52, 48),
            78,
            9,
            240,
            "CAVOK",
            _EUROPE,
        ),
        Station(
            "KJFK",
            "New York John F. Kennedy",
            "US",
            -300,
            (27, 29, 35, 45, 54, 64, 70, 69, 62, 51, 42, 33),
            (39, 42, 50, 61, 71, 80, 85, 84, 77, 66, 55, 44),
            65,
            11,
            290,
            "CLR",
            _NORTH_AMERICA,
        ),
        Station(
            "LFPG",
            "Paris Charles de Gaulle",
            "FR",
            60,
            (34, 34, 38, 42, 48, 53, 57, 57, 52, 46, 40, 35),
            (44, 46, 53, 59, 66, 72, 76, 76, 69, 60, 51, 45),
            77,
            9,
            220,
            "CAVOK",
            _EUROPE,
        ),
        Station(
            "RJTT",
            "Tokyo Haneda",
            "JP",
            540,
            (35, 36, 42, 51, 59, 66, 73, 75, 69, 60, 49, 40),
            (50, 51, 56, 65, 72, 77, 84, 87, 81, 71, 63, 55),
            64,
            11,
            10,
            "SKC",
            (18, 16, 14, 14, 12, 3, 1, 4, 14, 4),
        ),
        Station(
            "EDDF",
            "Frankfurt am Main",
            "DE",
            60,
            (29, 30, 35, 40, 47, 53, 57, 56, 50, 43, 36, 32),
            (39, 43, 51, 60, 68, 74, 78, 77, 69, 59, 47, 41),
            76,
            8,
            230,
            "CAVOK",
            _EUROPE,
        ),
        Station(
            "KSFO",
            "San Francisco International",
            "US",
            -480,
            (43, 45, 47, 48, 51, 54, 55, 56, 56, 53, 48, 43),
            (57, 60, 62, 64, 67, 70, 71, 72, 73, 70, 63, 57),
            73,
            12,
            290,
            "CLR",
            (16, 16, 12, 14, 12, 8, 7, 4, 9, 1),
        ),
        Station(
            "YSSY",
            "Sydney Kingsford Smith",
            "AU",
            600,
            (66, 66, 64, 58, 52, 48, 46, 48, 51, 56, 60, 64),
            (80, 80, 78, 74, 69, 65, 64, 67, 70, 73, 76, 79),
            68,
            12,
            200,
            "CAVOK",
            (26, 18, 14, 12, 8, 2, 1, 3, 12, 4),
        ),
        Station(
            "CYYZ",
            "Toronto Pearson",
            "CA",
            -300,
            (16, 17, 25, 36, 46, 56, 61, 60, 52, 41, 32, 22),
            (30, 32, 40, 54, 66, 76, 80, 79, 71, 58, 46, 35),
            72,
            10,
            270,
            "CLR",
            _NORTH_AMERICA,
        ),
        Station(
            "OMDB",
            "Dubai International",
            "AE",
            240,
            (58, 60, 64, 70, 77, 82, 86, 87, 82, 76, 68, 61),
            (75, 77, 83, 92, 100, 104, 106, 106, 102, 96, 87, 79),
            55,
            9,
            320,
            "CAVOK",
            (45, 20, 10, 5, 2, 8, 2, 0, 2, 1),
        ),
    )
}

#: Share (in percent) of the day's range above its low, by local hour: coolest at dawn, warmest mid-afternoon.
DIURNAL = (25, 20, 15, 10, 5, 2, 0, 5, 15, 30, 45, 60, 75, 87, 96, 100, 97, 90, 78, 65, 52, 42, 35, 30)
_PRECIP_PCT = {
    "clear": 0,
    "few": 5,
    "scattered": 10,
    "broken": 20,
    "overcast": 30,
    "mist": 10,
    "fog": 15,
    "drizzle": 50,
    "rain": 60,
    "thunder": 60,
}
_FREEZING_F10 = 330  # at or below this, precipitation falls as snow


def draw(seed: int, *key: object) -> int:
    """A deterministic, well-mixed non-negative integer for a key."""
    text = "|".join(str(part) for part in (seed, *key))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def spread(value: int, low: int, high: int) -> int:
    """value mapped onto low..high inclusive."""
    return low + value % (high - low + 1)


def day_outlook(station: Station, date: dt.date, seed: int) -> DayOutlook:
    """The station's weather for one UTC day: the same for every request, forecast or observed."""
    normal_low, normal_high = _normals_f10(station, date)
    shift = spread(draw(seed, station.icao, date, "shift"), -60, 60)
    low = normal_low + shift + spread(draw(seed, station.icao, date, "low"), -15, 15)
    high = max(normal_high + shift + spread(draw(seed, station.icao, date, "high"), -15, 15), low + 30)
    kind = _pick_kind(station, draw(seed, station.icao, date, "kind"))
    code = weather_code(station, kind, (low + high) // 2, high, draw(seed, station.icao, date, "code"))
    precip = min(100, _PRECIP_PCT[kind] + spread(draw(seed, station.icao, date, "pop"), 0, 25))
    return DayOutlook(date, low, high, code, precip)


def observe(station: Station, at: dt.datetime, seed: int) -> Reading:
    """The observation a station reports at a given UTC time (minute 50 of an hour)."""
    day = day_outlook(station, at.date(), seed)
    share = DIURNAL[(at.hour + station.utc_offset_min // 60) % 24]
    noise = spread(draw(seed, station.icao, at, "t"), -12, 12)
    temp = day.min_f10 + (day.max_f10 - day.min_f10) * share // 100 + noise
    code = _observed_code(station, day, temp, draw(seed, station.icao, at, "wx"))
    wind, gust = _wind(station, draw(seed, station.icao, at, "wind"))
    direction = 0 if wind == 0 else _direction(station, draw(seed, station.icao, at, "dir"))
    altimeter = 2992 + spread(draw(seed, station.icao, at, "qnh"), -45, 45)
    return Reading(
        temp,
        _humidity(station, share, code, draw(seed, station.icao, at, "rh")),
        direction,
        wind,
        gust,
        altimeter,
        code,
    )


def weather_code(station: Station, kind: str, mean_f10: int, high_f10: int, value: int) -> str:
    """The METAR code a station reports for a kind of weather at a temperature."""
    cold = mean_f10 <= _FREEZING_F10
    if kind == "thunder" and high_f10 >= 600:
        return ("TS", "TSRA", "TSRA")[value % 3]
    if kind in ("rain", "thunder"):
        return ("-SN", "SN", "+SN")[value % 3] if cold else ("-RA", "RA", "+RA", "SHRA")[value % 4]
    if kind == "drizzle":
        return "-SN" if cold else ("-DZ", "DZ")[value % 2]
    simple = {
        "clear": station.clear_code,
        "few": "FEW",
        "scattered": "SCT",
        "broken": "BKN",
        "overcast": "OVC",
        "mist": "BR",
        "fog": "FG",
    }
    return simple[kind]


def _normals_f10(station: Station, date: dt.date) -> tuple[int, int]:
    """The normal low and high for a date, interpolated between mid-month normals."""
    start = dt.date(date.year, date.month, 15) if date.day >= 15 else _mid_month_before(date)
    end = _mid_month_after(start)
    done, span = (date - start).days, (end - start).days
    a, b = start.month - 1, end.month - 1
    low = station.lows_f[a] * 10 + (station.lows_f[b] - station.lows_f[a]) * 10 * done // span
    high = station.highs_f[a] * 10 + (station.highs_f[b] - station.highs_f[a]) * 10 * done // span
    return low, high


def _mid_month_before(date: dt.date) -> dt.date:
    return dt.date(date.year - 1, 12, 15) if date.month == 1 else dt.date(date.year, date.month - 1, 15)


def _mid_month_after(date: dt.date) -> dt.date:
    return dt.date(date.year + 1, 1, 15) if date.month == 12 else dt.date(date.year, date.month + 1, 15)


def _pick_kind(station: Station, value: int) -> str:
    ticket = value % sum(station.weights)
    for kind, weight in zip(KINDS, station.weights, strict=True):
        if ticket < weight:
            return kind
        ticket -= weight
    raise AssertionError("weights exhausted")  # unreachable: ticket < sum(weights)


def _observed_code(station: Station, day: DayOutlook, temp_f10: int, value: int) -> str:
    """Most hours look like the day's weather; the rest are drawn afresh from the climate."""
    if value % 10 < 6:
        return day.code
    kind = _pick_kind(station, value // 10)
    return weather_code(station, kind, temp_f10, day.max_f10, value // 1000)


def _wind(station: Station, value: int) -> tuple[int, int | None]:
    if value % 20 == 0:
        return 0, None
    speed = max(1, station.wind_kt - 6 + spread(value // 20, 0, 14))
    gust = speed + spread(value // 400, 6, 15) if speed >= 15 else None
    return speed, gust


def _direction(station: Station, value: int) -> int:
    degrees = (station.wind_dir + spread(value, -4, 4) * 20) % 360
    return degrees or 360


def _humidity(station: Station, share: int, code: str, value: int) -> int:
    humidity = station.humidity_pct + 15 - 30 * share // 100 + spread(value, -6, 6)
    if any(wet in code for wet in ("BR", "FG", "DZ", "RA", "SN")):
        humidity = max(humidity, 88 + value % 12)
    return max(8, min(100, humidity))
