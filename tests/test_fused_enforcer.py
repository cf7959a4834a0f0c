"""The fused enforcer (quality/enforcer.py) and the review's sentiment check against the general paths they stand for.

The fused function of a rule list must leave exactly what ``for rule in rules: rule.enforce(record, rng,
values)`` leaves: the same record (values and their types, key order), the same draws from ``rng``, the same
calls to the value source, the same error. It is compared on generated records of every entity with rules,
on records broken in one place (a missing key, a value of another type, a list too long or empty, a dict
subclass in a nested object), on numbers nudged around the cents, and on records that are not plain dicts.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.pools import VALUES
from pytest_testdata.generators.traditional.unique import unique_scope
from pytest_testdata.quality.enforcer import FusedEnforcer, fused_enforcer
from pytest_testdata.quality.rules import Rule, SentimentMatchesRating, build_rules, sentiment
from pytest_testdata.types import GenerationRequest
from tests.test_fast_paths import _Dict, _mutate, _nudge_numbers

ENTITIES = ("order", "cart", "payment", "product", "review", "user")
ERRORS = (TypeError, KeyError, AttributeError, ValueError, IndexError, OverflowError)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


class _Recording:
    """The value source, noting every call and what it gave."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(VALUES, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            out = method(*args, **kwargs)
            shown = [a for a in args if not isinstance(a, random.Random)]  # (the rng: compared by its draws)
            self.calls.append((name, repr(shown), repr(kwargs), out))
            return out
        return call


def _outcome(enforce: Any, record: Any, seed: int) -> tuple[str, str, float, list[tuple[Any, ...]]]:
    rng, values = random.Random(seed), _Recording()
    try:
        with unique_scope():  # (an email drawn is taken in its scope: each path starts from none taken)
            enforce(record, rng, values)
        error = "ok"
    except ERRORS as exc:
        error = repr(exc)
    # repr shows types (1 against 1.0) and key order; the next draw shows how far rng went
    return error, repr(record), rng.random(), values.calls


def _records(engine: Engine, entity: str, rng: random.Random) -> list[Any]:
    records: list[Any] = []
    for locale, variant in ((None, "valid"), ("de_DE", "valid"), ("ja_JP", "valid"), ("en_CA", "valid"),
                            (None, "invalid")):
        records += engine.generate(GenerationRequest.checked(entity, 40, strategy="traditional", seed=9,
                                                             locale=locale, variant=variant)).records
    undrawn = []  # what a dataset's chunk hands the rules: the derived money left out
    for record in records[:40]:
        bare = copy.deepcopy(record)
        for key in ("line_total",):
            for item in bare.get("items") or []:
                item.pop(key, None)
        for head in ("totals", "payment"):
            if isinstance(bare.get(head), dict):
                for key in ("subtotal", "tax", "discount", "total", "amount", "card_last_four"):
                    bare[head].pop(key, None)
        undrawn.append(bare)
    broken = [_mutate(copy.deepcopy(r), rng) for r in records for _ in range(4)]
    twice = [_mutate(_mutate(copy.deepcopy(r), rng), rng) for r in records]
    nudged = [_nudge_numbers(r, rng) for r in records for _ in range(2)]
    nested = [{k: _Dict(v) if isinstance(v, dict) and rng.random() < 0.5 else v for k, v in r.items()}
              for r in records[:40]]
    items = []  # item lists of other shapes: a dict subclass, an int price, a string where a number goes
    for record in records[:40]:
        if isinstance(record.get("items"), list) and record["items"]:
            for change in (lambda i: _Dict(i), lambda i: {**i, "unit_price": 3},
                           lambda i: {**i, "quantity": 2.0}, lambda i: {**i, "quantity": "2"},
                           lambda i: {**i, "quantity": 1j}):  # (a product that is no float: round's error)
                bent = copy.deepcopy(record)
                bent["items"][rng.randrange(len(bent["items"]))] = change(bent["items"][0])
                items.append(bent)
    edges = []  # values the rules treat apart: a negative total (written as 0.0), an empty created_at
    for record in records[:40]:
        if isinstance(record.get("totals"), dict):
            edges.append(dict(copy.deepcopy(record), totals={**record["totals"], "shipping": -500.0}))
        if "status" in record:
            for created in ("", None, "9999-12-31T00:00:00Z"):
                edges.append(dict(copy.deepcopy(record), created_at=created, paid_at=None, shipped_at=""))
    return [*records, *undrawn, *edges, *broken, *twice, *nudged, *nested, *items, _Dict(records[0]), "x", None, [], {}]


