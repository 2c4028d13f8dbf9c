"""The CRM's customer master: the record shape, its field rules, and the seed it starts with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

#: STATUS flag values: A active, I inactive, B blocked (posting block).
STATUS_FLAGS = ("A", "I", "B")


@dataclass(frozen=True)
class CustomerRecord:
    """One row of the customer master, in the CRM's own field names and formats."""

    KUNNR: str
    NAME1: str
    SMTP_ADDR: str
    TELF1: str
    STRAS: str
    PSTLZ: str
    ORT01: str
    LAND1: str
    ERDAT: str
    STATUS: str
    T_TAGS: tuple[str, ...] = ()


#: The character fields of a record, in wire order: (required, longest, pattern of a valid value).
FIELD_RULES: dict[str, tuple[bool, int, str]] = {
    "KUNNR": (True, 10, r"\d{10}"),
    "NAME1": (True, 35, r".*\S.*"),
    "SMTP_ADDR": (True, 241, r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "TELF1": (False, 30, r"\+?[0-9 ()\-]{3,30}"),
    "STRAS": (True, 60, r".*\S.*"),
    "PSTLZ": (True, 10, r"[A-Za-z0-9][A-Za-z0-9 \-]*"),
    "ORT01": (True, 35, r".*\S.*"),
    "LAND1": (True, 2, r"[A-Z]{2}"),
    "ERDAT": (True, 8, r"\d{8}"),
    "STATUS": (True, 1, "[" + "".join(STATUS_FLAGS) + "]"),
}
CHARACTER_FIELDS = tuple(FIELD_RULES)
#: A tag is an identifier: letters, digits, then also _ . and -.
TAG_RULE = (30, r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
MAX_TAGS = 20


def record_from(values: Mapping[str, str], tags: tuple[str, ...]) -> CustomerRecord:
    """A record from its character fields by name, and its tags."""
    return CustomerRecord(
        KUNNR=values["KUNNR"],
        NAME1=values["NAME1"],
        SMTP_ADDR=values["SMTP_ADDR"],
        TELF1=values["TELF1"],
        STRAS=values["STRAS"],
        PSTLZ=values["PSTLZ"],
        ORT01=values["ORT01"],
        LAND1=values["LAND1"],
        ERDAT=values["ERDAT"],
        STATUS=values["STATUS"],
        T_TAGS=tags,
    )


def field_problem(name: str, value: str) -> str | None:
    """Why value is not acceptable for the field, or None when it is."""
    required, longest, pattern = FIELD_RULES[name]
    if not value:
        return "is required" if required else None
    if len(value) > longest:
        return f"is longer than {longest} characters"
    if not re.fullmatch(pattern, value):
        return "has an invalid format"
    if name == "ERDAT" and not _is_date(value):
        return "is not a calendar date"
    return None


def tag_problem(tag: str) -> str | None:
    longest, pattern = TAG_RULE
    if len(tag) > longest or not re.fullmatch(pattern, tag):
        return "is not a valid tag"
    return None


def _is_date(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


SEED: tuple[CustomerRecord, ...] = (
    CustomerRecord(
        "0000001001",
        "Ada Lovelace",
        "ada.lovelace@example.com",
        "+44 20 7946 0018",
        "12 St James's Square",
        "SW1Y 4JH",
        "London",
        "GB",
        "20150310",
        "A",
        ("vip", "newsletter"),
    ),
    CustomerRecord(
        "0000001002",
        "Grace Hopper",
        "grace.hopper@example.com",
        "+1 703 555 0142",
        "1400 Crystal Drive",
        "22202",
        "Arlington",
        "US",
        "20160922",
        "A",
        ("enterprise",),
    ),
    CustomerRecord(
        "0000001003",
        "Alan Turing",
        "alan.turing@example.com",
        "",
        "78 Sackville Street",
        "M1 3NJ",
        "Manchester",
        "GB",
        "20170623",
        "I",
    ),
    CustomerRecord(
        "0000001004",
        "Charles Babbage",
        "charles.babbage@example.org",
        "+44 20 7946 0321",
        "1 Dorset Street",
        "W1U 4EG",
        "London",
        "GB",
        "20180115",
        "B",
        ("credit-hold",),
    ),
    CustomerRecord(
        "0000001005",
        "Katherine Johnson",
        "katherine.johnson@example.net",
        "+1 757 555 0199",
        "21 Langley Boulevard",
        "23666",
        "Hampton",
        "US",
        "20190801",
        "A",
        ("newsletter",),
    ),
    CustomerRecord(
        "0000001006",
        "Hedy Lamarr",
        "hedy.lamarr@example.org",
        "+43 1 5550 1914",
        "Kaerntner Ring 5",
        "1010",
        "Wien",
        "AT",
        "20210405",
        "A",
        ("vip", "partner.eu"),
    ),
)
