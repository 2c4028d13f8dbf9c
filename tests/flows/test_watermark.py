"""A watermark advances only after the items it covers are durably queued: a poll that fails to queue them
leaves the watermark where it was, and the items it did record are queued again by the sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.flows.harness import flows

pytestmark = pytest.mark.slow
FLOW = "crm-to-mailing"


def test_a_poll_that_cannot_queue_its_items_leaves_the_watermark(tmp_path: Path) -> None:
    from soapbridge.flows.intake import poll

    with flows(tmp_path, {FLOW: ""}) as running:
        runtime: Any = running.runtime()
        compiled = runtime.flows[FLOW]
        queued: list[str] = []

        def broken(flow: str, ids: list[str]) -> None:
            raise OSError("the queue is gone")

        runtime.enqueue = broken
        with pytest.raises(OSError):
            poll(runtime, compiled)
        assert runtime.ledger.watermark(FLOW) is None  # not advanced
        assert runtime.ledger.counts(FLOW)["queued"] == 6  # recorded, so none is lost

        runtime.enqueue = lambda flow, ids: queued.extend(ids)
        polled = poll(runtime, compiled)
        assert polled.seen == 6 and polled.queued == 0  # the same changes again, taken once
        assert runtime.ledger.watermark(FLOW) is not None
        assert sorted(runtime.ledger.sweep(FLOW, 0)) == sorted(item.id for item in runtime.ledger.items(FLOW, "queued"))
