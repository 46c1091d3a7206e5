"""Marshmallow schemas of the ``coprogramma/plan@1`` document (shared spec: plan-format.md).

Field declaration order is the spec's order and is the canonical key order of the dump. Every
string is trimmed and an empty string counts as missing; unknown keys are errors at every level;
numbers are Decimals (amounts: at most two decimals). The objective card is in
:mod:`server.planformat.objective`. Uniqueness and cross references between
entities are checked by :mod:`server.planformat.refs`, not here.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from server.validation import italian  # noqa: F401  (Italian marshmallow messages, even outside the API)
from server.validation.fields import Key, Text
from server.planformat import labels as L
from server.planformat.objective import (YEARS, AnswerSchema, BudgetItemSchema, BudgetSchema,  # noqa: F401
                                         CrossPolicySchema, IndicatorSchema, NeedKindSchema,
                                         ObjectiveFieldsSchema, PnrrMeasureSchema, ServiceNoveltySchema,
                                         TargetSchema, Year)
from server.planformat.problems import from_marshmallow, problem, sort_problems
from server.planformat.refs import indicator_problems
from server.planformat.valuefields import Enum, Many, Number, Strict, Texts, is_empty

FORMAT = "coprogramma/plan@1"
OBJECTIVE_IDENTITY = ("ref", "macro_area", "tavolo")
OBJECTIVE_FIELDS = tuple(ObjectiveFieldsSchema._declared_fields)


ObjectiveSchema = Strict.from_dict({
    "ref": Text(required=True),
    "macro_area": Text(required=True),
    "tavolo": Text(),
    **ObjectiveFieldsSchema._declared_fields,
}, name="ObjectiveSchema")


# --- the other entities -----------------------------------------------------------------------------
class _PeriodChecks(Strict):
    @validates_schema
    def _ordered(self, data, **_):
        if data["to"] < data["from"]:
            raise ValidationError("L'anno finale precede quello iniziale.", "to")


# "from" is a Python keyword: declared through from_dict, which subclasses _PeriodChecks.
PeriodSchema = _PeriodChecks.from_dict({"from": Year(required=True, strict=True, validate=YEARS),
                                        "to": Year(required=True, strict=True, validate=YEARS)},
                                       name="PeriodSchema")


class PlanSchema(Strict):
    key = Key(required=True)
    ambito = Text(required=True)
    title = Text(required=True)
    period = fields.Nested(PeriodSchema, required=True)
    lead_body = Text(required=True)
    managing_agency = Text()
    municipalities = Texts()
    sub_areas = Texts()


class MacroAreaSchema(Strict):
    code = Text(required=True)
    name = Text(required=True)
    key_points = Texts()


class OrganisationSchema(Strict):
    key = Text(required=True)
    name = Text(required=True)
    kind = Enum(L.ORGANISATION_KIND, required=True)


class TavoloSchema(Strict):
    key = Text(required=True)
    name = Text(required=True)
    macro_areas = Texts()
    mandate = Text()
    members = Texts()


class LepsSchema(Strict):
    code = Text(required=True)
    name = Text(required=True)


class AchievementSchema(Strict):
    band = Enum(L.ACHIEVEMENT_BAND, required=True)
    percent = Number(validate=validate.Range(min=0))


class SpendingCoincidenceSchema(Strict):
    band = Enum(L.SPENDING_BAND, required=True)
    percent = Number(validate=validate.Range(min=0))
    note = Text()


class EvaluationSchema(Strict):
    ref = Text(required=True)
    macro_area = Text()  # DIMENSIONE: free text in the Tabella Esiti, not a macro-area code
    title = Text(required=True)
    outputs = Texts()
    achievement = fields.Nested(AchievementSchema)
    user_evaluation = Text()  # free text or "not_applicable"
    resource_adequacy = Enum(L.RESOURCE_ADEQUACY)
    resource_adequacy_note = Text()
    spending_coincidence = fields.Nested(SpendingCoincidenceSchema)
    issues = Text()
    positive_change = fields.Nested(AnswerSchema)
    continuity_with_previous = fields.Nested(AnswerSchema)
    reproposed = fields.Nested(AnswerSchema)
    reproposed_as = Texts()


class DocumentSchema(Strict):
    format = Text(required=True, validate=validate.Equal(
        FORMAT, error=f"Formato non supportato: «{{input}}»; atteso «{FORMAT}»."))
    plan = fields.Nested(PlanSchema, required=True)
    macro_areas = Many(MacroAreaSchema, required=True)
    organisations = Many(OrganisationSchema)
    tavoli = Many(TavoloSchema)
    leps = Many(LepsSchema)
    objectives = Many(ObjectiveSchema, required=True)
    evaluations = Many(EvaluationSchema)


def validate_objective_fields(changes: dict, partial: bool = True) -> tuple[dict, list[dict]]:
    """Validate (a subset of) an objective's fields, e.g. the changes of a proposal.

    Returns ``(clean, problems)``; problem paths start at ``$`` = the changes object. With
    ``partial`` only the given keys are checked; otherwise ``title`` is required too. A key given
    as empty (``""``, ``null``, ``[]``, or an object holding nothing) means "clear this field" and is
    returned as ``None``. ``clean`` is meaningful only when ``problems`` is empty (otherwise it holds
    the keys that were valid). ``ref``, ``macro_area`` and ``tavolo`` are not fields: unknown keys.
    """
    if not isinstance(changes, dict):
        return {}, [problem("$", "Tipo di dato non valido: è atteso un oggetto JSON.")]
    try:
        # Only top-level fields may be left out: a given budget, indicator... must be complete
        # (partial=True would propagate to the nested schemas).
        top_level = OBJECTIVE_FIELDS if partial else ()
        clean, problems = ObjectiveFieldsSchema().load(changes, partial=top_level), []
    except ValidationError as error:
        clean, problems = dict(error.valid_data or {}), from_marshmallow(error.messages)
        clean = {key: value for key, value in clean.items() if key not in error.messages}
    problems += indicator_problems(changes, "$")
    failed = {p["path"].split(".")[1].split("[")[0] for p in problems if p["path"] != "$"}
    clean = {key: value for key, value in clean.items() if key not in failed}
    for key in changes:
        if key in OBJECTIVE_FIELDS and key not in failed and is_empty(clean.get(key)):
            clean[key] = None
    return clean, sort_problems(problems)
