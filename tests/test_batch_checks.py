"""A batch's checks made at once give the answers of the checks made record by record.

The validator tests a large batch's top-level UUID, date and date-time fields over the whole batch at once
(``Validator._proven_columns``), and the scorer's rule acceptor checks an order's line totals and subtotal
in one loop and a review's sentiment without its rule's ``check`` (docs/performance.md, "Sixteenth round
(checking and handing back chunks)"). Each test drives the batch path and the record-by-record path with
the same values, many of them a character or a cent away from passing.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.quality import validator as v
from pytest_testdata.quality.coherence import CoherenceScorer
from pytest_testdata.quality.rule_acceptor import RuleAcceptor
from pytest_testdata.quality.rules import build_rules
from pytest_testdata.quality.validator import Validator
from pytest_testdata.types import GenerationRequest


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _uuid_near(rng: random.Random) -> str:
    text = str(uuid.UUID(int=rng.getrandbits(128)))
    roll = rng.randrange(12)
    if roll == 0:
        return text.upper()  # still a UUID
    if roll == 1:
        i = rng.choice((7, 8, 9, 35))
        return text[:i] + "-" + text[i + 1:]  # a dash where a digit goes
    if roll == 2:
        return text.replace("-", "", 1) + rng.choice("0a-")  # 36 characters, a dash missing
    if roll == 3:
        i = rng.randrange(36)
        return text[:i] + rng.choice("gG \n\u0661xZ") + text[i + 1:]  # a character off (a newline, an Arabic one)
    if roll == 4:
        return rng.choice((text[:-1], text + "0", text + "\n", "", "\n", "-" * 36))
    if roll == 5:
        return text[:18] + "\n" + text[:17]  # two halves of the right length around a newline
    return text


def _stamp_near(rng: random.Random) -> str:
    stamp = (f"{rng.choice(('0000', '0001', '1900', '2000', '2023', '2024', '2100', '9999'))}-"
             f"{rng.randrange(0, 14):02d}-{rng.choice((1, 9, 10, 19, 28, 29, 30, 31, 32)):02d}T"
             f"{rng.choice((0, 9, 19, 20, 23, 24)):02d}:{rng.choice((0, 59, 60)):02d}:"
             f"{rng.choice((0, 5, 59, 60, 61)):02d}")
    roll = rng.randrange(10)
    if roll == 0:
        return stamp + rng.choice((".5", ".123456", "+00:00", "-05:30", "+24:00", "z", "", "Z\n", " Z"))
    if roll == 1:
        i = rng.randrange(len(stamp))
        return stamp[:i] + rng.choice("x-:T\n\u0662") + stamp[i + 1:] + "Z"
    return stamp + "Z"


def _valid_stamp(rng: random.Random) -> str:
    year, month = rng.randrange(1990, 2031), rng.randrange(1, 13)
    day = rng.randrange(1, 32 if month in (1, 3, 5, 7, 8, 10, 12) else 31 if month != 2 else 29)
    return f"{year}-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


@pytest.mark.parametrize("name", ["uuid", "date-time", "date"])
def test_a_batch_test_passes_exactly_the_batches_whose_every_value_passes(name: str) -> None:
    # The batch test must never pass a batch holding a value the value's own test fails; and it passes
    # every batch of values of the usual shapes (else it saves nothing).
    rng = random.Random(f"batch-{name}")
    one = {"uuid": v._SHAPES["uuid"].match, "date-time": v._CALENDAR_DATE_TIME_FAST,
           "date": v._CALENDAR_DATE_FAST}[name]
    near: Callable[[random.Random], str] = {"uuid": _uuid_near, "date-time": _stamp_near,
                                            "date": lambda r: _stamp_near(r)[:10]}[name]
    good: Callable[[random.Random], str] = {"uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128))),
                                            "date-time": _valid_stamp, "date": lambda r: _valid_stamp(r)[:10]}[name]
    test = v._COLUMNS[name]
    passed = failed = 0
    for _ in range(3000):
        values = [good(rng) for _ in range(rng.choice((1, 2, 5, 40)))]
        for _ in range(rng.choice((0, 0, 1, 3))):
            values[rng.randrange(len(values))] = near(rng)
        expected = all(one(value) is not None for value in values)
        assert test("\n".join(values), values) == expected, values
        passed += expected
        failed += not expected
    assert passed > 500 and failed > 500
    # A value the format's own test takes by the calendar check alone (digits of another script) is not
    # taken by the batch: the record is then tested alone, and passes.
    odd = "2024-01-01T\u0661\u0662:00:00Z"
    if name == "date-time":
        assert v._FORMATS[name](odd) and not test(odd, [odd])


def _batch(engine: Engine, entity: str, count: int, seed: int) -> list[dict[str, Any]]:
    return engine.generate(GenerationRequest.checked(entity, count, strategy="traditional", seed=seed)).records


@pytest.mark.parametrize("entity", ["order", "payment", "review", "user", "product"])
def test_a_large_batch_reports_what_record_by_record_checks_report(engine: Engine, entity: str) -> None:
    schema = engine.registry.get(entity)
    records = _batch(engine, entity, 400, 3)
    validator = Validator(schema)
    fields = [name for name, _ in validator._columns]
    assert fields and set(fields) <= validator._proven_columns(records, frozenset())  # (taken when clean)
    rng = random.Random(f"columns-{entity}")
    for trial in range(12):
        batch = copy.deepcopy(records)
        for _ in range(trial % 4):  # a value off in a few records (none in every fourth batch)
            record, field = rng.choice(batch), rng.choice(fields)
            record[field] = rng.choice((_uuid_near(rng), _stamp_near(rng), None, 5, "", f"{record[field]}\n"))
        if trial % 3 == 1:
            del rng.choice(batch)[rng.choice(fields)]
        one_by_one = Validator(schema)
        one_by_one._columns = []  # (every value tested in its record)
        assert validator.validate(batch) == one_by_one.validate(batch)
        assert [r for r in map(validator.acceptor.function, batch)] == [one_by_one.accepts(r) for r in batch]


def test_a_broken_timestamp_in_a_batch_is_reported_in_its_record(engine: Engine) -> None:
    schema = engine.registry.get("payment")
    records = _batch(engine, "payment", 300, 4)
    records[17]["created_at"] = "2023-02-29T10:00:00Z"  # not a leap year
    records[250]["payment_id"] = records[250]["payment_id"][:35] + "g"
    found = [(x.record, x.field, x.rule) for x in Validator(schema).validate(records)]
    assert (17, "created_at", "format") in found and (250, "payment_id", "format") in found
    assert {x[0] for x in found} == {17, 250}


def test_the_order_line_rules_taken_together_give_each_rules_answer() -> None:
    # product_each and sum_of_products over the same items and factors share one loop in the acceptor: for
    # many items of every shape the acceptor takes only records both rules' own checks pass.
    specs = (
        {"kind": "product_each", "items": "items", "target": "lt", "factors": ["q", "p"]},
        {"kind": "sum_of_products", "target": "t.sub", "items": "items", "factors": ["p", "q"]},
    )
    rules = build_rules(specs)
    acceptor = RuleAcceptor(rules)
    assert acceptor.source.count("for ") == 1  # (the loop shared)
    for alone in rules:  # (and each rule's own loop, which reads an item's values as the shared one does)
        _line_rule_answers([alone], RuleAcceptor([alone]), 4_000)
    _line_rule_answers(rules, acceptor, 20_000)


def _line_rule_answers(rules: list[Any], acceptor: RuleAcceptor, trials: int) -> None:
    """The acceptor takes only records whose every rule's own check passes (lines with a value missing too)."""
    rng = random.Random(16)
    numbers: tuple[Any, ...] = (0, 1, 3, 2.5, 0.1, 9.99, 19.98, 1.004, 1e9, 2e9, -1.0, True, None, "1", float("nan"))
    taken = 0
    for _ in range(trials):
        items: Any = []
        for _ in range(rng.randrange(4)):
            q, p = rng.choice(numbers), rng.choice(numbers)
            line: dict[str, Any] = {"q": q, "p": p}
            if type(q) in (int, float) and type(p) in (int, float) and rng.random() < 0.8:
                line["lt"] = round(q * p + rng.choice((0, 0, 0.004, 0.0059, 0.011, -0.02)), 2)
            elif rng.random() < 0.8:
                line["lt"] = rng.choice(numbers)
            if rng.random() < 0.03:
                del line[rng.choice(("q", "p"))]  # (a factor missing)
            items.append(line)
        total = sum(i["q"] * i["p"] for i in items
                    if type(i.get("q")) in (int, float) and type(i.get("p")) in (int, float))
        record: dict[str, Any] = {"items": items if rng.random() < 0.95 else rng.choice(numbers),
                                  "t": rng.choice(({"sub": round(total + rng.choice((0, 0, 0.006, -0.02)), 2)},
                                                   {"sub": total}, {}, None, [1]))}
        outcomes = []
        for rule in rules:
            try:
                outcomes.append(rule.check(record))
            except (TypeError, ValueError, KeyError, AttributeError):
                outcomes.append(False)
        if acceptor(record):
            taken += 1
            assert False not in outcomes, record
    assert taken > trials // 15


