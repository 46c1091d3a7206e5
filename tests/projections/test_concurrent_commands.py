"""People acting at once on one aggregate (a busy proposal, a live session): commands whose effect
does not depend on each other are all recorded; decisions are still refused when overtaken."""
from __future__ import annotations

import threading
import uuid

import pytest

from server.application.base import Overtaken
from server.events.proposal import Proposal
from server.runtime import Runtime
from tests.projections.replay_history import PLAN, rich_history

THREADS, EACH = 4, 8


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def at_once(work, people: list[str]) -> list[Exception]:
    start, errors = threading.Barrier(len(people)), []

    def run(person):
        start.wait()
        try:
            work(person)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def open_proposal(app, author: str) -> str:
    objective_id = app.plan(PLAN).objectives["A.1"]
    version = app.repository.get(uuid.UUID(objective_id)).version
    proposal_id = uuid.uuid4()
    app.propose_amendment(proposal_id, PLAN, "A.1", version, {"context": "Contesto nuovo"}, "Perché", author)
    return str(proposal_id)


def test_comments_and_supports_sent_at_once_are_all_recorded(rt):
    people = rich_history(rt.app)
    proposal = open_proposal(rt.app, people["coord"])
    seated = [people[name] for name in ("ana", "bea")]  # (carlo has left the tavolo)

    def comment_and_support(person):
        for n in range(EACH):
            rt.app.comment_proposal(proposal, f"Commento {n}", person)
        rt.app.support_proposal(proposal, person)

    assert at_once(comment_and_support, seated) == []
    assert at_once(lambda person: [rt.app.comment_proposal(proposal, "Ancora", person) for _ in range(EACH)],
                   [people["coord"]] + seated) == []
    recorded = rt.app.repository.get(uuid.UUID(proposal))
    assert isinstance(recorded, Proposal)
    assert recorded.comment_count == len(seated) * EACH + (len(seated) + 1) * EACH
    assert sorted(recorded.supporters) == sorted(seated)


def test_a_decision_overtaken_by_another_is_refused_not_retried(rt, monkeypatch):
    """A coordinator decides on what they saw: when someone else saved the proposal in between, the
    decision is refused (409) rather than silently applied to a proposal they have not seen."""
    people = rich_history(rt.app)
    proposal = open_proposal(rt.app, people["ana"])
    load, calls = rt.app.proposal, []

    def stale_then_changed(proposal_id):
        seen = load(proposal_id)
        calls.append(proposal_id)
        if len(calls) == 1:  # the decider's load; then someone comments before the decision is saved
            rt.app.comment_proposal(proposal_id, "Nel frattempo", people["bea"])
        return seen

    monkeypatch.setattr(rt.app, "proposal", stale_then_changed)
    with pytest.raises(Overtaken):
        rt.app.decide_proposal(proposal, "approve", None, people["coord"])
    monkeypatch.undo()
    assert rt.app.proposal(proposal).status == "open" and len(calls) == 2  # the decision ran once
