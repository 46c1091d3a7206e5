"""The session (seduta) forms of the Tavolo page, through a browser session with CSRF: who sees and
may use them, what they record, Italian errors naming the field, nothing recorded on a refusal.
Also the author's revision of a proposed new objective from its page."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from server.application import SYSTEM
from server.projections.meetings import MeetingRow
from tests.api.api_helpers import PLAN, TAVOLO, csrf_from, login_browser, records_nothing

PAGE = f"/piani/{PLAN}/tavoli/{TAVOLO}"
SESSIONS = f"{PAGE}/sedute"
CONVENE = {"title": "Seduta di dicembre", "date": "2025-12-02", "time": "17:30", "place": "Sala Zanoni",
           "link": "", "agenda.0.title": "Avvio del percorso", "agenda.0.objective_ref": "A.1",
           "agenda.1.title": "", "agenda.1.objective_ref": "", "agenda.2.title": "Varie",
           "agenda.2.objective_ref": ""}


@pytest.fixture
def world(runtime, cast):
    app = runtime.app
    app.register_organisation("acli", "ACLI provinciali", "ets", SYSTEM)
    runtime.wait_for(app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", TAVOLO,
                                          {"title": "Contrasto alla povertà educativa"}, SYSTEM))
    return cast


@pytest.fixture
def meeting(runtime, world) -> str:
    """An open session convened by the system, caritas (the member's organisation) present."""
    meeting_id = uuid.uuid4()
    runtime.app.convene_meeting(meeting_id, PLAN, TAVOLO, "Seduta di novembre", "2025-11-04T09:30:00+01:00",
                                "Sala A", None, [{"title": "Avvio", "objective_ref": "A.1"}], SYSTEM)
    runtime.wait_for(runtime.app.record_meeting_attendance(PLAN, TAVOLO, str(meeting_id), "caritas", True, 2, SYSTEM))
    return str(meeting_id)


def browser_of(app, person):
    browser, token = login_browser(app, person.email)
    return browser, token


def post(browser, token, path, data):
    return browser.post(path, data={**data, "csrf_token": token})


def text(response) -> str:
    return response.get_data(as_text=True)


def meeting_row(runtime, meeting_id) -> MeetingRow:
    with runtime.sessions() as s:
        row = s.get(MeetingRow, meeting_id)
        s.expunge(row)
        return row


# -- convene -------------------------------------------------------------------------------------------------------
def test_a_coordinator_convenes_a_session_from_the_tavolo_page(app, runtime, world):
    browser, token = browser_of(app, world.coordinator)
    assert 'id="modulo-convoca"' in text(browser.get(PAGE))
    response = post(browser, token, SESSIONS, CONVENE)
    assert response.status_code == 302, text(response)[:500]
    with runtime.sessions() as s:
        (row,) = s.scalars(select(MeetingRow)).all()
        assert row.starts_at == "2025-12-02T17:30:00+01:00" and row.place == "Sala Zanoni" and row.link is None
        assert [item["title"] for item in row.agenda] == ["Avvio del percorso", "Varie"]
    assert response.headers["Location"].endswith(f"?seduta={row.id}#seduta-{row.id}")
    page = text(browser.get(response.headers["Location"]))
    assert "Seduta convocata" in page and "Seduta di dicembre" in page and "obiettivo A.1" in page


def test_a_member_does_not_see_the_coordinators_forms_and_is_refused(app, runtime, world, meeting):
    browser, token = browser_of(app, world.member)
    page = text(browser.get(PAGE))
    assert "Seduta di novembre" in page
    for form in ("modulo-convoca", f"modulo-presenze-{meeting}", f"modulo-verbale-{meeting}",
                 f"modulo-chiudi-{meeting}", f"modulo-odg-{meeting}"):
        assert f'id="{form}"' not in page
    assert f'id="modulo-contributo-{meeting}"' in page  # members contribute for their organisation
    with records_nothing(runtime):
        response = post(browser, token, SESSIONS, CONVENE)
        assert response.status_code == 403
        assert "riservata ai coordinatori" in text(response)
        for path, data in ((f"{SESSIONS}/{meeting}/presenze", {"organisation": "acli", "present": "true"}),
                           (f"{SESSIONS}/{meeting}/verbale", {"text": "Verbale mio"}),
                           (f"{SESSIONS}/{meeting}/chiudi", {}),
                           (f"{SESSIONS}/{meeting}/ordine-del-giorno", {"agenda.0.title": "Altro"})):
            assert post(browser, token, path, data).status_code == 403, path


def test_an_auditor_reads_the_sessions_without_any_form(app, world, meeting):
    browser, _ = browser_of(app, world.auditor)
    page = text(browser.get(PAGE))
    assert "Seduta di novembre" in page and "form-disclosure" not in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "  "}, "title", "Titolo: Campo obbligatorio"),
    ({"date": "31/02/2025"}, "date", "Data: Indichi la data"),
    ({"time": ""}, "time", "Ora di inizio: Campo obbligatorio"),
    ({"place": ""}, "place", "Luogo: Indicare il luogo oppure il collegamento online."),
    ({"link": "non-un-indirizzo"}, "link", "Collegamento online: Indirizzo web non valido"),
    ({"agenda.0.title": "", "agenda.0.objective_ref": "", "agenda.2.title": ""}, "agenda-0-title",
     "Punto 1 dell'ordine del giorno (titolo): Indichi almeno un punto"),
    ({"agenda.0.title": ""}, "agenda-0-title", "Punto 1 dell'ordine del giorno (titolo): Campo obbligatorio"),
    ({"agenda.2.objective_ref": "Z.9"}, "agenda-2-objective-ref",
     "Punto 3 dell'ordine del giorno (obiettivo collegato): Obiettivo «Z.9» non presente nel piano."),
])
def test_bad_convocations_are_422_in_italian_and_record_nothing(app, runtime, world, changes, field, message):
    browser, token = browser_of(app, world.coordinator)
    with records_nothing(runtime):
        response = post(browser, token, SESSIONS, CONVENE | changes)
    page = text(response)
    assert response.status_code == 422, page[:500]
    assert message in page.replace("&#39;", "'").replace("&#34;", '"')
    assert f'id="convoca-{field}" ' in page and f'id="err-convoca-{field}"' in page
    assert re.search(r'<details class="form-disclosure" id="modulo-convoca"\s+open', page)
    assert 'value="Sala Zanoni"' in page or changes.get("place") == ""  # what was typed is kept


