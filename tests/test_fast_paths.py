"""The fast paths give the same answers as the plain code they stand in for.

Validation, scoring and generation have fast paths (see docs/performance.md). A user must not be able to
tell: the same violations, the same coherence scores, the same records for a seed. Each test here drives
a fast path and its plain counterpart with the same inputs, many of them malformed on purpose.
"""

from __future__ import annotations

import collections
import copy
import math
import random
import uuid
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional import timestamps
from pytest_testdata.generators.traditional.fastrand import below, between, pick, uuid4
from pytest_testdata.quality.paths import all_getter, get, get_all, getter, set_all, setter
from pytest_testdata.quality.rules import fold
from pytest_testdata.quality.validator import Validator
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest, Violation

ENTITIES = ("cart", "order", "payment", "product", "review", "user")
JUNK: tuple[Any, ...] = (None, "", "x", "not-a-uuid", "2024-13-45T00:00:00Z", -1, 0, 1, 10**9, 1.005, 2.5,
                         -0.01, float("nan"), True, False, [], [1], {}, {"a": 1}, "ÄÖÜ", "ABC-12345", "USD")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """Break one thing somewhere in a record: a value, a missing key, an extra key, a list's length."""
    if isinstance(value, dict) and value and depth < 3:
        key = rng.choice(sorted(value))
        action = rng.random()
        if action < 0.15:
            del value[key]
        elif action < 0.25:
            value["unexpected"] = rng.choice(JUNK)
        elif action < 0.6:
            value[key] = rng.choice(JUNK)
        else:
            value[key] = _mutate(value[key], rng, depth + 1)
        return value
    if isinstance(value, list) and value and depth < 3:
        action = rng.random()
        if action < 0.2:
            return value * 5  # too many items
        if action < 0.3:
            return []
        i = rng.randrange(len(value))
        value[i] = _mutate(value[i], rng, depth + 1)
        return value
    return rng.choice(JUNK)


class _AcceptNothing:
    """Stands in for the acceptor: takes no record, so every record goes through the reporting checks.

    Replaces the acceptor object itself (its ``function`` and its call), because ``Validator.validate``
    calls ``acceptor.function`` directly when there are no nested constraints: patching ``accepts`` alone
    left the fast path in place on both sides of every comparison, so a false accept went unseen.
    """

    source = ""

    @staticmethod
    def function(record: Any) -> bool:
        return False

    def __call__(self, record: Any) -> bool:
        return False


def _reporting_only(validator: Validator) -> Validator:
    """The same validator with the acceptor switched off: every record takes the reporting checks."""
    plain = copy.copy(validator)
    plain.acceptor = _AcceptNothing()  # type: ignore[assignment]
    return plain


@pytest.mark.parametrize("broken", ["accepts everything", "accepts nothing"])
def test_the_comparison_catches_a_broken_acceptor(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                  broken: str) -> None:
    # The checks below compare the fast path with the reporting path. Break the fast path on purpose
    # and they must see it: a comparison that cannot fail would let a false accept through unseen.
    rng = random.Random(5)
    records = engine.generate(GenerationRequest.checked("cart", 20, strategy="traditional", seed=7)).records
    batch = records + [_mutate(copy.deepcopy(r), rng) for r in records]
    validator = Validator(engine.registry.get("cart"), {})
    plain = _reporting_only(validator)
    expected = plain.validate(batch)
    assert expected, "the mutated records must break something"
    assert validator.validate(batch) == expected
    takes_all = broken == "accepts everything"  # accepting nothing is slow but right; everything is wrong
    monkeypatch.setattr(validator.acceptor, "function", lambda record: takes_all)
    if not takes_all:
        assert validator.validate(batch) == expected
    else:
        found = validator.validate(batch)
        assert found != expected and {v.rule for v in found} == {"unique"}  # only the batch-level check is left
        assert any(validator.accepts(r) != (not plain.validate([r])) for r in batch)


CONSTRAINTS: dict[str, list[dict[str, Any]]] = {
    "cart": [{}, {"total": {"max": 100}}, {"items": {"length": 3}}, {"currency": {"enum": ["EUR"]}}],
    "order": [{}, {"totals.total": {"min": 10, "max": 300}}, {"status": {"enum": ["paid", "shipped"]}}],
    "payment": [{}, {"amount": {"min": 5, "max": 6}}],
    "product": [{}, {"sku": {"regex": "^[A-Z]{3}-"}}, {"name": {"length": {"min": 5, "max": 30}}}],
    "review": [{}, {"rating": {"min": 4}}],
    "user": [{}, {"first_name": {"max_length": 6}}, {"email": {"regex": "@gmail\\.com$"}}],
}


@pytest.mark.parametrize("entity", ENTITIES)
def test_violations_are_the_same_with_and_without_the_acceptor(engine: Engine, entity: str) -> None:
    rng = random.Random(entity)
    records: list[Any] = engine.generate(GenerationRequest.checked(entity, 40, strategy="traditional",
                                                                   seed=7)).records
    for raw in CONSTRAINTS[entity]:
        # Records drawn without the constraints break them now and then: more to report.
        constraints = GenerationRequest.checked(entity, constraints=raw).constraints
        validator = Validator(engine.registry.get(entity), constraints)
        plain = _reporting_only(validator)
        broken = [_mutate(copy.deepcopy(r), rng) for r in records for _ in range(5)]
        batch = records + broken + ["not a record", 42, None]
        assert validator.validate(batch) == plain.validate(batch)
        # Stronger: the acceptor takes exactly the records the reporting checks pass, so valid records
        # never pay for the slow path and invalid ones always get their report.
        for record in batch:
            assert validator.accepts(record) == (not plain.validate([record])), record


