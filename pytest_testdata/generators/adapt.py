"""Adapting a retrieved pattern into a new record: fresh ids, shifted timestamps, same structure.

The schema says which values are what: ``format: uuid`` values get fresh UUIDs (one old id maps to one
new id throughout the record, so relations inside it survive), ``format: date-time`` values move together
by one delta (so their order survives), and top-level ``x-unique`` values that are not UUIDs (a product's
SKU, a user's email) get fresh digits so a batch never repeats them. Everything else is kept: the point
of a pattern is its exact shape.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pytest_testdata.schemas.model import Schema

Record = dict[str, Any]
Leaf = Callable[[Any, Mapping[str, Any]], Any]

DAY_SHIFT = 365
"""``days`` mode moves a record's timestamps back by one to this many days (plus a time of day)."""


def transform(node: Any, sub: Mapping[str, Any], leaf: Leaf) -> Any:
    """Rebuild ``node`` following its subschema, passing every scalar to ``leaf(value, subschema)``."""
    if isinstance(node, dict):
        props = sub.get("properties", {})
        return {k: transform(v, props.get(k, {}), leaf) for k, v in node.items()}
    if isinstance(node, list):
        items = sub.get("items", {})
        return [transform(v, items if isinstance(items, Mapping) else {}, leaf) for v in node]
    return leaf(node, sub)


def parse_timestamp(value: str) -> datetime | None:
    """An aware datetime from an ISO 8601 string (``Z`` or an offset), else None."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_like(moment: datetime, original: str) -> str:
    """``moment`` written in the original's style (``Z`` versus ``+00:00``, fractions or none)."""
    text = moment.isoformat(timespec="microseconds" if "." in original else "seconds")
    return text[:-6] + "Z" if original.endswith("Z") and text.endswith("+00:00") else text


def _timestamps(record: Record, schema: Schema) -> list[datetime]:
    found: list[datetime] = []

    def leaf(value: Any, sub: Mapping[str, Any]) -> Any:
        if sub.get("format") == "date-time" and isinstance(value, str):
            moment = parse_timestamp(value)
            if moment is not None:
                found.append(moment)
        return value

    transform(record, schema.json_schema, leaf)
    return found


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # Feb 29 into a common year: cannot happen with multiples of 4 inside 1901..2099
        return moment.replace(year=moment.year + years, day=28)


def shifter(record: Record, schema: Schema, mode: str, rng: random.Random) -> Callable[[datetime], datetime]:
    """The one move applied to every timestamp of a record under a shift mode."""
    if mode == "none":
        return lambda moment: moment
    if mode == "years":
        # A leap day stays a leap day only when moved by a multiple of four years.
        leap = any(m.month == 2 and m.day == 29 for m in _timestamps(record, schema))
        years = rng.choice((-8, -4) if leap else (-3, -2, -1))
        return lambda moment: _add_years(moment, years)
    # Backwards only: a moved record stays in the past of its pattern, never in a future a test may reject.
    delta = timedelta(days=rng.randint(1, DAY_SHIFT), seconds=rng.randint(0, 86_399))
    return lambda moment: moment - delta


def fresh_unique(value: str, rng: random.Random) -> str:
    """A new value of the same shape: an email gets digits before the ``@``; digits get redrawn."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{re.sub(r'[0-9]+$', '', local)}{rng.randint(10, 9999)}@{domain}"
    if re.search(r"[0-9]", value):
        return re.sub(r"[0-9]", lambda _: str(rng.randint(0, 9)), value)
    return f"{value}-{rng.randint(1000, 9999)}"


def adapt(record: Record, schema: Schema, rng: random.Random, shift: str = "days") -> Record:
    """A new record from a pattern's record (see the module docstring); the input is not changed."""
    move = shifter(record, schema, shift, rng)
    ids: dict[str, str] = {}

    def leaf(value: Any, sub: Mapping[str, Any]) -> Any:
        if not isinstance(value, str):
            return value
        if sub.get("format") == "uuid":
            if value not in ids:
                ids[value] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            return ids[value]
        if sub.get("format") == "date-time":
            moment = parse_timestamp(value)
            return format_like(move(moment), value) if moment is not None else value
        return value

    out: Record = transform(record, schema.json_schema, leaf)  # rebuilds every container: no aliasing
    for name, sub in schema.properties.items():
        value = out.get(name)
        if sub.get("x-unique") and sub.get("format") != "uuid" and isinstance(value, str):
            out[name] = fresh_unique(value, rng)
    return out
