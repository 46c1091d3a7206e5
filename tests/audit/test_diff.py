"""Diffs: lists and budget items compared item by item; diff(p, q) applied to the state at p gives
the state at q, for every pair of positions of a scripted history (both directions)."""
from __future__ import annotations

import random
from decimal import Decimal

from server.jsonutil import dumps
from server.replay.diff import apply_diff, diff_states
from server.replay.shape import plan_state
from server.replay.state import state_at
from server.replay.values import apply_value, diff_value
from tests.projections.replay_history import OTHER, PLAN, rich_history


def test_a_list_item_inserted_in_the_middle_is_one_addition_not_a_cascade_of_changes():
    change = diff_value(["uno", "due", "tre"], ["uno", "una e mezza", "due", "tre"])
    assert change["items"] == {"added": [{"index": 1, "value": "una e mezza"}], "removed": [], "changed": []}
    assert change["before"] == ["uno", "due", "tre"] and change["after"][1] == "una e mezza"
    change = diff_value(["uno", "due", "tre"], ["uno", "tre"])
    assert change["items"] == {"added": [], "removed": [{"index": 1, "value": "due"}], "changed": []}


def test_budget_items_are_compared_item_by_item_down_to_the_amount():
    before = {"items": [{"label": "Tutor", "amount_eur": Decimal("415000.00"), "source": "public"},
                        {"label": "Borse", "amount_eur": Decimal("60000"), "source": "private"}],
              "declared_total_eur": None}
    after = {"items": [{"label": "Tutor", "amount_eur": Decimal("415000.00"), "source": "public"},
                       {"label": "Borse", "amount_eur": Decimal("75000"), "source": "private"},
                       {"label": "Nuova", "amount_eur": Decimal("10.50"), "source": "pnrr"}],
             "declared_total_eur": Decimal("500010.50")}
    change = diff_value(before, after)
    assert set(change["fields"]) == {"items", "declared_total_eur"}
    items = change["fields"]["items"]["items"]
    assert items["changed"] == [{"index": 1, "to_index": 1, "before": before["items"][1], "after": after["items"][1],
                                 "fields": {"amount_eur": {"before": Decimal("60000"), "after": Decimal("75000")}}}]
    assert items["added"] == [{"index": 2, "value": after["items"][2]}] and items["removed"] == []
    assert change["fields"]["declared_total_eur"] == {"before": None, "after": Decimal("500010.50")}
    assert apply_value(before, change) == after
    assert diff_value(before, before) is None
    assert diff_value({"a": 1}, {"b": 1}) == {"before": {"a": 1}, "after": {"b": 1}, "fields": {
        "a": {"before": 1, "after": None, "removed": True}, "b": {"before": None, "after": 1, "added": True}}}


def test_a_line_inserted_before_a_changed_line_is_an_insertion_and_that_line_changed():
    """Not a rewrite of the neighbour ("Personale" relabelled "Fondo") followed by a new "Personale"."""
    first = {"label": "Coordinamento", "amount_eur": Decimal("20000"), "source": "public"}
    staff = {"label": "Personale agenzia", "amount_eur": Decimal("80000"), "source": "public"}
    fund = {"label": "Fondo morosità incolpevole", "amount_eur": Decimal("30000.75"), "source": "regional"}
    more_staff = {**staff, "amount_eur": Decimal("90000")}
    change = diff_value([first, staff], [first, fund, more_staff])
    assert change["items"] == {"added": [{"index": 1, "value": fund}], "removed": [], "changed": [
        {"index": 1, "to_index": 2, "before": staff, "after": more_staff,
         "fields": {"amount_eur": {"before": Decimal("80000"), "after": Decimal("90000")}}}]}
    assert apply_value([first, staff], change) == [first, fund, more_staff]
    # nothing in common: still paired by position (a text item reworded is that item changed)
    assert diff_value(["uno", "due"], ["uno", "DUE!"])["items"]["changed"][0]["index"] == 1
    rewritten = diff_value([staff], [{"label": "Altro", "amount_eur": 1, "source": "pnrr"}])["items"]
    assert len(rewritten["changed"]) == 1 and not rewritten["added"] and not rewritten["removed"]


def test_an_amount_written_differently_is_the_same_item():
    """60000 from one client and 60000.00 from another are one amount: the list diff matches the
    items (it used to pair them as a change that was no change, and fail)."""
    before = [{"label": "Borse", "amount_eur": Decimal("60000.00")}, {"label": "Tutor", "amount_eur": 415000},
              {"label": "Sede", "amount_eur": Decimal("0.50")}]
    after = [{"label": "Borse", "amount_eur": 60000}, {"label": "Tutor", "amount_eur": Decimal("415000.0")},
             {"label": "Sede", "amount_eur": Decimal("0.5")}]
    assert diff_value(before, after) is None
    after[1] = {"label": "Tutor", "amount_eur": Decimal("420000")}
    change = diff_value(before, after)
    assert change["items"] == {"added": [], "removed": [], "changed": [
        {"index": 1, "to_index": 1, "before": before[1], "after": after[1],
         "fields": {"amount_eur": {"before": 415000, "after": Decimal("420000")}}}]}
    assert apply_value(before, change) == after
    huge = [{"n": 2 ** 70}, "uno"]
    assert diff_value(huge, [{"n": 2 ** 70}, "due"])["items"]["changed"][0]["index"] == 1


def test_applying_a_value_diff_gives_the_new_value_for_random_lists():
    rng = random.Random(5)
    words = ["casa", "lavoro", "scuola", "salute", {"k": 1}, {"k": 2}, ["x"], 7]
    for _ in range(500):
        before = [rng.choice(words) for _ in range(rng.randint(0, 8))]
        after = [rng.choice(words) for _ in range(rng.randint(0, 8))]
        change = diff_value(before, after)
        assert (change is None) == (before == after)
        if change:
            assert apply_value(before, change) == after


def test_diff_of_p_and_q_applied_to_the_state_at_p_gives_the_state_at_q(runtime):
    rich_history(runtime.app)
    runtime.projector.run_once()
    head = runtime.event_position()
    with runtime.sessions() as session:
        states = {key: [state_at(runtime, session, key, p) for p in range(head + 1)] for key in (PLAN, OTHER)}
    for key, plans in states.items():
        shaped = [plan_state(p) if p else None for p in plans]
        for p in range(head + 1):
            for q in range(head + 1):
                diff = diff_states(shaped[p], shaped[q])
                assert apply_diff(shaped[p], diff) == shaped[q], (key, p, q)
                assert (diff == {"plan": {}, "objectives": {"added": [], "removed": [], "renamed": [], "changed": []},
                                 "added_objectives": []}) == (shaped[p] == shaped[q])
            exact = apply_diff(shaped[p], diff_states(shaped[p], shaped[head]))
            assert dumps(exact, sort_keys=True) == dumps(shaped[head], sort_keys=True)  # also as JSON text
