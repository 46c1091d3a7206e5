"""The issue's story in real browsers: a member proposes a change through the form; the
coordinator sees it arrive live and approves it; the member, typing in another field, is told of
the approval live and keeps what they typed; the auditor replays the plan to before the change and
compares two moments."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import (AUDITOR, COORDINATOR, MEMBER, PLAN, SCREENSHOTS, axe_violations,
                                login)

OBJ = f"/piani/{PLAN}/obiettivi/A-Ob1"
IMPACT = "QUALE IMPATTO DOVREBBE AVERE L'INTERVENTO?"
NEW_IMPACT = "Riduzione dei tempi di presa in carico: proposta scritta nel test end-to-end."
OLD_IMPACT = "Tempestività nell'aggancio"
TYPED = "Testo che sto ancora scrivendo e che non deve sparire."


def test_propose_approve_live_and_replay(new_page):
    coordinator = new_page()
    login(coordinator, COORDINATOR)
    coordinator.goto("/revisione")
    expect(coordinator.locator("#regione-coda")).not_to_contain_text("A-Ob1")
    coordinator.wait_for_timeout(1500)  # let the socket subscribe

    # The member proposes a change through the form, with the diff preview before sending.
    member = new_page()
    login(member, MEMBER)
    member.goto(f"{OBJ}/proponi")
    member.get_by_label(IMPACT, exact=True).fill(NEW_IMPACT)
    member.get_by_label("Motivazione della proposta").fill("Un impatto misurabile.")
    member.get_by_role("button", name="Mostra l'anteprima delle modifiche").click()
    preview = member.locator("#anteprima")
    expect(preview).to_contain_text("Anteprima delle modifiche")
    expect(preview).to_contain_text(NEW_IMPACT)
    expect(preview).to_contain_text(OLD_IMPACT)
    assert axe_violations(member) == []
    member.screenshot(path=str(SCREENSHOTS / "anteprima-proposta.png"))
    member.get_by_role("button", name="Invia la proposta").click()
    assert "/proposte/" in member.url, member.url
    expect(member.locator("h1")).to_contain_text("Proposta di modifica all'obiettivo A-Ob1")
    expect(member.locator(".notice")).to_contain_text("Proposta inviata")

    # The coordinator sees it in the queue without reloading.
    expect(coordinator.locator("#regione-coda")).to_contain_text("A-Ob1", timeout=10000)
    expect(coordinator.locator("#regione-coda")).to_contain_text("Luca Galli")

    # The member starts another change and types in another field, without sending.
    member.goto(f"{OBJ}/proponi")
    context = member.get_by_label("Breve descrizione del contesto", exact=True)
    context.fill(TYPED)
    member.wait_for_timeout(1500)

    coordinator.locator("#regione-coda a", has_text="A-Ob1").first.click()
    expect(coordinator.locator("#regione-modifiche")).to_contain_text(NEW_IMPACT)
    coordinator.screenshot(path=str(SCREENSHOTS / "decisione-coordinatore.png"))
    coordinator.get_by_label("Motivazione").fill("Condiviso dal tavolo.")
    coordinator.get_by_role("button", name="Approva", exact=True).click()
    expect(coordinator.locator(".notice")).to_contain_text("Proposta approvata")

    banner = member.locator("#cambiato-sotto")
    expect(banner).to_be_visible(timeout=10000)
    expect(banner).to_contain_text("Mentre scriveva, l'obiettivo è cambiato")
    expect(member.locator("#avvisi-live")).to_contain_text("approvata")
    expect(context).to_have_value(TYPED)  # what the person typed is still there
    member.screenshot(path=str(SCREENSHOTS / "modificato-mentre-scrivi.png"))
    assert context.input_value() == TYPED

    # The member's objective page shows the new value.
    member.goto(OBJ)
    expect(member.locator("#regione-scheda")).to_contain_text(NEW_IMPACT)

    # The auditor replays the plan to before the approval and compares two moments.
    auditor = new_page()
    login(auditor, AUDITOR)
    events = auditor.request.get(f"/api/v1/plans/{PLAN}/history?objective=A-Ob1&limit=1000").json()["events"]
    changed = [e for e in events if e["type"] == "Objective.FieldsChanged" and "expected_impact" in e["data"]["changes"]]
    assert changed, "the approval changed the objective"
    before = changed[-1]["position"] - 1
    auditor.goto(f"/piani/{PLAN}/storia")
    replay = auditor.locator("#riproduzione [data-replay-body]")
    expect(replay.locator("details[data-ref='A-Ob1']")).to_contain_text(NEW_IMPACT)
    auditor.get_by_role("slider").fill(str(before))
    expect(auditor.locator("#riproduzione")).to_have_attribute("data-at", str(before), timeout=10000)
    a_ob1 = replay.locator("details[data-ref='A-Ob1']")
    expect(a_ob1).to_contain_text(OLD_IMPACT)
    expect(a_ob1).not_to_contain_text(NEW_IMPACT)
    expect(auditor.locator("[data-step='next']")).to_be_visible()
    a_ob1.evaluate("d => { d.open = true; d.scrollIntoView(); }")
    auditor.screenshot(path=str(SCREENSHOTS / "riproduci.png"))
    auditor.get_by_label("Da (numero di evento o data GG/MM/AAAA)").fill(str(before))
    auditor.get_by_role("button", name="Confronta").click()
    result = auditor.locator("#risultato-confronto")
    expect(result).to_contain_text("Obiettivo A-Ob1")
    expect(result).to_contain_text(NEW_IMPACT)
    expect(result).to_contain_text(IMPACT)
    assert axe_violations(auditor) == []
    result.scroll_into_view_if_needed()
    auditor.screenshot(path=str(SCREENSHOTS / "confronta.png"))
