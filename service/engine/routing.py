"""Content-based routing: which adapter serves a request when several serve its canonical operation.

Each adapter serving the operation but at most one has a route, an XPath test on the canonical
request. Routes are tried in adapter-file order and the first that holds wins; a request no route
takes goes to the adapter without one, and with no such adapter it is refused. An operation one
adapter serves with no route costs nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..contract import Operation
from ..errors import RequestError
from .operations import CompiledOperation


@dataclass(frozen=True)
class RoutedOperation:
    """A canonical operation and the adapters serving it, in adapter-file order."""

    contract: Operation
    #: The adapters with a route, tried in order.
    routed: tuple[CompiledOperation, ...] = ()
    #: The adapter without a route: it serves what no route takes.
    default: CompiledOperation | None = None

    @classmethod
    def of(cls, served: list[CompiledOperation]) -> RoutedOperation:
        """served: one canonical operation's compiled adapters, in file order (config allows one without a route)."""
        defaults = [operation for operation in served if operation.route is None]
        assert len(defaults) <= 1, "config refuses two adapters serving one operation without a route"
        routed = tuple(operation for operation in served if operation.route is not None)
        return cls(served[0].contract, routed, defaults[0] if defaults else None)

    @property
    def name(self) -> str:
        return self.contract.name

    @property
    def adapters(self) -> tuple[CompiledOperation, ...]:
        """Every adapter serving the operation: the routed ones, then the default."""
        return self.routed + ((self.default,) if self.default else ())

    def choose(self, request: etree._Element) -> CompiledOperation:
        """The adapter that serves this request: one XPath evaluation per route tried."""
        for operation in self.routed:
            assert operation.route is not None
            if operation.route(request):
                return operation
        if self.default is None:
            systems = ", ".join(operation.system for operation in self.routed)
            raise RequestError(f"no adapter serves this {self.name} request: it matches no route (of {systems})")
        return self.default
