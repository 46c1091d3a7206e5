"""Reading the raw event log (the `eventsourcing` recorder) into a fold."""
from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import Notification

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
    wanted = sorted(set(positions))
    found = {}
    postgres = hasattr(recorder.datastore, "schema")
    for start in range(0, len(wanted), PAGE):
        chunk = wanted[start:start + PAGE]
        if postgres:
            from psycopg.sql import SQL, Identifier

            statement = SQL("SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{} "
                            "WHERE notification_id = ANY(%s)").format(
                Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (chunk,))
                rows = [(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"],
                         bytes(r["state"])) for r in cursor.fetchall()]
        else:
            statement = (f"SELECT rowid, originator_id, originator_version, topic, state "
                         f"FROM {recorder.events_table_name} WHERE rowid IN ({','.join('?' * len(chunk))})")
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, chunk)
                rows = [(r["rowid"], recorder.convert_originator_id(r["originator_id"]), r["originator_version"],
                         r["topic"], r["state"]) for r in cursor.fetchall()]
        for position, originator_id, version, topic, state in rows:
            found[position] = Notification(id=position, originator_id=originator_id, originator_version=version,
                                           topic=topic, state=state)
    return found