def test_the_acceptor_agrees_on_odd_shapes_and_falls_back_where_it_must() -> None:
    registry = SchemaRegistry(builtins=False)
    from pytest_testdata.schemas.model import Schema

    schema = registry.register(Schema.from_json_schema({
        "title": "odd", "type": "object", "required": ["a"],
        "properties": {
            "a": {"type": ["integer", "string"]},  # two types
            "b": {"type": ["object", "null"], "properties": {"c": {"type": "integer"}}},  # nullable object
            "c": {"type": "array", "enum": [[1], [2]]},  # enum on an array
            "d": {},  # no type at all
            "e": {"type": "array", "items": {"type": "number", "minimum": 0}, "maxItems": 2, "minLength": 1},
            "f": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "multipleOf": 0.01},
            "g": {"type": ["integer", "null"], "multipleOf": 5, "maximum": 20},  # a step other than cents
        },
    }))
    validator = Validator(schema)
    plain = _reporting_only(validator)
    values: list[Any] = [1, "s", None, [1], [2], [3], {"c": 1}, {"c": "x"}, [], [0.5, 2], [-1], [1, 2, 3]]
    numbers: list[Any] = [0, 0.005, 5, 9.99, 10, 25, None, True]
    records = [{"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g} for a in values[:3]
               for b in values[2:8] for c in values[3:6] for d in values[:2] for e in values[8:12]
               for f, g in zip(numbers, reversed(numbers), strict=True)]
    assert validator.validate(records) == plain.validate(records)
    for record in records:
        assert validator.accepts(record) == (not plain.validate([record])), record
    assert any(validator.accepts(r) for r in records) and not all(validator.accepts(r) for r in records)


def test_a_schema_too_deep_to_compile_is_still_validated() -> None:
    from pytest_testdata.schemas.model import Schema

    node: dict[str, Any] = {"type": "integer", "minimum": 0}
    for _ in range(30):  # deeper than Python allows loops to nest in one function
        node = {"type": "array", "items": node}
    schema = Schema.from_json_schema({"title": "deep", "type": "object", "properties": {"a": node}})
    validator = Validator(schema)
    deep: Any = -1
    for _ in range(30):
        deep = [deep]
    found = validator.validate([{"a": deep}, {"a": 5}])
    assert [(v.record, v.rule) for v in found] == [(0, "min"), (1, "type")]
    assert found == _reporting_only(validator).validate([{"a": deep}, {"a": 5}])


def test_violations_of_a_batch_keep_their_order_and_wording(engine: Engine) -> None:
    schema = engine.registry.get("cart")
    records = engine.generate(GenerationRequest.checked("cart", 3, strategy="traditional", seed=1)).records
    records[1]["total"] = -5
    records[1]["currency"] = "XXX"
    records[2]["cart_id"] = records[0]["cart_id"]
    found = Validator(schema).validate(records)
    assert [(v.record, v.field, v.rule) for v in found] == [
        (1, "total", "min"), (1, "currency", "enum"), (2, "cart_id", "unique")]
    assert isinstance(found[0], Violation) and "below the minimum 0" in found[0].message


@pytest.mark.parametrize("entity", ENTITIES)
def test_generated_records_are_valid_and_coherent(engine: Engine, entity: str) -> None:
    result = engine.generate(GenerationRequest.checked(entity, 300, strategy="traditional", seed=2024))
    assert result.metadata.violations == []
    assert result.metadata.coherence == 1.0


DIGEST = """
import hashlib, json
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest
engine = Engine()
for entity in ("cart", "order", "payment", "product", "review", "user"):
    records = engine.generate(GenerationRequest.checked(entity, 100, strategy="traditional", seed=99)).records
    print(entity, hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest())
"""


def test_a_seed_gives_the_same_records_in_every_process() -> None:
    # Unique values are claimed process-wide, so a fresh process is the honest comparison (as under xdist).
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-c", DIGEST], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == 6


RECORDS: list[Any] = [
    {"a": 1, "b": {"c": [10, 20], "0": "zero"}, "items": [{"x": 1}, {"y": 2}, "s", [3]], "n": None},
    {"items": "not a list", "b": [{"c": 5}]},
    {"items": [], "b": None},
    [{"a": 5}, {"b": 6}],
    "text",
    None,
    {"b": collections.OrderedDict(c=3), "a": {"b": None}, "n": [{"x": 1}]},  # a dict subclass on the way
    collections.OrderedDict(b={"c": 4}),
]
PATHS = ("a", "b", "b.c", "b.c.1", "b.c.5", "b.0", "items", "items.*.x", "items.0.x", "items.1", "n", "n.x",
         "missing", "0", "0.a", "*", "items.*", "b.c.*", "items.*.x.y", "items.3.0", "items.2.x", "b.0.c", "a.b.c",
         "0.a.b", "1.b.0", "a.b")


@pytest.mark.parametrize("path", PATHS)
def test_compiled_accessors_read_and_write_like_the_path_walker(path: str) -> None:
    read, read_all, write = getter(path), all_getter(path), setter(path)
    for record in RECORDS:
        assert read(record) == get(record, path)
        assert read_all(record) == get_all(record, path)
        fast, slow = copy.deepcopy(record), copy.deepcopy(record)
        write(fast, "new")
        set_all(slow, path, "new")
        assert fast == slow


def test_timestamps_are_formatted_and_shifted_like_datetime() -> None:
    rng = random.Random(3)
    for i in range(20_000):
        epoch = rng.randrange(0, 253_402_300_800) if i % 2 else timestamps._ANCHOR_TS - rng.randrange(10**8)
        text = timestamps.format_ts(epoch)
        assert text == datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        seconds = rng.randrange(-10**6, 10**6)
        if 0 <= epoch + seconds < 253_402_300_800:
            moved = datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
            assert timestamps.shift(text, seconds) == moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(ValueError, match="does not match format"):
        timestamps.shift("2025-01-01T24:00:00Z", 5)


def test_timestamps_shifted_together_are_those_shift_gives_one_by_one() -> None:
    # shift_fields inlines the table reading and the formatting (a dataset moves an order's five timestamps
    # together): each string field gets shift()'s text, or raises its error; other values stay as they are.
    rng = random.Random(5)
    stamps = [timestamps.draw(rng) for _ in range(200)]
    odd = ["2025-03-04T05:06:07.5Z", "2025-03-04T05:06:07+02:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z",
           "2025-03-04", "x", "", None, 3, 2.5, ["2025-03-04T05:06:07Z"]]
    fields = ["a", "b", "c", "d"]
    for _ in range(3000):
        record = {name: rng.choice(stamps) if rng.random() < 0.7 else rng.choice(odd)
                  for name in fields if rng.random() < 0.9}
        seconds = rng.choice([rng.randrange(-10**9, 10**9), rng.randrange(-10**5, 10**5), 0, 1.5, True])
        mine, theirs = dict(record), dict(record)
        outcomes = []
        try:
            timestamps.shift_fields(mine, fields, seconds)  # type: ignore[arg-type]
            outcomes.append("ok")
        except (ValueError, OverflowError) as exc:
            outcomes.append(repr(exc))
        try:
            for name in fields:
                if isinstance(theirs.get(name), str):
                    theirs[name] = timestamps.shift(theirs[name], seconds)  # type: ignore[arg-type]
            outcomes.append("ok")
        except (ValueError, OverflowError) as exc:
            outcomes.append(repr(exc))
        assert outcomes[0] == outcomes[1], record
        if outcomes[0] == "ok":
            assert mine == theirs, (record, seconds)


def test_timestamps_are_read_back_by_the_tables_as_by_the_field_checks() -> None:
    # The parser's two table lookups against the field-by-field reading they skip, on timestamps it wrote
    # and on broken ones (a bad hour, minute or second, odd separators, non-ASCII digits, short texts).
    rng = random.Random(5)
    noise = ["9", "0", "6", "T", ":", "Z", " ", "٣", "x", ""]
    for _ in range(30_000):
        text = timestamps.format_ts(timestamps._ANCHOR_TS - rng.randrange(10**8))
        if rng.random() < 0.7:
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(noise) + text[at + rng.randrange(2):]
        expected = timestamps._parse_slowly(text, timestamps._DAY_NUMBERS.get(text[:10]))
        assert timestamps._parse(text) == expected, text


def test_fast_draws_equal_the_random_methods_they_replace() -> None:
    fast, plain = random.Random(11), random.Random(11)
    for i in range(50_000):
        n = i % 300 + 1
        assert below(fast, n) == plain.randrange(n)
        assert pick(fast, range(n)) == plain.choice(range(n))
        assert between(fast, -5, n) == plain.randint(-5, n)
        assert uuid4(fast) == str(uuid.UUID(int=plain.getrandbits(128), version=4))
    with pytest.raises(IndexError):
        pick(fast, ())
    with pytest.raises(ValueError):
        between(fast, 3, 1)


def test_identifiers_are_the_uuid_modules_text_of_the_same_draw() -> None:
    # The identifier drawers fold the stream and the version bits into one constant and write the text from
    # the grouped hex (fastrand.uuid_key, uuid_text): the same text as uuid.UUID of the unfolded value.
    from pytest_testdata.generators.traditional.drawers import RecordState, _uuid_for, uuid_stream

    fast, plain = random.Random(5), random.Random(5)
    for entity, name in (("cart", "cart_id"), ("user", "user_id"), ("order", "items.product_id")):
        draw, stream = _uuid_for(name), uuid_stream(entity, name)
        state = RecordState(fast, "US", entity=entity)
        for _ in range(20_000):
            assert draw(state) == str(uuid.UUID(int=plain.getrandbits(128) ^ stream, version=4))
            assert uuid4(fast, stream) == str(uuid.UUID(int=plain.getrandbits(128) ^ stream, version=4))


def test_phone_layouts_fill_as_str_format_does() -> None:
    # phone_number puts a number's digits into its layout by slices (pools._laid_out), not field by field:
    # every layout of every country's ranges, with too few, just enough and extra digits, and odd layouts
    # (other braces, a percent sign, no field) give what str.format gives, errors included.
    from pytest_testdata.generators.traditional.pools import _laid_out, data_of
    from pytest_testdata.locales.countries import COUNTRY_LOCALES

    rng = random.Random(8)
    layouts = {layout for country in COUNTRY_LOCALES for row in (*data_of(country).fixed, *data_of(country).mobile)
               for layout in row[2:]}
    assert len(layouts) > 20
    layouts |= {"a%b{}{}", "{}", "x", "{0}{}", "{}{{}}", "", "100% {}{} %s"}
    for layout in sorted(layouts):
        fields = layout.count("{}")
        for size in range(max(fields - 2, 0), fields + 3):
            digits = "".join(str(rng.randrange(10)) for _ in range(size))
            try:
                expected: object = layout.format(*digits)
            except (IndexError, ValueError, KeyError) as exc:
                expected = type(exc)
            try:
                got: object = _laid_out(layout, digits)
            except (IndexError, ValueError, KeyError) as exc:
                got = type(exc)
            assert got == expected, (layout, digits)


@pytest.mark.parametrize("text", ["Zoë O'Brien", "Jean-Luc", "ÆSIR", "Müller-Lüdenscheidt", "o'neil_42",
                                  "", "ŁÓDŹ", "ﬁnn", "Straße", "José.María"])
def test_fold_keeps_its_meaning_on_both_paths(text: str) -> None:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    assert fold(text) == re.sub(r"[^a-z]", "", ascii_text.lower())


def test_the_calendar_regex_accepts_exactly_the_dates_the_calendar_check_accepts() -> None:
    from pytest_testdata.quality import validator as v

    for year in range(10_000):
        for month in range(14):
            for day in (0, 1, 28, 29, 30, 31, 32):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                slow = v._DATE(text) is not None and v._real_date(text)
                assert (v._CALENDAR_DATE_FAST(text) is not None) == slow, text
    rng = random.Random(5)
    for _ in range(100_000):
        text = (f"{rng.randrange(1, 10_000):04d}-{rng.randrange(14):02d}-{rng.randrange(33):02d}T"
                f"{rng.randrange(26):02d}:{rng.randrange(62):02d}:{rng.randrange(62):02d}"
                f"{rng.choice(['', '.5', '.123456'])}{rng.choice(['Z', '+00:00', '-05:30', '+24:00', '+23:60', 'z'])}")
        slow = v._DATE_TIME(text) is not None and v._real_date_time(text)
        assert (v._CALENDAR_DATE_TIME_FAST(text) is not None) == slow, text
    # Texts outside the fast regex (digits of other scripts) are still judged by the calendar check.
    odd = "2024-01-01T\u0661\u0662:00:00Z"
    assert v._CALENDAR_DATE_TIME_FAST(odd) is None
    assert bool(v._FORMATS["date-time"](odd)) == (v._DATE_TIME(odd) is not None and v._real_date_time(odd))


def test_the_cent_shortcut_only_passes_values_the_rounding_check_passes() -> None:
    # The acceptor skips round() for money whose quotient by 0.01 is whole: every value it lets through
    # that way must pass the reporting check (and it must take the generated money, or it saves nothing).
    import math

    from pytest_testdata.quality.acceptor import cents_pass

    rng = random.Random(8)
    taken = 0
    for i in range(300_000):
        cents = rng.randrange(-10**8, 10**8) if i % 3 else rng.randrange(-10**5, 10**5)
        value = cents / 100
        if i % 4 == 1:
            value = math.nextafter(value, rng.choice((math.inf, -math.inf)))  # an ulp off the cent
        elif i % 4 == 2:
            value = rng.uniform(-2e6, 2e6) * rng.choice((1, 1e-3, 1e-6))  # anything
        elif i % 4 == 3:
            value = round(value + rng.choice((0.001, 0.004, 0.005, 0.0049999)), 4)
        if cents_pass(value):
            taken += 1
            assert abs(round(value, 2) - value) <= 1e-9, value
    for odd in (0.0, -0.0, 1e-320, 5e-324, 999_999.99, 1e6, -1e6, math.inf, -math.inf, math.nan, 0.07, 66.99):
        assert not cents_pass(odd) or abs(round(odd, 2) - odd) <= 1e-9, odd
    assert taken > 50_000  # most cent values (about six in seven) take the shortcut
    engine = Engine()
    carts = engine.generate(GenerationRequest.checked("cart", 200, strategy="traditional", seed=1)).records
    assert all(cents_pass(m) for c in carts for m in (c["subtotal"], c["tax"], c["total"]) if type(m) is float)


NUMBERS: list[dict[str, Any]] = [
    {"type": "number", "minimum": 0, "multipleOf": 0.01},
    {"type": "number", "minimum": 0.5, "maximum": 9999.99, "multipleOf": 0.01},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 50, "multipleOf": 0.01},
    {"type": "number", "minimum": -2e6, "maximum": 3e6, "multipleOf": 0.01},
    {"type": "number", "minimum": -5, "maximum": 1e6, "multipleOf": 0.01},
    {"type": "number", "multipleOf": 0.01},
    {"type": ["number", "null"], "minimum": 0, "maximum": 50, "multipleOf": 0.01},
    {"type": "number", "maximum": 10},
    {"type": "number", "exclusiveMinimum": -1.5},
    {"type": "number", "minimum": 2**60 + 1, "multipleOf": 0.01},  # not a float exactly: no guard
]


