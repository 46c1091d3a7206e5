"""A session (seduta) run from the Tavolo page in real browsers: the coordinator convenes it,
records attendance, transcribes a contribution, edits the minutes and closes it; a member sees the
session, adds their own contribution while the coordinator is typing the minutes (which live
updates leave untouched); the page passes axe-core with every form open."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (COORDINATOR, MEMBER, PLAN, SCREENSHOTS, TAVOLO, axe_violations,
                                login)

PAGE = f"/piani/{PLAN}/tavoli/{TAVOLO}"
TITLE = "Seduta di verifica del Protocollo"
TYPED = "Verbale scritto dal coordinamento durante la seduta."


def session_of(page: Page):
    """The test's session on the Tavolo page, opened (the page opens only the latest one)."""
    session = page.locator("details.meeting", has_text=TITLE)
    if not session.evaluate("d => d.open"):
        session.locator("summary").first.click()
    return session


def open_disclosure(scope, title: str):
    disclosure = scope.locator("details.form-disclosure", has=scope.page.locator("summary", has_text=title))
    if not disclosure.evaluate("d => d.open"):
        disclosure.locator("summary").click()
    return disclosure


def test_a_coordinator_runs_a_session_and_a_member_takes_part(new_page):
    coordinator = new_page()
    login(coordinator, COORDINATOR)
    coordinator.goto(PAGE)

    # Convoca una seduta
    convene = open_disclosure(coordinator.locator("#regione-sedute"), "Convoca una seduta")
    convene.get_by_label("Titolo").fill(TITLE)
    convene.get_by_label("Data").fill("2025-01-20")  # before the demo's session, which stays first
    convene.get_by_label("Ora di inizio").fill("17:30")
    convene.get_by_label("Luogo", exact=True).fill("Sala Zanoni, Comune di Cremona")
    convene.get_by_label("Punto 1", exact=True).fill("Stato di attuazione del Protocollo")
    convene.get_by_label("Obiettivo del punto 1").select_option("A-Ob1")
    convene.get_by_label("Punto 2", exact=True).fill("Varie ed eventuali")
    convene.get_by_role("button", name="Convoca la seduta").click()
    expect(coordinator.locator(".notice")).to_contain_text("Seduta convocata")
    session = session_of(coordinator)
    expect(session).to_contain_text("obiettivo A-Ob1")

    # Registra presenze (a refusal first: an absent organisation with people)
    attendance = open_disclosure(session, "Registra presenze")
    attendance.get_by_label("Organizzazione").select_option("caritas")
    attendance.get_by_label("Assente").check()
    attendance.get_by_label("Numero di persone presenti").fill("2")
    attendance.get_by_role("button", name="Registra la presenza").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Numero di persone")
    session = session_of(coordinator)
    attendance = open_disclosure(session, "Registra presenze")
    attendance.get_by_label("Presente", exact=True).check()
    attendance.get_by_role("button", name="Registra la presenza").click()
    expect(coordinator.locator(".notice")).to_contain_text("Presenza registrata")
    session = session_of(coordinator)
    expect(session).to_contain_text("presente (2 persone)")

    # Aggiungi un contributo, transcribed for the organisation present
    contribution = open_disclosure(session, "Aggiungi un contributo")
    contribution.get_by_label("Risorse disponibili").check()
    contribution.get_by_label("A nome di").select_option("caritas")
    contribution.get_by_label("Contributo", exact=True).fill("Il centro di ascolto apre anche il sabato.")
    contribution.get_by_role("button", name="Aggiungi il contributo").click()
    expect(coordinator.locator(".notice")).to_contain_text("Risorse disponibili")
    session = session_of(coordinator)
    expect(session).to_contain_text("Il centro di ascolto apre anche il sabato.")

    # Every form of the page open: still accessible
    for title in ("Modifica l'ordine del giorno", "Registra presenze", "Aggiungi un contributo", "Collega",
                  "Modifica verbale"):
        open_disclosure(session, title)
    open_disclosure(coordinator.locator("#regione-sedute"), "Convoca una seduta")
    assert axe_violations(coordinator) == []
    session.scroll_into_view_if_needed()
    session.screenshot(path=str(SCREENSHOTS / "seduta-coordinatore.png"))
    minutes = session.get_by_label("Testo del verbale")
    expect(minutes).to_have_value(re.compile("VERBALE DELLA SEDUTA"))

    # The member sees the new session and contributes while the coordinator is typing the minutes
    minutes.fill(TYPED)
    coordinator.wait_for_timeout(1500)  # let the socket subscribe
    member = new_page()
    login(member, MEMBER)
    member.goto(PAGE)
    mine = session_of(member)
    expect(mine).to_contain_text("Stato di attuazione del Protocollo")
    expect(mine.locator("summary", has_text="Registra presenze")).to_have_count(0)
    own = open_disclosure(mine, "Aggiungi un contributo")
    own.get_by_label("Questioni problematiche").check()
    own.get_by_label("Contributo", exact=True).fill("Mancano posti letto per l'inverno.")
    own.get_by_label("A-Ob1", exact=False).check()
    own.get_by_role("button", name="Aggiungi il contributo").click()
    expect(member.locator(".notice")).to_contain_text("Questioni problematiche")
    expect(coordinator.locator("#avvisi-live")).to_contain_text("Luca Galli", timeout=10000)
    coordinator.wait_for_timeout(800)  # a refresh of the regions would have happened by now
    expect(session_of(coordinator).get_by_label("Testo del verbale")).to_have_value(TYPED)

    # Modifica verbale, then Chiudi la seduta
    session_of(coordinator).get_by_role("button", name="Salva il verbale").click()
    expect(coordinator.locator(".notice")).to_contain_text("Verbale modificato")
    session = session_of(coordinator)
    expect(session).to_contain_text("Mancano posti letto per l'inverno.")
    session.get_by_role("button", name="Chiudi la seduta").click()
    expect(coordinator.locator(".notice")).to_contain_text("Seduta chiusa")
    session = session_of(coordinator)
    expect(session.locator("summary").first).to_contain_text("chiusa")
    expect(session.locator(".minutes")).to_have_text(TYPED)
    expect(session.locator("form")).to_have_count(0)

    member.reload()
    expect(session_of(member).locator("summary").first).to_contain_text("chiusa")
    expect(session_of(member).locator("form")).to_have_count(0)