def test_review_scores_are_the_same_with_and_without_the_rule_acceptor(engine: Engine) -> None:
    # The review's sentiment rule is written into the acceptor: the scores of reviews of every rating,
    # with their texts swapped between ratings, equal the rules' own.
    reviews = _batch(engine, "review", 600, 8)
    rng = random.Random(3)
    swapped = [dict(r, rating=rng.choice((1, 2, 3, 4, 5, True, 4.0, None, "5"))) for r in reviews]
    texts = [dict(r, body=rng.choice((r["body"], None, 5, "great " * 3, "awful bad", "", r["title"]))) for r in reviews]
    batch = reviews + swapped + texts
    scorer = CoherenceScorer(engine.registry.get("review"))
    assert "leans(" in scorer.acceptor.source
    scores = scorer.scores(batch)
    assert scores == [scorer.plain_score(r) for r in batch]
    assert min(scores) < 1.0


def test_a_chunk_handed_back_loads_its_records_and_leaves_the_collector_as_it_was() -> None:
    import gc
    import marshal

    from pytest_testdata.datasets.chunks import _loaded

    records = [{"id": str(i), "items": [{"q": i, "p": 1.5}], "at": None} for i in range(3000)]
    raw = marshal.dumps(records)
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert _loaded(raw) == records
            assert gc.isenabled() is enabled
            with pytest.raises((ValueError, EOFError)):
                _loaded(raw[:-5])  # a broken file: the error, and the collector as it was
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("name", ["uuid", "date-time", "date"])
def test_the_proof_of_a_jobs_values_answers_as_each_value_tested_alone(name: str) -> None:
    # shapes_test (what datasets/proven.py proves a job's keys with) tests a format's values by its batch
    # test first: its answer is that of the format's own test of each string, nulls and other types aside.
    rng = random.Random(f"shapes-{name}")
    near: Callable[[random.Random], Any] = {"uuid": _uuid_near, "date-time": _stamp_near,
                                            "date": lambda r: _stamp_near(r)[:10]}[name]
    good: Callable[[random.Random], str] = {"uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128))),
                                            "date-time": _valid_stamp, "date": lambda r: _valid_stamp(r)[:10]}[name]
    test, one = v.shapes_test({"type": "string", "format": name}), v._FORMATS[name]
    assert test is not None
    passed = failed = 0
    for _ in range(2000):
        values: list[Any] = [good(rng) for _ in range(rng.choice((1, 2, 5, 40)))]
        for _ in range(rng.choice((0, 0, 1, 3))):
            values[rng.randrange(len(values))] = near(rng) if rng.random() < 0.8 else rng.choice((None, 7, ["x"]))
        expected = all(one(value) for value in values if isinstance(value, str))
        assert test(values) == expected, values
        passed += expected
        failed += not expected
    assert passed > 300 and failed > 300
    # With a pattern too, the batch (which knows the format only) does not decide: the pattern is tested.
    patterned = v.shapes_test({"type": "string", "format": "uuid", "pattern": "^0"})
    assert patterned is not None and not patterned([str(uuid.UUID(int=1 << 127))])


