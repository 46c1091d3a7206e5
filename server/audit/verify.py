"""Recompute the hash chain from the raw event store and compare it with the chain projection.

Any change to a stored event (its state bytes, topic, originator, version or position), and any
event removed or inserted, makes the recomputed link differ from the stored one from that
position on: `first_bad_position` is the first position where they differ.
"""
from __future__ import annotations

import re

from eventsourcing.persistence import MapperDeserialisationError
from sqlalchemy import func, select

from server.audit.verify_bundle import GENESIS
from server.events.errors import Conflict, Invalid
from server.projections.base import ProjectionTracking
from server.projections.chain import ChainRow, link_at, stored_link
from server.replay.log import stored_events

PAGE = 2000
HEAD = re.compile(r"[0-9a-f]{64}")  # a link as the chain writes it
UNREADABLE = ("Un evento del registro non è più leggibile: il registro è stato alterato "
              "(la verifica della catena indica la prima posizione alterata).")


class Tampered(Conflict):
    """What was asked vouches for the log, or needs an event of it, and the log does not verify."""

    code = "tampered"


def first_unreadable(runtime, start: int) -> int | None:
    """The first position from `start` on whose event no longer decodes, or is gone from the store while
    the chain has it: a rebuild would stop there, or trip over what follows (a proposal without its
    creation)."""
    present, undecodable = set(), None
    for notification in stored_events(runtime.app, runtime.event_position()):
        present.add(notification.id)
        if notification.id >= start and undecodable is None:
            try:
                runtime.app.mapper.to_domain_event(notification)
            except MapperDeserialisationError:
                undecodable = notification.id
    with runtime.sessions() as session:
        chained = session.scalars(select(ChainRow.position).order_by(ChainRow.position))
        missing = next((position for position in chained if position not in present), None)
    return min((p for p in (undecodable, missing) if p is not None), default=None)


def chained_position(session) -> int:
    """How far the chain projection has got."""
    return session.scalar(select(ProjectionTracking.position).where(ProjectionTracking.name == "chain")) or 0


def walk(app, upto: int, page: int = PAGE):
    """The stored events with position <= upto, in order, with the link each one makes."""
    link = GENESIS
    for notification in stored_events(app, upto, page=page):
        link = stored_link(link, notification)
        yield notification, link


def verify(runtime, upto: int | None = None, published: tuple[int, str] | None = None) -> dict:
    """{"ok", "events", "head", "first_bad_position", "position", "stored_head"}: `head` is recomputed
    from the raw store, `stored_head` is the chain projection's (they differ on an altered log); the
    events checked are those the chain projection has reached (`position`), or those up to `upto`.
    `published`: a (position, head) seen earlier outside the database (a bundle, a snapshot, the
    minutes of a session); the link recomputed at that position must be that head (`"published"`).
    It catches what the stored chain alone cannot: a log rewritten together with its chain, or
    rebuilt from altered events."""
    with runtime.sessions() as session:
        upto = chained_position(session) if upto is None else min(upto, chained_position(session))
        if published is not None:
            published = _checked(published, upto)
        count, head, first_bad, last = 0, GENESIS, None, 0
        then = GENESIS  # the link at the published position
        batch: list = []
        for notification, link in walk(runtime.app, upto):
            batch.append((notification.id, link))
            count, head = count + 1, link
            if published is not None and notification.id <= published[0]:
                then = link
            if len(batch) == PAGE:
                first_bad = first_bad or _compare(session, last, batch)
                last, batch = batch[-1][0], []
        if batch:
            first_bad = first_bad or _compare(session, last, batch)
            last = batch[-1][0]
        if first_bad is None:  # chain links whose events are gone from the end of the log
            first_bad = session.scalar(select(func.min(ChainRow.position)).where(
                ChainRow.position > last, ChainRow.position <= upto))
        stored_head = link_at(session, upto)[1]
    report = {"ok": first_bad is None, "events": count, "head": head, "first_bad_position": first_bad,
              "position": upto, "stored_head": stored_head}
    if published is not None:
        matches = then == published[1]
        report["published"] = {"position": published[0], "head": published[1], "recomputed": then, "matches": matches}
        report["ok"] = report["ok"] and matches
    return report


def _checked(published: tuple[int, str], upto: int) -> tuple[int, str]:
    """A published (position, head) as the chain writes it, or `Invalid` naming what is wrong."""
    position, head = published[0], published[1].strip().lower()
    if not HEAD.fullmatch(head):
        raise Invalid("Testa non valida", {"head": "64 cifre esadecimali (SHA-256)."})
    if not 0 <= position <= upto:
        raise Invalid("La posizione indicata non è nella catena", {"at": f"Deve essere compresa tra 0 e {upto}."})
    return position, head


def summary(report: dict) -> str:
    """The verification in one Italian sentence or two."""
    published = report.get("published")
    rewritten = published is not None and not published["matches"]
    if report["first_bad_position"] is not None:
        said = (f"Registro alterato: la prima posizione che non corrisponde alla catena salvata è "
                f"{report['first_bad_position']}.")
    elif rewritten:
        said = (f"Registro riscritto: gli eventi corrispondono alla catena salvata ({report['events']} eventi fino "
                f"alla posizione {report['position']}), ma non alla testa pubblicata.")
    else:
        said = (f"Registro integro: {report['events']} eventi fino alla posizione {report['position']}, testa "
                f"{report['head']}.")
    if published is not None:
        said += (f" La testa pubblicata alla posizione {published['position']} corrisponde." if published["matches"]
                 else f" La testa pubblicata alla posizione {published['position']} NON corrisponde: ricalcolata "
                      f"{published['recomputed']}.")
    return said


def _compare(session, after: int, batch: list[tuple[int, str]]) -> int | None:
    stored = dict(session.execute(select(ChainRow.position, ChainRow.link).where(
        ChainRow.position > after, ChainRow.position <= batch[-1][0])).all())
    bad = [position for position, link in batch if stored.pop(position, None) != link]
    bad += list(stored)  # links without an event: an event was removed
    return min(bad) if bad else None
