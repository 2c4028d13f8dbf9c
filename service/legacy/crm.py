"""The CRM: an ERP customer master whose function modules are exposed as a SOAP 1.1 service.

document/literal wrapped, in the RFC layer's dialect: unqualified ABAP field names inside
namespaced wrappers, KUNNR zero-padded to 10 digits, dates as YYYYMMDD, tables of <item>s,
and BAPIRET2-style fault details. Every call must carry a WS-Security UsernameToken with a
PasswordDigest for the account named by SOAPBRIDGE_CRM_USERNAME / SOAPBRIDGE_CRM_PASSWORD.

    Z_CRM_CUSTOMER_READ     IV_KUNNR                -> ES_CUSTOMER      faults NOT_FOUND
    Z_CRM_CUSTOMER_SEARCH   IV_NAME1?, IV_ORT01?    -> ET_CUSTOMERS
    Z_CRM_CUSTOMER_UPDATE   IS_CUSTOMER             -> ES_CUSTOMER      faults NOT_FOUND, INVALID_DATA
    Z_CRM_CUSTOMER_CHANGES_READ  IV_POINTER?, IV_MAX_ROWS?  -> ET_CHANGES, EV_POINTER, EV_MORE  faults INVALID_DATA

Every create and every update that changes a record writes a change pointer, which the changes read returns;
the seed's customers were created, so each has one. Modelled on BDCP2 (message type ZCRM_CUSTOMER), kept in
a ChangeLog: CPIDENT is the row's sequence number, CDCHGNO the customer's version, CRETIME the UTC time,
CHNGIND I (created) or U (changed). The admin endpoint's backdoor
(crm_backdoor.py) creates and changes customers as the ERP's own screens would.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from lxml import etree

from ._changelog import Change, ChangeLog, Clock, utc_now
from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from ._wsse import TokenRejected, UsernameTokenVerifier
from .crm_backdoor import backdoor
from .crm_data import (
    CHARACTER_FIELDS,
    MAX_TAGS,
    SEED,
    CustomerRecord,
    field_problem,
    record_from,
    tag_problem,
)

NS = "urn:example-erp:crm:customer:v3"
WSDL_FILE = Path("crm/ZCRM_CUSTOMER_V3.wsdl")
ENV_USERNAME = "SOAPBRIDGE_CRM_USERNAME"
ENV_PASSWORD = "SOAPBRIDGE_CRM_PASSWORD"
#: The message class and system id every BAPIRET2 detail carries.
MESSAGE_CLASS = "ZCRM"
SYSTEM_ID = "ERPCLNT100"
#: Rows a changes read returns when IV_MAX_ROWS is initial, and the most it may ask for.
DEFAULT_ROWS = 100
MAX_ROWS = 5000
#: Deliberately the same whatever was wrong with the token.
LOGON_FAILED = "Logon failed: the WS-Security UsernameToken was not accepted"


def build(
    wsdl_root: Path, env: Mapping[str, str], seed: Iterable[CustomerRecord] = SEED, clock: Clock = utc_now
) -> Emulator:
    """A CRM with freshly seeded customers (the benchmark brings its own), accepting only the account env names;
    clock stamps its change pointers."""
    verifier = UsernameTokenVerifier(*_account(env))
    master = CustomerMaster(seed, clock)
    handlers: dict[str, Handler] = {
        _qname("Z_CRM_CUSTOMER_READ"): master.read,
        _qname("Z_CRM_CUSTOMER_SEARCH"): master.search,
        _qname("Z_CRM_CUSTOMER_UPDATE"): master.update,
        _qname("Z_CRM_CUSTOMER_CHANGES_READ"): master.changes,
    }
    secured = {tag: _secured(verifier, handler) for tag, handler in handlers.items()}
    return Emulator("crm", wsdl_root / WSDL_FILE, "1.1", secured, backdoor=backdoor(master))


def _account(env: Mapping[str, str]) -> tuple[str, str]:
    missing = [key for key in (ENV_USERNAME, ENV_PASSWORD) if not env.get(key)]
    if missing:
        raise ValueError(f"the crm emulator needs its WS-Security account: set {' and '.join(missing)}")
    return env[ENV_USERNAME], env[ENV_PASSWORD]


def _secured(verifier: UsernameTokenVerifier, handler: Handler) -> Handler:
    def secured(request: SoapRequest) -> etree._Element:
        try:
            verifier.verify(request.header)
        except TokenRejected:
            detail = _bapiret2("ZCX_CRM_NO_AUTHORITY", "100", LOGON_FAILED)
            raise LegacyFault("client", LOGON_FAILED, detail) from None
        return handler(request)

    return secured


class CustomerMaster:
    """The customer table (KNA1 and friends) and its change pointers, shared by the threads serving requests."""

    def __init__(self, seed: Iterable[CustomerRecord], clock: Clock = utc_now) -> None:
        self._rows: dict[str, CustomerRecord] = {}
        self._changes = ChangeLog(clock)
        self._lock = threading.Lock()
        self.put_all(seed)

    # -- what the admin's backdoor and the operations share ------------------------------------

    def get(self, kunnr: str) -> tuple[CustomerRecord, int] | None:
        """The record and its change number, or None."""
        with self._lock:
            record = self._rows.get(kunnr)
            return None if record is None else (record, self._changes.version(kunnr))

    def put(self, record: CustomerRecord, *, pointer: bool = True) -> int:
        """Create or replace the record; a real change writes a change pointer unless pointer is False
        (a table update behind the change documents' back). Returns the record's change number."""
        with self._lock:
            return self._put(record, pointer)

    def put_all(self, records: Iterable[CustomerRecord]) -> None:
        with self._lock:
            for record in records:
                self._put(record, True)

    def next_kunnr(self) -> int:
        """The number after the highest customer's."""
        with self._lock:
            return max((int(kunnr) for kunnr in self._rows), default=1000) + 1

    def _put(self, record: CustomerRecord, pointer: bool) -> int:
        changed = self._rows.get(record.KUNNR) != record
        self._rows[record.KUNNR] = record
        if changed and pointer:
            self._changes.record(record.KUNNR)
        return self._changes.version(record.KUNNR)

    # -- operations ----------------------------------------------------------------------------

    def read(self, request: SoapRequest) -> etree._Element:
        kunnr = _param(request.body, "IV_KUNNR")
        with self._lock:
            record = self._rows.get(kunnr)
        if record is None:
            raise _not_found(kunnr)
        return _single("Z_CRM_CUSTOMER_READResponse", record)

    def search(self, request: SoapRequest) -> etree._Element:
        name = _pattern(_param(request.body, "IV_NAME1"), substring=True)
        city = _pattern(_param(request.body, "IV_ORT01"), substring=False)
        with self._lock:
            rows = sorted(self._rows.values(), key=lambda record: record.KUNNR)
        hits = [row for row in rows if _matches(name, row.NAME1) and _matches(city, row.ORT01)]
        response = _wrapper("Z_CRM_CUSTOMER_SEARCHResponse")
        table = etree.SubElement(response, "ET_CUSTOMERS")
        for record in hits:
            _structure(table, "item", record)
        return response

    def update(self, request: SoapRequest) -> etree._Element:
        given = request.body.find("IS_CUSTOMER")
        if given is None:
            raise _invalid("IS_CUSTOMER", "is required")
        kunnr = _param(given, "KUNNR")
        with self._lock:
            known = kunnr in self._rows
        if not known:
            raise _not_found(kunnr)
        record = _record(given)
        self.put(record)
        return _single("Z_CRM_CUSTOMER_UPDATEResponse", record)

    def changes(self, request: SoapRequest) -> etree._Element:
        after = _pointer(_param(request.body, "IV_POINTER"))
        max_rows = _max_rows(_param(request.body, "IV_MAX_ROWS"))
        with self._lock:
            if after > self._changes.last:
                raise _invalid("IV_POINTER", "is not a change pointer")
            batch = self._changes.since(after, max_rows)
            rows = [(change, self._rows[change.key]) for change in batch.changes]
        response = _wrapper("Z_CRM_CUSTOMER_CHANGES_READResponse")
        table = etree.SubElement(response, "ET_CHANGES")
        for change, record in rows:
            _change(table, change, record)
        etree.SubElement(response, "EV_POINTER").text = f"{batch.next_sequence:020d}"
        etree.SubElement(response, "EV_MORE").text = "X" if batch.more else ""
        return response


# -- reading requests -----------------------------------------------------------------------


def _param(parent: etree._Element, name: str) -> str:
    """A character parameter's value; an absent parameter is initial (empty), as in ABAP."""
    return (parent.findtext(name) or "").strip()


def _pattern(value: str, *, substring: bool) -> re.Pattern[str] | None:
    """A case-insensitive pattern over the whole value, * meaning any characters; None: no filter."""
    if not value:
        return None
    if substring and "*" not in value:
        value = f"*{value}*"
    return re.compile(".*".join(re.escape(part) for part in value.split("*")), re.IGNORECASE | re.DOTALL)


def _matches(pattern: re.Pattern[str] | None, value: str) -> bool:
    return pattern is None or pattern.fullmatch(value) is not None


def _pointer(text: str) -> int:
    """IV_POINTER: the last CPIDENT read, zero-padded or not; initial means from the first pointer."""
    if not text:
        return 0
    if not re.fullmatch(r"[0-9]{1,20}", text):
        raise _invalid("IV_POINTER", "is not a change pointer")
    return int(text)


def _max_rows(text: str) -> int:
    if not text or text.lstrip("0") == "":
        return DEFAULT_ROWS
    if not re.fullmatch(r"\+?[0-9]{1,9}", text) or int(text) > MAX_ROWS:
        raise _invalid("IV_MAX_ROWS", f"must be a number from 1 to {MAX_ROWS}")
    return int(text)


def _record(given: etree._Element) -> CustomerRecord:
    """The record IS_CUSTOMER describes; raises the INVALID_DATA fault on the first bad field."""
    values = {name: _param(given, name) for name in CHARACTER_FIELDS}
    for name, value in values.items():
        problem = field_problem(name, value)
        if problem:
            raise _invalid(name, problem)
    return record_from(values, _tags(given))


def _tags(given: etree._Element) -> tuple[str, ...]:
    tags = tuple(_param(item, "TAG") for item in given.iterfind("T_TAGS/item"))
    if len(tags) > MAX_TAGS:
        raise _invalid("T_TAGS", f"has more than {MAX_TAGS} rows")
    for tag in tags:
        problem = tag_problem(tag)
        if problem:
            raise _invalid("TAG", problem)
    return tags


# -- writing answers ------------------------------------------------------------------------


def _qname(local: str) -> str:
    return f"{{{NS}}}{local}"


def _wrapper(local: str) -> etree._Element:
    return etree.Element(_qname(local), nsmap={"n0": NS})


def _single(local: str, record: CustomerRecord) -> etree._Element:
    response = _wrapper(local)
    _structure(response, "ES_CUSTOMER", record)
    return response


def _change(table: etree._Element, change: Change, record: CustomerRecord) -> None:
    row = etree.SubElement(table, "item")
    etree.SubElement(row, "CPIDENT").text = f"{change.sequence:020d}"
    etree.SubElement(row, "CHNGIND").text = "I" if change.first else "U"
    etree.SubElement(row, "CDCHGNO").text = f"{change.version:010d}"
    etree.SubElement(row, "CRETIME").text = change.at.strftime("%Y%m%d%H%M%S")
    _structure(row, "CUSTOMER", record)


def _structure(parent: etree._Element, tag: str, record: CustomerRecord) -> None:
    row = etree.SubElement(parent, tag)
    for name in CHARACTER_FIELDS:
        etree.SubElement(row, name).text = getattr(record, name)
    table = etree.SubElement(row, "T_TAGS")
    for value in record.T_TAGS:
        etree.SubElement(etree.SubElement(table, "item"), "TAG").text = value


# -- faults ---------------------------------------------------------------------------------


def _not_found(kunnr: str) -> LegacyFault:
    shown = kunnr[:50]
    message = f"Customer {shown} does not exist"
    return LegacyFault("client", message, _bapiret2("ZCX_CRM_NOT_FOUND", "001", message, shown, "KUNNR"))


def _invalid(field: str, problem: str) -> LegacyFault:
    message = f"Field {field} {problem}"
    return LegacyFault("client", message, _bapiret2("ZCX_CRM_INVALID_DATA", "002", message, field, field))


def _bapiret2(exception: str, number: str, message: str, v1: str = "", field: str = "") -> etree._Element:
    """A fault detail in the shape of the BAPIRET2 return structure, as the WSDL declares it."""
    detail = _wrapper(exception)
    parts = {"TYPE": "E", "ID": MESSAGE_CLASS, "NUMBER": number, "MESSAGE": message}
    parts |= {"MESSAGE_V1": v1, "FIELD": field, "SYSTEM": SYSTEM_ID}
    for name, value in parts.items():
        etree.SubElement(detail, name).text = value
    return detail