def test_two_digit_columns_give_each_places_number() -> None:
    # _two_digits adds two columns as big integers: each byte must be its own place's number (0-99 for two
    # ASCII digits, 100 or more otherwise), whatever its neighbours hold.
    rng = random.Random("two-digits")
    every = range(256)
    for tens in every:
        units = bytes(every)
        found = v._two_digits(bytes([tens]) * 256, units)
        for unit, number in zip(units, found, strict=True):
            if chr(tens).isdigit() and tens < 128 and chr(unit).isdigit() and unit < 128:
                assert number == int(chr(tens) + chr(unit))
            else:
                assert number >= 100
    for _ in range(200):
        size = rng.randrange(1, 60)
        tens_column = bytes(rng.choice(b"0123456789" * 5 + b"x/:\x00\xff") for _ in range(size))
        units_column = bytes(rng.choice(b"0123456789" * 5 + b"x/:\x00\xff") for _ in range(size))
        found = v._two_digits(tens_column, units_column)
        assert len(found) == size
        for t, u, number in zip(tens_column, units_column, found, strict=True):
            digits = chr(t) in "0123456789" and chr(u) in "0123456789"
            assert number == int(chr(t) + chr(u)) if digits else number >= 100


def _no_regex(joined: str, strings: list[str]) -> bool:
    return False  # the column tests' own answer, without the regexes they fall back on


