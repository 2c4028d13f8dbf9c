"""How many digits a number may have: a bound per numeric XSD type, checked before a number is written out.

A Decimal holds 1e99999999 in a few bytes, but written with the plain digits xs:decimal needs it is 100 million
characters: seconds of CPU, and memory that stays. So every number is first checked against its field's bound,
read from the Decimal's digits and exponent, never from its text. The bound is what the type allows:
totalDigits and fractionDigits when the type (or a type it derives from) sets them, the digits of its
min/maxInclusive (xs:int has 10), the range of xs:float and xs:double, and else MAX_DIGITS.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

#: The digits a number may have before and after the point when its type sets no bound (XSD 1.0 asks a
#: processor for 18 at least; a number with more is a mistake or an attack, not a price).
MAX_DIGITS = 64
#: The longest JSON number literal read at all: longer ones are refused before Decimal parses them.
MAX_LITERAL = 256
#: The decimal exponents of the largest and smallest (subnormal) xs:float and xs:double.
_FLOATING = {"float": (39, 46 + 9), "double": (309, 324 + 17)}
_RANGE_FACETS = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")


@dataclass(frozen=True)
class DigitBound:
    """The most digits a value may have before the point, after it, and in all (XSD's totalDigits)."""

    integer: int
    fraction: int
    total: int

    @property
    def width(self) -> int:
        """The longest plain text (digits, sign and point) of a value: anything longer is refused unread."""
        return max(MAX_LITERAL, self.integer + self.fraction + 2)

    def excess(self, number: Decimal) -> str | None:
        """Why number is out of bounds, in words to follow its field's name; None when it is within them."""
        if not number.is_finite():
            return "is not a finite number"
        _, digits, exponent = number.as_tuple()
        assert isinstance(exponent, int)
        if len(digits) + max(exponent, -exponent) > self.width:
            return f"has more than {self.width} digits"
        integer, fraction = _significant(digits, exponent)
        if integer > self.integer:
            return f"has more than {self.integer} digits before the decimal point"
        if fraction > self.fraction:
            return f"has more than {self.fraction} digits after the decimal point"
        if integer + fraction > self.total:
            return f"has more than {self.total} digits"
        return None


#: For a field that is no number (a string, a boolean) but was sent one: what any number may be.
ANY_NUMBER = DigitBound(MAX_DIGITS, MAX_DIGITS, MAX_DIGITS)


def bound_of(kind: str, facets: dict[str, Any]) -> DigitBound:
    """The bound of a simple type of that kind (integer, decimal, float, double...) with those facets."""
    if kind in _FLOATING:
        largest, smallest = _FLOATING[kind]
        return DigitBound(largest, smallest, largest + smallest)
    if kind not in ("integer", "decimal"):
        return ANY_NUMBER
    total = int(facets.get("totalDigits", MAX_DIGITS))
    fraction = 0 if kind == "integer" else min(int(facets.get("fractionDigits", MAX_DIGITS)), total)
    return DigitBound(min(total, _range_digits(facets)), fraction, total)


def _range_digits(facets: dict[str, Any]) -> int:
    """The digits before the point of the type's widest limit; MAX_DIGITS unless both ends are limited."""
    limits = [abs(Decimal(facets[name])) for name in _RANGE_FACETS if name in facets]
    if len(limits) < 2:
        return MAX_DIGITS
    return max(len(str(int(limit))) for limit in limits)


def _significant(digits: tuple[int, ...], exponent: int) -> tuple[int, int]:
    """(digits before the point, digits after it) of a value, leading and trailing zeros left out."""
    if not any(digits):
        return 0, 0
    integer = max(len(digits) + exponent, 0)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return integer, max(-exponent - trailing, 0)
