"""The EHR's backdoor for the admin endpoint: patients admitted and encounters charged, finished and amended,
as clinicians do at the EHR's own screens.

    POST patients                   {name, email?}                              -> the patient
    POST encounters                 {patientId, items?, finished?: false}       -> the encounter (finished: published)
    POST encounters/<id>/finish                                                 -> the encounter, now published
    POST encounters/<id>/amend      {items}     a finished one's items replaced, published again as its next version
    GET  encounters/<id>

An item is {code, description, quantity, unitPrice, currency?: "GBP"}; numbers as JSON numbers or strings.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ._backdoor import Actions, Refused, fields, no_more, text
from .ehr_data import BillableItem, Encounter, Patient

if TYPE_CHECKING:
    from .ehr import Registry

ITEM_FIELDS = ("code", "description", "quantity", "unitPrice")


def backdoor(registry: Registry) -> Actions:
    def patients(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        no_more(rest, 0)
        given = fields(body, ("name",), ("email",))
        first, _, family = text(given["name"], "name").rpartition(" ")
        email = text(given["email"], "email") if "email" in given else None
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise Refused(f"{email!r} is not an email address")
        return _patient(registry.add_patient(first, family, email))

    def encounters(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        if not rest:
            given = fields(body, ("patientId",), ("items", "finished"))
            encounter, _ = registry.add_encounter(text(given["patientId"], "patientId"), _items(given.get("items", [])))
            if given.get("finished") is True:
                return _shown(*registry.finish(encounter.encounter_id))
            return _shown(encounter, 0)
        if rest[1:] == ("finish",):
            return _shown(*registry.finish(rest[0]))
        if rest[1:] == ("amend",):
            return _shown(*registry.amend(rest[0], _items(fields(body, ("items",), ())["items"])))
        raise Refused(f"no such resource: encounters/{'/'.join(rest)}", missing=True)

    def show(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        return _shown(*registry.get(no_more(rest, 1)[0]))

    return {("POST", "patients"): patients, ("POST", "encounters"): encounters, ("GET", "encounters"): show}


def _items(given: Any) -> tuple[BillableItem, ...]:
    if not isinstance(given, list):
        raise Refused("items must be a list")
    return tuple(_item(fields(item, ITEM_FIELDS, ("currency",))) for item in given)


def _item(given: dict[str, Any]) -> BillableItem:
    code, description = text(given["code"], "code"), text(given["description"], "description")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,19}", code):
        raise Refused(f"{code!r} is not a charge code")
    if len(description) > 200:
        raise Refused("description is longer than 200 characters")
    currency = text(given.get("currency", "GBP"), "currency")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise Refused(f"{currency!r} is not an ISO 4217 code")
    quantity = _decimal(given["quantity"], "quantity")
    if quantity <= 0:
        raise Refused("quantity must be more than 0")
    return BillableItem(code, description, quantity, _decimal(given["unitPrice"], "unitPrice"), currency)


def _decimal(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= 10**9:
        raise Refused(f"{name} must be a number")
    return number


def _patient(patient: Patient) -> dict[str, Any]:
    return {"patientId": patient.patient_id, "name": patient.name, "email": patient.email}


def _shown(encounter: Encounter, version: int) -> dict[str, Any]:
    items = [
        {
            "code": item.code,
            "description": item.description,
            "quantity": str(item.quantity),
            "unitPrice": str(item.unit_price),
            "currency": item.currency,
        }
        for item in encounter.items
    ]
    return {
        "encounterId": encounter.encounter_id,
        "patientId": encounter.patient_id,
        "status": encounter.status,
        "finishedAt": encounter.finished.strftime("%Y-%m-%dT%H:%M:%SZ") if encounter.finished else None,
        "version": version,
        "items": items,
    }