# -- attendance, contributions, agenda -----------------------------------------------------------------------------
def test_attendance_is_recorded_and_bad_numbers_are_refused(app, runtime, world, meeting):
    browser, token = browser_of(app, world.coordinator)
    path = f"{SESSIONS}/{meeting}/presenze"
    response = post(browser, token, path, {"organisation": "acli", "present": "true", "people": "3"})
    assert response.status_code == 302
    assert "ACLI provinciali: presente (3 persone)" in text(browser.get(response.headers["Location"]))
    for data, message in (({"organisation": "acli", "present": "true", "people": "tre"},
                           "Numero di persone: Scriva un numero intero"),
                          ({"organisation": "acli", "present": "false", "people": "2"},
                           "Numero di persone: Un&#39;organizzazione assente non può avere persone presenti."),
                          ({"organisation": "", "present": "true"}, "Organizzazione: Campo obbligatorio"),
                          ({"organisation": "acli"}, "Presente o assente: Indichi se"),
                          ({"organisation": "sconosciuta", "present": "true"},
                           "Organizzazione: Nessuna organizzazione con chiave")):
        with records_nothing(runtime):
            refused = post(browser, token, path, data)
        assert refused.status_code == 422 and message in text(refused), (data, text(refused)[:300])
    with records_nothing(runtime):  # the same again: a conflict, said in Italian
        again = post(browser, token, path, {"organisation": "acli", "present": "true", "people": "3"})
    assert again.status_code == 409 and "Presenza già registrata" in text(again)


def test_a_member_adds_a_contribution_for_their_organisation(app, runtime, world, meeting):
    browser, token = browser_of(app, world.member)
    path = f"{SESSIONS}/{meeting}/contributi"
    with records_nothing(runtime):
        refused = post(browser, token, path, {"text": "Senza quadrante"})
    assert refused.status_code == 422 and "Quadrante: Scelga uno dei quattro quadranti." in text(refused)
    assert "Senza quadrante</textarea>" in text(refused)
    response = post(browser, token, path, {"quadrant": "risorse_disponibili", "text": "Centro di ascolto",
                                           "objectives": "A.1"})
    assert response.status_code == 302, text(response)[:500]
    page = text(browser.get(response.headers["Location"]))
    assert "Contributo aggiunto al quadrante «Risorse disponibili»" in page
    assert "Centro di ascolto <small>— Caritas diocesana; obiettivi A.1" in page
    # members speak only for their own organisation: an organisation slipped into the form is ignored
    other = post(browser, token, path, {"quadrant": "lavoro_di_rete", "text": "Per altri", "organisation": "acli"})
    assert other.status_code == 302
    assert runtime.app.meeting(PLAN, TAVOLO, meeting).contributions_of("acli") == []


