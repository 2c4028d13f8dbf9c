"""One compiled object per thread, built lazily from a document parsed once.

lxml's XSLT and XMLSchema objects keep an error log per object, and an XSLT object called
from a thread other than its creator's copies the stylesheet on every call; giving each
worker thread its own compiled copy avoids both without a lock on the hot path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerThread(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._local = threading.local()
        self._local.value = build()  # built now too, so that a broken input fails at start-up

    def get(self) -> T:
        value: T | None = getattr(self._local, "value", None)
        if value is None:
            value = self._local.value = self._build()
        return value