def test_the_acceptors_float_guard_takes_only_numbers_the_reporting_checks_pass() -> None:
    # A float in range (and whole in cents) skips a number's tests in the acceptor: it must take exactly the
    # records the reporting checks pass, at the bounds (each side of each), around 1e6, for odd floats
    # (NaN, infinities, -0.0, a subnormal) and for the other types. (Exclusive bounds make a schema one the
    # standard validator checks: the acceptor and the reporting checks are compiled here directly.)
    from pytest_testdata.quality.acceptor import Acceptor
    from pytest_testdata.quality.validator import _FORMATS, _compile, _quiet

    rng = random.Random("float-guard")
    values: list[Any] = [0, 0.0, -0.0, 5e-324, 0.5, 0.49, 0.07, 1.005, 9999.99, 10, 10.0, 50, 50.0, -5, -5.0, -1.5,
                         999_999.99, 1e6, -1e6, 1_000_000.01, -2e6, 3e6, 2**60, float(2**60), 2**60 + 1,
                         math.nan, math.inf, -math.inf, True, False, None, "1", [1.0],
                         # a whole quotient by 0.01, yet more than 1e-9 off a cent: why the shortcut stops at 1e6
                         7_904_114_759.900001, -7_904_114_759.900001]
    values += [math.nextafter(x, d) for x in (0.0, 0.5, 9999.99, 10.0, 50.0, -5.0, -1.5, 1e6, -1e6, -2e6, 3e6)
               for d in (math.inf, -math.inf)]
    values += [rng.randrange(-10**8, 10**8) / 100 for _ in range(300)]
    values += [rng.uniform(-60, 60) for _ in range(100)]
    guarded = 0
    for node in NUMBERS:
        tree = {"type": "object", "required": ["x"], "properties": {"x": node}}
        acceptor, check = Acceptor(tree, {}, _FORMATS, _quiet, "n"), _compile(tree)
        guarded += "is not float or not (" in acceptor.source
        for value in values:
            found: list[Any] = []
            check({"x": value}, "", lambda *violation, into=found: into.append(violation))
            assert acceptor.function({"x": value}) == (not found), (node, value, found)
    assert guarded == len(NUMBERS) - 1  # (the bound that is no float exactly: the tests alone)


def _plain_scorer(scorer: Any) -> Any:
    """The same scorer with its rule acceptor switched off: every record is checked rule by rule."""
    plain = copy.copy(scorer)
    plain.acceptor = _AcceptNothing()
    return plain


def _nudge_numbers(value: Any, rng: random.Random) -> Any:
    """Move numbers by up to a few cents (around the rules' tolerance), swap a timestamp pair, odd types."""
    if isinstance(value, dict):
        out = {k: _nudge_numbers(v, rng) for k, v in value.items()}
        if "created_at" in out and "updated_at" in out and rng.random() < 0.2:
            out["created_at"], out["updated_at"] = out["updated_at"], out["created_at"]
        return out
    if isinstance(value, list):
        return [_nudge_numbers(v, rng) for v in value]
    if type(value) is float and rng.random() < 0.3:
        return rng.choice((value + rng.uniform(-0.03, 0.03), round(value + rng.choice((-0.01, 0.01)), 2),
                           int(value), True, 1e12, float("inf"), float("nan"), str(value)))
    if type(value) is str and rng.random() < 0.05:
        return rng.choice((value.upper(), value[::-1], "", type("S", (str,), {})(value)))
    return value


class _Dict(dict):  # type: ignore[type-arg]
    """A dict subclass: the compiled paths leave it to the generic walker."""


@pytest.mark.parametrize("entity", ENTITIES)
def test_scores_are_the_same_with_and_without_the_rule_acceptor(engine: Engine, entity: str) -> None:
    from pytest_testdata.quality.coherence import CoherenceScorer

    rng = random.Random(f"{entity}-scores")
    records: list[Any] = []
    for locale in (None, "en_US", "en_CA", "de_DE", "ja_JP"):
        records += engine.generate(GenerationRequest.checked(entity, 30, strategy="traditional", seed=3,
                                                             locale=locale)).records
    invalid = engine.generate(GenerationRequest.checked(entity, 30, strategy="traditional", seed=4,
                                                        variant="invalid")).records
    broken = [_mutate(copy.deepcopy(r), rng) for r in records for _ in range(3)]
    nudged = [_nudge_numbers(r, rng) for r in records for _ in range(3)]
    odd = [_Dict(r) for r in records[:10]] + [{k: _Dict(v) if isinstance(v, dict) else v for k, v in r.items()}
                                              for r in records[:10]]
    batch = records + invalid + broken + nudged + odd + ["not a record", 42, None, [], {}]
    scorer = CoherenceScorer(engine.registry.get(entity))
    plain = _plain_scorer(scorer)
    assert all(scorer.acceptor(r) for r in records)  # generated records take the shortcut
    assert scorer.scores(batch) == [plain.score(r) for r in batch]
    assert [scorer.score(r) for r in batch] == [plain.plain_score(r) for r in batch]
    assert [scorer.failed_rules(r) for r in batch] == [plain.failed_rules(r) for r in batch]
    assert any(plain.score(r) < 1.0 for r in nudged), "the nudges must break rules, or nothing is compared"


@pytest.mark.parametrize("broken", ["accepts everything", "accepts nothing"])
def test_the_score_comparison_catches_a_broken_rule_acceptor(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                             broken: str) -> None:
    from pytest_testdata.quality.coherence import CoherenceScorer

    rng = random.Random(6)
    records = engine.generate(GenerationRequest.checked("cart", 20, strategy="traditional", seed=7)).records
    batch = records + [_nudge_numbers(r, rng) for r in records for _ in range(3)]
    scorer = CoherenceScorer(engine.registry.get("cart"))
    expected = [scorer.plain_score(r) for r in batch]
    assert scorer.scores(batch) == expected and min(expected) < 1.0
    takes_all = broken == "accepts everything"
    monkeypatch.setattr(scorer.acceptor, "function", lambda record: takes_all)
    assert (scorer.scores(batch) == expected) != takes_all


