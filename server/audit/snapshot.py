"""Certified snapshots: a plan's state at a position (by default: as approved by its latest act,
i.e. once the act's events are all applied)
together with the link of the hash chain at that position, which anyone holding an audit bundle
or the live system can check (`coprogramma audit verify`, verify_bundle.py)."""
from __future__ import annotations

from sqlalchemy import select

from server.events.errors import Conflict, NotFound
from server.projections.chain import link_at
from server.projections.history import HistoryRow, with_events
from server.queries.plans import get_plan_row
from server.replay.shape import plan_state
from server.replay.state import require_state

FORMAT = "coprogramma/certified-snapshot@1"


def approval_of(session, plan_key: str, number: int | None = None) -> dict:
    """The plan's approval act `number` (1 = the first), or its latest."""
    approvals = get_plan_row(session, plan_key).approvals
    if not approvals:
        raise Conflict("Il piano non è mai stato approvato", {"plan": plan_key})
    if number is None:
        return approvals[-1]
    if not 1 <= number <= len(approvals):
        acts = "1 approvazione" if len(approvals) == 1 else f"{len(approvals)} approvazioni"
        raise NotFound("Approvazione inesistente", {"approval": f"Il piano ha {acts}."})
    return approvals[number - 1]


def end_of_act(app, session, plan_key: str, approval: dict) -> int:
    """The position after the whole approving act: the plan's Approved event and, recorded with it in
    the same transaction, each objective's move to «approved» (what POST /approval answered)."""
    rows = session.scalars(select(HistoryRow).where(HistoryRow.position > approval["position"])
                           .order_by(HistoryRow.position).limit(10_000))
    following = []  # the unbroken run of status changes of this plan's objectives; only these are read
    for row in rows:
        if not (row.position == approval["position"] + len(following) + 1 and row.plan_key == plan_key
                and row.type == "Objective.StatusChanged"):
            break
        following.append(row)
    end = approval["position"]
    for row in with_events(app, following):
        if not (row.data.get("status") == "approved" and row.data.get("reason") is None):
            break
        end = row.position
    return end


def certified_snapshot(runtime, session, plan_key: str, position: int | None = None,
                       approval: int | None = None) -> dict:
    """The plan at `position`, or as approved (approval act `approval`, default the latest)."""
    act = None
    if position is None:
        act = approval_of(session, plan_key, approval)
        position = end_of_act(runtime.app, session, plan_key, act)
    runtime.wait_for(position)  # the chain must have reached the position it certifies
    state = require_state(runtime, session, plan_key, position)
    chained_position, link = link_at(session, position)
    event = session.get(HistoryRow, chained_position)
    return {"format": FORMAT, "plan": plan_key, "position": position,
            "at": event.at.isoformat() if event else None, "approval": act,
            "chain": {"algorithm": "sha256", "position": chained_position, "link": link},
            "state": plan_state(state)}


def certify(runtime, session, plan_key: str, position: int | None = None, approval: int | None = None) -> dict:
    """`certified_snapshot`, given only when the log up to its link verifies: a snapshot of altered
    events would carry the link of the genuine ones (the chain projection's) and vouch for them."""
    from eventsourcing.persistence import MapperDeserialisationError

    from server.audit.verify import verify

    try:
        document = certified_snapshot(runtime, session, plan_key, position=position, approval=approval)
    except MapperDeserialisationError:  # an event altered past reading: the verification says where
        _refuse_if_altered(verify(runtime))
        raise
    _refuse_if_altered(verify(runtime, upto=document["chain"]["position"]))
    return document


def _refuse_if_altered(report: dict) -> None:
    from server.audit.verify import Tampered

    if not report["ok"]:
        raise Tampered("Il registro degli eventi non supera la verifica: l'istantanea non può essere certificata",
                       {"first_bad_position": f"Prima posizione alterata: {report['first_bad_position']}."})
