"""Rooms and permissions of the live updates.

Three kinds of room per plan, so that nobody receives what they may not see and an event is
emitted once (to a list of rooms: a client in several of them still gets it once):

- `plan:<plan>`             the plan-wide events (tavolo null): anyone who may read the plan;
- `tavolo:<plan>:<tavolo>`  the events of one tavolo: its members and coordinators, and
                            auditors/admins who subscribed to that tavolo; presence goes here too;
- `all:<plan>`              every event of the plan: auditors and admins subscribed to the plan.

The rule is `server.history.visible`: auditors and admins everything; others the plan-wide
events and the events of the tavoli they sit at.
"""
from __future__ import annotations

from server.directory import Principal


def plan_room(plan: str) -> str:
    return f"plan:{plan}"


def tavolo_room(plan: str, tavolo: str) -> str:
    return f"tavolo:{plan}:{tavolo}"


def all_room(plan: str) -> str:
    return f"all:{plan}"


def sees_everything(principal: Principal) -> bool:
    return principal.is_admin or principal.is_auditor


def may_see_tavolo(principal: Principal, plan: str, tavolo: str) -> bool:
    return sees_everything(principal) or (plan, tavolo) in principal.tavoli


def subscription_rooms(principal: Principal, plan: str, tavolo: str | None) -> set[str]:
    """The rooms of a subscription the principal is allowed (checked by the caller)."""
    if tavolo is not None:
        return {plan_room(plan), tavolo_room(plan, tavolo)}
    if sees_everything(principal):
        return {all_room(plan)}
    return {plan_room(plan)} | {tavolo_room(p, t) for (p, t) in principal.tavoli if p == plan}


def event_rooms(plan: str, tavolo: str | None) -> list[str]:
    return [all_room(plan), tavolo_room(plan, tavolo) if tavolo else plan_room(plan)]


def scope(rooms: set[str], plan: str) -> tuple[bool, bool, set[str]]:
    """What a set of rooms covers in a plan: (everything, plan-wide events, tavoli)."""
    everything = all_room(plan) in rooms
    plan_wide = everything or plan_room(plan) in rooms
    prefix = tavolo_room(plan, "")
    return everything, plan_wide, {room[len(prefix):] for room in rooms if room.startswith(prefix)}
