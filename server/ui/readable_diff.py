"""The diff of two moments (the API's GET /plans/{key}/diff) in the Storia page's words: every
change it names, labelled in Italian, people and organisations by name (web/templates/partials/compare.html)."""
from __future__ import annotations

from server.planformat import labels as L
from server.ui.admin import BODY_LABELS
from server.ui.common import OBJECTIVE_STATUS, PLAN_STATUS, organisation_names, people_names, when

# What the diff of two moments may name, in the page's words (server/replay/diff.py).
PLAN_CHANGE_LABELS = {**L.PLAN_LABELS, "status": "Stato del piano", "macro_areas": "Macro-aree di policy",
                      "tavoli": "Tavoli tematici", "approvals": "Atti di approvazione",
                      "source": "Documento importato"}
OBJECTIVE_CHANGE_LABELS = {**L.OBJECTIVE_REF_LABELS, "status": "Stato", "version": "Versione"}
TAVOLO_CHANGE_LABELS = {"key": L.TAVOLO_LABELS["key"], "name": L.TAVOLO_LABELS["name"],
                        "macro_areas": L.TAVOLO_LABELS["macro_areas"], "mandate": "Mandato",
                        "organisations": L.TAVOLO_LABELS["members"], "coordinators": "Coordinatori/trici",
                        "members": "Membri"}


def readable_diff(session, plan: dict, diff: dict) -> dict:
    """Everything `diff` (the API's GET /plans/{key}/diff) says, as labelled changes: each
    {"label", "kind": "text" | "list" | "tavoli", "before", "after"}, texts and lists of texts in Italian."""
    moved = diff["plan"].get("tavoli") or {}
    states = [moved.get("before") or [], moved.get("after") or []]
    tavoli = {t["key"]: t.get("name") or t["key"] for t in plan.get("tavoli") or []}
    tavoli.update({t["key"]: t.get("name") or t["key"] for state in states for t in state if isinstance(t, dict)})
    people = set()
    for state in states:
        for t in filter(lambda item: isinstance(item, dict), state):
            people.update(t.get("coordinators") or [])
            people.update(t.get("members") or [])
    source = diff["plan"].get("source") or {}
    people.update(s.get("by") for s in (source.get("before"), source.get("after")) if isinstance(s, dict))
    ctx = {"people": people_names(session, people), "organisations": organisation_names(session), "tavoli": tavoli,
           "areas": {a["code"]: a.get("name") for a in plan.get("macro_areas") or []}}
    renamed = {item["id"]: item["from"] for item in diff["objectives"]["renamed"]}
    changed = []
    for item in diff["objectives"]["changed"]:
        others = [_change(OBJECTIVE_CHANGE_LABELS.get(name, name), _objective_value(name, change.get("before"), ctx),
                          _objective_value(name, change.get("after"), ctx))
                  for name, change in item.items() if name not in ("ref", "id", "fields")]
        changed.append({"ref": item["ref"], "was": renamed.get(item["id"]), "changes": others,
                        "fields": item.get("fields") or {}})
    added = [{**o, "tavolo_name": tavoli.get(o.get("tavolo"), o.get("tavolo")),
              "area_name": _area(o.get("macro_area"), ctx)} for o in diff["added_objectives"]]
    appeared = "key" in diff["plan"] and diff["plan"]["key"].get("before") is None
    vanished = "key" in diff["plan"] and diff["plan"]["key"].get("after") is None
    plan_changes = [_plan_change(name, change, ctx) for name, change in diff["plan"].items()]
    result = {"plan": [change for change in plan_changes if not _nothing(change)],
              "appeared": appeared, "vanished": vanished, "renamed": diff["objectives"]["renamed"], "added": added,
              "added_refs": [ref for ref in diff["objectives"]["added"] if ref not in {o.get("ref") for o in added}],
              "removed": diff["objectives"]["removed"], "changed": changed}
    result["empty"] = not any(result[part] for part in ("plan", "renamed", "added", "added_refs", "removed", "changed"))
    return result


def _nothing(change: dict) -> bool:
    """A change from nothing to nothing (a plan that appears whole has no sub-ambiti before nor after)."""
    if change["kind"] == "tavoli":
        return not change["tavoli"]
    return all(value is None or value == "" or value == [] for value in (change["before"], change["after"]))