def test_the_rule_acceptor_takes_each_rule_kind_exactly() -> None:
    # Shapes and values at the edges of each emitted check, with the rules' own checks as the judge.
    from pytest_testdata.quality.rule_acceptor import RuleAcceptor
    from pytest_testdata.quality.rules import build_rules

    specs = (
        {"kind": "sum_of_products", "target": "t", "items": "items", "factors": ["q", "p"]},
        {"kind": "sum_of_products", "target": "n.t", "items": "n.items", "factors": ["q", "p"]},
        {"kind": "rate_of", "target": "tax", "base": "t", "min": 0.0, "max": 0.25},
        {"kind": "sum", "target": "total", "terms": ["t", "tax", "-d"]},
        {"kind": "ordered", "fields": ["a", "b"]},
        {"kind": "email_from_name", "email": "e", "first": "f", "last": "l"},
        {"kind": "phone_matches_country", "phone": "ph", "country": "ad.0.country", "region": "ad.0.state"},
        {"kind": "postal_code_matches_country", "addresses": "ad"},
        {"kind": "same_value", "fields": ["ad.*.country"]},
        {"kind": "flag_iff_positive", "quantity": "q", "flag": "in"},
        {"kind": "product_each", "items": "items", "target": "lt", "factors": ["q", "p"]},
        {"kind": "product_each", "items": "n.items", "target": "lt", "factors": ["q"]},
        {"kind": "present_iff", "field": "pay.card", "when": "pay.method", "in": ["card", "debit"]},
        {"kind": "status_timestamps", "status": "st", "stages": {"a": ["paid", "shipped"], "c": ["shipped"]}},
        {"kind": "ordered", "fields": ["a", "b", "c", "n.t"]},
        {"kind": "same_value", "fields": ["pay.amount", "t"], "source": "t"},
        {"kind": "same_value", "fields": ["a", "b", "ad.0.country"]},
    )
    rng = random.Random(12)
    numbers: tuple[Any, ...] = (0, 1, 2.5, 0.1, 0.3, 9.99, 19.98, 1.004, 0.996, 1e9, 2e9, -1.0, True, None, "1",
                                float("nan"))
    texts: tuple[Any, ...] = (
             None, "", "x", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "ann.lee@example.com", "Ann", "Lee",
             "+1 212-555-0100", "+12125550100", "+44 20 7946 0000", "NY", "ON", "US", "CA", "GB", "10001",
             "M5V 2T6", "SW1A 1AA", 5)
    for spec in specs:
        rule = build_rules((spec,))[0]
        acceptor = RuleAcceptor([rule])
        taken = 0
        for _ in range(3000):
            total: Any
            phone: Any
            items = [{"q": rng.choice(numbers), "p": rng.choice(numbers)} for _ in range(rng.randrange(4))]
            for item in items:  # a line total that is right, a little off, or odd
                if type(item["q"]) in (int, float) and type(item["p"]) in (int, float) and rng.random() < 0.7:
                    item["lt"] = round(item["q"] * item["p"] + rng.choice((0, 0, 0.004, 0.011, -0.02)), 2)
                elif rng.random() < 0.8:
                    item["lt"] = rng.choice(numbers)
            if rng.random() < 0.5:  # totals that are right, or a cent or two off
                total = sum(i["q"] * i["p"] for i in items if all(type(v) in (int, float) for v in i.values()))
                total = total + rng.choice((0, 0, 0.004, 0.006, 0.011, -0.0105, 0.0105, -0.03))
                total = round(total, rng.choice((2, 3))) if rng.random() < 0.5 else total
            else:
                total = rng.choice(numbers)
            address: dict[str, Any] = {"country": rng.choice(texts), "state": rng.choice(texts),
                                       "postal_code": rng.choice(texts)}
            if rng.random() < 0.5:  # a phone of the address's country (and state), or one a little off
                phone, address["country"], address["state"], address["postal_code"] = rng.choice((
                    ("+1 212-555-0100", "US", "NY", "10001"), ("+12125550100", "US", "NY", "10001-1234"),
                    ("+1 212-555-0100", "US", "CA", "1000"), ("+1 416-555-0100", "CA", "ON", "M5V 2T6"),
                    ("+1 416-555-0100", "CA", "BC", "M5V2T6"), ("+44 20 7946 0000", "GB", "x", "SW1A 1AA"),
                    ("+4420794600", "GB", None, "SW1A 1AA\n"), ("+33 1 23 45 67 89", "FR", 5, "75001"),
                    ("+1 212-555-0100", "US", "Nowhere", 10001)))
            else:
                phone = rng.choice(texts)
            if rng.random() < 0.2:
                del address[rng.choice(sorted(address))]
            record: dict[str, Any] = {
                "items": items if rng.random() < 0.9 else rng.choice(numbers), "t": total,
                "n": rng.choice(({"items": items, "t": total}, None, [1], "x")),
                "tax": round(total * rng.choice((0.1, 0.3, -0.1)), 2) if type(total) is float else rng.choice(numbers),
                "d": rng.choice(numbers), "a": rng.choice(texts), "b": rng.choice(texts), "e": rng.choice(texts),
                "f": rng.choice(texts), "l": rng.choice(texts), "ph": phone,
                "ad": rng.choice(([address], [address, dict(address)], [address, {"country": "FR"}], address, [],
                                  None, ["x"])),
                "in": rng.choice((True, False, None)),
                "c": rng.choice(texts), "st": rng.choice(("paid", "shipped", "pending", None, 3, ["paid"])),
                "pay": rng.choice(({"method": rng.choice(("card", "debit", "cash", None, ["card"])),
                                    "card": rng.choice(("1234", None, 0)),
                                    "amount": rng.choice((total, total, None, "x"))}, {}, None, [1])),
            }
            if rng.random() < 0.3:  # timestamps in order (or one missing) and values equal across paths
                record["a"], record["b"], record["c"] = sorted(rng.choice(texts[3:5]) for _ in range(3))
                record[rng.choice("abc")] = rng.choice((None, record["a"]))
            if rng.random() < 0.1:
                record["a"] = record["b"] = rng.choice(texts)
                if type(record["ad"]) is list and record["ad"] and type(record["ad"][0]) is dict:
                    record["ad"][0]["country"] = record["a"]
            record["total"] = rng.choice((total, 0.0, None)) if type(total) is not float else round(
                total + (record["tax"] if type(record["tax"]) is float else 0) - 0, 2)
            outcome = None
            try:
                outcome = rule.check(record)
            except (TypeError, ValueError, KeyError, AttributeError):
                outcome = False
            if acceptor(record):
                taken += 1
                assert outcome is not False, (spec, record)
        assert taken > 100, spec  # the shortcut is taken (and so compared) for every kind


def test_a_unique_scope_tells_values_and_owners_apart() -> None:
    # A scope remembers 64-bit fingerprints of (entity, field, value) and of the owner (seed, candidate):
    # another owner's value is refused, the same owner gets its value back (the same seed drawn twice), and
    # a value is its text ("1" and 1 are one value, a str subclass is its characters).
    from pytest_testdata.generators.traditional.unique import UniqueScope

    class Text(str):
        def __hash__(self) -> int:
            return 7  # a subclass's own hash must not decide what the value is

    scope = UniqueScope()
    rng = random.Random(4)
    emails = [f"user{rng.getrandbits(40)}@example.com" for _ in range(3000)]
    for candidate, email in enumerate(emails):
        assert scope.claim("user", ("email",), {"email": email}, (11, candidate))
    assert len(scope) == len(set(emails))
    for candidate, email in enumerate(emails):
        assert scope.claim("user", ("email",), {"email": email}, (11, candidate))  # its own, again
        assert not scope.claim("user", ("email",), {"email": email}, (12, candidate))  # another owner's
        assert not scope.claim("user", ("email",), {"email": Text(email)}, (12, candidate))
        assert scope.claim("admin", ("email",), {"email": email}, (12, candidate))  # another entity
        assert scope.claim("user", ("backup_email",), {"email": "x", "backup_email": email}, (13, candidate))
    assert scope.claim("order", ("number",), {"number": 1}, (1, 1))
    assert not scope.claim("order", ("number",), {"number": "1"}, (1, 2))
    assert scope.claim("order", ("number",), {"number": None}, (1, 3))  # None is never claimed
    # A record is claimed whole or not at all.
    assert not scope.claim("user", ("backup_email", "email"), {"backup_email": "new@x.org", "email": emails[0]},
                           (14, 0))
    assert scope.claim("user", ("backup_email",), {"backup_email": "new@x.org"}, (15, 0))


def test_a_unique_scope_releases_its_lock_after_every_claim() -> None:
    # claim() takes the scope's lock with acquire() and release() in a try (not a with statement): the lock is
    # free again after a claim that is refused, granted or that raises, on both paths (one field, several).
    from pytest_testdata.generators.traditional.unique import UniqueScope

    class Broken(dict):  # type: ignore[type-arg]
        def get(self, *args: Any) -> Any:
            raise RuntimeError("broken")

    scope = UniqueScope()
    for fields in (("email",), ("email", "backup")):
        record = {"email": f"a{len(fields)}@example.com", "backup": "b@example.com"}
        assert scope.claim("user", fields, record, (1, len(fields)))
        assert not scope._lock.locked()
        assert not scope.claim("user", fields, record, (2, len(fields)))
        assert not scope._lock.locked()
        owners = scope._owners
        scope._owners = Broken()
        with pytest.raises(RuntimeError):
            scope.claim("user", fields, {"email": "c@example.com", "backup": "d@example.com"}, (3, 0))  # raises
        assert not scope._lock.locked()
        scope._owners = owners


def test_a_user_whose_email_is_taken_is_drawn_again(engine: Engine) -> None:
    # Users have a unique email to claim and, without constraints, nothing else to meet: the generator runs
    # its short loop for them. A candidate whose email another owner holds is still drawn again and counted,
    # and the records it keeps are vouched for and valid.
    from pytest_testdata.generators.traditional.unique import UniqueScope, unique_scope

    generator, schema = engine.generator("traditional"), engine.registry.get("user")
    request = GenerationRequest.checked("user", 3, strategy="traditional", seed=21)
    with unique_scope(UniqueScope()):
        free = generator.generate(request, schema, 21)
    taken = UniqueScope()
    assert taken.claim("user", ("email",), {"email": free.records[0]["email"]}, (999, 0))
    with unique_scope(taken):
        again = generator.generate(request, schema, 21)
    assert free.details["redraws"] == 0 and again.details == {"redraws": 1, "unmet_constraints": 0}
    assert again.records[0]["email"] != free.records[0]["email"]
    assert len({r["email"] for r in again.records} | {free.records[0]["email"]}) == 4
    assert free.coherent == again.coherent == frozenset({0, 1, 2})  # every user is coherent by construction
    assert Validator(schema).validate(again.records) == []


@pytest.mark.parametrize("coverage", ["all", "required", "maximal"])
def test_the_generated_record_builder_builds_what_the_plan_method_builds(engine: Engine, coverage: str) -> None:
    # Plans of plain shape build records through one generated function (generators/traditional/straight.py);
    # Plan.build, the method it stands in for, stays as the reference: the same rng gives the same record.
    from pytest_testdata.generators.traditional.plan import Plan, plan_for
    from pytest_testdata.types import FieldConstraint

    schema_dir = Path(__file__).resolve().parent.parent / "examples" / "schemas"
    custom = Engine(schema_dirs=[schema_dir])
    cases = [(engine.registry.get(e), {}) for e in ENTITIES] + [(custom.registry.get("invoice"), {})]
    cases.append((engine.registry.get("cart"), {"total": FieldConstraint(maximum=50)}))
    generated = 0
    for schema, constraints in cases:
        plan = plan_for(schema, constraints, coverage)
        if "build" in vars(plan):
            generated += 1
            assert "def build(" in plan.build.source  # type: ignore[attr-defined]
        for seed in range(30):
            for locale in (None, "de_DE", "ja_JP"):
                for scale, fewest in ((1.0, False), (0.3, False), (2.0, False), (1.0, True)):
                    fast, plain = random.Random(seed), random.Random(seed)
                    assert plan.build(fast, locale, scale=scale, fewest=fewest) == Plan.build(
                        plan, plain, locale, scale=scale, fewest=fewest), (schema.name, seed, locale)
                    assert fast.getstate() == plain.getstate()
    assert generated >= 7 if coverage == "all" else generated >= 0


