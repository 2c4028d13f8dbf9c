"""Typed, strict reading of a TOML table: every mistake names the file, the key and what was expected."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")


class Table:
    """A TOML table that remembers where it came from, and which keys were read."""

    def __init__(self, data: dict[str, Any], file: str, prefix: str = "") -> None:
        self._data = data
        self.file = file
        self.prefix = prefix

    @classmethod
    def load(cls, path: Path) -> Table:
        try:
            with path.open("rb") as handle:
                return cls(tomllib.load(handle), str(path))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror}", file=str(path)) from exc

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def error(self, name: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key=self.key(name))

    def require(self, name: str, kind: type[T], expected: str) -> T:
        if name not in self._data:
            raise self.error(name, f"missing; expected {expected}")
        return self._typed(name, kind, expected)

    def optional(self, name: str, kind: type[T], expected: str, default: T) -> T:
        return self._typed(name, kind, expected) if name in self._data else default

    def text(self, name: str, expected: str) -> str | None:
        """An optional string: None when absent."""
        return self._typed(name, str, expected) if name in self._data else None

    def table(self, name: str) -> Table | None:
        """An optional sub-table: None when absent."""
        return self.subtable(name) if name in self._data else None

    def subtable(self, name: str) -> Table:
        """A required sub-table."""
        return Table(self.require(name, dict, "a table"), self.file, f"{self.key(name)}.")

    def tables(self, name: str) -> Iterator[Table]:
        """An array of tables ([[name]]); absent means none."""
        items = self.optional(name, list, "an array of tables", [])
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.error(f"{name}[{index}]", "expected a table")
            yield Table(item, self.file, f"{self.key(name)}[{index}].")

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._data.items())

    def only(self, *allowed: str) -> None:
        """Refuse keys nobody reads: a typo must fail now, not be silently ignored."""
        for name in self._data:
            if name not in allowed:
                raise self.error(name, f"unknown key; expected one of: {', '.join(allowed)}")

    def _typed(self, name: str, kind: type[T], expected: str) -> T:
        value = self._data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.error(name, f"expected {expected}, got {value!r}")
        return value
