"""Field types shared by the schemas: trimmed text, keys (slugs)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate

KEY_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class Text(fields.String):
    """Trimmed string; an empty string counts as missing (required → error, optional → None).

    Inside a list an empty item is an error: a list of names or keys never holds blanks."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            if self.required or isinstance(self.parent, fields.List):
                raise ValidationError("Campo obbligatorio: non può essere vuoto.")
            return None
        return text

    def _validate(self, value):
        if value is None:  # an optional field left blank: nothing to check
            return
        super()._validate(value)


def Key(**kwargs) -> Text:  # noqa: N802 - reads like a field class
    return Text(validate=validate.Regexp(
        KEY_PATTERN, error="Chiave non valida: usare lettere minuscole, cifre, punti e trattini (max 64)."),
        **kwargs)
