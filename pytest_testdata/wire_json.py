"""The records' wire JSON (what the agent sends, what its result cache keeps): one text, two encoders.

The text is ``json.dumps(records, ensure_ascii=False, separators=(",", ":"), default=str)``: compact, UTF-8
kept, keys in the records' order, and anything JSON lacks written as ``str(value)`` (a ``Decimal`` as
``"1.10"``, a ``datetime`` as ``"2024-01-02 03:04:05"``, a UUID as its 36 characters). NaN and the
infinities are written ``NaN``, ``Infinity`` and ``-Infinity``, as the standard library always has (Python's
``json.loads`` reads them back; a strict JSON parser refuses them, which is loud, not silent).

With orjson installed (the ``agent`` and ``fast`` extras) :func:`records_json` encodes with it, about 15
times faster on records, and sends every text orjson would write differently to the standard library:

- values orjson refuses or would write in its own way: integers beyond 64 bits, keys that are not strings,
  lone surrogates, and everything it does not serialize natively or is told to pass through (``Decimal``,
  dates and times, dataclasses, sets, bytes, subclasses of ``str``/``int``/``dict``/``list``, float
  subclasses): :func:`_refuse` makes it raise, and the standard library writes the text;
- NaN and the infinities, which orjson writes as ``null`` without a word: a text holding ``null`` anywhere
  (a real ``None`` or a non-finite float) is written again by the standard library, so a non-finite float
  never becomes ``null``.

Lists of more than :data:`LARGEST` records (a stream's chunks of 1,000 users) are written by the standard
library even with orjson: orjson writes each into one buffer of about a megabyte, and under load the agent's
resident memory grew with them (glibc's per-thread arenas: 100 to 121 MB over 300,000 streamed users with
three busy neighbours, against a level 100 MB with the standard library; tests/agent/test_soak.py). The
agent's unary calls (10 users) are where orjson's speed counts.

Two differences are left, where the value read back is the same or the standard library's text was a
Python repr: a float of magnitude below 1e-4 is written ``0.00001`` or ``1.5e-7`` where ``json`` writes
``1e-05`` and ``1.5e-07`` (the same number to every parser), and a member of a plain ``enum.Enum`` is
written as its value where ``default=str`` wrote ``"Color.RED"``. Records of the built-in entities hold
neither (tests/test_wire_json.py compares the two encoders' bytes for every entity, locale and variant).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

Record = dict[str, Any]

_STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
"""Built once: ``json.dumps`` with any option builds a new encoder on every call."""


def prepared_dumps(default: Callable[[Any], Any]) -> Callable[[Any], str]:
    """``json.dumps(value, default=default)`` with its C encoder built once, not per call (``JSONEncoder``
    builds one for every document: a tenth of the time of a small one). Built without ``markers`` (the check
    for circular containers, whose dict every thread would share): for plain data, a log line or a result's
    details. The standard library's Python encoder where its C one is missing."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(default=default).encode
    encode = make(None, default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


def stdlib_records_json(records: list[Record]) -> str:
    """Records as one compact JSON array through the standard library (see the module)."""
    return _STDLIB.encode(records)


LARGEST = 100
"""Records above which the standard library writes the text even with orjson (see :func:`orjson_encoder`)."""


class _Refused(TypeError):
    """A value orjson would write differently from the standard library's ``default=str``."""


def _refuse(value: Any) -> NoReturn:
    raise _Refused(type(value).__name__)


def orjson_encoder() -> Callable[[list[Record]], str] | None:
    """The orjson encoder with its fallbacks (see the module), or None when orjson is not installed."""
    try:
        import orjson
    except ImportError:
        return None
    dumps, failed = orjson.dumps, orjson.JSONEncodeError
    # Dates, times, dataclasses and subclasses of the JSON types go to default= (and so to the standard
    # library) instead of orjson's own forms (ISO dates with "T", dataclasses as objects, ...).
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS

    def orjson_records_json(records: list[Record]) -> str:
        if len(records) > LARGEST:
            return _STDLIB.encode(records)
        try:
            text = dumps(records, default=_refuse, option=options)
        except failed:
            return _STDLIB.encode(records)
        if b"null" in text:  # a None, or a NaN or infinity orjson wrote as null: the standard library decides
            return _STDLIB.encode(records)
        return text.decode()

    return orjson_records_json


_encode: Callable[[list[Record]], str] | None = None


def encoder() -> Callable[[list[Record]], str]:
    """The encoder :func:`records_json` uses: orjson's when it is installed, else the standard library's.
    Chosen at the first use, so loading the plugin does not import orjson."""
    global _encode
    if _encode is None:
        _encode = orjson_encoder() or stdlib_records_json
    return _encode


def records_json(records: list[Record]) -> str:
    """Records as one compact JSON array: the agent's wire form (see the module for the exact text)."""
    encode = _encode
    return (encode or encoder())(records)
