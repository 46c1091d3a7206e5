"""Uniqueness and cross-reference checks of a plan document.

They run on the raw (parsed JSON) data, independently of the shape validation, so that one pass
reports every problem: a broken objective does not hide a duplicate ref or an unknown tavolo.
Values that are not (trimmed, non-empty) strings are skipped here: the schema reports them.
"""
from __future__ import annotations

from collections.abc import Mapping

from server.planformat.problems import element, member, problem


def _text(value) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _entries(data, key: str, path: str) -> list[tuple[str, object]]:
    """(path, entry) of each element of the list ``data[key]``; [] if absent or not a list."""
    values = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(values, list):
        return []
    where = member(path, key)
    return [(element(where, i), value) for i, value in enumerate(values)]


def _unique(entries, key: str, rule: str, found: list[dict]) -> set[str]:
    """The set of ``entry[key]`` values; a repeated value is a problem at the repetition."""
    first: dict[str, str] = {}
    for path, entry in entries:
        value = _text(entry.get(key)) if isinstance(entry, Mapping) else None
        if value is None:
            continue
        if value in first:
            found.append(problem(member(path, key), f"Valore «{value}» già usato in {first[value]}: {rule}."))
        else:
            first[value] = member(path, key)
    return set(first)


def _check_refs(entries, key: str, declared: set[str] | None, message: str, found: list[dict]) -> None:
    """Each ``entry[key]`` (a string or a list of strings) must be in ``declared`` (None: unknown)."""
    if declared is None:
        return
    for path, entry in entries:
        if not isinstance(entry, Mapping) or key not in entry:
            continue
        value, where = entry[key], member(path, key)
        targets = [(where, value)] if not isinstance(value, list) else \
            [(element(where, i), item) for i, item in enumerate(value)]
        for target_path, target in targets:
            name = _text(target)
            if name is not None and name not in declared:
                found.append(problem(target_path, message.format(name)))


def indicator_problems(fields, path: str) -> list[dict]:
    """Indicator keys must be unique within an objective."""
    found: list[dict] = []
    _unique(_entries(fields, "indicators", path), "key",
            "le chiavi degli indicatori devono essere uniche nell'obiettivo", found)
    return found


def document_problems(data) -> list[dict]:
    """Every uniqueness and reference problem of a whole document (raw data)."""
    if not isinstance(data, Mapping):
        return []
    found: list[dict] = []
    areas = _entries(data, "macro_areas", "$")
    orgs = _entries(data, "organisations", "$")
    tavoli = _entries(data, "tavoli", "$")
    leps = _entries(data, "leps", "$")
    objectives = _entries(data, "objectives", "$")
    codes = _unique(areas, "code", "i codici delle macro-aree devono essere unici", found)
    org_keys = _unique(orgs, "key", "le chiavi delle organizzazioni devono essere uniche", found)
    tavolo_keys = _unique(tavoli, "key", "le chiavi dei tavoli devono essere uniche", found)
    leps_codes = _unique(leps, "code", "i codici LEPS devono essere unici", found)
    refs = _unique(objectives, "ref", "i riferimenti degli obiettivi devono essere unici nel piano", found)
    # A declaring list of the wrong type is reported by the schema; references to it are not checked.
    codes, org_keys, tavolo_keys, leps_codes, refs = (
        declared if isinstance(data.get(key, []), list) else None
        for declared, key in ((codes, "macro_areas"), (org_keys, "organisations"), (tavolo_keys, "tavoli"),
                              (leps_codes, "leps"), (refs, "objectives")))

    _check_refs(tavoli, "macro_areas", codes, "Macro-area «{}» non dichiarata in $.macro_areas.", found)
    _check_refs(tavoli, "members", org_keys, "Organizzazione «{}» non dichiarata in $.organisations.", found)
    _check_refs(objectives, "macro_area", codes, "Macro-area «{}» non dichiarata in $.macro_areas.", found)
    _check_refs(objectives, "tavolo", tavolo_keys, "Tavolo «{}» non dichiarato in $.tavoli.", found)
    _check_refs(objectives, "leps", leps_codes, "LEPS «{}» non dichiarato in $.leps.", found)
    _check_refs(_entries(data, "evaluations", "$"), "reproposed_as", refs,
                "Obiettivo «{}» non presente in $.objectives di questo piano.", found)
    for path, objective in objectives:
        found.extend(indicator_problems(objective, path))
    return found