def test_a_coordinator_transcribes_for_a_present_organisation_only(app, runtime, world, meeting):
    browser, token = browser_of(app, world.coordinator)
    path = f"{SESSIONS}/{meeting}/contributi"
    with records_nothing(runtime):
        absent = post(browser, token, path, {"quadrant": "lavoro_di_rete", "text": "Rete", "organisation": "acli"})
    assert absent.status_code == 422 and "Organizzazione: «acli» non è registrata tra i presenti." in text(absent)
    with records_nothing(runtime):
        unnamed = post(browser, token, path, {"quadrant": "lavoro_di_rete", "text": "Rete", "organisation": ""})
    assert unnamed.status_code == 422 and "Organizzazione: Scelga l&#39;organizzazione" in text(unnamed)
    done = post(browser, token, path, {"quadrant": "lavoro_di_rete", "text": "Rete", "organisation": "caritas"})
    assert done.status_code == 302


def test_the_agenda_changes_and_refuses_an_unknown_objective(app, runtime, world, meeting):
    browser, token = browser_of(app, world.coordinator)
    path = f"{SESSIONS}/{meeting}/ordine-del-giorno"
    page = text(browser.get(PAGE))
    assert f'id="odg-{meeting}-agenda-0-title" name="agenda.0.title" value="Avvio"' in page
    with records_nothing(runtime):
        refused = post(browser, token, path, {"agenda.0.title": "Avvio", "agenda.0.objective_ref": "Z.1"})
    assert refused.status_code == 422
    assert "Punto 1 dell&#39;ordine del giorno (obiettivo collegato): Obiettivo «Z.1» non presente" in text(refused)
    response = post(browser, token, path, {"agenda.0.title": "Avvio", "agenda.0.objective_ref": "A.1",
                                           "agenda.1.title": "Bilancio", "agenda.1.objective_ref": ""})
    assert response.status_code == 302
    assert [i["title"] for i in meeting_row(runtime, meeting).agenda] == ["Avvio", "Bilancio"]


