"""A timestamp written into a straight-line builder is the one the plain code draws.

A record builder draws a ``date-time`` (``timestamps.draw_of``) and a ``date`` as expressions reading an hour
table, a minute-and-second table and a day table (docs/performance.md, "Sixteenth round, second wave (drawing
timestamps)"). Each test drives an expression beside the standard library's own code (``randrange`` and
``strftime``) or the drawer it stands in for, on the same random draws, and compares the text and the draws
used: random draws, every edge of the range and of the tables, every entry of the tables, and whole records.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_testdata.generators.traditional import drawers, timestamps

SPAN = timestamps.SPAN_SECONDS
ANCHOR = int(timestamps.ANCHOR.timestamp())


def _plain(rng: Any) -> str:
    """A drawn timestamp as the standard library writes it: a whole second of the two years before the anchor."""
    moment = datetime.fromtimestamp(ANCHOR - rng.randrange(SPAN), timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Scripted(random.Random):
    """``getrandbits`` answers from a script (what a draw of ``r`` seconds before the anchor is), so that every
    edge can be drawn; ``randrange`` is random.Random's own, over those answers."""

    def __init__(self, answers: list[int]) -> None:
        super().__init__(0)
        self.answers = list(answers)
        self.used = 0

    def getrandbits(self, k: int, /) -> int:
        assert k == 26  # the bits a span of two years needs, as randrange asks for them
        self.used += 1
        return self.answers.pop(0)


class State:
    def __init__(self, rng: Any) -> None:
        self.rng = rng


def _expression(inline: Any) -> Any:
    """A function of ``state`` evaluating a drawer's ``inline`` expression as a builder holds it."""
    expression, names = inline(None)
    namespace = {f"X_{name}": value for name, value in names.items()}
    exec(f"def value(state):\n    rng = state.rng\n    return {expression.replace('@', 'X_')}\n", namespace)
    return namespace["value"]


DATE_TIME = _expression(timestamps.draw_of.inline)  # type: ignore[attr-defined]
DATE = _expression(drawers.FORMAT_DRAWERS["date"].inline)  # type: ignore[attr-defined]


def _edges() -> list[int]:
    """Draws at the edges: the range's ends, refused draws, every hour and day boundary of a few days (a year's
    end, a leap day), and a second either side of each."""
    moments = [datetime(2024, 1, 3), datetime(2024, 2, 28, 23), datetime(2024, 2, 29), datetime(2024, 3, 1),
               datetime(2024, 12, 31, 23), datetime(2025, 1, 1), datetime(2025, 6, 30, 12), datetime(2025, 12, 31)]
    draws = {0, 1, 2, 59, 60, 61, 3599, 3600, 3601, 86_399, 86_400, 86_401, SPAN - 1, SPAN - 2, SPAN - 3600,
             SPAN - 3601, SPAN - 86_400, SPAN - 86_401}
    for moment in moments:
        at = ANCHOR - int(moment.replace(tzinfo=timezone.utc).timestamp())
        for hour in range(25):
            draws.update(at - hour * 3600 + d for d in (-1, 0, 1))
    return sorted(r for r in draws if 0 <= r < SPAN)


REFUSED = [SPAN, SPAN + 1, 2**26 - 1]


def test_the_range_s_edges_draw_what_strftime_writes() -> None:
    edges = _edges()
    assert len(edges) > 400 and edges[0] == 0 and edges[-1] == SPAN - 1
    for r in edges:
        # each edge alone, and after one to three refused draws (the drawer itself then draws again)
        for refused in ([], REFUSED[:1], REFUSED):
            fast, slow, day = Scripted([*refused, r]), Scripted([*refused, r]), Scripted([*refused, r])
            expected = _plain(slow)
            assert DATE_TIME(State(fast)) == expected, r
            assert DATE(State(day)) == expected[:10], r
            assert fast.used == slow.used == day.used == len(refused) + 1


def test_the_anchor_and_the_first_second_of_the_range() -> None:
    assert DATE_TIME(State(Scripted([0]))) == "2026-01-01T00:00:00Z"
    assert DATE_TIME(State(Scripted([SPAN - 1]))) == "2024-01-02T00:00:01Z"
    assert DATE(State(Scripted([SPAN, SPAN - 1]))) == "2024-01-02"


@pytest.mark.parametrize("seed", range(4))
def test_random_draws_are_the_plain_drawers_and_strftime_s(seed: int) -> None:
    """50,000 draws a seed: the expressions, the drawers they stand in for and strftime's text, with the
    random state left behind the same."""
    rngs = [random.Random(seed) for _ in range(5)]
    for _ in range(50_000):
        expected = _plain(rngs[0])
        assert DATE_TIME(State(rngs[1])) == expected
        assert timestamps.draw_of(State(rngs[2])) == expected
        assert DATE(State(rngs[3])) == expected[:10]
        assert drawers.FORMAT_DRAWERS["date"](drawers.RecordState(rngs[4], "US")) == expected[:10]
    assert len({rng.getstate() for rng in rngs}) == 1