def _each(rules: list[Rule]) -> Any:
    def enforce(record: Any, rng: random.Random, values: Any) -> None:
        for rule in rules:
            rule.enforce(record, rng, values)
    return enforce


@pytest.mark.parametrize("entity", ENTITIES)
def test_the_fused_enforcer_does_what_each_rules_enforce_does(engine: Engine, entity: str) -> None:
    schema = engine.registry.get(entity)
    rules = build_rules(schema.coherence, schema.source)
    fused, each = fused_enforcer(rules), _each(rules)
    rng = random.Random(f"fused-{entity}")
    changed = errors = 0
    for n, record in enumerate(_records(engine, entity, rng)):
        fast, plain = copy.deepcopy(record), copy.deepcopy(record)
        got, expected = _outcome(fused, fast, n), _outcome(each, plain, n)
        assert got == expected, (entity, record)
        changed += expected[1] != repr(record)
        errors += expected[0] != "ok"
    assert changed > 100  # the rules wrote into many records: the writes were compared


def test_the_fused_order_takes_every_rule_inline() -> None:
    # Every rule of an order is written out: a rule's enforce is called only for a record that is not a dict
    # or, in the branches that fall back, for inputs of another shape (the comparison above covers both).
    from pytest_testdata.schemas.registry import SchemaRegistry

    schema = SchemaRegistry().get("order")
    source = FusedEnforcer(build_rules(schema.coherence, schema.source)).source
    body = source.split("        return\n", 1)[1]
    assert len(schema.coherence) == 11 and all(f"# {i}: " in body for i in range(11))
    assert not [line for line in body.splitlines() if line.startswith("    E")]  # (no rule a bare call)


def test_a_rule_of_another_class_is_its_own_enforce() -> None:
    # A subclass may enforce otherwise: the fused function calls its enforce, whatever its kind says.
    from pytest_testdata.quality.rules import Ordered

    class Reversed(Ordered):
        def enforce(self, record: Any, rng: random.Random, values: Any) -> None:
            record["seen"] = True

    rules: list[Rule] = [Reversed({"kind": "ordered", "fields": ["a", "b"]})]
    record = {"a": "2", "b": "1"}
    fused_enforcer(rules)(record, random.Random(1), VALUES)
    assert record == {"a": "2", "b": "1", "seen": True}


def _plain_check(rule: SentimentMatchesRating, record: Any) -> bool | None:
    """SentimentMatchesRating.check's general steps (its getters, sentiment's score), for any record."""
    return rule.check(_Dict(record)) if type(record) is dict else rule.check(record)


def test_the_sentiment_check_answers_as_its_general_path(engine: Engine) -> None:
    # A review of a plain dict is read by key and asks only the sign its rating wants (the words of one side
    # decide it without counting): the answer of the getters and sentiment()'s score, on reviews of every
    # rating with texts of every mix of lexicon words, broken ones, and texts of other types.
    from pytest_testdata.quality.rules import NEGATIVE_WORDS, POSITIVE_WORDS

    schema = engine.registry.get("review")
    rule = next(r for r in build_rules(schema.coherence, schema.source) if isinstance(r, SentimentMatchesRating))
    rng = random.Random(11)
    reviews = engine.generate(GenerationRequest.checked("review", 200, strategy="traditional", seed=2)).records
    words = [*sorted(POSITIVE_WORDS), *sorted(NEGATIVE_WORDS), "the", "GREAT", "Broke.", "x1love", "café", "İ"]
    records: list[Any] = [*reviews, *(_mutate(copy.deepcopy(r), rng) for r in reviews)]
    for review in reviews:
        for _ in range(5):
            mixed = dict(review, rating=rng.choice((1, 2, 3, 4, 5, 0, 6, True, 4.0, "5", None)))
            for key in ("title", "body"):
                if rng.random() < 0.8:
                    mixed[key] = " ".join(rng.choice(words) for _ in range(rng.randrange(6)))
                elif rng.random() < 0.5:
                    mixed[key] = rng.choice((None, 3, b"great", type("S", (str,), {})("awful")))
                else:
                    mixed.pop(key, None)
            records.append(mixed)
    answers = [rule.check(r) for r in records]
    assert answers == [_plain_check(rule, r) for r in records]
    assert {True, False, None} <= set(answers)
    # both sides in one text, counted: the close calls the shortcut must not decide alone
    both = [r for r in records if isinstance(r.get("title"), str) and isinstance(r.get("body"), str)
            and sentiment(f"{r['title']} {r['body']}") in (-1, 0, 1) and r.get("rating") in (1, 5)]
    assert len(both) > 50
