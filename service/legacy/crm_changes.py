"""The CRM's change pointers: one row per create or change of a customer, as ERPs keep them for outbound feeds.

Modelled on BDCP2 (message type ZCRM_CUSTOMER): CPIDENT counts up from 1 and is never reused; CDCHGNO is
the customer's own change number (1 when created); CRETIME is a UTC timestamp YYYYMMDDhhmmss. A reader
passes the last CPIDENT it processed and gets each customer changed since then once, in the order of
its latest pointer, as the ERP's change pointer read collapses pointers per object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

#: CHNGIND: the customer was created (I) or changed (U).
CREATED = "I"
CHANGED = "U"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ChangePointer:
    """One row of the change pointer table."""

    cpident: int
    kunnr: str
    chgno: int
    indicator: str
    created: datetime


@dataclass(frozen=True)
class ChangeBatch:
    """What one read returns: the latest pointer of each customer in it, where to go on from, and whether to."""

    pointers: list[ChangePointer]
    next_pointer: int
    more: bool


class ChangeLog:
    """The pointers in CPIDENT order; not thread-safe: the customer master holds its lock around every call."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._pointers: list[ChangePointer] = []
        self._latest: dict[str, ChangePointer] = {}

    @property
    def last(self) -> int:
        """The highest CPIDENT written so far (0 when none)."""
        return len(self._pointers)

    def version(self, kunnr: str) -> int:
        """The customer's change number, 0 when it has none."""
        latest = self._latest.get(kunnr)
        return latest.chgno if latest else 0

    def record(self, kunnr: str) -> ChangePointer:
        """Write the pointer for a create (the customer's first) or a change."""
        chgno = self.version(kunnr) + 1
        pointer = ChangePointer(self.last + 1, kunnr, chgno, CREATED if chgno == 1 else CHANGED, self._clock())
        self._pointers.append(pointer)
        self._latest[kunnr] = pointer
        return pointer

    def since(self, after: int, max_rows: int) -> ChangeBatch:
        """The customers changed after CPIDENT after, at most max_rows; after must be 0..last."""
        if not 0 <= after <= self.last:
            raise ValueError(f"{after} is not a change pointer")
        rows: list[ChangePointer] = []
        for pointer in self._pointers[after:]:
            if self._latest[pointer.kunnr] is not pointer:
                continue  # the customer changed again later: it comes with that pointer
            if len(rows) == max_rows:
                return ChangeBatch(rows, rows[-1].cpident, True)
            rows.append(pointer)
        return ChangeBatch(rows, self.last, False)
