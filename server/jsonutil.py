"""JSON with exact numbers: Decimals in, the same digits out.

Money is `Decimal` end to end: request bodies and JSON columns are read with simplejson's
use_decimal; JSON columns and API responses are written by orjson (`dumps_compact`, for speed),
files and messages by simplejson (`dumps`, which takes indent and sort_keys), both writing a
Decimal as its exact digits.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import orjson
import simplejson
from flask.json.provider import JSONProvider


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(obj, **kwargs) -> str:
    return simplejson.dumps(obj, use_decimal=True, ensure_ascii=False, default=_default, **kwargs)


def dumps_compact(obj) -> bytes:
    """For what is large and read by programs, the read-model JSON columns and the API's responses
    (a plan's state is ~1 MB): orjson, about ten times simplejson's speed. Compact, keys in the
    order given, Decimals as their exact digits (read back by `loads` as Decimals), dates as
    `isoformat()` like `dumps`."""
    try:
        return orjson.dumps(obj, default=_compact_default, option=_COMPACT_OPTIONS)
    except orjson.JSONEncodeError:
        # What orjson refuses and JSON allows (integers beyond 64 bits, nesting beyond 254 levels):
        # the same document by simplejson. A projector that could not write a value would stop.
        return dumps(obj, separators=(",", ":")).encode("utf-8")


def dumps_stored(obj) -> str:
    """For the JSON columns (docs/PERFORMANCE.md: the rebuild writes hundreds of megabytes)."""
    return dumps_compact(obj).decode("utf-8")


_COMPACT_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _compact_default(value):
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    return _default(value)


def loads(text, **kwargs):
    return simplejson.loads(text, use_decimal=True, **kwargs)


class ExactJSONProvider(JSONProvider):
    """Flask's JSON, with Decimals read and written exactly and keys in the order given."""

    def dumps(self, obj, **kwargs) -> str:
        return dumps(obj, **kwargs)

    def loads(self, s, **kwargs):
        if isinstance(s, bytes):
            s = s.decode("utf-8")
        return loads(s, **kwargs)

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps_compact(obj) + b"\n", mimetype="application/json")
