"""The audit read side (issue 5: state at a moment, diff, provenance, verification) as the pages
need it. Each function answers None when the audit module is not installed yet, and the pages
then say so instead of failing."""
from __future__ import annotations

import importlib

from server.ui.common import rt, viewer

MODULES = ("server.audit", "server.queries_audit", "server.api.audit")


def _find(*names):
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            if hasattr(module, name):
                return getattr(module, name)
    return None


NEEDS = {"state": ("plan_state_at", "state_at"), "diff": ("plan_diff", "diff"),
         "provenance": ("objective_provenance", "provenance"), "verify": ("verify_chain", "verify")}


def available(what: str) -> bool:
    return _find(*NEEDS[what]) is not None


def state(key: str, at: int):
    function = _find(*NEEDS["state"])
    if function is None:
        return None
    with rt().sessions() as s:
        return function(s, key, at=at)


def diff(key: str, start: int, end: int):
    function = _find(*NEEDS["diff"])
    if function is None:
        return None
    with rt().sessions() as s:
        return function(s, key, start, end)


def provenance(key: str, ref: str):
    function = _find(*NEEDS["provenance"])
    if function is None:
        return None
    with rt().sessions() as s:
        return function(s, key, ref).get("fields")


def verify():
    function = _find(*NEEDS["verify"])
    if function is None or viewer() is None:
        return None
    return function(rt())
