"""One-line Italian summaries of events, for the history. No names: people are shown by the
reader from the personal-data store, so an erased person disappears from every summary."""
from __future__ import annotations

ROLE = {"member": "membro", "coordinator": "coordinatore", "admin": "amministratore", "auditor": "revisore"}
STATUS = {"drafting": "in redazione", "co_programming": "in co-programmazione", "validation": "in validazione",
          "approved": "approvato", "in_force": "in vigore", "draft": "bozza", "in_discussion": "in discussione",
          "agreed": "concordato", "validated": "validato", "withdrawn": "ritirato"}
DECISION = {"approve": "approvata", "reject": "respinta", "request_changes": "rimandata con richiesta di modifiche"}


def _fields(changes: dict) -> str:
    return ", ".join(changes) or "nessun campo"


def _approval(act: str, day: str) -> str:
    """The act as written, and its date the Italian way unless the act already says it ("Delibera n. 12
    del 14/03/2025")."""
    try:
        year, month, number = day.split("-")
        day = f"{number}/{month}/{year}"
    except ValueError:
        pass  # not an ISO date: as given
    return f"Piano approvato: {act}" + ("" if day in act else f" del {day}")


def summary(kind: str, e, ref: str | None) -> str:
    obj = f"l'obiettivo {ref}" if ref else "un obiettivo"
    to_obj = f"all'obiettivo {ref}" if ref else "a un obiettivo"
    templates = {
        "Organisation.Registered": lambda: f"Registrata l'organizzazione «{e.name}»",
        "Organisation.Updated": lambda: f"Aggiornata l'organizzazione «{e.name}»",
        "Account.Registered": lambda: "Creato un account" + (" su invito" if e.invited else ""),
        "Account.RoleGranted": lambda: f"Conferito il ruolo di {ROLE.get(e.role, e.role)}",
        "Account.RoleRevoked": lambda: f"Revocato il ruolo di {ROLE.get(e.role, e.role)}",
        "Account.Activated": lambda: "Account attivato (password impostata)",
        "Account.PersonalDataErased": lambda: "Cancellati i dati personali di una persona (nome, e-mail, password)",
        "Account.OrganisationChanged": lambda: f"Organizzazione dell'account cambiata in {e.organisation or 'nessuna'}",
        "Plan.Created": lambda: f"Creato il piano «{e.title}»",
        "Plan.Imported": lambda: f"Importato il documento {e.file_name}",
        "Plan.MacroAreaAdded": lambda: f"Aggiunta la macro-area {e.code}",
        "Plan.ReferenceDataSet": lambda: "Registrati organizzazioni, LEPS ed esiti della programmazione precedente",
        "Plan.ObjectiveRegistered": lambda: f"Registrato l'obiettivo {e.ref}",
        "Plan.ObjectiveRenamed": lambda: f"Obiettivo {e.old_ref} rinominato in {e.new_ref}",
        "Plan.StatusChanged": lambda: f"Piano passato allo stato «{STATUS.get(e.status, e.status)}»",
        "Plan.Approved": lambda: _approval(e.act, e.date),
        "Plan.PeriodExtended": lambda: f"Triennio prorogato al {e.period_to} ({e.act})",
        "Tavolo.Created": lambda: f"Istituito il tavolo «{e.name}»",
        "Tavolo.MemberAdded": lambda: f"Aggiunto un {ROLE.get(e.role, e.role)} al tavolo",
        "Tavolo.MemberRoleChanged": lambda: f"Ruolo al tavolo cambiato in {ROLE.get(e.role, e.role)}",
        "Tavolo.MemberRemoved": lambda: "Persona tolta dal tavolo",
        "Objective.Created": lambda: f"Creato {obj}" + (" da una proposta approvata" if e.proposal_id else ""),
        "Objective.FieldsChanged": lambda: f"Modificato {obj} ({_fields(e.changes)})"
        + (" con l'approvazione di una proposta" if e.proposal_id else " direttamente")
        + (f", riallineata dalla versione {e.rebased_from}" if e.rebased_from else ""),
        "Objective.StatusChanged": lambda: f"{obj[0].upper()}{obj[1:]} passa allo stato «{STATUS.get(e.status, e.status)}»",
        "Proposal.Created": lambda: (f"Proposta di modifica {to_obj} ({_fields(e.changes)})" if e.kind == "amendment"
                                     else "Proposta di un nuovo obiettivo"),
        "Proposal.Revised": lambda: "Proposta rivista",
        "Proposal.Withdrawn": lambda: "Proposta ritirata",
        "Proposal.Commented": lambda: "Commento a una proposta",
        "Proposal.Supported": lambda: "Sostegno a una proposta",
        "Proposal.Decided": lambda: f"Proposta {DECISION.get(e.decision, e.decision)}",
        "Meeting.Convened": lambda: f"Convocata la seduta «{e.title}»",
        "Meeting.AgendaChanged": lambda: "Ordine del giorno aggiornato",
        "Meeting.AttendanceRecorded": lambda: f"Presenza registrata: {e.organisation}" + ("" if e.present else " (assente)"),
        "Meeting.ContributionAdded": lambda: f"Contributo di {e.organisation} ({e.quadrant.replace('_', ' ')})",
        "Meeting.ContributionLinked": lambda: "Contributo collegato a obiettivi o proposte",
        "Meeting.MinutesEdited": lambda: "Verbale modificato",
        "Meeting.Closed": lambda: "Seduta chiusa con verbale",
    }
    make = templates.get(kind)
    return make() if make else kind
