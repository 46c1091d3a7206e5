"""The Storia page (/piani/<key>/storia): "Confronta" shows everything the API's diff says, "Riproduci"
moves only among the events the viewer may see, and wrong inputs are said inline."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.api.api_helpers import login_browser
from tests.audit.helpers import KEY, World, body

ACT = {"body": "assemblea_dei_sindaci", "act": "Delibera n. 99", "date": "2025-03-14"}


@pytest.fixture
def world(client, people):
    return World(client, people)


class _Sections(HTMLParser):
    """The text of an element (by id), and under each of its headings: [(heading, text until the next one)]."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.heading = element_id, 0, None
        self.sections: list[list[str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0 and dict(attrs).get("id") == self.element_id:
            self.depth = 1
        elif self.depth:
            self.depth += tag not in ("br", "input", "img", "hr", "meta", "link")
            if re.fullmatch(r"h[1-6]", tag):
                self.heading = tag
                self.sections.append([tag, "", ""])

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag == self.heading:
                self.heading = None

    def handle_data(self, data):
        if not self.depth:
            return
        self.text.append(data)
        if self.sections:
            self.sections[-1][1 if self.heading else 2] += f" {data}"


def region(page: str, element_id: str) -> _Sections:
    parser = _Sections(element_id)
    parser.feed(page)
    assert parser.text, f"#{element_id} is not on the page"
    return parser


def words(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def page_of(browser, query: str) -> str:
    response = browser.get(f"/piani/{KEY}/storia?{query}")
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
    return response.get_data(as_text=True)


def comparison(browser, start: int, end: int) -> tuple[str, list[tuple[str, str]]]:
    """The result's text, and (heading, its own text) under its title; no heading is left empty."""
    found = region(page_of(browser, f"da={start}&a={end}"), "risultato-confronto")
    sections = [(int(tag[1]), words(title), words(text)) for tag, title, text in found.sections]
    for i, (level, title, text) in enumerate(sections):  # some text of its own, or a subheading below it
        assert text or (i + 1 < len(sections) and sections[i + 1][0] > level), (title, sections)
    return words(" ".join(found.text)), [(title, text) for _level, title, text in sections]


def test_a_comparison_across_a_rename_shows_the_rename(app, world, runtime):
    before = runtime.event_position()
    body(world.post(f"/plans/{KEY}/objectives/A.1/rename", world.coordinator, {"ref": "A.9"}))
    after = runtime.event_position()
    diff = body(world.get(f"/plans/{KEY}/diff?from={before}&to={after}"))
    assert [(r["from"], r["to"]) for r in diff["objectives"]["renamed"]] == [("A.1", "A.9")]

    browser, _ = login_browser(app, world.luca.email)
    text, sections = comparison(browser, before, after)
    assert "Obiettivo A.1 rinominato in A.9" in text
    assert "Nessuna differenza" not in text and dict(sections)["Obiettivi rinominati"]


def test_a_comparison_across_the_approval_shows_the_plan_and_the_objectives_statuses(app, world, runtime):
    for status in ("co_programming", "validation"):
        body(world.post(f"/plans/{KEY}/status", world.admin, {"status": status}))
    before = runtime.event_position()
    body(world.post(f"/plans/{KEY}/approval", world.admin, ACT))
    after = runtime.event_position()
    diff = body(world.get(f"/plans/{KEY}/diff?from={before}&to={after}"))
    assert diff["plan"]["status"] == {"before": "validation", "after": "approved"} and "approvals" in diff["plan"]
    assert {o["ref"]: o["status"]["after"] for o in diff["objectives"]["changed"]} == {"A.1": "approved",
                                                                                        "B.1": "approved"}

    for who in (world.auditor, world.luca):
        browser, _ = login_browser(app, who.email)
        text, sections = comparison(browser, before, after)
        by_title = dict(sections)
        assert "Prima In validazione Dopo Approvato" in by_title["Stato del piano"]
        assert "Assemblea dei Sindaci: Delibera n. 99 del 14/03/2025" in by_title["Atti di approvazione"]
        for ref in ("A.1", "B.1"):
            assert f"Obiettivo {ref}" in by_title
            assert "Prima Bozza Dopo Approvato" in by_title["Stato"]
            assert "Prima 1 Dopo 2" in by_title["Versione"]
        headings = [title for title, _content in sections]
        for ref in ("A.1", "B.1"):  # each objective's heading is followed by its own changes
            assert headings[headings.index(f"Obiettivo {ref}") + 1:][:2] == ["Stato", "Versione"], headings


def _moment(page: str) -> dict:
    tag = re.search(r'<div id="riproduzione"[^>]*>', page).group(0)
    data = {name: value for name, value in re.findall(r'data-(at|prev|next)="([^"]*)"', tag)}
    shown = region(page, "riproduzione")
    moment = words(re.search(r'<p class="moment">(.*?)</p>', page, re.S).group(1))
    links = {step: re.search(rf'<a [^>]*data-step="{step}"[^>]*>', page).group(0) for step in ("prev", "next")}
    assert shown.text
    return {"at": int(data["at"]), "prev": int(data["prev"]) if data["prev"] else None,
            "next": int(data["next"]) if data["next"] else None, "label": re.sub(r"<[^>]+>", "", moment),
            "next_hidden": " hidden" in links["next"], "prev_hidden": " hidden" in links["prev"]}


def _seen(world, who) -> dict[int, str]:
    return {e["position"]: e["summary"] for e in body(world.get(f"/plans/{KEY}/history?limit=1000", who))["events"]}


def test_the_replay_moves_only_among_the_events_the_viewer_may_see(app, world, people, runtime):
    unseated = people.create(organisation="caritas", name="Nadia Senzatavolo")
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"}))
    world.decide(world.coordinator, world.propose(world.luca, "A.1", {"context": "Secondo contesto"}))
    for status in ("validation", "co_programming"):
        body(world.post(f"/plans/{KEY}/status", world.admin, {"status": status}))
    world.decide(world.coordinator, world.propose(world.sara, "A.1", {"context": "Terzo contesto"}))  # hidden, last

    everything, seen = _seen(world, world.auditor), _seen(world, unseated)
    hidden = sorted(set(everything) - set(seen))
    visible = sorted(seen)
    assert hidden and max(hidden) > max(visible) and any(min(visible) < h < max(visible) for h in hidden)

    browser, _ = login_browser(app, unseated.email)
    for position in hidden:  # a moment they cannot see: the plan at their event before it, named as such
        shown = _moment(page_of(browser, f"momento={position}"))
        expected = max(p for p in visible if p <= position)
        assert shown["at"] == expected, (position, shown)
        assert shown["label"].startswith(f"Evento n. {expected} —") and shown["label"].endswith(seen[expected])
    walked, shown = [], _moment(page_of(browser, f"momento={visible[0]}"))
    while True:  # "Evento successivo" from the first to the last visible event, and not one step further
        walked.append(shown["at"])
        assert shown["label"].startswith(f"Evento n. {shown['at']} —") and shown["label"].endswith(seen[shown["at"]])
        assert shown["prev"] in (set(visible) | {None}) and shown["next"] in (set(visible) | {None})
        if shown["next"] is None:
            break
        assert len(walked) <= len(visible), walked
        shown = _moment(page_of(browser, f"momento={shown['next']}"))
    assert walked == visible and shown["next_hidden"]
    backwards = [shown["at"]]
    while shown["prev"] is not None:
        shown = _moment(browser.get(f"/piani/{KEY}/storia/riproduci?momento={shown['prev']}&frammento=1")
                        .get_data(as_text=True))
        backwards.append(shown["at"])
    assert backwards == visible[::-1] and shown["prev_hidden"]
    assert _moment(page_of(browser, ""))["at"] == visible[-1]  # the head: their last event

    auditor, _ = login_browser(app, world.auditor.email)  # who sees everything steps through everything
    walked, shown = [], _moment(page_of(auditor, f"momento={min(everything)}"))
    while shown["next"] is not None:
        walked.append(shown["at"])
        shown = _moment(page_of(auditor, f"momento={shown['next']}"))
    assert walked + [shown["at"]] == sorted(everything) and shown["label"].startswith(f"Evento n. {max(everything)} —")


def test_a_comparison_out_of_range_is_said_in_the_form(app, world, runtime):
    browser, _ = login_browser(app, world.auditor.email)
    last = runtime.event_position()
    for query, field, said in ((f"da=99999&a={last}", "da", "«Da»: La posizione deve essere compresa tra 0 e"),
                               ("da=1&a=99999", "a", "«A»: La posizione deve essere compresa tra 0 e"),
                               ("da=abc", "da", "«Da»: indicare il momento come numero")):
        page = page_of(browser, query)
        compare = words(" ".join(region(page, "sezione-confronta").text))
        assert said in compare, compare
        assert 'role="alert"' in page and f'aria-describedby="err-{field}"' in page
        assert "risultato-confronto" not in page


@pytest.mark.parametrize(("name", "label", "value"), [("dal", "Dal", "2026-13-45"), ("al", "Al", "31/02/2025"),
                                                      ("dal", "Dal", "ieri")])
def test_an_invalid_date_filter_is_said_and_does_not_pretend_to_filter(app, world, name, label, value):
    browser, _ = login_browser(app, world.auditor.email)
    page = page_of(browser, f"{name}={value}")
    events = words(" ".join(region(page, "sezione-eventi").text))
    assert f"«{label}»: data non valida, formato AAAA-MM-GG o GG/MM/AAAA." in events
    assert 'id="elenco-eventi"' not in page and "Esporta tutti gli eventi" not in page
    assert f'aria-describedby="err-{name}"' in page
    filtered = page_of(browser, f"{name}={'2000-01-01' if name == 'dal' else '2999-12-31'}")
    assert 'id="elenco-eventi"' in filtered and "data non valida" not in filtered


def test_an_end_day_before_the_start_day_is_said(app, world):
    browser, _ = login_browser(app, world.auditor.email)
    page = page_of(browser, "dal=2025-03-14&al=13/03/2025")
    assert "«Al»: la data precede quella di «Dal»." in words(" ".join(region(page, "sezione-eventi").text))
    assert 'id="elenco-eventi"' not in page and 'aria-describedby="err-al"' in page


def test_the_verification_gives_the_position_to_publish_and_checks_a_published_head(app, world, runtime):
    browser, _ = login_browser(app, world.auditor.email)
    said = words("".join(region(page_of(browser, "verifica=1"), "esito-verifica").text))
    position, head = runtime.event_position(), body(world.get("/audit/verify", world.auditor))["head"]
    assert said == f"Catena integra. {position} eventi verificati fino alla posizione {position}; hash di testa {head}."
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"}))  # the log goes on

    checked = words("".join(region(page_of(browser, f"verifica=1&posizione={position}&testa={head}"),
                                    "esito-verifica").text))
    assert checked.startswith("Catena integra.") and checked.endswith(
        f"La testa pubblicata alla posizione {position} corrisponde.")
    wrong = words("".join(region(page_of(browser, f"verifica=1&posizione={position - 1}&testa={head}"),
                                  "esito-verifica").text))
    assert wrong.startswith("Alterazione rilevata.")
    assert f"La testa pubblicata alla posizione {position - 1} non corrisponde a quella ricalcolata" in wrong
    for query, message in ((f"posizione={position}", "indicare la posizione (un numero) e la testa"),
                           (f"posizione=99999&testa={head}", "La posizione indicata non è nella catena")):
        page = page_of(browser, f"verifica=1&{query}")
        assert message in words("".join(region(page, "esito-verifica").text))
        assert 'value="' + query.split("=")[1].split("&")[0] + '"' in page  # what was typed stays in the form
