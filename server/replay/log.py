"""Reading the raw event log (the `eventsourcing` recorder) into a fold."""
from __future__ import annotations

from collections.abc import Callable

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
