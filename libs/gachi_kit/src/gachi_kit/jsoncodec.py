"""JSON written with orjson where the services write most of it: API responses
(`JSONProvider`) and JSON columns (`make_engine`). orjson is several times faster than
the standard library (a placed order's answer, its outbox rows and its pricing call were
about a tenth of the orders API's CPU: docs/benchmarks.md).

The output is what the standard library wrote: UTF-8 text as it is, compact separators,
keys sorted where Flask sorted them, dates and Decimals through Flask's own `default`; a
float the same number (a negative exponent unpadded: 1e-7 where it wrote 1e-07).
Whatever orjson refuses (an integer past 64 bits) goes through the standard library
unchanged. One difference: NaN and the infinities, which are not JSON (PostgreSQL's jsonb
refuses them), are written as null. Reading stays with the standard library:
orjson reads an integer past 64 bits as a float, and reading is a small share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

# dates through `default` (Flask writes them as HTTP dates), non-string keys as strings
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_COMPACT = (",", ":")


def dumps(value: Any, *, default: Callable | None = None, sort_keys: bool = False) -> str:
    options = _OPTIONS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        return orjson.dumps(value, default=default, option=options).decode()
    except orjson.JSONEncodeError:
        return json.dumps(
            value, default=default, sort_keys=sort_keys, ensure_ascii=False, separators=_COMPACT
        )


class JSONProvider(DefaultJSONProvider):
    """Flask's provider, writing compact JSON (every response, unless the app is in debug)
    with orjson; anything else asked of it (indentation) goes to Flask's own."""

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs and kwargs != {"separators": _COMPACT}:
            return super().dumps(obj, **kwargs)
        return dumps(obj, default=self.default, sort_keys=self.sort_keys)
