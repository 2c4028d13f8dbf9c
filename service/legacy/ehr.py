"""The EHR: MediChart, a hospital's electronic health record, publishing finished encounters over SOAP 1.2.

document/literal in an HL7 v3 flavour: every element is qualified (elementFormDefault="qualified"), values
sit in attributes (<id root=OID extension=.../>, <quantity value="1"/>, <unitPrice value="85.00"
currency="GBP"/>), times are HL7 TS with an offset (YYYYMMDDHHMMSS+0000, always UTC here), a patient's
email is a telecom URL (mailto:...), and an answer carries an acknowledgement (AA: accepted). Every call
needs a WS-Security UsernameToken with a PasswordText for the account named by SOAPBRIDGE_EHR_USERNAME /
SOAPBRIDGE_EHR_PASSWORD (the EHR sits behind TLS termination, as such systems do).

    QueryFinishedEncounters  cursor?, maxResults?  -> encounter*, cursor, moreResults
                             faults INVALID_CURSOR, INVALID_PARAMETER, AUTHENTICATION_FAILED

An encounter is published when it finishes, and again (with the next versionNumber) when a finished one is
amended; the query returns each encounter published after the cursor once, in its latest version. The admin
endpoint's backdoor (ehr_backdoor.py) adds patients and encounters, finishes and amends them.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from lxml import etree

from ..namespaces import WSSE, WSSE_PASSWORD_TEXT
from ._backdoor import Refused
from ._changelog import Change, ChangeLog, Clock, utc_now
from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from .ehr_backdoor import backdoor
from .ehr_data import (
    CPT,
    ENCOUNTER_ROOT,
    FINISHED,
    FIRST_NEW_ENCOUNTER,
    FIRST_NEW_PATIENT,
    PATIENT_ROOT,
    BillableItem,
    Encounter,
    Patient,
    seed_encounters,
    seed_patients,
)

NS = "urn:medichart:ehr:encounters:2"
WSDL_FILE = Path("ehr") / "MediChartEncounters.wsdl"
ENV_USERNAME = "SOAPBRIDGE_EHR_USERNAME"
ENV_PASSWORD = "SOAPBRIDGE_EHR_PASSWORD"
DEFAULT_RESULTS = 100
MAX_RESULTS = 1000
HL7_TS = "%Y%m%d%H%M%S+0000"


class Registry:
    """The EHR's patients and encounters, and the log of their publications; shared by the request threads."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.patients = seed_patients()
        self.encounters: dict[str, Encounter] = {}
        self._published = ChangeLog(clock)
        for encounter in seed_encounters():
            self.encounters[encounter.encounter_id] = encounter
            if encounter.status == FINISHED:
                self._published.record(encounter.encounter_id)
        self._next_patient, self._next_encounter = FIRST_NEW_PATIENT, FIRST_NEW_ENCOUNTER

    def add_patient(self, given: str, family: str, email: str | None) -> Patient:
        with self._lock:
            patient = Patient(f"P-{self._next_patient}", given, family, email)
            self._next_patient += 1
            self.patients[patient.patient_id] = patient
            return patient

    def add_encounter(self, patient_id: str, items: tuple[BillableItem, ...]) -> tuple[Encounter, int]:
        with self._lock:
            if patient_id not in self.patients:
                raise Refused(f"patient {patient_id} does not exist", missing=True)
            encounter = Encounter(f"E-{self._next_encounter}", patient_id, self._clock(), items)
            self._next_encounter += 1
            self.encounters[encounter.encounter_id] = encounter
            return replace(encounter), 0

    def finish(self, encounter_id: str) -> tuple[Encounter, int]:
        """Finish the encounter and publish it."""
        with self._lock:
            encounter = self._encounter(encounter_id)
            if encounter.status == FINISHED:
                raise Refused(f"encounter {encounter_id} is finished already")
            encounter.status, encounter.finished = FINISHED, self._clock()
            return replace(encounter), self._published.record(encounter_id).version

    def amend(self, encounter_id: str, items: tuple[BillableItem, ...]) -> tuple[Encounter, int]:
        """Replace a finished encounter's items and publish it again, as its next version."""
        with self._lock:
            encounter = self._encounter(encounter_id)
            if encounter.status != FINISHED:
                raise Refused(f"encounter {encounter_id} is not finished: only a finished one is amended")
            encounter.items = items
            return replace(encounter), self._published.record(encounter_id).version

    def get(self, encounter_id: str) -> tuple[Encounter, int]:
        with self._lock:
            return replace(self._encounter(encounter_id)), self._published.version(encounter_id)

    def published_after(self, cursor: int, most: int) -> tuple[list[tuple[Change, Encounter, Patient]], int, bool]:
        """The encounters published after cursor (each once, latest version), the next cursor, and whether more wait."""
        with self._lock:
            if cursor > self._published.last:
                raise _fault("INVALID_CURSOR", f"cursor {cursor} is past the last publication")
            batch = self._published.since(cursor, most)
            rows = [(change, *self._published_row(change.key)) for change in batch.changes]
            return rows, batch.next_sequence, batch.more

    def _published_row(self, encounter_id: str) -> tuple[Encounter, Patient]:
        encounter = self.encounters[encounter_id]
        return replace(encounter), self.patients[encounter.patient_id]

    def _encounter(self, encounter_id: str) -> Encounter:
        encounter = self.encounters.get(encounter_id)
        if encounter is None:
            raise Refused(f"encounter {encounter_id} does not exist", missing=True)
        return encounter


