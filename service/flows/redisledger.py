"""The ledger on a Redis server, for flows whose workers run on several machines (SOAPBRIDGE_FLOWS_STORE).

The same states and rules as the SQLite ledger (ledger.py), each change one Lua script, so that two
workers on two machines never both take an item. Per flow:

    soapbridge:flows:<flow>:item:<id>   a hash: the item and where it stands
    soapbridge:flows:<flow>:key:<key>   the open items of one key, by seq: only the first may be taken
    soapbridge:flows:<flow>:open        every open item, by seq (the sweep reads it)
    soapbridge:flows:<flow>:dead        the dead letters, by seq
    soapbridge:flows:<flow>:done        the delivered items, by when (the purge reads it)
    soapbridge:flows:<flow>:counts      items per state;  :seq the order counter;  :watermark a hash
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..stores import translated
from .ledger import STATES, UNAVAILABLE, Item, NewItem, Watermark

if TYPE_CHECKING:
    import redis

_ADD = """
local p, now, new = ARGV[1], ARGV[2], {}
for i = 3, #ARGV, 6 do
  local id = ARGV[i]
  local ik = p .. ':item:' .. id
  if redis.call('EXISTS', ik) == 0 then
    local seq = redis.call('INCR', p .. ':seq')
    redis.call('HSET', ik, 'key', ARGV[i+1], 'version', ARGV[i+2], 'payload', ARGV[i+3], 'correlation', ARGV[i+4],
      'changed_at', ARGV[i+5], 'state', 'queued', 'attempts', 0, 'due', now, 'lease', 0, 'touched', now,
      'reason', '', 'finished', 0, 'seq', seq)
    redis.call('ZADD', p .. ':key:' .. ARGV[i+1], seq, id)
    redis.call('ZADD', p .. ':open', seq, id)
    redis.call('HINCRBY', p .. ':counts', 'queued', 1)
    table.insert(new, id)
  end
end
return new
"""
_TAKE = """
local p, id, now, lease = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ik = p .. ':item:' .. id
local f = redis.call('HMGET', ik, 'state', 'due', 'lease', 'key')
if not f[1] then return false end
local takeable = (f[1] == 'queued' and tonumber(f[2]) <= now + 0.05) or (f[1] == 'running' and tonumber(f[3]) < now)
if not takeable then return false end
if redis.call('ZRANGE', p .. ':key:' .. f[4], 0, 0)[1] ~= id then return false end
if f[1] == 'queued' then
  redis.call('HINCRBY', p .. ':counts', 'queued', -1)
  redis.call('HINCRBY', p .. ':counts', 'running', 1)
end
redis.call('HSET', ik, 'state', 'running', 'lease', now + lease, 'touched', now)
return redis.call('HGETALL', ik)
"""
_FINISH = """
local p, id, state, reason, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ik = p .. ':item:' .. id
local f = redis.call('HMGET', ik, 'state', 'key', 'seq')
if not f[1] then return false end
redis.call('HINCRBY', p .. ':counts', f[1], -1)
redis.call('ZREM', p .. ':key:' .. f[2], id)
redis.call('ZREM', p .. ':open', id)
redis.call('HSET', ik, 'state', state, 'reason', reason, 'finished', now, 'touched', now)
redis.call('HINCRBY', p .. ':counts', state, 1)
if state == 'done' then redis.call('ZADD', p .. ':done', now, id) end
if state == 'dead' then
  redis.call('ZADD', p .. ':dead', f[3], id)
  redis.call('HINCRBY', ik, 'attempts', 1)
end
local following = redis.call('ZRANGE', p .. ':key:' .. f[2], 0, 0)[1]
return following or false
"""
_RETRY = """
local p, id, due, reason, counted = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local ik = p .. ':item:' .. id
if redis.call('HGET', ik, 'state') ~= 'running' then return 0 end
redis.call('HSET', ik, 'state', 'queued', 'due', due, 'touched', due, 'reason', reason)
redis.call('HINCRBY', ik, 'attempts', counted)
redis.call('HINCRBY', p .. ':counts', 'running', -1)
redis.call('HINCRBY', p .. ':counts', 'queued', 1)
return 1
"""
_REPLAY = """
local p, now, again = ARGV[1], ARGV[2], {}
local ids = {}
if #ARGV > 2 then for i = 3, #ARGV do table.insert(ids, ARGV[i]) end
else ids = redis.call('ZRANGE', p .. ':dead', 0, -1) end
for _, id in ipairs(ids) do
  local ik = p .. ':item:' .. id
  local f = redis.call('HMGET', ik, 'state', 'key', 'seq')
  if f[1] == 'dead' then
    redis.call('HSET', ik, 'state', 'queued', 'attempts', 0, 'due', now, 'touched', now, 'reason', '')
    redis.call('ZREM', p .. ':dead', id)
    redis.call('ZADD', p .. ':key:' .. f[2], f[3], id)
    redis.call('ZADD', p .. ':open', f[3], id)
    redis.call('HINCRBY', p .. ':counts', 'dead', -1)
    redis.call('HINCRBY', p .. ':counts', 'queued', 1)
    table.insert(again, id)
  end