def _change(label: str, before, after, kind: str | None = None) -> dict:
    lists = isinstance(before, list) or isinstance(after, list)
    return {"label": label, "kind": kind or ("list" if lists else "text"), "before": before, "after": after}


def _plan_change(name: str, change: dict, ctx: dict) -> dict:
    label = PLAN_CHANGE_LABELS.get(name, name)
    before, after = change.get("before"), change.get("after")
    if name == "tavoli":
        return _change(label, None, None, "tavoli") | {"tavoli": _tavoli(before or [], after or [], ctx)}
    return _change(label, _plan_value(name, before, ctx), _plan_value(name, after, ctx))


def _plan_value(name: str, value, ctx: dict):
    if value is None:
        return None
    if name == "status":
        return PLAN_STATUS.get(value, value)
    if name == "period" and isinstance(value, dict):
        return f"{value.get('from')}–{value.get('to')}"
    if name == "approvals" and isinstance(value, list):
        return [_approval(act) for act in value]
    if name == "macro_areas" and isinstance(value, list):
        return [_macro_area(area) for area in value]
    if name == "source" and isinstance(value, dict):
        who = ctx["people"].get(value.get("by"))
        return (f"{value.get('file_name')} (SHA-256 {value.get('sha256')})"
                + (f", importato da {who}" if who else "")
                + (f" il {when(value['at'])}" if value.get("at") else "")
                + (f" (evento n. {value['position']})" if value.get("position") is not None else ""))
    return _plain(value)


def _approval(act) -> str:
    if not isinstance(act, dict):
        return _plain(act)
    text = f"{BODY_LABELS.get(act.get('body'), act.get('body'))}: {act.get('act')}"
    if act.get("date"):
        text += f" del {when(act['date'], with_time=False)}"
    if act.get("position") is not None:
        text += f" (evento n. {act['position']})"
    return text


def _macro_area(area) -> str:
    if not isinstance(area, dict):
        return _plain(area)
    text = f"{area.get('code')} — {area.get('name')}"
    if area.get("key_points"):
        text += f" ({L.MACRO_AREA_LABELS['key_points'].lower()}: {'; '.join(map(str, area['key_points']))})"
    return text


def _tavoli(before: list, after: list, ctx: dict) -> list[dict]:
    """Each tavolo that appears, disappears or changes, with what changed (people by name)."""
    old = {t.get("key"): t for t in before if isinstance(t, dict)}
    new = {t.get("key"): t for t in after if isinstance(t, dict)}
    result = []
    for key in [*old, *(k for k in new if k not in old)]:
        then, now = old.get(key), new.get(key)
        if then == now:
            continue
        names = [name for name in [*(then or {}), *(k for k in (now or {}) if k not in (then or {}))]
                 if (then or {}).get(name) != (now or {}).get(name)]
        result.append({"name": ctx["tavoli"].get(key, key), "state": "added" if then is None else
                       "removed" if now is None else "changed",
                       "changes": [c for name in names if not _nothing(c := _change(
                           TAVOLO_CHANGE_LABELS.get(name, name), _tavolo_value(name, (then or {}).get(name), ctx),
                           _tavolo_value(name, (now or {}).get(name), ctx)))]})
    return result


def _tavolo_value(name: str, value, ctx: dict):
    if value is None:
        return None
    if name in ("coordinators", "members") and isinstance(value, list):
        return [ctx["people"].get(user, user) for user in value]
    if name == "organisations" and isinstance(value, list):
        return [ctx["organisations"].get(org, org) for org in value]
    if name == "macro_areas" and isinstance(value, list):
        return [_area(code, ctx) for code in value]
    return _plain(value)


def _objective_value(name: str, value, ctx: dict):
    if value is None:
        return None
    if name == "status":
        return OBJECTIVE_STATUS.get(value, value)
    if name == "tavolo":
        return ctx["tavoli"].get(value, value)
    if name == "macro_area":
        return _area(value, ctx)
    return _plain(value)


def _area(code, ctx: dict) -> str | None:
    name = ctx["areas"].get(code)
    return f"{code} — {name}" if name else code


def _plain(value):
    """Any other value as text (lists stay lists of texts): nothing the diff says is left out."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [None if item is None else _text(item) for item in value]
    return _text(value)


def _text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, bool):
        return "sì" if value else "no"
    return "—" if value is None else str(value)