class EhrEmulator(Emulator):
    """The EHR emulator, with its records in ``registry`` for tests to change."""

    def __init__(self, wsdl_file: Path, registry: Registry, account: tuple[str, str]) -> None:
        handlers = {f"{{{NS}}}QueryFinishedEncounters_Request": _authenticated(account, _query(registry))}
        super().__init__("ehr", wsdl_file, "1.2", handlers, backdoor=backdoor(registry))
        self.registry = registry


def build(wsdl_root: Path, env: Mapping[str, str], clock: Clock = utc_now) -> Emulator:
    """A freshly seeded EHR accepting only the account env names; clock stamps its records."""
    missing = [key for key in (ENV_USERNAME, ENV_PASSWORD) if not env.get(key)]
    if missing:
        raise ValueError(f"the ehr emulator needs its WS-Security account: set {' and '.join(missing)}")
    return EhrEmulator(wsdl_root / WSDL_FILE, Registry(clock), (env[ENV_USERNAME], env[ENV_PASSWORD]))


# -- the operation -----------------------------------------------------------------------------


def _query(registry: Registry) -> Handler:
    def query(request: SoapRequest) -> etree._Element:
        cursor = _value(request.body, "cursor", r"[0-9]{1,18}", "INVALID_CURSOR", "0")
        most = int(_value(request.body, "maxResults", r"[0-9]{1,4}", "INVALID_PARAMETER", str(DEFAULT_RESULTS)))
        if not 1 <= most <= MAX_RESULTS:
            raise _fault("INVALID_PARAMETER", f"maxResults must be from 1 to {MAX_RESULTS}")
        rows, next_cursor, more = registry.published_after(int(cursor), most)
        response = _element(None, "QueryFinishedEncounters_Response")
        _element(response, "acknowledgement", typeCode="AA")
        for change, encounter, patient in rows:
            _encounter(response, change, encounter, patient)
        _element(response, "cursor", value=str(next_cursor))
        _element(response, "moreResults", value="true" if more else "false")
        return response

    return query


def _value(body: etree._Element, name: str, pattern: str, code: str, default: str) -> str:
    """The value attribute of an optional field, as HL7 carries simple values."""
    field = body.find(f"{{{NS}}}{name}")
    value = (field.get("value") or "").strip() if field is not None else ""
    if not value:
        return default
    if not re.fullmatch(pattern, value):
        raise _fault(code, f"{name} {value[:40]!r} is not acceptable")
    return value


def _encounter(parent: etree._Element, change: Change, encounter: Encounter, patient: Patient) -> None:
    assert encounter.finished is not None
    element = _element(parent, "encounter")
    _element(element, "id", root=ENCOUNTER_ROOT, extension=encounter.encounter_id)
    _element(element, "statusCode", code=encounter.status)
    time = _element(element, "effectiveTime")
    _element(time, "low", value=encounter.started.strftime(HL7_TS))
    _element(time, "high", value=encounter.finished.strftime(HL7_TS))
    _element(element, "versionNumber", value=str(change.version))
    subject = _element(_element(element, "subject"), "patient")
    _element(subject, "id", root=PATIENT_ROOT, extension=patient.patient_id)
    name = _element(subject, "name")
    _element(name, "given").text = patient.given
    _element(name, "family").text = patient.family
    if patient.email:
        _element(subject, "telecom", value=f"mailto:{patient.email}", use="H")
    for item in encounter.items:
        _item(_element(_element(element, "component"), "billableItem"), item)


def _item(element: etree._Element, item: BillableItem) -> None:
    _element(element, "code", code=item.code, codeSystem=CPT, displayName=item.description)
    _element(element, "quantity", value=str(item.quantity))
    _element(element, "unitPrice", value=str(item.unit_price), currency=item.currency)


def _element(parent: etree._Element | None, local: str, **attributes: str) -> etree._Element:
    tag = f"{{{NS}}}{local}"
    if parent is None:
        return etree.Element(tag, attributes, nsmap={"mc": NS})
    return etree.SubElement(parent, tag, attributes)


# -- authentication and faults -----------------------------------------------------------------


def _authenticated(account: tuple[str, str], handler: Handler) -> Handler:
    def authenticated(request: SoapRequest) -> etree._Element:
        if not _accepts(account, request.header):
            raise _fault("AUTHENTICATION_FAILED", "the user name or password is not valid")
        return handler(request)

    return authenticated


def _accepts(account: tuple[str, str], header: etree._Element | None) -> bool:
    token = None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return False
    password = token.find(f"{{{WSSE}}}Password")
    if password is None or password.get("Type", WSSE_PASSWORD_TEXT) != WSSE_PASSWORD_TEXT:
        return False
    username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
    user_ok = hmac.compare_digest(username.encode(), account[0].encode())
    password_ok = hmac.compare_digest((password.text or "").encode(), account[1].encode())
    return user_ok and password_ok


def _fault(code: str, text: str) -> LegacyFault:
    """A Sender fault with the HL7-style acknowledgement detail the WSDL declares (EhrFault)."""
    detail = _element(None, "EhrFault")
    _element(detail, "acknowledgement", typeCode="AE")
    ack = _element(detail, "acknowledgementDetail", typeCode="E")
    _element(ack, "code", code=code)
    _element(ack, "text").text = text
    return LegacyFault("client", text, detail)
