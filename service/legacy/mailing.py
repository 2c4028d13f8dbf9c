"""The mailing emulator: ListPost, an early-2010s email-marketing platform's SOAP API.

SOAP 1.1, document/literal, and a schema with elementFormDefault="unqualified": only the
wrapper elements are in the API namespace, the fields inside them are not. Every call needs
HTTP Basic authentication; a wrong or missing Authorization header gets the same fault, so
that a caller cannot learn which half was wrong. Subscriber status codes: 1 subscribed,
0 unsubscribed. Errors carry an apiFault detail with a numeric errorCode (MailChimp-style).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from ._soap import Emulator, Handler, LegacyFault, SoapRequest
from .mailing_data import FIRST_NEW_SUBSCRIBER_ID, LISTS, MEMBERS

NS = "http://api.listpost.example.com/soap/2011/"
WSDL_FILE = Path("mailing") / "ListPostApi.wsdl"
USERNAME_ENV = "SOAPBRIDGE_MAILING_USERNAME"
PASSWORD_ENV = "SOAPBRIDGE_MAILING_PASSWORD"

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


@dataclass
class Subscriber:
    """One address on one list."""

    subscriber_id: int
    list_id: str
    email: str
    external_id: str | None
    status: int


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

    def subscribe(self, list_id: str, email: str, external_id: str | None) -> Subscriber:
        """Add the address, or return (and reactivate) the subscription it already has."""
        with self._lock:
            members = self._members(list_id)
            _check_email(email)
            found = _find(members, email)
            if found is None:
                found = Subscriber(self._next_id, list_id, email, external_id, SUBSCRIBED)
                self._next_id += 1
                members.append(found)
            found.status = SUBSCRIBED
            found.external_id = found.external_id or external_id
            return replace(found)

    def unsubscribe(self, list_id: str, email: str) -> Subscriber:
        """Mark the address unsubscribed; it stays on the list, as the platform keeps history."""
        with self._lock:
            found = _find(self._members(list_id), email)
            if found is None:
                raise api_fault(232, f"{email} is not a member of list {list_id}")
            found.status = UNSUBSCRIBED
            return replace(found)

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


# -- HTTP Basic authentication ------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """The one API user the emulator accepts."""

    username: str
    password: str

    def accepts(self, authorization: str) -> bool:
        """True when the Authorization header value carries exactly these credentials."""
        given = _basic_credentials(authorization)
        if given is None:
            return False
        user_ok = hmac.compare_digest(given[0].encode(), self.username.encode())
        password_ok = hmac.compare_digest(given[1].encode(), self.password.encode())
        return user_ok and password_ok


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def credentials_from(env: Mapping[str, str]) -> Credentials:
    """The expected API user from the environment; both values are required."""
    missing = [name for name in (USERNAME_ENV, PASSWORD_ENV) if not env.get(name)]
    if missing:
        raise ValueError(f"the mailing emulator needs {' and '.join(missing)} in its environment")
    return Credentials(env[USERNAME_ENV], env[PASSWORD_ENV])


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
        external_id = _field(body, "externalId") or None
        subscriber = self.store.subscribe(_field(body, "listId"), _field(body, "email"), external_id)
        return _subscriber_response("subscribeResponse", subscriber)

    def unsubscribe(self, request: SoapRequest) -> etree._Element:
        subscriber = self.store.unsubscribe(_field(request.body, "listId"), _field(request.body, "email"))
        return _subscriber_response("unsubscribeResponse", subscriber)

    def list_members(self, request: SoapRequest) -> etree._Element:
        list_id = _field(request.body, "listId")
        members = self.store.members(list_id, _status_filter(_field(request.body, "status")))
        response = etree.Element(f"{{{NS}}}listMembersResponse", nsmap={"lp": NS})
        etree.SubElement(response, "listId").text = list_id
        etree.SubElement(response, "total").text = str(len(members))
        for member in members:
            _subscriber_element(response, "member", member)
        return response


def _field(body: etree._Element, name: str) -> str:
    """An unqualified child's trimmed text; a qualified child is not the field, as the schema says."""
    return (body.findtext(name) or "").strip()


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
    etree.SubElement(element, "status").text = str(subscriber.status)
    return element


def build(wsdl_root: Path, env: Mapping[str, str]) -> Emulator:
    """A fresh ListPost emulator with its seed lists; env must name the API user (see credentials_from)."""
    api = MailingApi(MailingStore(), credentials_from(env))
    return Emulator("mailing", wsdl_root / WSDL_FILE, "1.1", api.handlers())
