"""The mailing emulator: ListPost, an early-2010s email-marketing platform's SOAP API.

SOAP 1.1, document/literal, and a schema with elementFormDefault="unqualified": only the
wrapper elements are in the API namespace, the fields inside them are not. Every call needs
HTTP Basic authentication; a wrong or missing Authorization header gets the same fault, so
that a caller cannot learn which half was wrong. Subscriber status codes: 1 subscribed,
0 unsubscribed. Errors carry an apiFault detail with a numeric errorCode (MailChimp-style).

API 1.4 added what list synchronisation needs: a member's fullName, subscribe's updateExisting (an address
already on the list takes the externalId and fullName given instead of keeping its own), unsubscribe by
externalId (every address of that id on the list), and pages of listMembers (start, limit). The admin
endpoint's backdoor (mailing_backdoor.py) changes memberships behind the callers' backs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from .mailing_auth import Credentials, credentials_from
from .mailing_backdoor import backdoor
from .mailing_data import FIRST_NEW_SUBSCRIBER_ID, LISTS, MEMBERS

NS = "http://api.listpost.example.com/soap/2011/"
WSDL_FILE = Path("mailing") / "ListPostApi.wsdl"

SUBSCRIBED = 1
UNSUBSCRIBED = 0

#: errorCode -> errorName, as the WSDL's schema documents them.
ERRORS = {
    100: "Invalid_Parameter",
    104: "Invalid_Credentials",
    200: "List_DoesNotExist",
    232: "Email_NotExists",
    502: "Invalid_Email",
}

# Deliberately plain: the platform accepted what looked like an address and bounced the rest.
_EMAIL = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MAX_EMAIL = 254
#: The most members one listMembers page holds.
MAX_PAGE = 1000


@dataclass
class Subscriber:
    """One address on one list."""

    subscriber_id: int
    list_id: str
    email: str
    external_id: str | None
    status: int
    full_name: str | None = None


def api_fault(code: int, message: str) -> LegacyFault:
    """The Client fault every API error is, with its apiFault detail."""
    detail = etree.Element(f"{{{NS}}}apiFault", nsmap={"lp": NS})
    etree.SubElement(detail, "errorCode").text = str(code)
    etree.SubElement(detail, "errorName").text = ERRORS[code]
    etree.SubElement(detail, "message").text = message
    return LegacyFault("client", message, detail)


class MailingStore:
    """The platform's lists and their members; one per emulator, shared by request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lists: dict[str, list[Subscriber]] = {list_id: [] for list_id in LISTS}
        for seed in MEMBERS:
            self._lists[seed.list_id].append(Subscriber(*seed))
        self._next_id = FIRST_NEW_SUBSCRIBER_ID

    def subscribe(
        self,
        list_id: str,
        email: str,
        external_id: str | None,
        full_name: str | None = None,
        *,
        update_existing: bool = False,
    ) -> Subscriber:
        """Add the address, or return (and reactivate) the subscription it already has; that keeps its own
        externalId and fullName unless update_existing says to take the ones given."""
        with self._lock:
            found = self._member(list_id, email, external_id, full_name, SUBSCRIBED)
            found.status = SUBSCRIBED
            if update_existing:
                found.external_id = external_id or found.external_id
                found.full_name = full_name or found.full_name
            found.external_id = found.external_id or external_id
            found.full_name = found.full_name or full_name
            return replace(found)

    def unsubscribe(self, list_id: str, email: str) -> Subscriber:
        """Mark the address unsubscribed; it stays on the list, as the platform keeps history."""
        with self._lock:
            found = _find(self._members(list_id), email)
            if found is None:
                raise api_fault(232, f"{email} is not a member of list {list_id}")
            found.status = UNSUBSCRIBED
            return replace(found)

    def unsubscribe_external(self, list_id: str, external_id: str) -> Subscriber:
        """Mark every address with this externalId unsubscribed; the first of them is the answer."""
        with self._lock:
            found = [m for m in self._members(list_id) if m.external_id == external_id]
            if not found:
                raise api_fault(232, f"no member of list {list_id} has the externalId {external_id}")
            for member in found:
                member.status = UNSUBSCRIBED
            return replace(found[0])

    def put(self, list_id: str, email: str, external_id: str | None, full_name: str | None, status: int) -> Subscriber:
        """Store the member as given, whatever it was (the backdoor's change); a new address gets the next id."""
        with self._lock:
            found = self._member(list_id, email, external_id, full_name, status)
            found.external_id, found.full_name, found.status = external_id, full_name, status
            return replace(found)

    def _member(
        self, list_id: str, email: str, external_id: str | None, full_name: str | None, status: int
    ) -> Subscriber:
        """The list's member with this address, added as given (with the next id) when it has none; under the lock."""
        members = self._members(list_id)
        _check_email(email)
        found = _find(members, email)
        if found is None:
            found = Subscriber(self._next_id, list_id, email, external_id, status, full_name)
            self._next_id += 1
            members.append(found)
        return found

    def remove(self, list_id: str, email: str) -> bool:
        """Forget the address entirely, as a platform's data-deletion request does; False if it was not there."""
        with self._lock:
            members = self._members(list_id)
            found = _find(members, email)
            if found is not None:
                members.remove(found)
            return found is not None

    def members(self, list_id: str, status: int | None) -> list[Subscriber]:
        """The list's members in the order they joined, optionally only those with one status."""
        with self._lock:
            members = self._members(list_id)
            return [replace(m) for m in members if status is None or m.status == status]

    def _members(self, list_id: str) -> list[Subscriber]:
        members = self._lists.get(list_id)
        if members is None:
            raise api_fault(200, f"Invalid mailing list ID: {list_id}")
        return members


