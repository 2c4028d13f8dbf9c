"""The EHR's records and its seed: patients, encounters and the billable items charged in them.

Patients have the hospital's own ids (P-1000nn). Most seeded patients have the email address of a CRM
customer (the demo's shared people); John Snow's matches no customer and Florence Nightingale has none, so
a flow must cope with a patient it cannot place. Prices are decimals in the hospital's currency, as the
EHR's charge master keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

#: HL7 v3 OIDs the EHR names its identifiers and code systems by.
ENCOUNTER_ROOT = "2.16.840.1.113883.19.5.4"
PATIENT_ROOT = "2.16.840.1.113883.19.5.2"
CPT = "2.16.840.1.113883.6.12"
IN_PROGRESS = "active"
FINISHED = "completed"
#: The id the first new patient and the first new encounter get; ids then count up.
FIRST_NEW_PATIENT = 100101
FIRST_NEW_ENCOUNTER = 200101


@dataclass(frozen=True)
class Patient:
    patient_id: str
    given: str
    family: str
    email: str | None

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass(frozen=True)
class BillableItem:
    """One charge: a CPT code, what it was, how many, and the price of one."""

    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str


@dataclass
class Encounter:
    encounter_id: str
    patient_id: str
    started: datetime
    items: tuple[BillableItem, ...]
    status: str = IN_PROGRESS
    finished: datetime | None = None


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _item(code: str, description: str, quantity: str, unit_price: str) -> BillableItem:
    return BillableItem(code, description, Decimal(quantity), Decimal(unit_price), "GBP")


def seed_patients() -> dict[str, Patient]:
    patients = [
        Patient("P-100001", "Ada", "Lovelace", "ada.lovelace@example.com"),
        Patient("P-100002", "Grace", "Hopper", "grace.hopper@example.com"),
        Patient("P-100003", "Katherine", "Johnson", "katherine.johnson@example.net"),
        Patient("P-100004", "Hedy", "Lamarr", "hedy.lamarr@example.org"),
        Patient("P-100005", "John", "Snow", "john.snow@example.org"),
        Patient("P-100006", "Florence", "Nightingale", None),
    ]
    return {patient.patient_id: patient for patient in patients}


def seed_encounters() -> list[Encounter]:
    """Finished ones in the order they finished (they are published in that order), then one still open."""
    visit = _item("99213", "Office visit, established patient", "1", "85.00")
    return [
        Encounter("E-200001", "P-100001", _at(30, 9, 0), (visit,), FINISHED, _at(30, 9, 40)),
        Encounter(
            "E-200002",
            "P-100002",
            _at(30, 10, 30),
            (
                _item("80053", "Comprehensive metabolic panel", "1", "42.50"),
                _item("36415", "Venipuncture", "1", "8.75"),
            ),
            FINISHED,
            _at(30, 11, 15),
        ),
        Encounter(
            "E-200003",
            "P-100005",
            _at(30, 13, 0),
            (_item("99203", "Office visit, new patient", "1", "120.00"),),
            FINISHED,
            _at(30, 13, 50),
        ),
        Encounter(
            "E-200004",
            "P-100003",
            _at(30, 14, 0),
            (_item("97110", "Therapeutic exercise, 15 minutes", "3", "30.00"), visit),
            FINISHED,
            _at(30, 15, 5),
        ),
        Encounter(
            "E-200005",
            "P-100006",
            _at(30, 16, 0),
            (_item("99212", "Office visit, short", "1", "60.00"),),
            FINISHED,
            _at(30, 16, 20),
        ),
        Encounter("E-200006", "P-100001", _at(30, 17, 0), (), FINISHED, _at(30, 17, 10)),
        Encounter("E-200007", "P-100004", _at(30, 18, 0), (_item("99214", "Office visit, detailed", "1", "140.00"),)),
    ]
