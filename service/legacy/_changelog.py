"""A legacy system's change log, as the outbound feeds of ERPs and EHRs keep it: one row per change of a record.

Each row has a sequence number that counts up from 1 and is never reused, the record's key, and the record's
own version after the change (1 when it first appears). A reader passes the last sequence number it
processed and gets each record changed since then once, in the order of its latest row, as an ERP's change
pointer read collapses pointers per object. The CRM's change pointers (BDCP2) and the EHR's publications of
finished encounters are both kept this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    """One row of the log."""

    sequence: int
    key: str
    version: int
    at: datetime

    @property
    def first(self) -> bool:
        """Whether this row is the record's first: created, or published for the first time."""
        return self.version == 1


@dataclass(frozen=True)
class ChangeBatch:
    """What one read returns: the latest row of each record in it, where to go on from, and whether to."""

    changes: list[Change]
    next_sequence: int
    more: bool


class ChangeLog:
    """The rows in sequence order; not thread-safe: the system holds its own lock around every call."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._rows: list[Change] = []
        self._latest: dict[str, Change] = {}

    @property
    def last(self) -> int:
        """The highest sequence number written so far (0 when none)."""
        return len(self._rows)

    def version(self, key: str) -> int:
        """The record's version, 0 when the log has no row for it."""
        latest = self._latest.get(key)
        return latest.version if latest else 0

    def latest(self, key: str) -> Change | None:
        return self._latest.get(key)

    def record(self, key: str) -> Change:
        """Write the row for a change of the record (its first, or one more)."""
        change = Change(self.last + 1, key, self.version(key) + 1, self._clock())
        self._rows.append(change)
        self._latest[key] = change
        return change

    def since(self, after: int, max_rows: int) -> ChangeBatch:
        """The records changed after sequence number after, at most max_rows; after must be 0..last."""
        if not 0 <= after <= self.last:
            raise ValueError(f"{after} is not a sequence number of this log")
        rows: list[Change] = []
        for change in self._rows[after:]:
            if self._latest[change.key] is not change:
                continue  # the record changed again later: it comes with that row
            if len(rows) == max_rows:
                return ChangeBatch(rows, rows[-1].sequence, True)
            rows.append(change)
        return ChangeBatch(rows, self.last, False)
