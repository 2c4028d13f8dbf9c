"""ListPost's backdoor for the admin endpoint: memberships changed behind the callers' backs, as the platform's
own web interface (or a list import) would, so that a test can put a list out of step with the CRM.

    GET    lists/<listId>                  {"listId", "members": [{subscriberId, email, externalId, fullName, status}]}
    PUT    lists/<listId>/members          {email, externalId?, fullName?, status: 0|1}   store exactly that
    DELETE lists/<listId>/members/<email>  forget the address
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._backdoor import Actions, Refused, fields, text
from ._soap import LegacyFault

if TYPE_CHECKING:
    from .mailing import MailingStore, Subscriber

T = TypeVar("T")


def backdoor(store: MailingStore) -> Actions:
    def show(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        if len(rest) != 1:
            raise Refused(f"no such resource: lists/{'/'.join(rest)}", missing=True)
        return {"listId": rest[0], "members": [_shown(m) for m in _refusing(lambda: store.members(rest[0], None))]}

    def put(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        list_id = _members_of(rest, 2)
        given = fields(body, ("email", "status"), ("externalId", "fullName"))
        status = given["status"]
        if status not in (0, 1):
            raise Refused("status must be 0 (unsubscribed) or 1 (subscribed)")
        external, name = (text(given[key], key) if key in given else None for key in ("externalId", "fullName"))
        email = text(given["email"], "email")
        return _shown(_refusing(lambda: store.put(list_id, email, external, name, status)))

    def delete(rest: tuple[str, ...], body: Any) -> dict[str, Any]:
        list_id = _members_of(rest, 3)
        if not _refusing(lambda: store.remove(list_id, rest[2])):
            raise Refused(f"{rest[2]} is not on list {list_id}", missing=True)
        return {"listId": list_id, "removed": rest[2]}

    return {("GET", "lists"): show, ("PUT", "lists"): put, ("DELETE", "lists"): delete}


def _members_of(rest: tuple[str, ...], length: int) -> str:
    if len(rest) != length or rest[1] != "members":
        raise Refused(f"no such resource: lists/{'/'.join(rest)}", missing=True)
    return rest[0]


def _refusing(action: Callable[[], T]) -> T:
    """action's result; the platform's own refusal (an unknown list, a bad address) as the backdoor's."""
    try:
        return action()
    except LegacyFault as fault:
        raise Refused(fault.message, missing="List_DoesNotExist" in _error_name(fault)) from None


def _error_name(fault: LegacyFault) -> str:
    return "" if fault.detail is None else fault.detail.findtext("errorName") or ""


def _shown(member: Subscriber) -> dict[str, Any]:
    return {
        "subscriberId": member.subscriber_id,
        "email": member.email,
        "externalId": member.external_id,
        "fullName": member.full_name,
        "status": member.status,
    }