def test_every_entry_of_the_tables_is_strftime_s_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # built afresh, with no day formatted before (other tests' draws fill the day cache)
    monkeypatch.setattr(timestamps, "_DAYS", {})
    monkeypatch.setattr(timestamps, "_DAY_NUMBERS", {})
    timestamps.expression_tables.cache_clear()
    hours, minutes_seconds, days = timestamps.expression_tables()
    timestamps.expression_tables.cache_clear()  # not kept: built with the caches this test throws away
    first = ANCHOR - SPAN
    assert len(hours) == SPAN // 3600 + 1 and len(days) == SPAN // 86_400 + 1 and len(minutes_seconds) == 3600
    for i, hour in enumerate(hours):
        assert hour == datetime.fromtimestamp(first + 3600 * i, timezone.utc).strftime("%Y-%m-%dT%H:"), i
    for i, day in enumerate(days):
        assert day == datetime.fromtimestamp(first + 86_400 * i, timezone.utc).strftime("%Y-%m-%d"), i
        # each drawn day is in the tables that shift() and _parse() read timestamps back with
        assert timestamps._parse(f"{day}T12:34:56Z") == first + 86_400 * i + 45_296
    for i, text in enumerate(minutes_seconds):
        assert text == f"{i // 60:02d}:{i % 60:02d}Z"


def test_record_builders_write_the_timestamps_in_and_build_what_the_drawers_build() -> None:
    """The built-in entities' timestamps and a user schema's date and date-time fields (top level, in a nested
    object, in a list's objects): each record builder, warm, holds the expressions and builds the records
    Plan.build builds calling the drawers, with the same random state after, for 40 seeds and three locales."""
    from pytest_testdata.engine import Engine
    from pytest_testdata.generators.traditional.plan import Plan, plan_for
    from pytest_testdata.generators.traditional.straight import WARM_CALLS
    from pytest_testdata.schemas.model import Schema
    from tests.test_builder_shortcuts import _looping

    stamp = {"type": "string", "format": "date-time"}
    day = {"type": "string", "format": "date"}
    inner = {"type": "object", "required": ["seen", "on"], "properties": {"seen": stamp, "on": day}}
    user_schema = Schema.from_json_schema({"type": "object", "required": ["at", "on", "inner", "lines"],
                                           "properties": {"at": stamp, "on": day, "inner": inner, "lines": {
                                               "type": "array", "minItems": 1, "maxItems": 4, "items": inner}}},
                                          name="stamp_probe")
    engine = Engine()
    schemas = [engine.registry.get(e) for e in ("order", "review", "payment", "user", "cart")] + [user_schema]
    written: dict[str, tuple[int, int]] = {}
    for schema in schemas:
        plan = plan_for(schema, {}, "all")
        for _ in range(WARM_CALLS + 1):  # its straight-line code from now on
            plan.build(random.Random(0))
        # the record builder's source and its lists' items builders' (each warm by now)
        source = plan.build.source + "".join(  # type: ignore[attr-defined]
            getattr(v, "source", "") for v in plan.build.__globals__.values() if callable(v) and
            getattr(v, "source", "").startswith("def items("))
        written[schema.name] = (source.count("_MINUTES_SECONDS["), source.count("_DAYS["))
        plain = Plan.__new__(Plan)
        plain.__dict__.update({k: v for k, v in vars(plan).items() if k != "build"})
        plain.drawn = [(name, _looping(draw)) for name, draw in plan.drawn or ()]
        for seed in range(40):
            for locale in (None, "de_DE", "ja_JP"):
                fast, slow = random.Random(seed), random.Random(seed)
                made = plan.build(fast, locale)
                expected = Plan.build(plain, slow, locale)
                assert json.dumps(made) == json.dumps(expected), (schema.name, seed, locale)
                assert fast.getstate() == slow.getstate()
    assert written["order"] == (5, 0) and written["review"] == (2, 0) and written["payment"] == (2, 0)
    assert written["stamp_probe"] == (3, 3)  # the top level's, the nested object's and the list's items'


def test_a_day_far_from_the_draws_is_formatted_as_strftime_does() -> None:
    """format_ts writes a day's text with isoformat(), strftime's text from 1970 to 9999 (the years it formats)."""
    for year in (1970, 1999, 2000, 2037, 2099, 5000, 9999):
        for moment in (datetime(year, 1, 1, tzinfo=timezone.utc),
                       datetime(year, 12, 31, 23, 59, 59, tzinfo=timezone.utc)):
            epoch = int(moment.timestamp())
            assert timestamps.format_ts(epoch) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