def _find(members: list[Subscriber], email: str) -> Subscriber | None:
    wanted = email.casefold()
    return next((m for m in members if m.email.casefold() == wanted), None)


def _check_email(email: str) -> None:
    if len(email) > _MAX_EMAIL or not _EMAIL.fullmatch(email):
        raise api_fault(502, f"Invalid email address: {email}")


# -- operations ---------------------------------------------------------------------------


class MailingApi:
    """The three operations of ListPostApiBinding, each behind the authentication check."""

    def __init__(self, store: MailingStore, credentials: Credentials) -> None:
        self.store = store
        self.credentials = credentials

    def handlers(self) -> dict[str, Handler]:
        operations: dict[str, Handler] = {
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "listMembers": self.list_members,
        }
        return {f"{{{NS}}}{name}": self._authenticated(op) for name, op in operations.items()}

    def _authenticated(self, operation: Handler) -> Handler:
        def handler(request: SoapRequest) -> etree._Element:
            if not self.credentials.accepts(request.http_headers.get("authorization", "")):
                raise api_fault(104, "Authentication failed: invalid API user or API key")
            return operation(request)

        return handler

    def subscribe(self, request: SoapRequest) -> etree._Element:
        body = request.body
        subscriber = self.store.subscribe(
            _field(body, "listId"),
            _field(body, "email"),
            _field(body, "externalId") or None,
            _field(body, "fullName") or None,
            update_existing=_flag(body, "updateExisting"),
        )
        return _subscriber_response("subscribeResponse", subscriber)

    def unsubscribe(self, request: SoapRequest) -> etree._Element:
        list_id, email, external_id = (_field(request.body, name) for name in ("listId", "email", "externalId"))
        if bool(email) == bool(external_id):
            raise api_fault(100, "unsubscribe takes either an email or an externalId")
        if email:
            subscriber = self.store.unsubscribe(list_id, email)
        else:
            subscriber = self.store.unsubscribe_external(list_id, external_id)
        return _subscriber_response("unsubscribeResponse", subscriber)

    def list_members(self, request: SoapRequest) -> etree._Element:
        list_id = _field(request.body, "listId")
        members = self.store.members(list_id, _status_filter(_field(request.body, "status")))
        start = _count(request.body, "start", 0, None) or 0
        limit = _count(request.body, "limit", 1, MAX_PAGE)
        response = etree.Element(f"{{{NS}}}listMembersResponse", nsmap={"lp": NS})
        etree.SubElement(response, "listId").text = list_id
        etree.SubElement(response, "total").text = str(len(members))
        for member in members[start : None if limit is None else start + limit]:
            _subscriber_element(response, "member", member)
        return response


def _field(body: etree._Element, name: str) -> str:
    """An unqualified child's trimmed text; a qualified child is not the field, as the schema says."""
    return (body.findtext(name) or "").strip()


def _flag(body: etree._Element, name: str) -> bool:
    text = _field(body, name)
    if text not in ("", "true", "false", "1", "0"):
        raise api_fault(100, f"{name} must be true or false, not {text!r}")
    return text in ("true", "1")


def _count(body: etree._Element, name: str, least: int, most: int | None) -> int | None:
    """An optional whole-number field from least to most (None: unbounded); None when absent."""
    text = _field(body, name)
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < least or (most is not None and int(text) > most):
        bound = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise api_fault(100, f"{name} must be a whole number {bound}, not {text!r}")
    return int(text)


def _status_filter(text: str) -> int | None:
    if not text:
        return None
    if text not in ("0", "1"):
        raise api_fault(100, f"status must be 0 or 1, not {text!r}")
    return int(text)


def _subscriber_response(tag: str, subscriber: Subscriber) -> etree._Element:
    response = etree.Element(f"{{{NS}}}{tag}", nsmap={"lp": NS})
    _subscriber_element(response, "subscriber", subscriber)
    return response


def _subscriber_element(parent: etree._Element, tag: str, subscriber: Subscriber) -> etree._Element:
    element = etree.SubElement(parent, tag)
    etree.SubElement(element, "subscriberId").text = str(subscriber.subscriber_id)
    etree.SubElement(element, "listId").text = subscriber.list_id
    etree.SubElement(element, "email").text = subscriber.email
    if subscriber.external_id is not None:
        etree.SubElement(element, "externalId").text = subscriber.external_id
    if subscriber.full_name is not None:
        etree.SubElement(element, "fullName").text = subscriber.full_name
    etree.SubElement(element, "status").text = str(subscriber.status)
    return element


def build(wsdl_root: Path, env: Mapping[str, str]) -> Emulator:
    """A fresh ListPost emulator with its seed lists; env must name the API user (see credentials_from)."""
    store = MailingStore()
    api = MailingApi(store, credentials_from(env))
    return Emulator("mailing", wsdl_root / WSDL_FILE, "1.1", api.handlers(), backdoor=backdoor(store))
