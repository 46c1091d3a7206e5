"""Italian error messages for marshmallow, set once for every schema of the project.

Users of a public administration platform read errors in Italian; marshmallow only ships English.
"""
from __future__ import annotations

import marshmallow
from marshmallow import fields, validate

FIELD_MESSAGES = {
    fields.Field: {"required": "Campo obbligatorio.", "null": "Il campo non può essere nullo.",
                   "validator_failed": "Valore non valido."},
    fields.String: {"invalid": "Deve essere un testo.", "invalid_utf8": "Testo UTF-8 non valido."},
    fields.Number: {"invalid": "Deve essere un numero.", "too_large": "Numero troppo grande."},
    fields.Integer: {"invalid": "Deve essere un numero intero."},
    fields.Decimal: {"special": "Valori speciali (nan, infinito) non ammessi."},
    fields.Float: {"special": "Valori speciali (nan, infinito) non ammessi."},
    fields.Boolean: {"invalid": "Deve essere vero o falso."},
    fields.Email: {"invalid": "Indirizzo e-mail non valido."},
    fields.URL: {"invalid": "Indirizzo web non valido."},
    fields.UUID: {"invalid_uuid": "Identificativo non valido."},
    fields.List: {"invalid": "Deve essere una lista."},
    fields.Tuple: {"invalid": "Deve essere una tupla."},
    fields.Mapping: {"invalid": "Deve essere un oggetto."},
    fields.Nested: {"type": "Deve essere un oggetto."},
    fields.Enum: {"unknown": "Deve essere uno tra: {choices}."},
    fields.Date: {"invalid": "Data non valida (formato AAAA-MM-GG).", "format": "«{input}» non è una data."},
    fields.DateTime: {"invalid": "Data e ora non valide (ISO 8601).",
                      "invalid_awareness": "Data e ora devono indicare il fuso orario.",
                      "format": "«{input}» non è una data e ora."},
}


def install() -> None:
    for field_class, messages in FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    marshmallow.Schema._default_error_messages = {
        "type": "Tipo di dato non valido: è atteso un oggetto JSON.",
        "unknown": "Campo sconosciuto.",
    }
    validate.Length.message_min = "Deve contenere almeno {min} caratteri o elementi."
    validate.Length.message_max = "Deve contenere al massimo {max} caratteri o elementi."
    validate.Length.message_all = "Deve contenere tra {min} e {max} caratteri o elementi."
    validate.Length.message_equal = "Deve contenere esattamente {equal} caratteri o elementi."
    validate.Range.message_min = "Deve essere {min_op} {{min}}."
    validate.Range.message_max = "Deve essere {max_op} {{max}}."
    validate.Range.message_all = "Deve essere {min_op} {{min}} e {max_op} {{max}}."
    validate.Range.message_gte = "maggiore o uguale a"
    validate.Range.message_gt = "maggiore di"
    validate.Range.message_lte = "minore o uguale a"
    validate.Range.message_lt = "minore di"
    validate.OneOf.default_message = "Deve essere uno tra: {choices}."
    validate.Regexp.default_message = "Formato non valido."
    validate.Email.default_message = "Indirizzo e-mail non valido."


install()