def test_the_column_tests_take_exactly_the_calendars_dates_and_times() -> None:
    # Every month and day 00-99 of years around the leap rules, every hour, minute and second 00-99, every
    # character of a date-time swapped: the columns' answer (no regex) is the calendar regex's, for a value
    # alone and among others (which the columns read at other places: a neighbour must not decide).
    date_time = v._COLUMNS["date-time"].func  # type: ignore[attr-defined]
    dates = v._COLUMNS["date"].func  # type: ignore[attr-defined]
    others = ["2023-12-31T00:00:00Z", "2000-02-29T23:59:59Z"]
    for year in ("0000", "0001", "0004", "0100", "0400", "1900", "2000", "2023", "2024", "2100", "9996", "9999"):
        for month in range(100):
            for day in range(100):
                day_text = f"{year}-{month:02d}-{day:02d}"
                stamp = day_text + "T12:34:56Z"
                expected = v._CALENDAR_DATE_TIME_FAST(stamp) is not None
                assert date_time(stamp, [stamp], _no_regex) == expected, stamp
                batch = [others[0], stamp, others[1]]
                assert date_time("\n".join(batch), batch, _no_regex) == expected, stamp
                assert dates(day_text, [day_text], _no_regex) == (v._CALENDAR_DATE_FAST(day_text) is not None)
                day_batch = [others[0][:10], day_text, others[1][:10]]
                assert dates("\n".join(day_batch), day_batch, _no_regex) == expected, day_text
    for first in range(100):
        for second in range(100):
            for stamp in (f"2024-02-29T{first:02d}:{second:02d}:00Z", f"2024-03-01T00:{first:02d}:{second:02d}Z"):
                expected = v._CALENDAR_DATE_TIME_FAST(stamp) is not None and not stamp.endswith(":60Z")
                assert date_time(stamp, [stamp], _no_regex) == expected, stamp  # (a leap second: the regex's)
    base = "2024-02-29T23:59:59Z"
    for at in range(len(base)):
        for char in "0123456789-T:Z\nxaz+. \u0661":
            stamp = base[:at] + char + base[at + 1:]
            batch = [others[0], stamp, others[1]]
            expected = v._CALENDAR_DATE_TIME_FAST(stamp) is not None and stamp[-1] == "Z" and len(stamp) == 20
            assert date_time("\n".join(batch), batch, _no_regex) == expected, stamp


def test_a_unique_field_read_with_the_columns_reports_what_reading_it_again_reports(engine: Engine) -> None:
    # validate compares a unique field's values as _proven_columns read them (no second read): repeats, nulls,
    # missing values, unhashable ones and records that are not plain dicts must be reported as the plain
    # reading reports them.
    class Record(dict):  # type: ignore[type-arg]
        pass

    schema = engine.registry.get("payment")
    records = _batch(engine, "payment", 300, 5)
    rng = random.Random("unique-columns")
    read_again = Validator(schema)
    read_again._columns = []  # (no column read: the unique field is read by _all_distinct)
    reported = 0
    for trial in range(40):
        batch = copy.deepcopy(records)
        for _ in range(trial % 5):
            i, j = rng.randrange(len(batch)), rng.randrange(len(batch))
            roll = rng.randrange(6)
            if roll < 2:
                batch[i]["payment_id"] = batch[j]["payment_id"]  # a repeat (or the same record: none)
            elif roll == 2:
                batch[i]["payment_id"] = None
            elif roll == 3:
                batch[i]["payment_id"] = [batch[j]["payment_id"]]  # unhashable
            elif roll == 4:
                batch[i] = Record(batch[j])  # a dict subclass: a repeat, compared
            else:
                del batch[i]["payment_id"]
        found = Validator(schema).validate(batch)
        assert found == read_again.validate(batch)
        reported += any(x.rule == "unique" for x in found)
    assert reported > 10
