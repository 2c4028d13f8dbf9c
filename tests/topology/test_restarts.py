"""Instances come and go behind HAProxy: a rolling restart loses nothing, and a killed instance loses only
what it was answering, and is out of the rotation within the health checks' bound."""

from __future__ import annotations

import socket
import time

import pytest

from tests.emulator_admin import EmulatorAdmin

from .calls import ReadLoad
from .processes import assert_group_gone, wait_until
from .topology import Topology

pytestmark = pytest.mark.slow
#: deploy/haproxy.cfg: a check every 500 ms, two failed in a row take a server out, one good one puts it back.
CHECK_INTERVAL, FALL = 0.5, 2
#: The longest HAProxy may keep a dead instance in rotation: FALL checks, plus one interval for the kill to
#: land just after a check, plus 0.5 s for two shared cores and this test's polling.
OUT_OF_ROTATION_WITHIN = (FALL + 1) * CHECK_INTERVAL + 0.5
CLIENTS = 8


def test_a_rolling_restart_under_load_loses_no_request(healthy: Topology) -> None:
    haproxy = healthy.haproxy
    with ReadLoad(healthy.base, CLIENTS) as load:
        time.sleep(1)
        for gateway in healthy.gateways:
            stopping = time.monotonic()
            assert gateway.stop() == 0  # SIGTERM: drains what it has, /readyz says 503 meanwhile
            served_before = int(haproxy.servers()[gateway.name]["stot"])
            gateway.start()
            haproxy.wait_for(gateway.name, "UP")
            print(f"{gateway.name} stopped, started and back in rotation in {time.monotonic() - stopping:.1f} s")
            time.sleep(1)  # the next instance stops only once this one is taking its share again
            assert int(haproxy.servers()[gateway.name]["stot"]) > served_before, f"{gateway.name} got no traffic back"
    print(f"rolling restart: {len(load.outcomes)} requests, {len(load.wrong)} lost or wrong")
    assert len(load.outcomes) > 100, f"only {len(load.outcomes)} requests: the load did not run"
    assert load.wrong == [], f"{len(load.wrong)} of {len(load.outcomes)} lost or wrong, first: {load.wrong[0]}"


def test_a_killed_instance_loses_only_what_it_was_answering(healthy: Topology) -> None:
    admin, haproxy = EmulatorAdmin(healthy.emulators.admin), healthy.haproxy
    victim, survivor = healthy.gateways
    admin.set_fault("crm", "slow", delay_ms=200)  # every read in flight for a while, so the kill catches some
    try:
        with ReadLoad(healthy.base, CLIENTS) as load:
            time.sleep(1.5)
            killed_at = time.monotonic()
            group = victim.kill()
            wait_until(lambda: refuses(victim.port), 5, f"{victim.name}'s port refusing connections", step=0.002)
            gone_at = time.monotonic()  # the last of its processes has exited: the kernel closed its sockets
            haproxy.wait_for(victim.name, "DOWN")
            out_after = time.monotonic() - killed_at
            assert_group_gone(group)
            sent_to_victim = haproxy.servers()[victim.name]["stot"]
            time.sleep(2)
    finally:
        admin.clear("crm")
    print(
        f"HAProxy took {victim.name} out of rotation {out_after:.2f} s after SIGKILL, its processes gone after"
        f" {gone_at - killed_at:.3f} s; lost {len(load.wrong)} of {len(load.outcomes)}:",
        [(round(o.started - killed_at, 3), round(o.ended - killed_at, 3), o.status) for o in load.wrong],
    )
    assert out_after <= OUT_OF_ROTATION_WITHIN
    assert haproxy.servers()[victim.name]["stot"] == sent_to_victim, "HAProxy still sent requests to a DOWN server"
    # Lost: sent before the instance was gone (a connection its kernel accepted as it died counts), answered after.
    late = [o for o in load.wrong if not (o.started < gone_at and o.ended > killed_at)]
    assert late == [], f"lost {len(late)} request(s) not in flight at the kill, first: {late[:1]}"
    routed = {o.correlation_id: haproxy.routed_to(o.correlation_id) for o in load.wrong}
    assert set(routed.values()) <= {victim.name}, f"lost requests HAProxy had sent to {survivor.name}: {routed}"
    after = [o for o in load.outcomes if o.started > gone_at]
    assert len(after) > CLIENTS and all(o.right for o in after)


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False