# -- minutes and closing ---------------------------------------------------------------------------------------------
def test_minutes_are_prefilled_edited_then_the_session_closes_without_forms(app, runtime, world, meeting):
    browser, token = browser_of(app, world.coordinator)
    page = text(browser.get(PAGE))
    textarea = re.search(rf'<textarea id="verbale-{meeting}-text" name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and "VERBALE DELLA SEDUTA" in textarea.group(1) and "Caritas diocesana (2 persone)" in textarea.group(1)
    path = f"{SESSIONS}/{meeting}/verbale"
    with records_nothing(runtime):
        empty = post(browser, token, path, {"text": "   "})
    assert empty.status_code == 422 and "Testo del verbale: Campo obbligatorio" in text(empty)
    assert post(browser, token, path, {"text": "Verbale rivisto dal coordinamento."}).status_code == 302
    closed = post(browser, token, f"{SESSIONS}/{meeting}/chiudi", {})
    assert closed.status_code == 302
    row = meeting_row(runtime, meeting)
    assert row.status == "closed" and row.minutes == "Verbale rivisto dal coordinamento."
    page = text(browser.get(closed.headers["Location"]))
    assert "Seduta chiusa" in page and "Verbale rivisto dal coordinamento." in page
    assert meeting not in re.sub(r'id="seduta-[^"]+"|seduta=[^"#]+|#seduta-[^"]+', "", page)  # no form of it
    with records_nothing(runtime):
        again = post(browser, token, f"{SESSIONS}/{meeting}/presenze", {"organisation": "acli", "present": "true"})
    assert again.status_code == 409 and "La seduta è chiusa" in text(again)


def test_closing_without_edits_records_the_generated_minutes(app, runtime, world, meeting):
    browser, token = browser_of(app, world.admin)
    assert post(browser, token, f"{SESSIONS}/{meeting}/chiudi", {}).status_code == 302
    minutes = meeting_row(runtime, meeting).minutes
    assert minutes.startswith("VERBALE DELLA SEDUTA") and "Caritas diocesana (2 persone)" in minutes


def test_forms_need_the_csrf_token(app, runtime, world, meeting):
    browser, _ = browser_of(app, world.coordinator)
    with records_nothing(runtime):
        assert browser.post(SESSIONS, data=CONVENE).status_code == 403


# -- revising a proposed new objective -------------------------------------------------------------------------------
def test_the_author_revises_a_proposed_new_objective_from_its_page(app, runtime, world):
    uid = uuid.uuid4()
    proposal_id = str(uid)
    runtime.wait_for(runtime.app.propose_new_objective(uid, PLAN, TAVOLO, "A", {"title": "Sportello unico"},
                                                       "Serve", world.member.id))
    browser, token = browser_of(app, world.member)
    assert f'href="/proposte/{proposal_id}/rivedi"' in text(browser.get(f"/proposte/{proposal_id}"))
    form = browser.get(f"/proposte/{proposal_id}/rivedi")
    assert form.status_code == 200 and "Rivedi la proposta di un nuovo obiettivo" in text(form)
    assert 'value="Sportello unico"' in text(form) and "Tavolo Inclusione" in text(form)
    path = f"/proposte/{proposal_id}/rivedi"
    with records_nothing(runtime):
        untitled = post(browser, token, path, {"title": "", "context": "Senza titolo", "action": "invia"})
    assert untitled.status_code == 422 and 'id="err-title"' in text(untitled)
    with records_nothing(runtime):
        preview = post(browser, token, path, {"title": "Sportello unico", "context": "Un solo accesso",
                                              "action": "anteprima"})
    assert preview.status_code == 200 and "Anteprima delle modifiche" in text(preview)
    sent = post(browser, token, path, {"title": "Sportello unico", "context": "Un solo accesso",
                                       "rationale": "Con il contesto", "action": "invia"})
    assert sent.status_code == 302, text(sent)[:500]
    proposal = runtime.app.proposal(proposal_id)
    assert proposal.changes == {"title": "Sportello unico", "context": "Un solo accesso"}
    assert proposal.base_version is None and proposal.rationale == "Con il contesto"


def test_breadcrumbs_name_the_tavolo(app, runtime, world):
    browser, _ = browser_of(app, world.member)
    page = text(browser.get(f"/piani/{PLAN}/obiettivi/A.1"))
    assert f'<a href="{PAGE}">Tavolo Inclusione</a>' in page and f">Tavolo {TAVOLO}<" not in page
    assert csrf_from(browser.get(PAGE))


def test_a_member_proposes_a_new_objective_from_the_tavolo_page(app, runtime, world):
    browser, token = browser_of(app, world.member)
    path = f"{PAGE}/proponi-obiettivo"
    assert f'href="{path}"' in text(browser.get(PAGE))
    form = text(browser.get(path))
    assert "<h1>Proponi un nuovo obiettivo</h1>" in form and "<title>Proponi un nuovo obiettivo · Coprogramma" in form
    with records_nothing(runtime):
        untitled = post(browser, token, path, {"macro_area": "A", "context": "Senza titolo", "action": "invia"})
    assert untitled.status_code == 422 and 'id="err-title"' in text(untitled)
    preview = post(browser, token, path, {"macro_area": "A", "title": "Sportello unico", "action": "anteprima"})
    assert preview.status_code == 200 and "Invia la proposta" in text(preview)
    sent = post(browser, token, path, {"macro_area": "A", "title": "Sportello unico", "rationale": "Serve",
                                       "action": "invia"})
    assert sent.status_code == 302, text(sent)[:500]
    proposal = runtime.app.proposal(sent.headers["Location"].rsplit("/", 1)[-1])
    assert (proposal.kind, proposal.macro_area, proposal.changes) == ("new_objective", "A", {"title": "Sportello unico"})


# -- linking a contribution ---------------------------------------------------------------------------------------
def test_a_coordinator_links_a_contribution_to_an_objective_and_an_open_proposal(app, runtime, world, meeting):
    from server.projections.meetings import ContributionRow

    contribution_id, position = runtime.app.add_meeting_contribution(
        PLAN, TAVOLO, meeting, "proposte_concrete", "Sportello di sabato", "caritas", [], [], world.member.id)
    proposal_id = uuid.uuid4()
    runtime.wait_for(runtime.app.propose_amendment(proposal_id, PLAN, "A.1", 1, {"context": "Anche il sabato"}, None,
                                                   world.member.id))
    path = f"{SESSIONS}/{meeting}/contributi/{contribution_id}/collegamenti"
    other, other_token = browser_of(app, world.target)  # a member who did not record it: no form
    assert path not in text(other.get(PAGE))
    browser, token = browser_of(app, world.coordinator)
    page = text(browser.get(PAGE))
    assert path in page and "Modifica all&#39;obiettivo A.1 (context)" in page
    with records_nothing(runtime):
        refused = post(browser, token, path, {})
    assert refused.status_code == 422 and "Scelga almeno un obiettivo o una proposta" in text(refused)
    response = post(browser, token, path, {"objectives": "A.1", "proposals": str(proposal_id)})
    assert response.status_code == 302, text(response)[:500]
    with runtime.sessions() as s:
        row = s.get(ContributionRow, contribution_id)
        assert row.proposal_ids == [str(proposal_id)] and len(row.objective_ids) == 1
    page = text(browser.get(response.headers["Location"]))
    assert "Sportello di sabato <small>— Caritas diocesana; obiettivi A.1; 1 proposta collegata" in page
    assert path not in page  # nothing left to link
