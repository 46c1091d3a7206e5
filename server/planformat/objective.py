"""Marshmallow schemas of the objective card (the regional 2025-2027 model), in the spec's order.

:class:`ObjectiveFieldsSchema` is usable on its own, e.g. to validate the changes of a proposal
(see :func:`server.planformat.schema.validate_objective_fields`).
"""
from __future__ import annotations

from marshmallow import fields, validate

from server.validation import italian  # noqa: F401  (Italian marshmallow messages, even outside the API)
from server.validation.fields import Text
from server.planformat import labels as L
from server.planformat.valuefields import Amount, Enum, EnumList, Many, NumberOrText, Strict, Texts

Year = fields.Integer  # always with strict=True: 2025.0 is not a year
YEARS = validate.Range(min=2000, max=2100)


class AnswerSchema(Strict):
    """The regional "SI/NO (se sì, quali)" questions."""
    answer = Enum(L.ANSWER)
    detail = Text()


class CrossPolicySchema(AnswerSchema):
    areas = Texts()  # macro-area codes or names: not a reference


class BudgetItemSchema(Strict):
    label = Text(required=True)
    amount_eur = Amount()
    source = Enum(L.BUDGET_SOURCE)


class BudgetSchema(Strict):
    items = Many(BudgetItemSchema)
    declared_total_eur = Amount()


class ServiceNoveltySchema(Strict):
    kinds = EnumList(L.SERVICE_NOVELTY)
    detail = Text()


class NeedKindSchema(Strict):
    kind = Enum(L.NEED_KIND)
    detail = Text()


class TargetSchema(Strict):
    year = Year(required=True, strict=True, validate=YEARS)
    value = NumberOrText()
    note = Text()


class IndicatorSchema(Strict):
    key = Text(required=True)
    kind = Enum(L.INDICATOR_KIND, required=True)
    description = Text(required=True)
    unit = Enum(L.INDICATOR_UNIT)
    baseline = NumberOrText()
    targets = Many(TargetSchema)
    source = Text()
    responsible = Text()


class PnrrMeasureSchema(Strict):
    measure = Text(required=True)
    amount_eur = Amount()
    target = Text()
    partners = Texts()


class ObjectiveFieldsSchema(Strict):
    """The objective card: every field of an objective but its identity (ref, macro_area, tavolo)."""
    title = Text(required=True)
    context = Text()
    goals = Texts()
    actions = Texts()
    target = Texts()
    budget = fields.Nested(BudgetSchema)
    staff = Texts()
    cross_policy = fields.Nested(CrossPolicySchema)
    key_points = Texts()
    asst_in_planning = fields.Nested(AnswerSchema)
    asst_in_delivery = fields.Nested(AnswerSchema)
    other_ambiti = fields.Nested(AnswerSchema)
    continuity = fields.Nested(AnswerSchema)
    service_novelty = fields.Nested(ServiceNoveltySchema)
    premial_project = fields.Nested(AnswerSchema)
    co_programmed = fields.Nested(AnswerSchema)
    co_designed = fields.Nested(AnswerSchema)
    third_sector_involvement = Text()
    other_actors = fields.Nested(AnswerSchema)
    needs = Texts()
    need_kind = fields.Nested(NeedKindSchema)
    intervention_kind = EnumList(L.INTERVENTION_KIND)
    innovative_models = fields.Nested(AnswerSchema)
    digitalisation = fields.Nested(AnswerSchema)
    delivery_modes = Text()
    expected_results = Text()
    expected_impact = Text()
    indicators = Many(IndicatorSchema)
    leps = Texts()
    pnrr = Many(PnrrMeasureSchema)
    bes = Texts()


OBJECTIVE_FIELDS = tuple(ObjectiveFieldsSchema._declared_fields)