def test_the_generated_object_builders_call_the_drawers_in_order() -> None:
    from pytest_testdata.generators.traditional.drawers import RecordState
    from pytest_testdata.generators.traditional.straight import WARM_CALLS, items_builder, object_builder

    calls: list[str] = []

    def drawer(name: str) -> Any:
        def draw(state: RecordState) -> str:
            calls.append(f"{name}:{state.category}")
            state.category = "set"
            return name.upper()
        return draw

    odd = "it's \"odd\"\n{x}"  # field names are repr()-quoted into the source: any text stays a key
    fields = [("a", drawer("a")), (odd, drawer("b")), ("c", drawer("c"))]
    state = RecordState(random.Random(1), "US")
    assert object_builder(fields)(state) == {"a": "A", odd: "B", "c": "C"}
    assert calls == ["a:None", "b:set", "c:set"]
    calls.clear()
    # A builder loops over its fields for its first WARM_CALLS objects, then runs straight-line code: the
    # same objects, the same calls in the same order, before and after the switch.
    build = object_builder(fields)
    looping = build.__code__
    for _ in range(WARM_CALLS + 3):
        state.category = None
        assert build(state) == {"a": "A", odd: "B", "c": "C"}
    assert calls == ["a:None", "b:set", "c:set"] * (WARM_CALLS + 3)
    assert build.__code__ is not looping and "D0(state)" in build.source  # type: ignore[attr-defined]
    calls.clear()
    items = items_builder(fields, 2, 2, lambda rng, lo, hi: lo)(state)
    assert items == [{"a": "A", odd: "B", "c": "C"}] * 2 and state.category is None
    assert calls == ["a:None", "b:set", "c:set"] * 2  # the category is reset before each item
    state.fewest = True
    assert len(items_builder(fields, 1, 5, lambda rng, lo, hi: hi)(state)) == 1
    state.fewest = False
    # A list's builder too loops for its first WARM_CALLS lists, then runs its straight-line code: the same
    # lists, the same calls in the same order, the category reset before each item either way.
    items_of = items_builder(fields, 2, 2, lambda rng, lo, hi: lo)
    looping = items_of.__code__
    calls.clear()
    for _ in range(WARM_CALLS + 3):
        assert items_of(state) == [{"a": "A", odd: "B", "c": "C"}] * 2 and state.category is None
    assert calls == ["a:None", "b:set", "c:set"] * 2 * (WARM_CALLS + 3)
    assert items_of.__code__ is not looping and "D0(state)" in items_of.source  # type: ignore[attr-defined]


def test_a_record_builder_runs_the_plan_method_until_it_is_warm(engine: Engine) -> None:
    # A plan's record builder calls Plan.build for its first WARM_CALLS records and only then compiles its
    # straight-line code (a user schema asked for five records never pays the compilation): the same
    # records and the same rng state before, at and after the switch.
    from pytest_testdata.generators.traditional.plan import Plan, compile_plan
    from pytest_testdata.generators.traditional.straight import WARM_CALLS
    from pytest_testdata.types import FieldConstraint

    plan = compile_plan(engine.registry.get("cart"), {"total": FieldConstraint(maximum=80)})
    looping = plan.build.__code__
    for seed in range(WARM_CALLS + 5):
        if seed == WARM_CALLS - 1:
            assert plan.build.__code__ is looping
        fast, plain = random.Random(seed), random.Random(seed)
        assert plan.build(fast, "de_DE") == Plan.build(plan, plain, "de_DE")
        assert fast.getstate() == plain.getstate()
    assert plan.build.__code__ is not looping and "def build(" in plan.build.source  # type: ignore[attr-defined]


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_a_vouching_builder_runs_its_loop_until_it_is_warm(engine: Engine, entity: str) -> None:
    # A plan's vouching builder runs its steps as loops for its first WARM_CALLS records and only then compiles
    # its straight-line code: the same records, the same verdicts (sure or not) and the same rng state from
    # both, for every seed.
    from pytest_testdata.generators.traditional.plan import compile_plan
    from pytest_testdata.generators.traditional.straight import WARM_CALLS

    plan = compile_plan(engine.registry.get(entity))
    build = plan.build_sure
    assert build is not None
    looping = build.__code__
    seeds = range(WARM_CALLS + 40)
    locales = ("de_DE", None, "ja_JP", "en_US", "fr_FR")

    def run() -> list[Any]:
        out = []
        for seed in seeds:
            rng = random.Random(seed)
            out.append((build(rng, locales[seed % len(locales)]), rng.getstate()))
        return out

    first = run()  # the loop's, then (from the WARM_CALLS-th) the compiled code's
    assert build.__code__ is not looping and "sure = True" in build.source  # type: ignore[attr-defined]
    again = run()  # all the compiled code's
    assert first == again


def test_a_price_on_the_ninety_nine_needs_no_rounding() -> None:
    # The price drawer skips round(value, 2) for k + 0.99 (generators/traditional/drawers.py): exact for
    # every whole k under 1e6, the prices' whole range.
    assert all(round(k + 0.99, 2) == k + 0.99 for k in range(1_000_000))


def test_prices_on_the_fixed_band_path_equal_the_general_formula() -> None:
    # Without a scale or a ceiling, a category's price range is worked out once per drawer; the values must be
    # those of the general formula (the one rescaled and capped prices still take).
    import math

    from pytest_testdata.generators.traditional.cents import clean_price
    from pytest_testdata.generators.traditional.drawers import RecordState, _number_drawer
    from pytest_testdata.generators.traditional.vocab import PRICE_BANDS

    def general(rng: random.Random, category: str, flo: float, fhi: float) -> float:
        band = PRICE_BANDS[category]
        p_lo, p_hi = max(band[0], flo, 0.01), min(band[1], fhi)
        value = math.exp(math.log(p_lo) + (math.log(p_hi) - math.log(p_lo)) * rng.random())
        if rng.random() < 0.5 and math.floor(value) + 0.99 <= p_hi:
            value = math.floor(value) + 0.99
        return clean_price(round(min(max(value, p_lo), p_hi), 2), p_lo, p_hi)

    for low, high in ((0.5, 9999.99), (5.0, 20.0), (0.01, 3.0), (100.0, 100000.0)):
        node = {"type": "number", "minimum": low, "maximum": high, "multipleOf": 0.01}
        price = _number_drawer(node, "unit_price", None, integer=False)
        for category in PRICE_BANDS:
            band = PRICE_BANDS[category]
            if not (band[0] < high and band[1] > low):
                continue
            fast, plain = random.Random(7), random.Random(7)
            state = RecordState(fast, "US", category=category)
            for _ in range(3000):
                assert price(state) == general(plain, category, low, high), (category, low, high)


def test_sentiment_counts_the_words_the_regex_finds() -> None:
    # sentiment() cuts ASCII text into words without the regex and counts only the lexicon words found:
    # the same score as counting every [a-z]+ run of the lower-cased text, for any text.
    import re

    from pytest_testdata.quality.rules import NEGATIVE_WORDS, POSITIVE_WORDS, sentiment

    def plain(text: str) -> int:
        words = re.findall(r"[a-z]+", text.lower())
        return sum(w in POSITIVE_WORDS for w in words) - sum(w in NEGATIVE_WORDS for w in words)

    rng = random.Random(5)
    pieces = ["LOVE", "great", "Broke", "bad", "awful", "é", "İ", " ", "-", "!", "_", "\n", "9", "a", "x\x00"]
    texts = ["", "GREAT!!", "great-broke great great", "İstanbul great", "ÀLove", "love\tloved\nBROKEN",
             "xxxxxlove", "lovE_great9awful"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(40))) for _ in range(3000)]
    scores = [sentiment(text) for text in texts]
    assert scores == [plain(text) for text in texts]
    assert len(set(scores)) > 5  # positive, negative and mixed texts were compared


def test_the_cent_cleaner_finds_the_rejected_cents_the_path_walker_finds(engine: Engine) -> None:
    # dirty() reads its money paths through compiled readers (two gets for ``totals.total``); on records of
    # any shape it must say what reading every path with get_all and is_clean says.
    from pytest_testdata.generators.traditional.cents import CentCleaner, is_clean
    from pytest_testdata.quality.paths import get_all
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("order")
    cleaner = CentCleaner.for_schema(schema.json_schema, build_rules(schema.coherence))
    assert cleaner is not None and "totals.total" in cleaner.targets
    rng = random.Random(8)
    orders = engine.generate(GenerationRequest.checked("order", 40, strategy="traditional", seed=2)).records
    odd_values: tuple[Any, ...] = (0.07, 0.1, 66.99, 12, None, "0.07", True, [0.07], {"total": 0.07})
    records: list[Any] = []
    for order in orders:
        for _ in range(6):
            record = copy.deepcopy(order)
            path = rng.choice(cleaner.targets)
            head, _, key = path.partition(".")
            if head in record and isinstance(record[head], dict) and rng.random() < 0.7:
                record[head][key] = rng.choice(odd_values)
            else:
                inner = record.get(head)
                record[head] = rng.choice((None, [0.07], [{"total": 0.07}], "x",
                                           _Dict(inner, **{key: rng.choice((0.07, 0.1))}) if isinstance(inner, dict)
                                           else _Dict(total=0.07)))
            records.append(record)
    records += [_Dict(order) for order in orders[:5]]
    # The first WARM_CALLS answers come from the generic reader, the rest from the compiled code; then all
    # from the compiled code.
    found = [bool(cleaner.dirty(record)) for record in records]  # (truthy: it is `which`, 0, 1 or 2)
    assert cleaner.dirty.__code__.co_filename == "<cent check>"
    again = [bool(cleaner.dirty(record)) for record in records]
    expected = [any(not is_clean(v) for path in cleaner.targets for v in get_all(record, path)) for record in records]
    assert found == expected and again == expected
    assert 0 < sum(found) < len(found)


