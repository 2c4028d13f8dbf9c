"""Seed data of the mailing emulator: ListPost's lists and their members, as of the demo's start.

The members with an external id are the shared demo customers (the CRM's customer ids);
the others are people who signed up on the website and are not customers.
"""

from __future__ import annotations

from typing import NamedTuple


class SeedMember(NamedTuple):
    """One subscription row: who is on which list, and whether they still are."""

    subscriber_id: int
    list_id: str
    email: str
    external_id: str | None
    status: int
    full_name: str | None = None


#: List id -> display name. "events" has no members yet.
LISTS: dict[str, str] = {
    "newsletter": "Monthly Newsletter",
    "product-updates": "Product Updates",
    "events": "Events and Webinars",
}

MEMBERS: tuple[SeedMember, ...] = (
    SeedMember(40001, "newsletter", "ada.lovelace@example.com", "1001", 1, "Ada Lovelace"),
    SeedMember(40002, "newsletter", "grace.hopper@example.com", "1002", 1, "Grace Hopper"),
    SeedMember(40003, "newsletter", "alan.turing@example.com", "1003", 0, "Alan Turing"),
    SeedMember(40004, "newsletter", "katherine.johnson@example.org", None, 1),
    SeedMember(40005, "product-updates", "grace.hopper@example.com", "1002", 1, "Grace Hopper"),
    SeedMember(40006, "product-updates", "margaret.hamilton@example.net", None, 1, "Margaret Hamilton"),
    SeedMember(40007, "product-updates", "dorothy.vaughan@example.org", None, 0),
)

#: The id the first new subscription gets; ids then count up, per emulator instance.
FIRST_NEW_SUBSCRIBER_ID = 40101
