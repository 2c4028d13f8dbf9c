"""The scaffold's request and response stylesheets: every field of one side written from the field of the same
name on the other, looked up among the fields at the same place (case, underscores, hyphens and dots do not
count). A field with no match, and one that cannot be mapped (a wildcard, recursion), gets an XML comment
where it would be written; the legacy fields nothing reads are listed in the stylesheet's top comment.

A field written exactly once from a field that is there exactly once is written directly; any other is
written for each field found (so an optional field stays absent, and a repeated one repeats). A legacy
element sent as xsi:nil="true" counts as absent: its empty text is no value of a number or a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .scaffoldfields import GROUPS, Field, matching_key

XSL = "http://www.w3.org/1999/XSL/Transform"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NOT_NIL = "[not(@xsi:nil = 'true' or @xsi:nil = '1')]"
CANONICAL_PREFIX = "cn"


@dataclass(frozen=True)
class Sides:
    """What the stylesheet turns into what: the names of both sides, and the prefixes of their namespaces."""

    title: str
    source_name: str
    target_name: str
    #: namespace -> prefix, for the canonical and every legacy namespace.
    prefixes: dict[str, str]
    #: The prefixes the output does not need declared.
    excluded: str


@dataclass
class _Writer:
    prefixes: dict[str, str]
    source_name: str
    lines: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def qname(self, item: Field) -> str:
        prefix = self.prefixes.get(item.namespace) if item.namespace else None
        return f"{prefix}:{item.name}" if prefix else item.name

    def path(self, item: Field, context: Field) -> str:
        if item is context or item.kind == "text":
            return "."
        if item.kind == "attribute":
            return f"@{self.qname(item)}"
        return self.qname(item) + (_NOT_NIL if item.nillable else "")

    def line(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def comment(self, depth: int, text: str) -> None:
        self.line(depth, f"<!-- {_commentable(text)} -->")

    def content(self, target: Field, context: Field, depth: int, optional: bool) -> None:
        for child in target.children:
            self.field(child, context, depth, optional)

    def field(self, target: Field, context: Field, depth: int, optional: bool) -> None:
        if target.kind in GROUPS:
            loose = optional or target.kind == "choice" or target.min_occurs == 0
            self.content(target, context, depth, loose)
            return
        label = self.label(target)
        if target.unmappable:
            self.comment(depth, f"{label}: {target.unmappable}, not mapped; write it here")
            return
        source = self.match(target, context)
        if source is None:
            self.comment(depth, f"{label}: no field of that name in the {self.source_name}; map it here")
            return
        self.used.add(id(source))
        direct = target.single and source.single and not optional
        path = self.path(source, context)
        if not target.leaf:
            self.repeated(target, source, path, depth)
        elif direct:
            self.leaf(target, path, depth)
        else:
            self.line(depth, f'<xsl:for-each select="{path}">')
            self.leaf(target, ".", depth + 1)
            self.line(depth, "</xsl:for-each>")

    def repeated(self, target: Field, source: Field, path: str, depth: int) -> None:
        self.line(depth, f'<xsl:for-each select="{path}">')
        self.line(depth + 1, f"<{self.qname(target)}>")
        self.content(target, source, depth + 2, False)
        self.line(depth + 1, f"</{self.qname(target)}>")
        self.line(depth, "</xsl:for-each>")

    def leaf(self, target: Field, path: str, depth: int) -> None:
        value = f'<xsl:value-of select="{path}"/>'
        if target.kind == "text":
            self.line(depth, value)
        elif target.kind == "attribute":
            self.line(depth, f'<xsl:attribute name="{self.qname(target)}">{value}</xsl:attribute>')
        else:
            self.line(depth, f"<{self.qname(target)}>{value}</{self.qname(target)}>")

    def match(self, target: Field, context: Field) -> Field | None:
        """The field of the context with target's name (the context itself, when it is that leaf)."""
        candidates = [*context.members(), *([context] if context.leaf else [])]
        key = matching_key(target.name)
        found = [c for c in candidates if not c.unmappable and c.leaf == target.leaf and matching_key(c.name) == key]
        unused = [c for c in found if id(c) not in self.used]
        return next(iter(unused or found), None)

    def label(self, target: Field) -> str:
        return f"@{self.qname(target)}" if target.kind == "attribute" else self.qname(target)

    def unread(self, source: Field, trail: str = "") -> list[str]:
        """The source's fields (below source) that nothing read, as paths."""
        found = []
        for member in source.members():
            name = f"{trail}{'@' if member.kind == 'attribute' else ''}{member.name}"
            if id(member) not in self.used or member.unmappable:
                found.append(name)
            elif not member.leaf:
                found.extend(self.unread(member, f"{name}/"))
        return found


def request_stylesheet(canonical: Field, legacy: Field, sides: Sides) -> str:
    """canonical (the request element Op) -> legacy (the element the legacy input puts in the Body)."""
    writer = _Writer(sides.prefixes, sides.source_name)
    writer.line(2, f"<{writer.qname(legacy)}>")
    if legacy.leaf:
        writer.field(_as_text(legacy), canonical, 3, False)
    else:
        writer.content(legacy, canonical, 3, False)
    writer.line(2, f"</{writer.qname(legacy)}>")
    return _stylesheet(sides, writer.qname(canonical), writer, writer.unread(canonical))


def response_stylesheet(legacy: Field, canonical: Field, sides: Sides) -> str:
    """legacy (the element the legacy output puts in the Body) -> canonical (the response element OpResponse)."""
    writer = _Writer(sides.prefixes, sides.source_name)
    writer.line(2, f"<{writer.qname(canonical)}>")
    writer.content(canonical, legacy, 3, False)
    writer.line(2, f"</{writer.qname(canonical)}>")
    unread = [] if legacy.leaf and id(legacy) in writer.used else writer.unread(legacy)
    return _stylesheet(sides, writer.qname(legacy), writer, unread)


def _as_text(leaf: Field) -> Field:
    """A simple-typed legacy element's value, as the one field it holds."""
    return Field("text", leaf.name, type=leaf.type)


def _stylesheet(sides: Sides, match: str, writer: _Writer, unread: list[str]) -> str:
    declarations = "".join(
        f'\n                xmlns:{prefix}="{namespace}"'
        for namespace, prefix in {**sides.prefixes, XSI: "xsi"}.items()
    )
    not_mapped = f"\n  Not mapped from the {sides.source_name}: {', '.join(unread)}." if unread else ""
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!--",
        f"  {_commentable(sides.title)}",
        "  Scaffolded by `soapbridge new adapter`: each field is written from the field of the same name (case and",
        "  underscores aside); a comment marks each one it could not match. Convert values and restructure here,",
        f"  then have check write the golden outputs again (its accept option).{_commentable(not_mapped)}",
        "-->",
        f'<xsl:stylesheet version="1.0"\n                xmlns:xsl="{XSL}"{declarations}',
        f'                exclude-result-prefixes="{sides.excluded} xsi">',
        "",
        '  <xsl:output method="xml" encoding="UTF-8" indent="no"/>',
        "",
        f'  <xsl:template match="/{match}">',
    ]
    tail = ["  </xsl:template>", "", "</xsl:stylesheet>", ""]
    return "\n".join([*head, *writer.lines, *tail])


def _commentable(text: str) -> str:
    """Text an XML comment may hold: no "--"."""
    while "--" in text:
        text = text.replace("--", "- -")
    return text
