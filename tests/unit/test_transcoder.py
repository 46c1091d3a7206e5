"""Reading stored events fast gives what eventsourcing's own decoder gives, value for value and type
for type, including for states shaped unlike any this application writes (an altered store)."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import (DatetimeAsISO, DecimalAsStr, JSONTranscoder, MapperDeserialisationError,
                                       UUIDAsHex)
from eventsourcing.persistence import Mapper as EventsourcingMapper

from server.application.transcoder import FastJSONTranscoder, ProjectedEvents
from server.audit.verify_bundle import uuid_text
from server.events.proposal import Proposal
from server.replay.log import Recorded

STAMP = '{"timestamp":{"_type_":"datetime_iso","_data_":"2025-03-14T10:00:00.123456+00:00"}'
STATES = [
    STAMP + ',"actor":"a","organisation":null}',  # the common case: the timestamp only
    STAMP + ',"changes":{"budget":{"items":[{"label":"Voce","amount_eur":{"_type_":"decimal_str","_data_":"1000.50"}}]}}}',
    STAMP + ',"when":{"_type_":"datetime_iso","_data_":"2025-01-01T00:00:00+01:00"}}',  # a second one, at the top
    STAMP + ',"id":{"_type_":"uuid_hex","_data_":"' + uuid.UUID(int=7).hex + '"}}',
    STAMP + ',"text":"scrive \\"_type_\\" tra virgolette","n":[1,2.5,-3e-7,true,null]}',
    STAMP + ',"\\u005ftype_":"x","k":"è \\u00e8 \\ud83d\\ude00"}',  # escaped keys and characters
    STAMP + ',"nested":{"\\u005ftype_":"decimal_str","_data_":"3"}}',  # an escaped transcoded value
    STAMP + ',"big":123456789012345678901234567890,"nan":NaN,"inf":-Infinity}',  # what orjson refuses
    STAMP + ',"actor":"a","actor":"b"}',  # a duplicate key: the last one
    '{"timestamp":"senza tipo","actor":"a"}',  # no transcoded timestamp
    '{"actor":"a","timestamp":{"_type_":"datetime_iso","_data_":"2025-03-14T10:00:00+00:00"}}',  # another order
    STAMP + ',"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-01T00:00:00+00:00"}}',  # stamped twice
    '{"timestamp":{"_type_":"datetime_iso","_data_":"2025-03-14T10:00:00+00:00","extra":1}}',  # not a transcoding
    '{"_type_":"decimal_str","_data_":"12.30"}',  # a transcoded value as the whole state
    '[1,{"_type_":"decimal_str","_data_":"1"}]',
    '"_type_"',
]


def transcoders():
    standard, fast = JSONTranscoder(), FastJSONTranscoder()
    for transcoder in (standard, fast):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
    return standard, fast


def same(a, b) -> bool:
    """Equal values of the same types all the way down (1 == 1.0 == Decimal(1) is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b and str(a) == str(b)


@pytest.mark.parametrize("state", STATES)
def test_the_fast_decoder_reads_every_state_as_the_standard_one(state):
    standard, fast = transcoders()
    data = state.encode("utf-8")
    assert same(fast.decode(data), standard.decode(data))


def test_an_unreadable_state_fails_as_with_the_standard_decoder():
    standard, fast = transcoders()
    for data in (b'{"timestamp":', b"\xef\xbb\xbf" + STATES[0].encode(), STAMP.encode() + b',"x":"\xff"}'):
        with pytest.raises(ValueError):  # json's and the UTF-8 codec's errors are ValueErrors
            standard.decode(data)
        with pytest.raises(ValueError):
            fast.decode(data)


def test_a_shallow_read_revives_the_top_level_and_leaves_what_is_below_as_stored():
    _, fast = transcoders()
    fields = fast.decode_shallow(STATES[1].encode())
    assert fields["timestamp"] == datetime(2025, 3, 14, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert fields["changes"]["budget"]["items"][0]["amount_eur"] == {"_type_": "decimal_str", "_data_": "1000.50"}
    assert fast.decode_shallow(STATES[2].encode())["when"] == datetime.fromisoformat("2025-01-01T00:00:00+01:00")
    assert fast.decode_shallow(b"\xef\xbb\xbf{}") is None and fast.decode_shallow(b"[1]") is None


def test_an_originator_id_is_written_as_str_of_its_uuid():
    some = uuid.uuid4()
    for given in (some, str(some), some.hex, str(some).upper(), "{" + str(some) + "}"):
        assert uuid_text(given) == str(some)
    with pytest.raises(ValueError):
        uuid_text("z" * 32)


class Mapper(EventsourcingMapper):
    """eventsourcing's mapper, counting the events it decodes."""

    to_domain_event_calls = 0

    def to_domain_event(self, stored):
        self.to_domain_event_calls += 1
        return super().to_domain_event(stored)


def recorded(state: dict, mapper: Mapper | None = None) -> Recorded:
    """A Proposal.Created as the store keeps it (written by `mapper`, if given)."""
    _, fast = transcoders()
    data = fast.encode(state) if mapper is None else mapper.compressor.compress(fast.encode(state))
    topic = f"{Proposal.Created.__module__}:{Proposal.Created.__qualname__}"
    return Recorded(12, uuid.UUID(int=5).hex, 1, topic, data)


def test_projected_events_are_the_mappers_but_for_the_originator_id_as_text():
    _, fast = transcoders()
    state = {"timestamp": datetime(2025, 3, 14, tzinfo=timezone.utc), "plan_key": "p", "tavolo": "t",
             "kind": "amendment", "objective_id": "o", "macro_area": None, "base_version": 2,
             "changes": {"budget": {"items": [{"amount_eur": Decimal("10.5")}]}}, "base_values": {},
             "rationale": None, "author": "a", "organisation": None, "originator_topic": "x"}
    stored = recorded(state)
    expected = Mapper(fast).to_domain_event(stored)
    full = ProjectedEvents(Mapper(fast), Proposal.Created)(stored)
    assert type(full) is Proposal.Created and full.originator_id == str(uuid.UUID(int=5))
    assert same({**vars(expected), "originator_id": str(expected.originator_id)}, vars(full))
    shallow = ProjectedEvents(Mapper(fast), Proposal.Created, shallow=True)(stored)
    assert shallow.changes == {"budget": {"items": [{"amount_eur": {"_type_": "decimal_str", "_data_": "10.5"}}]}}
    assert shallow.timestamp == expected.timestamp and shallow.author == "a"


def test_projected_events_leave_what_is_unusual_to_the_mapper():
    standard, fast = transcoders()
    state = {"timestamp": datetime(2025, 3, 14, tzinfo=timezone.utc), "author": "a"}
    plain_mapper = Mapper(standard)  # a transcoder of eventsourcing's own: nothing assumed about it
    event = ProjectedEvents(plain_mapper, Proposal.Created)(recorded(state))
    assert plain_mapper.to_domain_event_calls == 1 and isinstance(event.originator_id, uuid.UUID)
    compressed = Mapper(fast, compressor=ZlibCompressor())
    assert ProjectedEvents(compressed, Proposal.Created, shallow=True)(recorded(state, compressed)).author == "a"
    assert compressed.to_domain_event_calls == 1
    upcast = Mapper(fast)
    ProjectedEvents(upcast, type("Later", (Proposal.Created,), {"class_version": 2}))(recorded(state))
    assert upcast.to_domain_event_calls == 1
    with pytest.raises(MapperDeserialisationError):
        ProjectedEvents(Mapper(fast), Proposal.Created)(recorded(state)._replace(state=b'{"timestamp":'))


def test_the_fast_decoder_reads_a_whole_application_log_as_the_standard_one(settings):
    from server.runtime import Runtime
    from server.replay.log import read_log
    from tests.projections.replay_history import rich_history

    runtime = Runtime(settings)
    try:
        rich_history(runtime.app)
        standard, fast = transcoders()
        stored = read_log(runtime.app, 0, 10_000)
        assert len(stored) == runtime.event_position()
        for event in stored:
            assert same(fast.decode(event.state), standard.decode(event.state)), event.topic
            assert json.loads(event.state)  # (really JSON)
    finally:
        runtime.close()
