"""A tavolo session, write model alone: given events, when a command, then new events or a refusal."""
from __future__ import annotations

import uuid

import pytest

from server.events.errors import Conflict, Invalid, NotFound
from server.events.meeting import QUADRANTS, Meeting

AGENDA = [{"title": "Presentazione del percorso", "objective_id": None},
          {"title": "Povertà educativa", "objective_id": "obj-1"}]
STARTS = "2025-11-04T09:30:00+01:00"


def new_events(meeting: Meeting) -> list[tuple[str, dict]]:
    """The events recorded since the last look, with their own fields (no envelope)."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return [(type(e).__name__, {k: v for k, v in e.__dict__.items() if k not in skip})
            for e in meeting.collect_events()]


def convened(**overrides) -> Meeting:
    fields = dict(id=uuid.uuid4(), plan_key="p", tavolo="t", title="Prima seduta", starts_at=STARTS,
                  place="Sala consiliare", link=None, agenda=AGENDA, actor="coord")
    meeting = Meeting.convene(**{**fields, **overrides})
    meeting.collect_events()
    return meeting


def with_present(*organisations: str) -> Meeting:
    meeting = convened()
    for organisation in organisations:
        meeting.record_attendance(organisation, True, 2, "coord")
    meeting.collect_events()
    return meeting


def contributed() -> Meeting:
    meeting = with_present("caritas")
    meeting.add_contribution("c1", "questioni_problematiche", "caritas", "Isolamento degli anziani", ["obj-1"], [],
                             "member")
    meeting.collect_events()
    return meeting


# -- convening -----------------------------------------------------------------------------------------
def test_convening_records_convened_with_every_field():
    meeting = Meeting.convene(id=uuid.uuid4(), plan_key="p", tavolo="t", title="Prima seduta", starts_at=STARTS,
                              place=None, link="https://meet.example/abc", agenda=AGENDA, actor="coord")
    [(name, fields)] = new_events(meeting)
    assert name == "Convened"
    assert fields == {"plan_key": "p", "tavolo": "t", "title": "Prima seduta", "starts_at": STARTS, "place": None,
                      "link": "https://meet.example/abc", "agenda": AGENDA, "actor": "coord"}
    assert meeting.status == "open" and meeting.attendance == {} and meeting.contributions == {}


@pytest.mark.parametrize("starts_at", ["2025-11-04T09:30:00", "4 novembre", "", "9999-12-31T23:00:00-12:00",
                                       "1999-12-31T09:00:00+01:00"])
def test_convening_refuses_a_start_without_time_zone_unreadable_or_out_of_range(starts_at):
    with pytest.raises(Invalid) as error:
        convened(starts_at=starts_at)
    assert "starts_at" in error.value.details


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"place": None, "link": None}, "place"),
    ({"agenda": [{"title": "", "objective_id": None}]}, "agenda"),
])
def test_convening_refuses_bad_input_naming_the_field(overrides, field):
    with pytest.raises(Invalid) as error:
        convened(**overrides)
    assert field in error.value.details


# -- agenda ---------------------------------------------------------------------------------------------
def test_changing_the_agenda_records_the_new_one():
    meeting = convened()
    meeting.change_agenda([{"title": "Solo un punto", "objective_id": None}], "coord")
    assert new_events(meeting) == [("AgendaChanged", {"agenda": [{"title": "Solo un punto", "objective_id": None}],
                                                      "actor": "coord"})]
    assert meeting.agenda == [{"title": "Solo un punto", "objective_id": None}]


def test_the_same_agenda_again_is_refused_and_a_blank_item_is_invalid():
    meeting = convened()
    with pytest.raises(Conflict):
        meeting.change_agenda([dict(item) for item in AGENDA], "coord")
    with pytest.raises(Invalid) as error:
        meeting.change_agenda([{"title": " ", "objective_id": None}], "coord")
    assert error.value.details == {"agenda": {"0": {"title": "Campo obbligatorio: non può essere vuoto."}}}
    assert new_events(meeting) == []


# -- attendance -----------------------------------------------------------------------------------------
def test_recording_attendance_and_recording_again_replaces():
    meeting = convened()
    meeting.record_attendance("caritas", True, 3, "coord")
    meeting.record_attendance("caritas", True, 4, "coord")
    meeting.record_attendance("acli", False, None, "coord")
    assert new_events(meeting) == [
        ("AttendanceRecorded", {"organisation": "caritas", "present": True, "people": 3, "actor": "coord"}),
        ("AttendanceRecorded", {"organisation": "caritas", "present": True, "people": 4, "actor": "coord"}),
        ("AttendanceRecorded", {"organisation": "acli", "present": False, "people": None, "actor": "coord"}),
    ]
    assert meeting.attendance == {"caritas": {"present": True, "people": 4}, "acli": {"present": False, "people": None}}


@pytest.mark.parametrize(("present", "people"), [(False, 2), (True, -1)])
def test_attendance_with_impossible_people_is_invalid(present, people):
    meeting = convened()
    with pytest.raises(Invalid) as error:
        meeting.record_attendance("caritas", present, people, "coord")
    assert "people" in error.value.details and new_events(meeting) == []


def test_recording_the_same_attendance_twice_is_refused():
    meeting = with_present("caritas")
    with pytest.raises(Conflict):
        meeting.record_attendance("caritas", True, 2, "coord")


def test_an_organisation_that_contributed_cannot_be_marked_absent():
    meeting = contributed()
    with pytest.raises(Conflict) as error:
        meeting.record_attendance("caritas", False, None, "coord")
    assert error.value.details == {"organisation": "caritas"} and new_events(meeting) == []


# -- contributions ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("quadrant", list(QUADRANTS))
def test_a_present_organisation_contributes_to_each_quadrant(quadrant):
    meeting = with_present("caritas")
    meeting.add_contribution("c1", quadrant, "caritas", "Testo", ["o1", "o1", "o2"], ["p1"], "member")
    assert new_events(meeting) == [("ContributionAdded", {
        "contribution_id": "c1", "quadrant": quadrant, "organisation": "caritas", "text": "Testo",
        "objective_ids": ["o1", "o2"], "proposal_ids": ["p1"], "actor": "member"})]


@pytest.mark.parametrize(("quadrant", "organisation", "text", "field"), [
    ("lavagna", "caritas", "Testo", "quadrant"),
    ("risorse_disponibili", "caritas", "   ", "text"),
    ("risorse_disponibili", "acli", "Testo", "organisation"),  # recorded absent
    ("risorse_disponibili", "anffas", "Testo", "organisation"),  # not on the sheet at all
])
def test_contributions_are_refused_naming_the_field(quadrant, organisation, text, field):
    meeting = with_present("caritas")
    meeting.record_attendance("acli", False, None, "coord")
    meeting.collect_events()
    with pytest.raises(Invalid) as error:
        meeting.add_contribution("c1", quadrant, organisation, text, [], [], "member")
    assert field in error.value.details and new_events(meeting) == []


def test_a_contribution_id_is_used_once():
    meeting = contributed()
    with pytest.raises(Conflict):
        meeting.add_contribution("c1", "risorse_disponibili", "caritas", "Altro", [], [], "member")


# -- links -----------------------------------------------------------------------------------------------------
def test_linking_adds_only_new_links_to_the_earlier_ones():
    meeting = contributed()
    meeting.link_contribution("c1", ["obj-1", "obj-2"], ["p1"], "coord")
    assert new_events(meeting) == [("ContributionLinked", {
        "contribution_id": "c1", "objective_ids": ["obj-2"], "proposal_ids": ["p1"], "actor": "coord"})]
    assert meeting.contributions["c1"]["objective_ids"] == ["obj-1", "obj-2"]
    assert meeting.contributions["c1"]["proposal_ids"] == ["p1"]


def test_linking_refusals():
    meeting = contributed()
    with pytest.raises(NotFound):
        meeting.link_contribution("nessuno", ["obj-2"], [], "coord")
    with pytest.raises(Invalid) as error:
        meeting.link_contribution("c1", [], [], "coord")
    assert "objectives" in error.value.details
    with pytest.raises(Conflict):
        meeting.link_contribution("c1", ["obj-1"], [], "coord")
    assert new_events(meeting) == []


# -- minutes and closing -------------------------------------------------------------------------------------
def test_editing_minutes_records_the_text_and_blank_text_is_invalid():
    meeting = convened()
    meeting.edit_minutes("Verbale rivisto", "coord")
    assert new_events(meeting) == [("MinutesEdited", {"text": "Verbale rivisto", "actor": "coord"})]
    with pytest.raises(Invalid) as error:
        meeting.edit_minutes("  ", "coord")
    assert "text" in error.value.details


def test_closing_records_the_generated_minutes_when_nobody_edited_them():
    meeting = contributed()
    meeting.close("Verbale generato", "coord")
    assert new_events(meeting) == [("Closed", {"minutes": "Verbale generato", "actor": "coord"})]
    assert meeting.status == "closed" and meeting.minutes == "Verbale generato"


def test_closing_records_the_edited_minutes_if_any():
    meeting = convened()
    meeting.edit_minutes("Prima versione", "coord")
    meeting.edit_minutes("Versione rivista", "coord")
    meeting.collect_events()
    meeting.close("Verbale generato", "coord")
    assert new_events(meeting) == [("Closed", {"minutes": "Versione rivista", "actor": "coord"})]


CHANGES = {
    "change agenda": lambda m: m.change_agenda([{"title": "Nuovo", "objective_id": None}], "coord"),
    "record attendance": lambda m: m.record_attendance("acli", True, 1, "coord"),
    "add contribution": lambda m: m.add_contribution("c2", "lavoro_di_rete", "caritas", "Rete", [], [], "coord"),
    "link contribution": lambda m: m.link_contribution("c1", ["obj-9"], [], "coord"),
    "edit minutes": lambda m: m.edit_minutes("Tardi", "coord"),
    "close again": lambda m: m.close("Di nuovo", "coord"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_closed_meeting_refuses_every_change(change):
    meeting = contributed()
    meeting.close("Verbale", "coord")
    meeting.collect_events()
    with pytest.raises(Conflict) as error:
        change(meeting)
    assert error.value.details == {"status": "closed"} and new_events(meeting) == []


def test_replaying_the_events_rebuilds_the_same_meeting():
    meeting = Meeting.convene(id=uuid.uuid4(), plan_key="p", tavolo="t", title="Prima seduta", starts_at=STARTS,
                              place="Sala consiliare", link=None, agenda=AGENDA, actor="coord")
    meeting.record_attendance("caritas", True, 2, "coord")
    meeting.add_contribution("c1", "questioni_problematiche", "caritas", "Isolamento", ["obj-1"], [], "member")
    meeting.link_contribution("c1", [], ["p1"], "coord")
    meeting.edit_minutes("Testo", "coord")
    meeting.close("Generato", "coord")
    copy = None
    for event in meeting.collect_events():
        copy = event.mutate(copy)
    assert (copy.status, copy.minutes, copy.agenda, copy.attendance, copy.contributions, copy.version) == (
        "closed", "Testo", AGENDA, meeting.attendance, meeting.contributions, 6)
    assert copy.contributions["c1"]["proposal_ids"] == ["p1"]


# -- the minutes' date, in Rome's time whatever the offset given ----------------------------------------------
@pytest.mark.parametrize(("starts_at", "expected"), [
    ("2025-11-04T08:30:00Z", "martedì 4 novembre 2025, ore 9:30"),  # winter: UTC+1
    ("2025-07-04T09:05:00+00:00", "venerdì 4 luglio 2025, ore 11:05"),  # summer: UTC+2
    ("2026-03-29T10:00:00+02:00", "domenica 29 marzo 2026, ore 10:00"),  # the day summer time starts
])
def test_minutes_give_the_start_in_italian_and_in_rome_time(starts_at, expected):
    from server.meetings_minutes import italian_datetime

    assert italian_datetime(starts_at) == expected
