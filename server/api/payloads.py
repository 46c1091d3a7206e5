"""Objective fields inside API bodies, validated by the plan format with JSON-path problems."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from server.planformat import validate_objective_fields


class ObjectiveChanges(fields.Dict):
    """A dict of objective fields (`coprogramma/plan@1` card); `null` or empty clears a field."""

    def __init__(self, partial: bool = True, **kwargs):
        super().__init__(keys=fields.String(), **kwargs)
        self.partial = partial

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        clean, problems = validate_objective_fields(raw, partial=self.partial)
        if problems:
            raise ValidationError({p["path"].removeprefix("$").lstrip(".") or "_": p["message"] for p in problems})
        if not clean:
            raise ValidationError("Indicare almeno un campo.")
        return clean
