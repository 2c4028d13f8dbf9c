"""A flow as declared in flows/<name>.toml: what triggers it, how items are split and keyed, where they go.

Only the shape of the file is read here (every mistake a ConfigError naming the file and the key); whether
the operations exist and the stylesheets compile is the flow compiler's to judge (compiler.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .._toml import Table
from ..errors import ConfigError
from ..namespaces import CANONICAL

#: What a flow's name may be: it names files, folders, metrics labels and idempotency scopes.
NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")
TRIGGERS = ("poll", "notification")


@dataclass(frozen=True)
class PollTrigger:
    """Call a canonical read operation every interval seconds with the stored watermark."""

    operation: str
    #: Builds the request from the xsl:params watermark (empty before the first run) and limit.
    request: Path
    #: XPath on the answer: the watermark to store once the items it covers are queued.
    watermark: str
    #: XPath on the answer, true when the source has more right now: the poll goes on at once.
    more: str | None
    interval: float
    limit: int


@dataclass(frozen=True)
class NotificationTrigger:
    """A one-way SOAP message a legacy system posts to /flows/<name>; acknowledged once durably queued."""

    #: The Clark name of the body element the notification carries.
    element: str | None


@dataclass(frozen=True)
class Items:
    """How the trigger's document is cut into items, and what names each one."""

    split: str
    key: str
    #: XPath giving the item's version; (key, version) names one state of an entity, so one effect.
    version: str | None
    #: XPath giving when the source changed the item (xs:dateTime): the lag is measured from it.
    changed_at: str | None


@dataclass(frozen=True)
class Lookup:
    """A cross-reference the flow resolves before mapping, passed to the stylesheet as an xsl:param."""

    param: str
    kind: str
    id: str
    to: str


@dataclass(frozen=True)
class Retry:
    attempts: int = 5
    #: The first delay, in seconds; each retry doubles it, up to max_backoff.
    backoff: float = 1.0
    max_backoff: float = 60.0
    #: How long a worker may hold an item before another may take it over (the first is taken for dead).
    lease: float = 30.0


@dataclass(frozen=True)
class Side:
    """One side of a reconciliation: a list operation, the request that asks it, its items and their key."""

    operation: str
    request: Path
    items: str
    key: str


@dataclass(frozen=True)
class Field:
    name: str
    source: str
    target: str


@dataclass(frozen=True)
class Reconcile:
    source: Side
    target: Side
    #: XPath on a source item: true when it must be on the target, false when it must not.
    expect: str
    fields: tuple[Field, ...]
    #: Turns a drifting source item into a flow item (default: the source item itself).
    repair: Path | None


@dataclass(frozen=True)
class Flow:
    name: str
    file: Path
    trigger: PollTrigger | NotificationTrigger
    items: Items
    #: Maps one item to the canonical requests of its targets (or to none: flow:skip).
    mapping: Path
    #: The canonical operations the mapping may call.
    targets: tuple[str, ...]
    #: Canonical fault codes that mean the target is already as the item wants it (a repeat, nothing to undo).
    settled: tuple[str, ...]
    retry: Retry
    #: Dead letters held before the flow stops polling: past that, something systemic is wrong.
    dead_letter_limit: int
    namespaces: dict[str, str]
    lookups: tuple[Lookup, ...] = ()
    reconcile: Reconcile | None = None
    enabled: bool = True
    description: str = ""
    #: The folder its stylesheets live in (xslt/flows/<name>/).
    folder: Path = field(default=Path())


def read_flow(path: Path, root: Path) -> Flow:
    """The flow in path; ConfigError(file, key) on the first mistake."""
    name = path.stem
    table = Table.load(path)
    if not NAME.fullmatch(name):
        raise ConfigError("a flow's name is lower-case letters, digits and dashes", file=str(path))
    table.only("flow", "trigger", "items", "mapping", "retry", "dead_letters", "namespaces", "lookups", "reconcile")
    folder = root / "xslt" / "flows" / name
    head = table.table("flow")
    if head is not None:
        head.only("description", "enabled")
    mapping = table.subtable("mapping")
    mapping.only("stylesheet", "targets", "settled")
    return Flow(
        name=name,
        file=path,
        trigger=_trigger(table.subtable("trigger"), folder),
        items=_items(table.subtable("items")),
        mapping=_stylesheet(mapping, "stylesheet", folder),
        targets=tuple(_strings(mapping, "targets", required=True)),
        settled=tuple(_strings(mapping, "settled")),
        retry=_retry(table.table("retry")),
        dead_letter_limit=_dead_letter_limit(table.table("dead_letters")),
        namespaces=_namespaces(table.table("namespaces")),
        lookups=tuple(_lookup(entry) for entry in table.tables("lookups")),
        reconcile=_reconcile(table.table("reconcile"), folder),
        enabled=head.optional("enabled", bool, "true or false", True) if head else True,
        description=(head.text("description", "a string") or "") if head else "",
        folder=folder,
    )


