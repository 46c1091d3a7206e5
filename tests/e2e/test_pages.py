"""Every page in a real browser: Italian, accessible (axe-core: no serious or critical WCAG 2.1 AA
violation), usable at 360 px; screenshots of the main pages go to docs/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, AUDITOR, COORDINATOR, MEMBER, PLAN, SCREENSHOTS, TAVOLO, axe_violations, login

OBJ = f"/piani/{PLAN}/obiettivi/A-Ob1"
PAGES = [  # name, who, path, heading
    ("accesso", None, "/accesso", "Accedi"),
    ("password-dimenticata", None, "/password-dimenticata", "Password dimenticata"),
    ("piani", MEMBER, "/", "Piani di Zona"),
    ("piano", MEMBER, f"/piani/{PLAN}", "Piano di Zona"),
    ("tavolo", MEMBER, f"/piani/{PLAN}/tavoli/{TAVOLO}", "Inclusione"),
    ("obiettivo", MEMBER, OBJ, "A-Ob1"),
    ("proponi-modifica", MEMBER, f"{OBJ}/proponi", "Proponi modifica"),
    ("proponi-obiettivo", MEMBER, f"/piani/{PLAN}/tavoli/{TAVOLO}/proponi-obiettivo", "Proponi un nuovo obiettivo"),
    ("proposta", COORDINATOR, None, "Proposta di modifica"),
    ("coda-di-revisione", COORDINATOR, "/revisione", "Coda di revisione"),
    ("storia", AUDITOR, f"/piani/{PLAN}/storia?da=1&verifica=1", "Storia del piano"),
    ("amministrazione", ADMIN, "/amministrazione", "Amministrazione"),
]


@pytest.mark.parametrize(("name", "who", "path", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible_in_italian(new_page, name, who, path, heading):
    page = new_page()
    if who:
        login(page, who)
    if path is None:  # a proposal of the demo history, reached as a person would
        page.goto(OBJ)
        page.locator("#regione-proposte-obiettivo a").first.click()
    else:
        page.goto(path)
    assert page.locator("html").get_attribute("lang") == "it"
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("main#contenuto")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    narrow = new_page(360, 740)
    if who:
        login(narrow, who)
    narrow.goto(page.url)
    overflow = narrow.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: la pagina scorre in orizzontale di {overflow}px a 360 px"
    if name in ("obiettivo", "tavolo", "piano"):
        narrow.screenshot(path=str(SCREENSHOTS / f"{name}-360px.png"))


def test_login_in_italian(new_page):
    page = new_page()
    page.goto("/accesso")
    page.get_by_label("E-mail").fill(MEMBER)
    page.get_by_label("Password").fill("sbagliata")
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("alert")).to_have_text("E-mail o password non corretti.")
    login(page, MEMBER)
    expect(page.locator(".who")).to_contain_text("Luca Galli")
    page.get_by_role("button", name="Esci").click()
    expect(page.locator(".notice")).to_contain_text("Sei uscita/o")


def test_pages_read_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    login(page, MEMBER)
    page.goto(f"{OBJ}/proponi")
    page.get_by_label("QUALI RISULTATI VUOLE RAGGIUNGERE?").fill("Risultato scritto senza JavaScript.")
    page.get_by_role("button", name="Mostra l'anteprima delle modifiche").click()
    expect(page.locator(".preview")).to_contain_text("Risultato scritto senza JavaScript.")
    expect(page.get_by_label("QUALI RISULTATI VUOLE RAGGIUNGERE?")).to_have_value("Risultato scritto senza JavaScript.")
    page.get_by_role("button", name="Invia la proposta").click()
    expect(page.locator("h1")).to_contain_text("Proposta di modifica all'obiettivo A-Ob1")
    page.get_by_role("button", name="Ritira la proposta").click()
    expect(page.locator("#regione-stato")).to_contain_text("Ritirata")
    context.close()
