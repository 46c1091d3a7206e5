"""Field types of the plan format: exact numbers, money amounts, enumerations, the strict base schema.

Numbers are never floats: JSON is parsed with ``parse_float=Decimal``; a float that still arrives
(e.g. from ``request.get_json()``) is converted through its shortest ``repr``, which is the text
it was parsed from. Booleans are not numbers.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate

from server.validation import italian  # noqa: F401  (installs the Italian marshmallow messages)
from server.validation.fields import Text

MAX_AMOUNT = Decimal("1e12")  # a thousand billion euro: anything above is a typo
CENT = Decimal("0.01")


def to_decimal(value) -> Decimal | None:
    """The exact Decimal of a JSON number (int, Decimal or float); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    return None


def is_empty(value) -> bool:
    return value is None or value == [] or value == {}


class Number(fields.Field):
    """A JSON number, loaded as an exact Decimal. Text such as "12" is refused."""

    default_error_messages = {"invalid": "Deve essere un numero.",
                              "special": "Valori speciali (nan, infinito) non ammessi."}

    def _deserialize(self, value, attr, data, **kwargs):
        number = to_decimal(value)
        if number is None:
            raise self.make_error("invalid")
        if not number.is_finite():
            raise self.make_error("special")
        return number


class Amount(Number):
    """Euro amount: a non-negative number with at most two decimal places."""

    default_error_messages = {
        "invalid": "Importo non numerico: deve essere un numero (senza virgolette).",
        "negative": "L'importo non può essere negativo.",
        "too_large": "Importo troppo grande.",
        "decimals": "Importo con più di due decimali.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount < 0:
            raise self.make_error("negative")
        if amount > MAX_AMOUNT:
            raise self.make_error("too_large")
        if amount.normalize().as_tuple().exponent < -2:  # value-based: 1.500 has one decimal
            raise self.make_error("decimals")
        return amount


class NumberOrText(fields.Field):
    """A number (as Decimal) or a trimmed text; an empty text counts as missing."""

    default_error_messages = {"invalid": "Deve essere un numero o un testo."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value.strip() or None
        number = to_decimal(value)
        if number is None:
            raise self.make_error("invalid")
        if not number.is_finite():
            raise ValidationError("Valori speciali (nan, infinito) non ammessi.")
        return number


def Enum(labels: dict[str, str], **kwargs) -> Text:  # noqa: N802 - reads like a field class
    """A text restricted to the keys of an enumeration of :mod:`server.planformat.labels`."""
    choices = ", ".join(labels)
    return Text(validate=validate.OneOf(
        list(labels), error=f"Valore «{{input}}» non ammesso: deve essere uno tra {choices}."), **kwargs)


def _no_repeats(values) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise ValidationError(f"Valore «{value}» ripetuto.")
        seen.add(value)


def EnumList(labels: dict[str, str], **kwargs) -> fields.List:  # noqa: N802
    return fields.List(Enum(labels, required=True), validate=_no_repeats, **kwargs)


def Texts(**kwargs) -> fields.List:  # noqa: N802
    """A list of non-empty trimmed texts (an empty element is an error, not silently dropped)."""
    return fields.List(Text(required=True), **kwargs)


def Many(schema, **kwargs) -> fields.List:  # noqa: N802
    return fields.List(fields.Nested(schema), **kwargs)


class Strict(Schema):
    """Base of every plan-format schema.

    Unknown keys are refused (marshmallow's default, RAISE). Optional fields accept null, which
    like an empty string counts as missing. After loading, optional keys holding nothing (None,
    empty list, empty object) are dropped, so equal content gives equal data.
    """

    def on_bind_field(self, field_name, field_obj):
        if not field_obj.required:
            field_obj.allow_none = True

    @post_load
    def _drop_empty(self, data, **_):
        return {key: value for key, value in data.items()
                if not is_empty(value) or self.fields[key].required}
