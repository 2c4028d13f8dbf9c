"""Trying an idempotent call again: a bounded count, exponential back-off with full jitter, never past the deadline."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from ..config import Retry
from ..errors import UpstreamError
from .deadline import Deadline

log = logging.getLogger("soapbridge.upstream")
T = TypeVar("T")


def backoff(retry: Retry, failures: int, draw: Callable[[], float] = random.random) -> float:
    """The pause after the given number of failed tries: anywhere from 0 to backoff * 2**(failures-1), capped."""
    return draw() * min(retry.max_backoff, retry.backoff * 2.0 ** (failures - 1))


def with_retries(
    attempt: Callable[[], T],
    retry: Retry,
    deadline: Deadline,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    retrying: Callable[[], None] = lambda: None,
) -> T:
    """attempt(), tried again on transient failures while tries and time are left; what names it in the log,
    and retrying() is told of each try made again."""
    sent: UpstreamError | None = None
    for number in range(1, retry.attempts + 1):
        try:
            return attempt()
        except UpstreamError as exc:
            sent = exc if exc.sent else sent
            pause = backoff(retry, number)
            if number == retry.attempts or not exc.transient or pause >= deadline.left():
                if sent is None or sent is exc:
                    raise
                raise sent from exc  # a try reached the system: the request may have had its effect
            log.info("%s: attempt %d of %d failed (%s); trying again", what, number, retry.attempts, exc.message)
            sleep(pause)
            retrying()
    raise AssertionError("unreachable: the last try returns or raises")
