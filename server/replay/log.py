"""Reading the raw event log (the `eventsourcing` recorder) into a fold."""
from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import Notification
from psycopg.sql import SQL, Identifier

from server.replay.fold import LogFold

PAGE = 1000


def replay(app, fold: LogFold, after: int, upto: int | None,
           touched: Callable[[str], None] | None = None) -> int:
    """Apply the stored events with after < position <= upto (None: to the end) to `fold`.

    Events that cannot matter (see LogFold.wants) are skipped before decoding. Returns the
    last position read."""
    last = after
    while upto is None or last < upto:
        notifications = app.recorder.select_notifications(start=last, limit=PAGE, stop=upto, inclusive_of_start=False)
        if not notifications:
            break
        for notification in notifications:
            if fold.wants(notification.originator_id, notification.originator_version):
                key = fold.apply(app.mapper.to_domain_event(notification), notification.id)
                if key and touched:
                    touched(key)
        last = notifications[-1].id
        if len(notifications) < PAGE:
            break
    return last


def stored_at(app, positions) -> dict:
    """The stored events (notifications, as recorded) at these positions, by position; a position the
    store no longer has is simply absent. One query per thousand positions, whatever their spread
    (the recorder itself reads only ranges)."""
    recorder = app.recorder
    select_rows = _postgres_rows if hasattr(recorder.datastore, "schema") else _sqlite_rows
    wanted = sorted(set(positions))
    found = {}
    for start in range(0, len(wanted), PAGE):
        for position, originator_id, version, topic, state in select_rows(recorder, wanted[start:start + PAGE]):
            found[position] = Notification(id=position, originator_id=originator_id, originator_version=version,
                                           topic=topic, state=state)
    return found


def _sqlite_rows(recorder, positions: list[int]) -> list[tuple]:
    statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
                 f"WHERE rowid IN ({','.join('?' * len(positions))})")
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, positions)
        return [(r["rowid"], recorder.convert_originator_id(r["originator_id"]), r["originator_version"], r["topic"],
                 r["state"]) for r in cursor.fetchall()]


def _postgres_rows(recorder, positions: list[int]) -> list[tuple]:
    statement = SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
                    "WHERE notification_id = ANY(%s)").format(
        Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (positions,))
        return [(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
                for r in cursor.fetchall()]
