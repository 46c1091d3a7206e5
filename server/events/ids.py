"""Deterministic aggregate ids for things that have a human key (plan, tavolo, organisation).

A second creation with the same key collides on (id, version 1) in the event store, so
uniqueness of keys is enforced by the store itself, across processes.
"""
from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6c1f3b7e-2a4d-5b8e-9f10-c0b1a2d3e4f5")


def plan_id(plan_key: str) -> UUID:
    return uuid5(NAMESPACE, f"plan:{plan_key}")


def tavolo_id(plan_key: str, tavolo_key: str) -> UUID:
    return uuid5(NAMESPACE, f"tavolo:{plan_key}/{tavolo_key}")


def organisation_id(organisation_key: str) -> UUID:
    return uuid5(NAMESPACE, f"organisation:{organisation_key}")
