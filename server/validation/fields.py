"""Field types shared by the schemas: trimmed text, keys (slugs), instants."""
from __future__ import annotations

from datetime import datetime, timezone

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


PLUS_IN_URL = ("Data e ora non valide (ISO 8601). In un indirizzo il «+» del fuso orario va scritto %2B "
               "(es. 2025-03-14T18:00:00%2B01:00), altrimenti diventa uno spazio.")
OUT_OF_RANGE = "Istante fuori dall'intervallo rappresentabile (anni 1–9999 in UTC)."


def representable(moment: datetime) -> bool:
    """Whether an aware time can be converted to UTC (9999-12-31T23:00-12:00 cannot)."""
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        return False
    return True


class Instant(fields.AwareDateTime):
    """An ISO 8601 time with its offset, that UTC can hold."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            if isinstance(value, str) and " " in value.strip():  # a URL's unencoded "+01:00" arrives as " 01:00"
                raise ValidationError(PLUS_IN_URL) from None
            raise
        if not representable(moment):
            raise ValidationError(OUT_OF_RANGE)
        return moment
