"""An objective of the plan: a card of the Regione Lombardia model, with a stable id.

`fields` holds the card (see the plan format); `ref` is the human label ("B.1") at creation:
renames are the plan's `ObjectiveRenamed` events, since refs are unique per plan. Each field
remembers the version that last set it, which is what conflict detection
and auto-rebase of proposals need.
"""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Invalid

STATUSES = ("draft", "in_discussion", "agreed", "validated", "approved", "withdrawn")
# Moves a person may ask for; "approved" only comes with the plan's approval act.
TRANSITIONS = {
    "draft": {"in_discussion", "withdrawn"},
    "in_discussion": {"agreed", "draft", "withdrawn"},
    "agreed": {"validated", "in_discussion", "withdrawn"},
    "validated": {"in_discussion", "agreed", "withdrawn"},
    "approved": {"in_discussion"},
    "withdrawn": {"draft"},
}
REOPENED_REASON = "testo modificato"  # stored in StatusChanged events: never reword it


class Objective(Aggregate):
    class Created(Aggregate.Created):
        plan_key: str
        ref: str
        macro_area: str
        tavolo: str | None
        fields: dict
        actor: str
        proposal_id: str | None

    @event(Created)
    def __init__(self, id: UUID, plan_key: str, ref: str, macro_area: str, tavolo: str | None,  # noqa: A002
                 fields: dict, actor: str, proposal_id: str | None = None) -> None:
        self.plan_key, self.ref, self.macro_area, self.tavolo = plan_key, ref, macro_area, tavolo
        self.fields = dict(fields)
        self.field_versions = {name: 1 for name in fields}
        self.status = "draft"

    # -- fields --------------------------------------------------------------------------
    def stale_fields(self, names, base_version: int) -> list[str]:
        """Fields among `names` that changed after `base_version`."""
        return [name for name in names if self.field_versions.get(name, 0) > base_version]

    def change_fields(self, changes: dict, base_version: int, actor: str, proposal_id: str | None = None) -> None:
        """Apply a change made against `base_version`: refused if any of its fields moved since."""
        if base_version > self.version:
            raise Invalid("Versione di partenza inesistente",
                          {"base_version": f"L'obiettivo è alla versione {self.version}."})
        stale = self.stale_fields(changes, base_version)
        if stale:
            raise Conflict("Alcuni campi sono stati modificati nel frattempo", {"fields": stale})
        rebased_from = base_version if base_version < self.version else None
        self._change_fields(changes=changes, actor=actor, proposal_id=proposal_id, rebased_from=rebased_from)

    @event("FieldsChanged")
    def _change_fields(self, changes: dict, actor: str, proposal_id: str | None, rebased_from: int | None) -> None:
        for name, value in changes.items():
            if value is None:
                self.fields.pop(name, None)
            else:
                self.fields[name] = value
            self.field_versions[name] = self.version + 1

    # -- status ----------------------------------------------------------------------------
    def move_to(self, status: str, actor: str, reason: str | None = None) -> None:
        if status not in TRANSITIONS.get(self.status, ()):
            raise Conflict(f"Un obiettivo nello stato «{self.status}» non può passare a «{status}»",
                           {"status": status})
        self._status_changed(status=status, actor=actor, reason=reason)

    def approve_with_plan(self, actor: str) -> None:
        if self.status not in ("approved", "withdrawn"):
            self._status_changed(status="approved", actor=actor, reason=None)

    def reopen_after_change(self, actor: str) -> None:
        """A changed text is no longer what was agreed, validated or approved."""
        target = {"agreed": "in_discussion", "validated": "in_discussion", "approved": "agreed"}.get(self.status)
        if target:
            self._status_changed(status=target, actor=actor, reason=REOPENED_REASON)

    @event("StatusChanged")
    def _status_changed(self, status: str, actor: str, reason: str | None) -> None:
        self.status = status