def test_the_cent_cleaner_settles_each_rule_list_by_its_own_rules(engine: Engine) -> None:
    # clean() works out its deriving rules and rates once per rule list and keeps them: one cleaner given two
    # lists (the cart's rules, then a tax capped at 10%) must clean as a cleaner that only saw that list does.
    from pytest_testdata.generators.traditional.cents import CentCleaner
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("cart")
    own = build_rules(schema.coherence)
    capped = build_rules([{**spec, "max": 0.1} if spec["kind"] == "rate_of" else spec for spec in schema.coherence])
    shared = CentCleaner.for_schema(schema.json_schema, own)
    assert shared is not None
    carts = engine.generate(GenerationRequest.checked("cart", 300, strategy="traditional", seed=4)).records
    rng = random.Random(3)
    dirty = []
    for cart in carts:  # prices a cent off and a tax of 11%: most need cleaning, some beyond a 10% cap
        record = copy.deepcopy(cart)
        record["items"][0]["unit_price"] = round(record["items"][0]["unit_price"] + rng.choice((0.01, 0.02)), 2)
        own[0].enforce(record, rng, VALUES)
        record["tax"] = round(record["subtotal"] * 0.11, 2)
        own[2].enforce(record, rng, VALUES)
        dirty.append(record)
    assert sum(map(shared.dirty, dirty)) > 50
    moved = above_cap = 0
    for record in dirty:
        for rules in (own, capped, own):
            fresh = CentCleaner.for_schema(schema.json_schema, rules)
            assert fresh is not None
            mine, theirs = copy.deepcopy(record), copy.deepcopy(record)
            shared.clean(mine, rules, random.Random(1), VALUES)
            fresh.clean(theirs, rules, random.Random(1), VALUES)
            assert repr(mine) == repr(theirs)
            moved += mine != record
            if rules is capped:
                assert mine["tax"] <= mine["subtotal"] * 0.1 + 0.011  # the capped list's range was used
            else:
                above_cap += mine["tax"] > mine["subtotal"] * 0.1 + 0.011
    assert moved > 150 and above_cap > 50  # the two lists were cleaned differently


@pytest.mark.parametrize("copied_prices", [False, True], ids=["order", "dataset order"])
def test_a_rule_the_cent_cleaner_runs_once_leaves_what_running_it_every_time_leaves(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, copied_prices: bool) -> None:
    # An order's same_value of its addresses' countries reads no money: the cleaner runs it once per clean
    # instead of after every try of a tax. Cleaning with and without that shortcut gives the same records,
    # answers and draws, on orders of every shape (rejected cents, countries that differ, odd values).
    from pytest_testdata.generators.traditional import cents
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("order")
    rules = build_rules(schema.coherence, schema.source)
    fixed = frozenset({"items.*.unit_price"} if copied_prices else ())
    shortcut = cents.CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert shortcut is not None
    assert [rules[i].spec for i, _, once in shortcut.moves(rules).derive if once] == [
        {"kind": "same_value", "fields": ["shipping_address.country", "billing_address.country"]}]
    monkeypatch.setattr(cents, "_once", lambda *args: frozenset())
    plain = cents.CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert plain is not None
    assert not any(once for _, _, once in plain.moves(rules).derive)
    records = engine.generate(GenerationRequest("order", 300, strategy="traditional", seed=8)).records
    rng = random.Random(21)
    cleaned = 0
    for n, original in enumerate(records * 2):
        record = copy.deepcopy(original)
        record["items"][rng.randrange(len(record["items"]))]["unit_price"] = rng.choice((66.99, 0.07, 1.13, 9.99))
        for rule in rules[:2]:
            rule.enforce(record, random.Random(n), VALUES)
        if n >= len(records):
            record["billing_address"]["country"] = rng.choice(("DE", "JP", None, 3))
            if rng.random() < 0.3:
                record[rng.choice(("totals", "payment", "shipping_address"))] = rng.choice((None, {}, "x"))
        if not plain.dirty(record):
            continue
        cleaned += 1
        mine, theirs = copy.deepcopy(record), copy.deepcopy(record)
        my_rng, their_rng = random.Random(n), random.Random(n)
        outcomes = []
        for cleaner, target, draws in ((shortcut, mine, my_rng), (plain, theirs, their_rng)):
            try:
                outcomes.append(cleaner.clean(target, rules, draws, VALUES))
            except (TypeError, KeyError, AttributeError, ValueError) as exc:
                outcomes.append(repr(exc))
        assert outcomes[0] == outcomes[1] and repr(mine) == repr(theirs), record
        assert my_rng.random() == their_rng.random()
    assert cleaned > 200


def test_a_same_value_without_a_source_runs_in_its_dicts_as_its_general_run_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The cleaner's run of an order's countries rule (same_value, no source, fields in two objects) reads and
    # writes the address dicts directly (cent_runs._first_run): against the general run (the getters and the
    # rule's enforce), the same writes and answer on countries present, missing, None, NaN, other types, the
    # same object in both fields, and addresses that are not dicts (or a record that is not one).
    from pytest_testdata.generators.traditional import cent_runs
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    for fields in (["shipping_address.country", "billing_address.country"], ["a.x", "b.y", "a.z"]):
        rule = build_rules(({"kind": "same_value", "fields": fields},))[0]
        quick = cent_runs.run_of(rule)
        with monkeypatch.context() as patch:
            patch.setattr(cent_runs, "_first_run", lambda keys, run: run)
            general = cent_runs.run_of(rule)
        assert quick is not None and general is not None and quick is not general
        assert quick.__name__ == "run_first" and general.__name__ == "run"
        heads = sorted({f.partition(".")[0] for f in fields})
        rng = random.Random(31)
        nan = float("nan")
        choices: tuple[Any, ...] = ("US", "DE", None, 3, nan, "US", "")
        answers = collections.Counter()
        for n in range(3000):
            record: Any = {"status": "paid"}
            for head in heads:
                roll = rng.random()
                if roll < 0.85:
                    record[head] = {key.partition(".")[2]: rng.choice(choices) for key in fields
                                    if key.startswith(head + ".") and rng.random() < 0.85}
                elif roll < 0.95:
                    record[head] = rng.choice((None, "x", [], 3))
            if n % 13 == 0:
                record = _Dict(record)
            mine, theirs = copy.deepcopy(record), copy.deepcopy(record)
            outcomes = []
            for run, target in ((quick, mine), (general, theirs)):
                try:
                    outcomes.append(run(target, random.Random(n), VALUES))
                except (TypeError, KeyError, AttributeError, ValueError) as exc:
                    outcomes.append(repr(exc))
            assert outcomes[0] == outcomes[1] and repr(mine) == repr(theirs), record
            answers[outcomes[0]] += 1
        assert answers[True] > 500 and answers[False] > 500


def test_ordered_enforces_top_level_fields_as_its_general_path_does() -> None:
    # ordered over top-level keys of a plain dict takes a short path; a dict subclass takes the general one
    # (compiled getters and setters): the same writes, the same errors, on values of every kind.
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    rng = random.Random(9)
    stamps = ("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z", "2023-05-05T05:05:05Z")
    odd: tuple[Any, ...] = (None, None, 3, "x", "", 2.5, float("nan"))
    for fields in (["a", "b", "c", "d", "e"], ["a", "b", "c"], ["a", "b"]):
        rule = build_rules(({"kind": "ordered", "fields": fields},))[0]
        changed = 0
        for _ in range(2000):
            record: dict[str, Any] = {}
            for name in fields:
                if rng.random() < 0.85:
                    record[name] = rng.choice(stamps) if rng.random() < 0.8 else rng.choice(odd)
            fast, plain = dict(record), _Dict(record)
            outcomes = []
            for target in (fast, plain):
                try:
                    rule.enforce(target, random.Random(1), VALUES)
                    outcomes.append("ok")
                except TypeError as exc:
                    outcomes.append(str(exc))
            assert outcomes[0] == outcomes[1] and fast == dict(plain), record
            changed += fast != record
        assert changed > 100


def test_money_rounding_without_the_decimal_string_is_round_itself() -> None:
    # round_cents(x) and cents_of(k) stand for round(x, 2) and round(k * 0.01, 2) on every money path (prices,
    # totals, the cent cleaner): the same float (repr tells -0.0 from 0.0, an int from a float) for values of
    # every magnitude, the halves where float error decides (1.005), the neighbours of cent values, zero.
    import math

    from pytest_testdata.quality.money import cents_of, round_cents

    rng = random.Random(2024)
    values: list[Any] = [0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.015, 1.005, 2.675, 1e9, -1e9, 999999999.995,
                         1e-300, 5e-324, math.inf, -math.inf, math.nan, 0, 7, -3, True, 10**12]
    for k in range(-30_000, 30_000):
        cent, half = k / 100, k / 1000
        values += [cent, half, math.nextafter(cent, math.inf), math.nextafter(cent, -math.inf),
                   math.nextafter(half, math.inf), math.nextafter(half, -math.inf)]
    for _ in range(300_000):
        exponent = rng.uniform(-4, 11)
        values.append(rng.choice((1, -1)) * 10 ** exponent)
        values.append(rng.randint(1, 10) * (rng.randint(50, 999_999) / 100) * rng.uniform(0, 0.25))
    for value in values:
        assert repr(round_cents(value)) == repr(round(value, 2)), value
    for k in [*range(-100_000, 100_000), *(rng.randint(-10**16, 10**16) for _ in range(100_000)), 10**13, -10**13]:
        assert repr(cents_of(k)) == repr(round(k * 0.01, 2)), k


