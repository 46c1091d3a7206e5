"""Reading the raw event log (the `eventsourcing` recorder) into a fold."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from eventsourcing.persistence import MapperDeserialisationError
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from server.audit.verify_bundle import uuid_text
from server.replay.fold import LogFold

PAGE = 1000


class Recorded(NamedTuple):
    """A stored event as recorded: what eventsourcing's Notification holds, and what its mapper decodes."""

    id: int  # the position
    originator_id: str  # as the store keeps it (SQLite: 32 hex digits); `uuid_text` writes it as str(UUID)
    originator_version: int
    topic: str
    state: bytes


def read_log(app, after: int, limit: int, stop: int | None = None) -> list[Recorded]:
    """Up to `limit` stored events with after < position (<= stop), in order. What the recorder's
    `select_notifications` reads, without building a dataclass and a UUID for every row: half of
    reading the log (docs/PERFORMANCE.md)."""
    return _select(app.recorder, "{position} > {p} AND {position} <= {p} ORDER BY {position} LIMIT {p}",
                   (after, _NO_STOP if stop is None else stop, limit))


def stored_at(app, positions) -> dict[int, Recorded]:
    """The stored events at these positions, by position; a position the store no longer has is simply
    absent. One query per thousand positions, whatever their spread (the recorder reads only ranges)."""
    wanted = sorted(set(positions))
    found = {}
    for start in range(0, len(wanted), PAGE):
        some = wanted[start:start + PAGE]
        if _postgres(app.recorder):
            rows = _select(app.recorder, "{position} = ANY({p})", (some,))
        else:
            rows = _select(app.recorder, f"{{position}} IN ({', '.join(['{p}'] * len(some))})", some)
        found.update((row.id, row) for row in rows)
    return found


def events_at(app, expected: dict[int, tuple[str, int | None]]) -> dict[int, object]:
    """The domain events at these positions, each expected of an aggregate (and at a version, unless
    None). An event the store no longer has, or has under another aggregate or version, is an altered
    log: raised as the mapper's own error for an event that no longer decodes (409 `tampered`)."""
    stored = stored_at(app, expected)
    events = {}
    for position, (aggregate_id, version) in expected.items():
        found = stored.get(position)
        if found is None or uuid_text(found.originator_id) != aggregate_id or \
                version not in (None, found.originator_version):
            raise MapperDeserialisationError(f"the stored event at position {position} is missing or replaced")
        events[position] = app.mapper.to_domain_event(found)
    return events


_NO_STOP = 2 ** 63 - 1


def _postgres(recorder) -> bool:
    return hasattr(recorder.datastore, "schema")


def _select(recorder, where: str, params) -> list[Recorded]:
    """The stored events matching `where` ({position}: the position column, {p}: a parameter)."""
    if _postgres(recorder):
        statement = SQL("SELECT notification_id, originator_id::text, originator_version, topic, state FROM {}.{} "
                        "WHERE ").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        statement += SQL(where.format(position="notification_id", p="%s"))
        with recorder.datastore.transaction(commit=False) as transaction, \
                transaction.connection.cursor(row_factory=tuple_row, binary=True) as cursor:
            # binary: the states come as bytes, not as hexadecimal text to parse (most of the reading)
            cursor.execute(statement, params)
            return list(map(Recorded._make, cursor.fetchall()))
    statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                 f"WHERE {where.format(position='rowid', p='?')}")
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.sqlite_cursor.row_factory = None  # plain tuples: a third faster than the connection's sqlite3.Row
        cursor.execute(statement, params)
        return list(map(Recorded._make, cursor.fetchall()))


def replay(app, fold: LogFold, after: int, upto: int | None,
           touched: Callable[[str], None] | None = None) -> int:
    """Apply the stored events with after < position <= upto (None: to the end) to `fold`.

    Events that cannot matter (see LogFold.wants) are skipped before decoding. Returns the
    last position read."""
    last = after
    for notification in stored_events(app, upto, after):
        if fold.wants(notification.originator_id, notification.originator_version):
            key = fold.apply(app.mapper.to_domain_event(notification), notification.id)
            if key and touched:
                touched(key)
        last = notification.id
    return last


def stored_events(app, upto: int | None, after: int = 0, page: int = PAGE):
    """The stored events after `after` up to `upto` (None: to the end), in order, read a page at a time."""
    while upto is None or after < upto:
        events = read_log(app, after, page, upto)
        yield from events
        if len(events) < page:
            return
        after = events[-1].id


