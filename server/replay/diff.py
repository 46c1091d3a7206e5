"""What changed in a plan between two moments, and applying that change (apply_diff).

diff_states(p, q) compares two plan states (server/replay/shape.plan_state) and answers
{"plan": {key: change}, "objectives": {"added": [ref], "removed": [ref], "renamed": [{"from", "to", "id"}],
"changed": [{"ref", "id", "fields": {field: change}, "status"?, "version"?, ...}]},
"added_objectives": [the new objectives, whole]}, each change being {"before", "after"} with lists
and objects compared item by item (server/replay/values.py). apply_diff(p, diff) == q.
"""
from __future__ import annotations

from types import SimpleNamespace

from server.replay.shape import objective_entry
from server.replay.values import apply_dict, apply_value, diff_dict, diff_value

PLAN_KEYS = ("title", "ambito", "period", "status", "lead_body", "managing_agency", "municipalities", "sub_areas",
             "macro_areas", "tavoli", "approvals", "source")
OBJECTIVE_KEYS = ("macro_area", "tavolo", "status", "version")  # besides ref (renamed) and fields


def diff_states(before: dict | None, after: dict | None) -> dict:
    """`before` / `after` None: the plan did not exist at that moment."""
    old, new = before or {}, after or {}
    plan = {}
    for key in ("key", *PLAN_KEYS):
        change = diff_value(old.get(key), new.get(key))
        if change is None and (before is None) != (after is None):
            change = {"before": old.get(key), "after": new.get(key)}  # the plan appears or disappears whole
        if change is not None:
            plan[key] = change
    olds = {o["id"]: o for o in old.get("objectives", [])}
    news = {o["id"]: o for o in new.get("objectives", [])}
    renamed, changed = [], []
    for oid, now in news.items():
        then = olds.get(oid)
        if then is None:
            continue
        if then["ref"] != now["ref"]:
            renamed.append({"from": then["ref"], "to": now["ref"], "id": oid})
        entry = {key: change for key in OBJECTIVE_KEYS if (change := diff_value(then[key], now[key])) is not None}
        fields = diff_dict(then["fields"], now["fields"])
        if entry or fields:
            changed.append({"ref": now["ref"], "id": oid, "fields": fields, **entry})
    added = [o for oid, o in news.items() if oid not in olds]
    return {
        "plan": plan,
        "objectives": {"added": [o["ref"] for o in added],
                       "removed": [o["ref"] for oid, o in olds.items() if oid not in news],
                       "renamed": renamed, "changed": changed},
        "added_objectives": added,
    }


def apply_diff(state: dict | None, diff: dict) -> dict | None:
    """The state `diff` leads to from `state` (diff = diff_states(state, other) gives `other`)."""
    result = dict(state or {})
    for key, change in diff["plan"].items():
        result[key] = apply_value(result.get(key), change)
    if result.get("key") is None:
        return None  # the plan did not exist at the later moment
    removed = set(diff["objectives"]["removed"])
    renames = {item["id"]: item["to"] for item in diff["objectives"]["renamed"]}
    changes = {item["id"]: item for item in diff["objectives"]["changed"]}
    objectives = []
    for entry in result.get("objectives", []):
        if entry["ref"] in removed:
            continue
        oid = entry["id"]
        if oid in renames or oid in changes:
            entry = _changed(entry, renames.get(oid, entry["ref"]), changes.get(oid))
        objectives.append(entry)
    result["objectives"] = objectives + [dict(o) for o in diff["added_objectives"]]
    return result


def _changed(entry: dict, ref: str, change: dict | None) -> dict:
    values = {key: entry[key] for key in OBJECTIVE_KEYS}
    fields = entry["fields"]
    if change:
        values.update({key: change[key]["after"] for key in OBJECTIVE_KEYS if key in change})
        fields = apply_dict(fields, change["fields"])
    return objective_entry(SimpleNamespace(id=entry["id"], ref=ref, fields=fields, **values))