def _trigger(table: Table, folder: Path) -> PollTrigger | NotificationTrigger:
    kind = table.require("kind", str, f"one of {', '.join(TRIGGERS)}")
    if kind == "notification":
        table.only("kind", "element")
        return NotificationTrigger(table.text("element", "the Clark name of the notification's body element"))
    if kind != "poll":
        raise table.error("kind", f"expected one of {', '.join(TRIGGERS)}, got {kind!r}")
    table.only("kind", "operation", "request", "watermark", "more", "interval", "limit")
    interval = table.optional("interval", float, "seconds", 5.0)
    if not 0.1 <= interval <= 86400:
        raise table.error("interval", "expected seconds between 0.1 and 86400")
    limit = table.optional("limit", int, "a whole number", 100)
    if not 1 <= limit <= 1000:
        raise table.error("limit", "expected 1 to 1000")
    return PollTrigger(
        operation=table.require("operation", str, "a canonical operation"),
        request=_stylesheet(table, "request", folder),
        watermark=table.require("watermark", str, "an XPath on the answer"),
        more=table.text("more", "an XPath on the answer"),
        interval=interval,
        limit=limit,
    )


def _items(table: Table) -> Items:
    table.only("split", "key", "version", "changed_at")
    return Items(
        split=table.require("split", str, "an XPath selecting each item"),
        key=table.require("key", str, "an XPath on an item"),
        version=table.text("version", "an XPath on an item"),
        changed_at=table.text("changed_at", "an XPath on an item"),
    )


def _retry(table: Table | None) -> Retry:
    if table is None:
        return Retry()
    table.only("attempts", "backoff", "max_backoff", "lease")
    defaults = Retry()
    retry = Retry(
        attempts=table.optional("attempts", int, "a whole number", defaults.attempts),
        backoff=table.optional("backoff", float, "seconds", defaults.backoff),
        max_backoff=table.optional("max_backoff", float, "seconds", defaults.max_backoff),
        lease=table.optional("lease", float, "seconds", defaults.lease),
    )
    if not 1 <= retry.attempts <= 100:
        raise table.error("attempts", "expected 1 to 100")
    if not 0 < retry.backoff <= retry.max_backoff:
        raise table.error("backoff", "expected more than 0 and at most max_backoff")
    if retry.lease < 1:
        raise table.error("lease", "expected at least 1 second")
    return retry


def _dead_letter_limit(table: Table | None) -> int:
    if table is None:
        return 1000
    table.only("limit")
    limit = table.optional("limit", int, "a whole number", 1000)
    if limit < 1:
        raise table.error("limit", "expected at least 1")
    return limit


def _namespaces(table: Table | None) -> dict[str, str]:
    namespaces = {"cn": CANONICAL}
    for prefix, uri in table.items() if table is not None else ():
        if not isinstance(uri, str):
            raise table.error(prefix, f"expected a namespace URI, got {uri!r}")  # type: ignore[union-attr]
        namespaces[prefix] = uri
    return namespaces


def _lookup(table: Table) -> Lookup:
    table.only("param", "kind", "id", "to")
    return Lookup(
        param=table.require("param", str, "the xsl:param it fills"),
        kind=table.require("kind", str, "the kind of id the item holds, e.g. ehr-patient"),
        id=table.require("id", str, "an XPath on the item"),
        to=table.require("to", str, "the kind of id wanted, e.g. crm-customer"),
    )


def _reconcile(table: Table | None, folder: Path) -> Reconcile | None:
    if table is None:
        return None
    table.only("source", "target", "expect", "fields", "repair")
    return Reconcile(
        source=_side(table.subtable("source"), folder),
        target=_side(table.subtable("target"), folder),
        expect=table.optional("expect", str, "an XPath on a source item", "true()"),
        fields=tuple(_field(entry) for entry in table.tables("fields")),
        repair=_stylesheet(table, "repair", folder) if table.text("repair", "a stylesheet") else None,
    )


def _side(table: Table, folder: Path) -> Side:
    table.only("operation", "request", "items", "key")
    return Side(
        operation=table.require("operation", str, "a canonical list operation"),
        request=_stylesheet(table, "request", folder),
        items=table.require("items", str, "an XPath selecting each item"),
        key=table.require("key", str, "an XPath on an item"),
    )


def _field(table: Table) -> Field:
    table.only("name", "source", "target")
    return Field(
        name=table.require("name", str, "what the field is called in reports"),
        source=table.require("source", str, "an XPath on a source item"),
        target=table.require("target", str, "an XPath on a target item"),
    )


def _stylesheet(table: Table, name: str, folder: Path) -> Path:
    relative = table.require(name, str, f"a stylesheet under xslt/flows/{folder.name}/")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise table.error(name, f"expected a stylesheet under xslt/flows/{folder.name}/")
    return path


def _strings(table: Table, name: str, *, required: bool = False) -> list[str]:
    values = table.require(name, list, "a list of strings") if required else table.optional(name, list, "", [])
    if not all(isinstance(value, str) for value in values) or (required and not values):
        raise table.error(name, "expected a non-empty list of strings" if required else "expected a list of strings")
    return values
