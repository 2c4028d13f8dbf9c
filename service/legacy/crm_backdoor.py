"""The CRM's backdoor for the admin endpoint: customers created and changed as the ERP's own screens would.

Customers are given and shown with canonical field names (id, name, email, status active/inactive/blocked,
phone, street, postalCode, city, country, since YYYY-MM-DD, tags), so that a test speaks one language.

    POST  customers         {name, email, ...}      create (id: the next free number unless given)
    PATCH customers/<id>    {field: value, ..., changePointer?: false}
    GET   customers/<id>
    POST  customers/bulk    {count, status?}        count customers named "Customer <id>"
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._backdoor import Actions, Refused, count, fields, no_more, text
from .crm_data import CustomerRecord, field_problem, tag_problem

if TYPE_CHECKING:
    from .crm import CustomerMaster

STATUSES = {"active": "A", "inactive": "I", "blocked": "B"}
#: Canonical name -> the CRM's field.
FIELDS = {
    "name": "NAME1",
    "email": "SMTP_ADDR",
    "phone": "TELF1",
    "street": "STRAS",
    "postalCode": "PSTLZ",
    "city": "ORT01",
    "country": "LAND1",
}
CHANGEABLE = (*FIELDS, "status", "since", "tags")
MAX_BULK = 100_000


def backdoor(master: CustomerMaster) -> Actions:
    def customers(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        if rest == ("bulk",):
            return _bulk(master, body)
        no_more(rest, 0)
        given = fields(body, ("name", "email"), ("id", *CHANGEABLE))
        kunnr = _kunnr(given.pop("id", master.next_kunnr()))
        if master.get(kunnr) is not None:
            raise Refused(f"customer {int(kunnr)} exists already")
        record = _changed(_new(kunnr, "", "", "A"), given)
        return _shown(record, master.put(record))

    def change(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        kunnr = _kunnr(no_more(rest, 1)[0])
        given = fields(body, (), (*CHANGEABLE, "changePointer"))
        pointer = given.pop("changePointer", True)
        record = _changed(_existing(master, kunnr)[0], given)
        return _shown(record, master.put(record, pointer=pointer is not False))

    def show(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        return _shown(*_existing(master, _kunnr(no_more(rest, 1)[0])))

    return {("POST", "customers"): customers, ("PATCH", "customers"): change, ("GET", "customers"): show}


def _bulk(master: CustomerMaster, body: Any) -> dict[str, Any]:
    given = fields(body, ("count",), ("status",))
    number = count(given["count"], "count", MAX_BULK)
    status = _status(given.get("status", "active"))
    first = master.next_kunnr()
    master.put_all(
        _new(f"{n:010d}", f"Customer {n}", f"customer{n}@example.com", status) for n in range(first, first + number)
    )
    return {"created": number, "first": str(first), "last": str(first + number - 1)}


def _new(kunnr: str, name: str, email: str, status: str) -> CustomerRecord:
    """A customer created today, at an address of its own where the request names none."""
    today = datetime.now(UTC).strftime("%Y%m%d")
    return CustomerRecord(kunnr, name, email, "", "1 High Street", "N1 9GU", "London", "GB", today, status)


def _existing(master: CustomerMaster, kunnr: str) -> tuple[CustomerRecord, int]:
    found = master.get(kunnr)
    if found is None:
        raise Refused(f"customer {int(kunnr)} does not exist", missing=True)
    return found


def _kunnr(value: Any) -> str:
    number = text(value, "id")
    if not number.isdigit() or not 0 < int(number) < 10**10:
        raise Refused(f"{number!r} is not a customer id")
    return f"{int(number):010d}"


def _status(value: Any) -> str:
    flag = STATUSES.get(text(value, "status"))
    if flag is None:
        raise Refused(f"status must be one of {', '.join(STATUSES)}")
    return flag


def _changed(record: CustomerRecord, given: dict[str, Any]) -> CustomerRecord:
    values = {FIELDS[name]: text(value, name) for name, value in given.items() if name in FIELDS}
    if "status" in given:
        values["STATUS"] = _status(given["status"])
    if "since" in given:
        values["ERDAT"] = text(given["since"], "since").replace("-", "")
    for name, value in values.items():
        problem = field_problem(name, value)
        if problem:
            raise Refused(f"{_canonical(name)} {problem}")
    return replace(record, **values, T_TAGS=_tags(given["tags"]) if "tags" in given else record.T_TAGS)


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Refused("tags must be a list of strings")
    tags = tuple(text(tag, "tags") for tag in value)
    problems = [tag for tag in tags if tag_problem(tag)]
    if problems:
        raise Refused(f"{problems[0]!r} is not a valid tag")
    return tags


def _canonical(field: str) -> str:
    return next((name for name, legacy in FIELDS.items() if legacy == field), {"ERDAT": "since"}.get(field, field))


def _shown(record: CustomerRecord, version: int) -> dict[str, Any]:
    customer = {name: getattr(record, legacy) for name, legacy in FIELDS.items()}
    status = next(name for name, flag in STATUSES.items() if flag == record.STATUS)
    erdat = record.ERDAT
    customer |= {"id": str(int(record.KUNNR)), "status": status, "since": f"{erdat[:4]}-{erdat[4:6]}-{erdat[6:]}"}
    return {"customer": customer | {"tags": list(record.T_TAGS)}, "version": version}
