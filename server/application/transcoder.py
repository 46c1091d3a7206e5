"""Reading stored events faster: eventsourcing's JSON transcoder, with orjson for most events.

Nine events in ten carry one transcoded value ({"_type_": ..., "_data_": ...}), their timestamp,
written first. Those are parsed by orjson and the timestamp revived; every other state goes to the
standard decoder (the `json` module with an object hook), which is faster than walking a parsed
document in Python. Same result, value for value (tests/unit/test_transcoder.py). Encoding is
untouched: new events are written exactly as before.
"""
from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, MapperDeserialisationError

from server.audit.verify_bundle import uuid_text

STAMPED = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
MARK = b'"_type_"'
ESCAPE = b"\\u"  # "\u005ftype_" is a "_type_" key too: such a state goes to the standard decoder


class FastJSONTranscoder(JSONTranscoder):
    def decode(self, data: bytes) -> Any:
        obj = self._stamped(data)
        return super().decode(data) if obj is None else obj

    def decode_shallow(self, data: bytes) -> dict | None:
        """The state with the transcoded values at its top level revived (the timestamp) and those
        deeper left as stored; None when it is not a plain JSON object or orjson refuses it."""
        obj = self._stamped(data)
        if obj is not None:
            return obj
        if not data.startswith(b"{"):  # (a byte-order mark, which the standard decoder refuses)
            return None
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if type(obj) is not dict:
            return None
        for key, value in obj.items():
            if type(value) is dict and len(value) == 2 and "_type_" in value and "_data_" in value:
                obj[key] = self._decode_obj(value)
        return obj

    def _stamped(self, data: bytes) -> dict | None:
        """A state whose only transcoded value is its timestamp, decoded; None for any other."""
        if not data.startswith(STAMPED) or data.count(MARK) != 1 or ESCAPE in data:
            return None
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:  # what JSON allows and orjson refuses (NaN, huge integers)
            return None
        timestamp = obj["timestamp"]
        if type(timestamp) is dict and len(timestamp) == 2:  # (not so only after a duplicate key)
            obj["timestamp"] = self.names["datetime_iso"].decode(timestamp["_data_"])
        return obj


class ProjectedEvents:
    """Makes the events of one class as projections are given them: the domain event the mapper makes,
    but with its originator id left as text (projections read it as str(event.originator_id), and a
    UUID made and written back for every event was a fifth of their decoding) and, for projections
    that read only plain fields at its top level (`shallow`), the values below it left as stored.
    Anything unusual goes through the mapper: a compressed or encrypted store, an event class with
    upcasters, a state orjson refuses."""

    def __init__(self, mapper, event_class: type, shallow: bool = False):
        self.mapper, self.event_class = mapper, event_class
        transcoder = mapper.transcoder
        plain = (mapper.compressor is None and mapper.cipher is None and isinstance(transcoder, FastJSONTranscoder)
                 and getattr(event_class, "class_version", 1) == 1)
        self.decode = None if not plain else transcoder.decode_shallow if shallow else transcoder.decode

    def __call__(self, stored):
        if self.decode is not None:
            try:
                state = self.decode(stored.state)
            except Exception as error:  # as the mapper says it
                raise MapperDeserialisationError(
                    f"Failed to deserialise state of stored event with topic '{stored.topic}', originator_id "
                    f"'{stored.originator_id}' and originator_version {stored.originator_version}: {error}"
                ) from error
            if type(state) is dict and "class_version" not in state:
                state["originator_id"] = uuid_text(stored.originator_id)
                state["originator_version"] = stored.originator_version
                event = object.__new__(self.event_class)
                object.__setattr__(event, "__dict__", state)
                return event
        return self.mapper.to_domain_event(stored)