end
return again
"""


class RedisLedger:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("add", _ADD),
                ("take", _TAKE),
                ("finish", _FINISH),
                ("retry", _RETRY),
                ("replay", _REPLAY),
            )
        }

    def add(self, flow: str, items: Sequence[NewItem]) -> list[str]:
        fields: list[Any] = [_prefix(flow), time.time()]
        for item in items:
            fields += [item.id, item.key, item.version, item.payload, item.correlation, item.changed_at]
        return [_text(id) for id in self._run("add", fields)]

    def take(self, flow: str, id: str, lease: float) -> Item | None:
        found = self._run("take", [_prefix(flow), id, time.time(), lease])
        return _item(flow, id, dict(zip(found[::2], found[1::2], strict=True))) if found else None

    def done(self, flow: str, id: str) -> str | None:
        return self._finish(flow, id, "done", "")

    def dead(self, flow: str, id: str, reason: str) -> str | None:
        return self._finish(flow, id, "dead", reason)

    def retry(self, flow: str, id: str, delay: float, reason: str, counted: bool) -> None:
        self._run("retry", [_prefix(flow), id, time.time() + delay, reason, int(counted)])

    def sweep(self, flow: str, requeue_after: float) -> list[str]:
        now = time.time()
        with _translated():
            ids = [_text(id) for id in self.client.zrange(f"{_prefix(flow)}:open", 0, 9999)]
            pipe = self.client.pipeline(transaction=False)
            for id in ids:
                pipe.hmget(f"{_prefix(flow)}:item:{id}", "state", "due", "lease", "touched")
            rows = pipe.execute()
            chosen = [id for id, row in zip(ids, rows, strict=True) if row[0] and _stale(row, now, requeue_after)]
            for id in chosen:
                pipe.hset(f"{_prefix(flow)}:item:{id}", "touched", now)
            pipe.execute()
        return chosen

    def replay(self, flow: str, ids: Sequence[str]) -> list[str]:
        return [_text(id) for id in self._run("replay", [_prefix(flow), time.time(), *ids])]

    def get(self, flow: str, id: str) -> Item | None:
        with _translated():
            found = self.client.hgetall(f"{_prefix(flow)}:item:{id}")
        return _item(flow, id, found) if found else None

    def items(self, flow: str, state: str, limit: int = 1000) -> list[Item]:
        index = "dead" if state == "dead" else "open"
        with _translated():
            ids = [_text(id) for id in self.client.zrange(f"{_prefix(flow)}:{index}", 0, -1)]
        found = (self.get(flow, id) for id in ids)
        return [item for item in found if item is not None and item.state == state][:limit]

    def counts(self, flow: str) -> dict[str, int]:
        with _translated():
            found = self.client.hgetall(f"{_prefix(flow)}:counts")
        return {state: 0 for state in STATES} | {_text(k): int(v) for k, v in found.items()}

    def oldest_open(self, flow: str) -> float | None:
        with _translated():
            first = self.client.zrange(f"{_prefix(flow)}:open", 0, 0)
            changed = self.client.hget(f"{_prefix(flow)}:item:{_text(first[0])}", "changed_at") if first else None
        return float(changed) if changed else None

    def purge(self, flow: str, older: float) -> int:
        done = f"{_prefix(flow)}:done"
        with _translated():
            ids = [_text(id) for id in self.client.zrangebyscore(done, "-inf", time.time() - older, 0, 10000)]
            if ids:
                pipe = self.client.pipeline()
                pipe.delete(*(f"{_prefix(flow)}:item:{id}" for id in ids))
                pipe.zrem(done, *ids)
                pipe.hincrby(f"{_prefix(flow)}:counts", "done", -len(ids))
                pipe.execute()
        return len(ids)

    def watermark(self, flow: str) -> Watermark | None:
        with _translated():
            found = self.client.hgetall(f"{_prefix(flow)}:watermark")
        if not found:
            return None
        return Watermark(_text(found[b"value"]), float(found[b"polled"]), int(found[b"queued"]))

    def advance(self, flow: str, mark: Watermark) -> None:
        with _translated():
            self.client.hset(
                f"{_prefix(flow)}:watermark",
                mapping={"value": mark.value, "polled": mark.polled, "queued": mark.queued},
            )

    def _finish(self, flow: str, id: str, state: str, reason: str) -> str | None:
        following = self._run("finish", [_prefix(flow), id, state, reason, time.time()])
        return _text(following) if following else None

    def _run(self, script: str, args: list[Any]) -> Any:
        with _translated():
            return self._scripts[script](keys=[], args=args)


def _prefix(flow: str) -> str:
    return f"soapbridge:flows:{flow}"


def _stale(row: list[bytes], now: float, requeue_after: float) -> bool:
    state, due, lease, touched = _text(row[0]), float(row[1]), float(row[2]), float(row[3])
    return (state == "running" and lease < now) or (state == "queued" and due <= now and touched < now - requeue_after)


def _item(flow: str, id: str, found: dict[Any, Any]) -> Item:
    def text(name: str) -> str:
        return _text(found.get(name.encode(), b""))

    return Item(
        flow,
        id,
        text("key"),
        text("version"),
        bytes(found.get(b"payload", b"")),
        text("correlation"),
        text("state"),
        int(text("attempts") or 0),
        float(text("changed_at") or 0),
        text("reason"),
        float(text("finished") or 0),
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _translated() -> AbstractContextManager[None]:
    import redis

    return translated("flows ledger", UNAVAILABLE, redis.RedisError)
