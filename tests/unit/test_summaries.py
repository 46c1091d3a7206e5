"""The history's one-line Italian summaries."""
from types import SimpleNamespace

import pytest

from server.projections.summaries import summary


@pytest.mark.parametrize("act, day, expected", [
    ("Delibera n. 12 del 14/03/2025", "2025-03-14", "Piano approvato: Delibera n. 12 del 14/03/2025"),
    ("Delibera n. 12", "2025-03-14", "Piano approvato: Delibera n. 12 del 14/03/2025"),
])
def test_an_approval_names_its_act_and_its_date_once_the_italian_way(act, day, expected):
    event = SimpleNamespace(act=act, date=day, body="assemblea_dei_sindaci")
    assert summary("Plan.Approved", event, None) == expected