@pytest.mark.parametrize("entity", ENTITIES)
def test_first_records_are_judged_as_with_the_compiled_acceptors(engine: Engine, entity: str) -> None:
    # A new validator or scorer judges its first few records without compiling its acceptor (a fresh
    # process's first record skips that work: validator.REPORTED_FIRST, coherence.PLAIN_FIRST). The
    # violations and scores must be exactly those of the compiled path.
    from pytest_testdata.quality.coherence import PLAIN_FIRST, CoherenceScorer
    from pytest_testdata.quality.validator import REPORTED_FIRST

    rng = random.Random(f"{entity}-first")
    schema = engine.registry.get(entity)
    records = engine.generate(GenerationRequest.checked(entity, 4, strategy="traditional", seed=9)).records
    batch = records + [_mutate(copy.deepcopy(r), rng) for r in records]
    assert len(batch) <= REPORTED_FIRST
    compiled = Validator(schema, {})
    assert compiled.acceptor.source  # compiled now: the batch below takes the usual path
    expected = compiled.validate(batch)
    assert expected, "the mutated records must break something"
    fresh = Validator(schema, {})
    assert fresh.validate(batch) == expected
    assert fresh.validate(batch * 2) == compiled.validate(batch * 2)  # past the first few: compiled

    scorer = CoherenceScorer(schema)
    pool = [_nudge_numbers(r, rng) for r in records for _ in range(20)]
    broken = [r for r in pool if scorer.plain_score(r) < 1.0][:4]
    scored = records + (broken or pool[:4])
    assert len(scored) <= PLAIN_FIRST
    want = [1.0 if scorer.acceptor(r) else scorer.plain_score(r) for r in scored]
    assert CoherenceScorer(schema).scores(scored) == want
    assert [CoherenceScorer(schema).score(r) for r in scored] == want
    assert CoherenceScorer(schema).scores(scored, coherent=range(len(records))) == want


def test_an_orders_money_and_stage_rules_enforce_plain_dicts_as_their_general_paths_do(engine: Engine) -> None:
    # sum, rate_of and present_iff over keys of one object (totals.*, payment.*), sum_of_products of the items
    # into such a key, and status_timestamps over top-level keys read and write a plain dict directly; a dict
    # subclass takes the compiled getters and setters: the same writes, draws and errors, on orders of every
    # shape, and so does same_value from a source key (payment.amount from totals.total). A same_value rule
    # without a source copies the first value its fields hold, as _values(record)[0] (every dataset order's
    # countries); product_each rounds its line totals as round_cents does.
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.money import round_cents
    from pytest_testdata.quality.rules import (
        PresentIff,
        ProductEach,
        RateOf,
        SameValue,
        StatusTimestamps,
        Sum,
        SumOfProducts,
        build_rules,
    )

    schema = engine.registry.get("order")
    rules = build_rules(schema.coherence, schema.source)
    shortcut = [r for r in rules if type(r) in (Sum, RateOf, PresentIff, StatusTimestamps, SumOfProducts)]
    assert len(shortcut) == 6 and all(
        r._keys is not None if type(r) is StatusTimestamps else  # type: ignore[attr-defined]
        r._plain is not None if type(r) is SumOfProducts else r._in_one is not None  # type: ignore[attr-defined]
        for r in shortcut)
    countries = next(r for r in rules if type(r) is SameValue and not r.spec.get("source"))
    amount = next(r for r in rules if type(r) is SameValue and r.spec.get("source"))
    assert amount._copies is not None  # type: ignore[attr-defined]
    lines = next(r for r in rules if type(r) is ProductEach)  # round_cents inlined: against the call itself

    def line_totals(record: Any) -> None:  # ProductEach.enforce as it was
        for item in get(record, "items") or []:
            product = 1.0
            for factor in lines.spec["factors"]:
                product *= item[factor]
            item[lines.spec["target"]] = round_cents(product)
    records = engine.generate(GenerationRequest("order", 300, strategy="traditional", seed=4)).records
    rng = random.Random(17)
    changed = 0
    rate_answers: set[str] = set()
    for n, original in enumerate(records * 3):
        record = _mutate(copy.deepcopy(original), rng) if n >= len(records) else copy.deepcopy(original)
        for rule in [*shortcut, countries, amount, lines]:
            fast, plain = copy.deepcopy(record), _Dict(copy.deepcopy(record))
            if type(rule) is RateOf:  # its check reads a plain dict directly too (the cent cleaner asks it)
                answers = []
                for target in (fast, plain):
                    try:
                        answers.append(repr(rule.check(target)))
                    except (TypeError, KeyError, AttributeError, ValueError) as exc:
                        answers.append(repr(exc))
                assert answers[0] == answers[1], (rule, record)
                rate_answers.add(answers[0])
                head, base_key, target_key, low, high = rule._in_one  # type: ignore[attr-defined]
                base = fast.get(head, {}).get(base_key) if isinstance(fast.get(head), dict) else None
                if type(base) is float:  # the edges of the rate's range, where a misread bound shows
                    for value in (base * bound + edge for bound in (low, high)
                                  for edge in (-0.02, -0.0115, -0.0105, 0.0, 0.0105, 0.0115, 0.02)):
                        fast[head][target_key] = plain[head][target_key] = value
                        assert rule.check(fast) == rule.check(plain), (rule, base, value)
            draws = [random.Random(n), random.Random(n)]
            outcomes = []
            for target, draw in zip((fast, plain), draws, strict=True):
                try:
                    if rule is countries and target is plain:  # SameValue.enforce as it was: the full list
                        found = rule._values(target)
                        for write in rule._writers or ():
                            if found:
                                write(target, found[0])
                    elif rule is lines and target is plain:
                        line_totals(target)
                    else:
                        rule.enforce(target, draw, VALUES)
                    outcomes.append("ok")
                except (TypeError, KeyError, AttributeError, ValueError) as exc:
                    outcomes.append(repr(exc))
            assert outcomes[0] == outcomes[1] and repr(fast) == repr(dict(plain)), (rule, record)
            assert draws[0].random() == draws[1].random()
            changed += repr(fast) != repr(record)
    assert changed > 1000
    assert {"True", "False"} <= rate_answers


@pytest.mark.parametrize("copied_prices", [False, True], ids=["order", "dataset order"])
def test_the_cent_cleaners_shortcuts_leave_what_its_general_steps_leave(
        engine: Engine, monkeypatch: pytest.MonkeyPatch, copied_prices: bool) -> None:
    # A dataset's chunk tells the cleaner that the order is dirty and whether its items' targets are (its
    # first look and its first test of the items are skipped); a rate is settled testing only the targets its
    # moves can write (the others were accepted when it started), read and written in the object holding it
    # (totals); the sum's and the payment amount's runs write in their objects. Cleaning with and without
    # those gives the same records, answers and draws, on orders of every shape.
    from pytest_testdata.generators.traditional import cent_runs, cents
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("order")
    rules = build_rules(schema.coherence, schema.source)
    fixed = frozenset({"items.*.unit_price"} if copied_prices else ())
    shortcut = cents.CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert shortcut is not None
    fast = shortcut.moves(rules)
    assert all(rate.moving is not None and rate.where is not None for rate in fast.rates)
    assert all(rate.quick is not None for rate in fast.rates)
    monkeypatch.setattr(cents.CentMoves, "_tested", lambda *args: None)
    monkeypatch.setattr(cents, "_where", lambda rule: None)
    monkeypatch.setattr(cent_runs, "_pair", lambda path: None)  # the runs' own steps (getters, enforce)
    plain = cents.CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert plain is not None
    slow = plain.moves(rules)
    assert all(rate.moving is None and rate.where is None and rate.quick is None for rate in slow.rates)
    records = engine.generate(GenerationRequest("order", 300, strategy="traditional", seed=8)).records
    rng = random.Random(23)
    cleaned = 0
    for n, original in enumerate(records * 3):
        record = copy.deepcopy(original)
        record["items"][rng.randrange(len(record["items"]))]["unit_price"] = rng.choice((66.99, 0.07, 1.13, 9.99))
        for rule in rules[:2]:
            rule.enforce(record, random.Random(n), VALUES)
        if n >= len(records):
            record = _mutate(record, rng)
        # the chunk's test says which targets are rejected (the first 64 records by its generic reader)
        which = shortcut.which(record)
        rejected = {path for path in plain.targets if any(not cents.is_clean(v) for v in get_all(record, path))}
        assert which == (2 if rejected & set(plain.item_targets) else 1 if rejected else 0), record
        assert bool(plain._items_dirty(record)) == (which == 2)
        if not plain.dirty(record):
            continue
        cleaned += 1
        mine, theirs = copy.deepcopy(record), copy.deepcopy(record)
        my_rng, their_rng = random.Random(n), random.Random(n)
        outcomes = []
        for clean, target, draws in ((partial(fast.clean, dirty=True, items=which == 2), mine, my_rng),
                                     (slow.clean, theirs, their_rng)):
            try:
                outcomes.append(clean(target, draws, VALUES))
            except (TypeError, KeyError, AttributeError, ValueError) as exc:
                outcomes.append(repr(exc))
        assert outcomes[0] == outcomes[1] and repr(mine) == repr(theirs), record
        assert my_rng.random() == their_rng.random()
    assert cleaned > 300


