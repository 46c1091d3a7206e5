"""Structural before/after of one value: lists item by item, objects key by key.

diff_value(a, b) is None when equal, else {"before", "after"} plus, for two lists,
"items": {"added": [{"index", "value"}], "removed": [{"index", "value"}],
"changed": [{"index", "to_index", "before", "after", ...nested}]} (`index` in the old list,
`to_index` in the new one), and for two objects "fields": {key: diff}, a key that appears or
disappears being marked "added": true / "removed": true. apply_value(a, d) gives b back.
"""
from __future__ import annotations

from decimal import Decimal
from difflib import SequenceMatcher

import orjson

from server.jsonutil import dumps


def _key(value) -> bytes | str:
    """What list items are matched by: the same for values that are `same` (60000 and 60000.00
    alike), different otherwise. orjson: a diff of two plan states matches ~100 000 items."""
    try:
        return orjson.dumps(value, default=_number, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return dumps(value, sort_keys=True)


def _number(value):
    if isinstance(value, Decimal) and value.is_finite():
        integral = value == value.to_integral_value()
        return orjson.Fragment(str(int(value)) if integral else format(value.normalize(), "f"))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def same(a, b) -> bool:
    """Equal values (an amount of 60000 equals 60000.00); true and 1 differ."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def diff_value(before, after) -> dict | None:
    if same(before, after):
        return None
    change = {"before": before, "after": after}
    if isinstance(before, list) and isinstance(after, list):
        change["items"] = diff_list(before, after)
    elif isinstance(before, dict) and isinstance(after, dict):
        change["fields"] = diff_dict(before, after)
    return change


def diff_dict(before: dict, after: dict) -> dict:
    changes = {}
    for name in [*before, *(k for k in after if k not in before)]:
        if name not in after:
            changes[name] = {"before": before[name], "after": None, "removed": True}
        elif name not in before:
            changes[name] = {"before": None, "after": after[name], "added": True}
        elif (change := diff_value(before[name], after[name])) is not None:
            changes[name] = change
    return changes


def diff_list(before: list, after: list) -> dict:
    added, removed, changed = [], [], []
    matcher = SequenceMatcher(None, [_key(v) for v in before], [_key(v) for v in after], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = _pairs(before[i1:i2], after[j1:j2]) if tag == "replace" else []
        for i, j in pairs:
            change = diff_value(before[i1 + i], after[j1 + j])
            if change is not None:  # equal after all (e.g. true and 1 nested in an object)
                changed.append({"index": i1 + i, "to_index": j1 + j, **change})
        old, new = {i for i, _ in pairs}, {j for _, j in pairs}
        removed += [{"index": i1 + i, "value": before[i1 + i]} for i in range(i2 - i1) if i not in old]
        added += [{"index": j1 + j, "value": after[j1 + j]} for j in range(j2 - j1) if j not in new]
    return {"added": added, "removed": removed, "changed": changed}


def _pairs(before: list, after: list) -> list[tuple[int, int]]:
    """Which replaced items are the same item changed: in order, those that keep at least half of
    their fields (a budget line whose amount changed, next to a line inserted before it, is that
    line changed, not a rewrite of its neighbour); when none do, position by position."""
    similar = [[_similar(a, b) for b in after] for a in before]
    # longest common subsequence over `similar` (replaced runs are short)
    best = [[0] * (len(after) + 1) for _ in range(len(before) + 1)]
    for i in range(len(before) - 1, -1, -1):
        for j in range(len(after) - 1, -1, -1):
            best[i][j] = best[i + 1][j + 1] + 1 if similar[i][j] else max(best[i + 1][j], best[i][j + 1])
    if best[0][0] == 0:
        return [(k, k) for k in range(min(len(before), len(after)))]
    pairs, i, j = [], 0, 0
    while i < len(before) and j < len(after):
        if similar[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _similar(before, after) -> bool:
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return False
    names = before.keys() | after.keys()
    kept = sum(1 for name in names if name in before and name in after and same(before[name], after[name]))
    return kept > 0 and 2 * kept >= len(names)


def apply_value(before, change: dict):
    if "items" in change and isinstance(before, list):
        return apply_list(before, change["items"])
    if "fields" in change and isinstance(before, dict):
        return apply_dict(before, change["fields"])
    return change["after"]


def apply_dict(before: dict, changes: dict) -> dict:
    result = dict(before)
    for name, change in changes.items():
        if change.get("removed"):
            result.pop(name, None)
        elif change.get("added"):
            result[name] = change["after"]
        else:
            result[name] = apply_value(result[name], change)
    return result


def apply_list(before: list, items: dict) -> list:
    gone = {item["index"] for item in items["removed"]}
    replaced = {item["index"]: item for item in items["changed"]}
    kept = [apply_value(value, replaced[i]) if i in replaced else value
            for i, value in enumerate(before) if i not in gone]
    for item in sorted(items["added"], key=lambda item: item["index"]):
        kept.insert(item["index"], item["value"])
    return kept
