"""Commands on the sessions of a tavolo: convene, agenda, attendance, contributions, minutes, close.

The API names objectives by their ref; events store their ids, which survive renames.
"""
from __future__ import annotations

from uuid import UUID, uuid4

from server.application.base import commutes
from server.application.proposals import ProposalCommands
from server.events.errors import Conflict, Forbidden, Invalid, NotFound
from server.events.ids import organisation_id
from server.events.meeting import Meeting
from server.events.plan import Plan


class MeetingCommands(ProposalCommands):
    def meeting(self, plan_key: str, tavolo: str, meeting_id: str) -> Meeting:
        details = {"session": str(meeting_id)}
        try:
            uid = UUID(str(meeting_id))
        except ValueError:
            raise NotFound("Seduta sconosciuta", details) from None
        meeting = self._load(Meeting, uid, "Seduta sconosciuta", details)
        if (meeting.plan_key, meeting.tavolo) != (plan_key, tavolo):
            raise NotFound("Seduta sconosciuta", details)
        return meeting

    # -- references from the API to ids ---------------------------------------------------------
    def _objective_ids(self, plan: Plan, refs: list[str], field: str) -> list[str]:
        unknown = [ref for ref in refs if ref not in plan.objectives]
        if unknown:
            raise Invalid("Obiettivo sconosciuto", {field: f"Obiettivi non presenti nel piano: {', '.join(unknown)}."})
        return [plan.objectives[ref] for ref in refs]

    def _proposal_ids(self, plan_key: str, ids: list[str], field: str) -> list[str]:
        unknown = []
        for proposal_id in ids:
            try:
                if self.proposal(proposal_id).plan_key != plan_key:
                    unknown.append(str(proposal_id))
            except NotFound:
                unknown.append(str(proposal_id))
        if unknown:
            raise Invalid("Proposta sconosciuta", {field: f"Proposte non presenti nel piano: {', '.join(unknown)}."})
        return [str(UUID(str(proposal_id))) for proposal_id in ids]

    def _agenda(self, plan: Plan, items: list[dict]) -> list[dict]:
        """[{"title", "objective_ref"?}] → [{"title", "objective_id"}]."""
        problems = {str(i): {"objective_ref": f"Obiettivo «{item['objective_ref']}» non presente nel piano."}
                    for i, item in enumerate(items)
                    if item.get("objective_ref") and item["objective_ref"] not in plan.objectives}
        if problems:
            raise Invalid("Ordine del giorno non valido", {"agenda": problems})
        return [{"title": item["title"],
                 "objective_id": plan.objectives[item["objective_ref"]] if item.get("objective_ref") else None}
                for item in items]

    def _coordinated_meeting(self, plan_key: str, tavolo: str, meeting_id: str, actor: str,
                             doing: str) -> Meeting:
        meeting = self.meeting(plan_key, tavolo, meeting_id)
        self.require_coordination(plan_key, tavolo, actor)
        meeting.require_open(doing)
        return meeting

    # -- commands --------------------------------------------------------------------------------
    def convene_meeting(self, meeting_id: UUID, plan_key: str, tavolo: str, title: str, starts_at: str,
                        place: str | None, link: str | None, agenda: list[dict], actor: str) -> int:
        plan = self.plan(plan_key)
        self.tavolo(plan_key, tavolo)
        self.require_coordination(plan_key, tavolo, actor)
        meeting = Meeting.convene(id=meeting_id, plan_key=plan_key, tavolo=tavolo, title=title,
                                  starts_at=starts_at, place=place, link=link, agenda=self._agenda(plan, agenda),
                                  actor=actor)
        return self._save(meeting)

    def change_meeting_agenda(self, plan_key: str, tavolo: str, meeting_id: str, agenda: list[dict],
                              actor: str) -> int:
        meeting = self._coordinated_meeting(plan_key, tavolo, meeting_id, actor, "cambiare l'ordine del giorno")
        meeting.change_agenda(self._agenda(self.plan(plan_key), agenda), actor)
        return self._save(meeting)

    @commutes
    def record_meeting_attendance(self, plan_key: str, tavolo: str, meeting_id: str, organisation: str,
                                  present: bool, people: int | None, actor: str) -> int:
        meeting = self._coordinated_meeting(plan_key, tavolo, meeting_id, actor, "registrare le presenze")
        if not self._exists(organisation_id(organisation)):
            raise Invalid("Organizzazione sconosciuta",
                          {"organisation": f"Nessuna organizzazione con chiave «{organisation}»."})
        meeting.record_attendance(organisation, present, people, actor)
        return self._save(meeting)

    @commutes
    def add_meeting_contribution(self, plan_key: str, tavolo: str, meeting_id: str, quadrant: str, text: str,
                                 organisation: str | None, objective_refs: list[str], proposal_ids: list[str],
                                 actor: str) -> tuple[str, int]:
        """Members speak for their own organisation; coordinators and admins transcribe for anyone present."""
        meeting = self.meeting(plan_key, tavolo, meeting_id)
        own = self._participant(plan_key, tavolo, actor)
        transcribes = self.is_admin(actor) or self.tavolo_role(plan_key, tavolo, actor) == "coordinator"
        if organisation is None:
            organisation = own
        elif organisation != own and not transcribes:
            raise Forbidden("I membri del tavolo contribuiscono solo a nome della propria organizzazione")
        meeting.require_open("aggiungere contributi")
        if organisation is None:
            raise Invalid("Organizzazione mancante",
                          {"organisation": "Indicare l'organizzazione a cui attribuire il contributo."})
        plan = self.plan(plan_key)
        objective_ids = self._objective_ids(plan, objective_refs, "objectives")
        proposals = self._proposal_ids(plan_key, proposal_ids, "proposals")
        contribution_id = str(uuid4())
        meeting.add_contribution(contribution_id, quadrant, organisation, text, objective_ids, proposals, actor)
        return contribution_id, self._save(meeting)

    @commutes
    def link_meeting_contribution(self, plan_key: str, tavolo: str, meeting_id: str, contribution_id: str,
                                  objective_refs: list[str], proposal_ids: list[str], actor: str) -> int:
        """Coordinators and admins link any contribution; a member, the ones they recorded."""
        meeting = self.meeting(plan_key, tavolo, meeting_id)
        contribution = meeting.contributions.get(contribution_id)
        if contribution is None:
            raise NotFound("Contributo sconosciuto", {"contribution": contribution_id})
        if contribution["author"] == actor:
            self._participant(plan_key, tavolo, actor)  # still seated at the tavolo
        else:
            self.require_coordination(plan_key, tavolo, actor)
        meeting.require_open("collegare contributi")
        plan = self.plan(plan_key)
        meeting.link_contribution(contribution_id, self._objective_ids(plan, objective_refs, "objectives"),
                                  self._proposal_ids(plan_key, proposal_ids, "proposals"), actor)
        return self._save(meeting)

    def edit_meeting_minutes(self, plan_key: str, tavolo: str, meeting_id: str, text: str, actor: str) -> int:
        meeting = self._coordinated_meeting(plan_key, tavolo, meeting_id, actor, "modificare il verbale")
        meeting.edit_minutes(text, actor)
        return self._save(meeting)

    def close_meeting(self, plan_key: str, tavolo: str, meeting_id: str, generated_minutes: str,
                      based_on_version: int, actor: str) -> tuple[int, str]:
        """`generated_minutes` must describe the meeting at `based_on_version`; returns (position, minutes)."""
        meeting = self._coordinated_meeting(plan_key, tavolo, meeting_id, actor, "chiuderla di nuovo")
        if meeting.version != based_on_version:
            raise Conflict("La seduta è cambiata nel frattempo: ricaricare il verbale e riprovare",
                           {"version": meeting.version})
        meeting.close(generated_minutes, actor)
        return self._save(meeting), meeting.minutes