def test_a_rate_settled_by_arithmetic_settles_as_its_runs_do(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A dataset order's tax and discount are settled by CentMoves._settle_quick: each try's total worked out
    # as Sum._expected does and written with its copy (payment.amount) as the runs write them. Against
    # _settle (the runs), on dataset orders with their totals moved onto edge values: rejected cents, an ulp
    # off a cent, zero and negative totals, halves, huge and non-finite numbers, ints, other types.
    from pytest_testdata.generators.traditional import cents
    from pytest_testdata.generators.traditional.pools import VALUES
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("order")
    rules = build_rules(schema.coherence, schema.source)
    fixed = frozenset({"items.*.unit_price"})
    cleaner = cents.CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert cleaner is not None
    quick = cents.CentMoves(cleaner, tuple(rules))
    assert all(rate.quick is not None for rate in quick.rates)
    monkeypatch.setattr(cents.CentMoves, "_quick", lambda *args: None)
    slow = cents.CentMoves(cleaner, tuple(rules))
    assert not any(rate.quick is not None for rate in slow.rates)
    records = engine.generate(GenerationRequest("order", 400, strategy="traditional", seed=12)).records
    rng = random.Random(29)
    odd: tuple[Any, ...] = (0.0, -0.0, 0.005, 1.005, 0.07, 66.99, 1.15, 1e9, 2e9, -3.3, float("inf"),
                            float("nan"), 7, 0, None, "1.00")
    keys = ("subtotal", "tax", "shipping", "discount", "total")
    cleaned = answers = 0
    for n, original in enumerate(records * 4):
        record = copy.deepcopy(original)
        for rule in rules[:2]:
            rule.enforce(record, random.Random(n), VALUES)
        totals = record["totals"]
        for key in rng.sample(keys, rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.5:  # a cent value nearby, most of them rejected ones
                totals[key] = rng.randrange(0, 10**6) / 100 if rng.random() < 0.3 else rng.choice(
                    (66.99, 0.07, 1.13, 9.99, 1.11, 1.19, 4.35, 0.57))
            elif roll < 0.7:  # an ulp or a hair off a cent
                totals[key] = math.nextafter(totals[key] if type(totals[key]) is float else 1.0,
                                             rng.choice((math.inf, -math.inf))) + rng.choice((0.0, 1e-7))
            elif roll < 0.9:
                totals[key] = rng.choice(odd)
            elif type(totals["subtotal"]) is float and totals["subtotal"] < 1e7:  # out of its range (on a clean cent)
                discount = totals["subtotal"] * rng.choice((0.29, 0.31, 0.5, 2.0))
                totals["discount"] = cents.clean_multiple(round(discount * 100), 0.01) if rng.random() < 0.8 \
                    else discount
        if n % 7 == 0:
            record["payment"]["amount"] = rng.choice((0.07, 66.99, None))
        rules[4].enforce(record, random.Random(n), VALUES)  # the sum, as the chunk's enforcer left it
        if n % 11 == 0:
            totals["total"] = 0.07
        dirty = slow.dirty(record)
        cleaned += dirty
        mine, theirs = copy.deepcopy(record), copy.deepcopy(record)
        my_rng, their_rng = random.Random(n), random.Random(n)
        outcomes = []
        for moves, target, draws in ((quick, mine, my_rng), (slow, theirs, their_rng)):
            try:
                outcomes.append(moves.clean(target, draws, VALUES, dirty))
            except (TypeError, KeyError, AttributeError, ValueError) as exc:
                outcomes.append(repr(exc))
        assert outcomes[0] == outcomes[1] and repr(mine) == repr(theirs), record
        assert my_rng.random() == their_rng.random()
        if outcomes[0] is True:  # (clean asks only the rates' ranges after a settle that found it clean)
            answers += 1
            assert not slow.dirty(mine) and all(rules[rate.index].check(mine) is True for rate in slow.rates)
    assert cleaned > 900 and answers > 600


def test_a_chunk_draws_the_list_lengths_list_length_draws() -> None:
    # A chunk works out a long tail's constants once and draws each order's number of items inline: the same
    # lengths from the same draws as list_length, for long tails of every mean and bound, and the other skews.
    from pytest_testdata.datasets.cardinality import Cardinality, list_length
    from pytest_testdata.datasets.chunks import _resize

    for card in (Cardinality(1, 8, 2.5), Cardinality(0, None, 3.0), Cardinality(2, 3, 40.0),
                 Cardinality(1, 5, 1.0), Cardinality(1, 6, 0.5), Cardinality(1, 9, 3.0, "even"),
                 Cardinality(0, 4, float("nan"))):
        records: list[dict[str, Any]] = [{"items": [{"n": i}]} for i in range(500)]
        records += [{"items": []}, {"items": None}, {}]
        rng, theirs = random.Random(3), random.Random(3)
        _resize(records, "items", card, rng)
        for record in records[:500]:
            wanted = list_length(card, theirs)
            assert len(record["items"]) == wanted, card
            for size in range(1, wanted):  # (each clone added drew the index of the item it copies)
                theirs.randrange(size)
        assert records[500:] == [{"items": []}, {"items": None}, {}]
        assert rng.random() == theirs.random()


def test_a_record_builder_makes_the_state_the_constructor_makes() -> None:
    """The compiled record builder writes ``RecordState.__init__``'s assignments out (straight._new_state),
    read from its signature: that holds only while ``__init__`` stores each argument as it comes. An
    attribute worked out in ``__init__`` (from an argument or not) would be missing from every record's state."""
    import ast
    import inspect
    import textwrap

    from pytest_testdata.generators.traditional.drawers import RecordState
    from pytest_testdata.generators.traditional.straight import _new_state

    init = ast.parse(textwrap.dedent(inspect.getsource(RecordState.__init__))).body[0]
    assert isinstance(init, ast.FunctionDef)
    params = [a.arg for a in init.args.args[1:]]
    stored = []
    for statement in init.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.unparse(statement)
        target = statement.targets[0]
        assert isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self", ast.unparse(statement)
        source = ast.unparse(statement.value)
        assert source == target.attr or (target.attr == "record" and source == "{} if record is None else record"), \
            f"RecordState.__init__ stores a worked-out value: {ast.unparse(statement)}"
        stored.append(target.attr)
    assert stored == params
    written = [line.split("=")[0].strip().removeprefix("state.") for line in _new_state()[1:]]
    assert written == params


def test_names_drawn_from_exact_float_weights_are_the_names_of_the_int_weights() -> None:
    """pools.exact_floats: for every shipped country, the float weights are the int weights' values, a bisect
    finds the same place in both at and around every weight and for 3,000 drawn keys, and the name drawers
    (the plain one, the written-out ones and a bounded one) draw what weighted() over the ints draws, with the
    same random state after."""
    from bisect import bisect_right

    from pytest_testdata.generators.traditional import drawers, pools
    from pytest_testdata.locales.countries import COUNTRY_LOCALES

    for country in COUNTRY_LOCALES:
        data = pools.names_of(country)
        for ints, listed, (names, floats) in ((data.first_weights, data.first_names, pools.first_draws(country)),
                                              (data.last_weights, data.last_names, pools.last_draws(country))):
            assert names is listed
            assert all(type(w) is float for w in floats) and floats == ints and len(floats) == len(ints)
            for w in ints:
                for key in (w - 0.5, float(w), math.nextafter(w, math.inf), math.nextafter(w, -math.inf), w + 0.5):
                    assert bisect_right(floats, key) == bisect_right(ints, key), (country, key)
            rng = random.Random(country)
            for _ in range(3000):
                u = rng.random()
                assert u * floats[-1] == u * ints[-1]
                assert bisect_right(floats, u * floats[-1]) == bisect_right(ints, u * ints[-1])
        for seed in range(200):
            fast, slow = random.Random(seed), random.Random(seed)
            state = drawers.RecordState(fast, country)
            made = [drawers._first_name(state), drawers._last_name(state), pools.first_name(country, fast),
                    pools.last_name(country, fast)]
            expected = [pools.weighted(slow, data.first_names, data.first_weights),
                        pools.weighted(slow, data.last_names, data.last_weights),
                        pools.weighted(slow, data.first_names, data.first_weights),
                        pools.weighted(slow, data.last_names, data.last_weights)]
            assert made == expected and fast.getstate() == slow.getstate(), (country, seed)
    # The written-out bounded drawers (a user's names) against the plain drawer
    for name in ("first_name", "last_name"):
        bounded = drawers._bounded_name(getattr(drawers, f"_{name}"), 1, 60, lambda state, value: value)
        assert bounded is not None
        for seed in range(300):
            fast, slow = random.Random(seed), random.Random(seed)
            country = ("US", "GB", "DE", "FR", "CA", "JP")[seed % 6]
            assert bounded(drawers.RecordState(fast, country)) == \
                getattr(drawers, f"_{name}")(drawers.RecordState(slow, country))
            assert fast.getstate() == slow.getstate()


def test_exact_floats_keeps_weights_a_float_cannot_hold() -> None:
    """Weights that are not all ints a float holds exactly are kept as they are (the bisect compares them as
    before)."""
    from pytest_testdata.generators.traditional.pools import exact_floats

    for weights in ([1, 2**53 + 1], [1, 2.5], [True, 2], [1, "2"]):
        assert exact_floats(weights) is weights
    assert exact_floats([1, 2**53, 3]) == [1.0, float(2**53), 3.0]
