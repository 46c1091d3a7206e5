"""Problems found in a plan document: ``{"path": "$.objectives[3].title", "message": "..."}``.

Paths are JSONPath-like: ``$`` is the document (or the object being validated), ``.key`` an
object member, ``[i]`` a list element (0-based).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from marshmallow.exceptions import SCHEMA as SCHEMA_KEY

UNKNOWN_FIELD = "Campo sconosciuto."
_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


class PlanFormatError(ValueError):
    """The document is not a valid ``coprogramma/plan@1`` document; ``problems`` lists every problem."""

    def __init__(self, problems: list[dict]):
        self.problems = sort_problems(problems)
        first = self.problems[0] if self.problems else {"path": "$", "message": "documento non valido"}
        others = len(self.problems) - 1
        more = "" if not others else " (e un altro problema)" if others == 1 else f" (e altri {others} problemi)"
        super().__init__(f"{first['path']}: {first['message']}{more}")


def member(path: str, key: str) -> str:
    return f"{path}.{key}"


def element(path: str, index: int) -> str:
    return f"{path}[{index}]"


def problem(path: str, message: str) -> dict:
    return {"path": path, "message": message}


def from_marshmallow(messages, path: str = "$") -> list[dict]:
    """Flatten marshmallow's nested error messages into problems with their JSON path."""
    found: list[dict] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == SCHEMA_KEY:
                found.extend(from_marshmallow(value, path))
            elif isinstance(key, int):
                found.extend(from_marshmallow(value, element(path, key)))
            else:
                where = member(path, str(key))
                if value == [UNKNOWN_FIELD]:
                    found.append(problem(where, f"Campo sconosciuto: «{key}» non fa parte del formato."))
                else:
                    found.extend(from_marshmallow(value, where))
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            found.extend(from_marshmallow(value, path))
    else:
        found.append(problem(path, str(messages)))
    return found


def path_key(path: str) -> tuple:
    """Sort key placing a path after its parent and list elements in numeric order."""
    return tuple((0, int(index)) if index else (1, name)
                 for name, index in _TOKEN.findall(path[1:]))


def sort_problems(problems: list[dict]) -> list[dict]:
    unique = {(p["path"], p["message"]): p for p in problems}
    return [unique[key] for key in sorted(unique, key=lambda k: (path_key(k[0]), k[1]))]
