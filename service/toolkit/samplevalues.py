"""Plausible values for XSD simple types, each checked with the type's own is_valid.

Candidates come from the type's facets (enumeration, range, length, pattern) and from what
its builtin base looks like; the first one the type accepts is the value. A pattern is turned
into the shortest strings it matches (elementpath translates XSD regexes to Python's).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from elementpath.regex import translate_pattern

from ..namespaces import XSD

#: Python's own regex parser (re._parser since 3.11, not public): it reads a pattern into parts to generate from.
regex_parser: Any = importlib.import_module("re._parser")

_INTEGERS = ("1", "0", "-1", "10", "100")
#: What a value of each builtin type looks like, tried in order.
_BUILTIN_VALUES: dict[str, tuple[str, ...]] = {
    "boolean": ("true",),
    "float": (*_INTEGERS, "1.5"),
    "double": (*_INTEGERS, "1.5"),
    "decimal": (*_INTEGERS, "1.5", "0.01"),
    "duration": ("P1D", "PT1H"),
    "dateTime": ("2024-01-15T10:30:00Z", "2024-01-15T10:30:00"),
    "dateTimeStamp": ("2024-01-15T10:30:00Z",),
    "time": ("10:30:00",),
    "date": ("2024-01-15",),
    "gYearMonth": ("2024-01",),
    "gYear": ("2024",),
    "gMonthDay": ("--01-15",),
    "gDay": ("---15",),
    "gMonth": ("--01",),
    "hexBinary": ("00FF",),
    "base64Binary": ("AAEC",),
    "anyURI": ("http://example.com/",),
    "QName": ("sample",),
    "language": ("en",),
    "ID": ("id1",),
    "NCName": ("sample",),
    "Name": ("sample",),
    "NMTOKEN": ("sample",),
    "NMTOKENS": ("sample",),
}
_STRINGS = ("string", "sample", "A", "1", "a1")
_LETTERS = "aA0z9 _-."


def simple_value(xsd_type: Any) -> str:
    """A value xsd_type accepts; the best guess when none of the candidates is accepted."""
    first = None
    for candidate in _candidates(xsd_type):
        first = first if first is not None else candidate
        if _accepts(xsd_type, candidate):
            return candidate
    return first if first is not None else ""


def _accepts(xsd_type: Any, value: str) -> bool:
    try:
        return bool(xsd_type.is_valid(value))
    except Exception:  # xmlschema raises on some values it cannot even decode; that is a no
        return False


def _candidates(xsd_type: Any) -> Iterator[str]:
    enumeration = getattr(xsd_type, "enumeration", None)
    if enumeration:
        yield from (_text(value) for value in enumeration)
    if xsd_type.is_list():
        yield from _candidates(xsd_type.item_type)
    if xsd_type.is_union():
        for member in xsd_type.member_types:
            yield from _candidates(member)
    patterns = getattr(xsd_type, "patterns", None)
    for regex in getattr(patterns, "regexps", ()):
        yield from _matching(regex)
    yield from _BUILTIN_VALUES.get(_builtin_name(xsd_type), _INTEGERS if _is_integer(xsd_type) else _STRINGS)
    yield from _ranged(xsd_type)
    yield from _lengths(xsd_type)


def _builtin_name(xsd_type: Any) -> str:
    """The local name of the nearest builtin type xsd_type derives from."""
    current = xsd_type
    while current is not None:
        name = getattr(current, "name", None)
        if name and name.startswith(f"{{{XSD}}}"):
            return str(name[len(XSD) + 2 :])
        current = getattr(current, "base_type", None)
    return "string"


def _is_integer(xsd_type: Any) -> bool:
    integers = ("integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger")
    return _builtin_name(xsd_type) in integers or "Integer" in _builtin_name(xsd_type)


def _ranged(xsd_type: Any) -> Iterator[str]:
    """Values at and inside the type's bounds."""
    low, high = getattr(xsd_type, "min_value", None), getattr(xsd_type, "max_value", None)
    yield from (_text(bound) for bound in (low, high) if bound is not None)
    low_number, high_number = _number(low), _number(high)
    if low_number is not None and high_number is not None:
        yield _text((low_number + high_number) // 2)
    if low_number is not None:
        yield _text(low_number + 1)
    if high_number is not None:
        yield _text(high_number - 1)


def _number(value: Any) -> Decimal | None:
    """A numeric bound as a Decimal; None for no bound, or a bound that is a date or duration."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _lengths(xsd_type: Any) -> Iterator[str]:
    for length in (getattr(xsd_type, "min_length", None), getattr(xsd_type, "max_length", None)):
        if length:
            yield "a" * int(length)
            yield "1" * int(length)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matching(xsd_regex: str) -> Iterator[str]:
    """Short strings an XSD pattern matches: every repeat taken at least once, then as few times as allowed."""
    try:
        parsed = regex_parser.parse(translate_pattern(xsd_regex, anchors=False))
    except Exception:  # a pattern elementpath or re cannot read: the other candidates remain
        return
    for generous in (True, False):
        yield "".join(_generate(parsed, generous))


def _generate(items: Any, generous: bool) -> Iterator[str]:
    for operation, argument in items:
        name = str(operation)
        if name == "LITERAL":
            yield chr(argument)
        elif name == "NOT_LITERAL":
            yield "b" if chr(argument) == "a" else "a"
        elif name == "ANY":
            yield "a"
        elif name == "IN":
            yield _member(argument)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = argument
            count = max(low, 1) if generous else low
            count = min(count, high) if isinstance(high, int) else count
            yield from (part for _ in range(count) for part in _generate(sub, generous))
        elif name == "SUBPATTERN":
            yield from _generate(argument[-1], generous)
        elif name == "BRANCH":
            yield from _generate(argument[1][0], generous)


def _member(items: Any) -> str:
    """A character of a character class: the first it names, or one it does not exclude."""
    if items and str(items[0][0]) == "NEGATE":
        excluded = {chr(a) for op, a in items[1:] if str(op) == "LITERAL"}
        return next((c for c in _LETTERS if c not in excluded), "a")
    for operation, argument in items:
        name = str(operation)
        if name == "LITERAL":
            return chr(argument)
        if name == "RANGE":
            return chr(argument[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " ", "CATEGORY_NOT_SPACE": "a"}.get(str(argument), "a")
    return "a"
