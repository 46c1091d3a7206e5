"""Who is in a tavolo now, and who edits which objective (soft locks that expire).

Each process keeps the entries of its own sockets. What everyone sees (`snapshot`) is read from
a share: the process memory by default, or Redis when the message queue is a `redis://` URL, so
that people connected to different server processes see each other. Entries in Redis carry a
heartbeat, so those of a process that died disappear after `STALE` seconds.

A lock lasts `lock_seconds` after the last `editing`; it is cleared by `expire()` (called by the
watcher, without any client message) and ignored by `snapshot()` once past its time anyway.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone

HEARTBEAT = 10.0
STALE = 3 * HEARTBEAT

Key = tuple[str, str]  # (plan, tavolo)


@dataclass(frozen=True)
class Entry:
    user: dict  # {"id", "name", "organisation"}
    since: float
    seen: float
    editing: str | None = None
    lock_since: float | None = None
    lock_until: float | None = None

    def holds(self, ref: str, now: float) -> bool:
        return self.editing == ref and self.lock_until is not None and self.lock_until > now


class MemoryShare:
    def __init__(self):
        self.keys: dict[Key, dict[str, Entry]] = {}

    def put(self, key: Key, sid: str, entry: Entry) -> None:
        self.keys.setdefault(key, {})[sid] = entry

    def remove(self, key: Key, sid: str) -> None:
        entries = self.keys.get(key, {})
        entries.pop(sid, None)
        if not entries:
            self.keys.pop(key, None)

    def entries(self, key: Key) -> list[Entry]:
        return list(self.keys.get(key, {}).values())


class RedisShare:
    PREFIX = "coprogramma:presence:"

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def _name(self, key: Key) -> str:
        return f"{self.PREFIX}{key[0]}:{key[1]}"

    def put(self, key: Key, sid: str, entry: Entry) -> None:
        name = self._name(key)
        with self.redis.pipeline() as pipe:
            pipe.hset(name, sid, json.dumps(asdict(entry)))
            pipe.expire(name, int(STALE * 2))
            pipe.execute()

    def remove(self, key: Key, sid: str) -> None:
        self.redis.hdel(self._name(key), sid)

    def entries(self, key: Key) -> list[Entry]:
        """Live entries; those of a process that stopped beating (it died) are deleted."""
        now, live, stale = time.time(), [], []
        for sid, raw in self.redis.hgetall(self._name(key)).items():
            entry = Entry(**json.loads(raw))
            if entry.seen > now - STALE:
                live.append(entry)
            else:
                stale.append(sid)
        if stale:
            self.redis.hdel(self._name(key), *stale)
        return live


class Presence:
    def __init__(self, lock_seconds: float = 60.0, redis_url: str | None = None):
        self.lock_seconds = lock_seconds
        self.share = RedisShare(redis_url) if redis_url else MemoryShare()
        self.local: dict[Key, dict[str, Entry]] = {}  # this process's sockets
        self._lock = threading.RLock()
        self._beat = time.time()

    def _put(self, key: Key, sid: str, entry: Entry) -> None:
        self.local.setdefault(key, {})[sid] = entry
        self.share.put(key, sid, entry)

    def join(self, sid: str, key: Key, user: dict) -> bool:
        with self._lock:
            if sid in self.local.get(key, {}):
                return False
            now = time.time()
            self._put(key, sid, Entry(user=user, since=now, seen=now))
            return True

    def leave(self, sid: str, key: Key) -> bool:
        with self._lock:
            entries = self.local.get(key, {})
            if entries.pop(sid, None) is None:
                return False
            if not entries:
                self.local.pop(key, None)
            self.share.remove(key, sid)
            return True

    def leave_all(self, sid: str) -> list[Key]:
        with self._lock:
            return [key for key in list(self.local) if self.leave(sid, key)]

    def edit(self, sid: str, key: Key, ref: str) -> tuple[Entry | None, float | None]:
        """Take or renew the lock on `ref`: (None, until) on success, (holder, None) if taken."""
        with self._lock:
            mine = self.local.get(key, {}).get(sid)
            if mine is None:
                return None, None
            now = time.time()
            for other in self.share.entries(key):
                if other.user["id"] != mine.user["id"] and other.holds(ref, now):
                    return other, None
            since = mine.lock_since if mine.holds(ref, now) else now
            until = now + self.lock_seconds
            self._put(key, sid, replace(mine, editing=ref, lock_since=since, lock_until=until, seen=now))
            return None, until

    def stop(self, sid: str, key: Key, ref: str | None = None) -> bool:
        with self._lock:
            mine = self.local.get(key, {}).get(sid)
            if mine is None or mine.editing is None or (ref is not None and mine.editing != ref):
                return False
            self._put(key, sid, replace(mine, editing=None, lock_since=None, lock_until=None))
            return True

    def expire(self) -> list[Key]:
        """Clear the locks of this process's sockets not renewed in time; the tavoli that changed."""
        changed = []
        with self._lock:
            now = time.time()
            for key, entries in list(self.local.items()):
                for sid, entry in list(entries.items()):
                    if entry.lock_until is not None and entry.lock_until <= now:
                        self._put(key, sid, replace(entry, editing=None, lock_since=None, lock_until=None))
                        if key not in changed:
                            changed.append(key)
            if isinstance(self.share, RedisShare) and now - self._beat >= HEARTBEAT:
                self._beat = now
                for key, entries in self.local.items():
                    for sid, entry in entries.items():
                        self._put(key, sid, replace(entry, seen=now))
        return changed

    def snapshot(self, key: Key) -> dict:
        """The `presence` message of a tavolo: people in it (once each) and live locks."""
        with self._lock:
            entries = sorted(self.share.entries(key), key=lambda e: e.since)
        now = time.time()
        users: dict[str, dict] = {}
        for entry in entries:
            users.setdefault(entry.user["id"], entry.user)
        editing: dict[str, Entry] = {}
        for entry in sorted((e for e in entries if e.editing and e.holds(e.editing, now)), key=lambda e: e.lock_since):
            editing.setdefault(entry.editing, entry)
        return {"plan": key[0], "tavolo": key[1], "users": list(users.values()),
                "editing": [_lock_json(ref, entry) for ref, entry in editing.items()]}


def _lock_json(ref: str, entry: Entry) -> dict:
    return {"objective_ref": ref, "user": entry.user,
            "expires_at": datetime.fromtimestamp(entry.lock_until, timezone.utc).isoformat(timespec="seconds")}


def describe(entry: Entry) -> str:
    user = entry.user
    who = user.get("name") or "un'altra persona"
    return f"{who} ({user['organisation']})" if user.get("organisation") else who

