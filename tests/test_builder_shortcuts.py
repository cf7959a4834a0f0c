"""The record builders' shortcuts draw what the plain code they stand in for draws.

The review texts are filled from templates compiled to f-strings, with ``rng.sample`` written out, and the
record builders inline some drawers (docs/performance.md, "Sixteenth round (the record builders)"). Each
test drives a shortcut and the plain code beside it with the same random state, on many draws of every
shape, and compares the values and the random state left behind.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from pytest_testdata.generators.traditional import drawers, texts
from pytest_testdata.generators.traditional.fastrand import pick

CATEGORIES = (*texts.ASPECTS, "unknown-category")
BUCKETS = ("positive", "neutral", "negative")


def _plain_fill(template: str, name: str, noun: str, category: str) -> str:
    return template.format(name=name, noun=noun.lower(), word=texts.CATEGORY_WORDS.get(category, "product"))


def _plain_body(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """review_body as it was written before its shortcuts."""
    aspects = texts.ASPECTS.get(category, texts.ASPECTS["home"])
    first, second = rng.sample(aspects, 2)
    words = texts._ASPECT_WORDS[bucket]
    parts = [_plain_fill(pick(rng, texts._OPENERS[bucket]), name, noun, category),
             f"The {first} {texts._be(first)} {pick(rng, words)}, and the {second} {texts._be(second)} "
             f"{pick(rng, words)}.",
             pick(rng, texts._CLOSERS[bucket])]
    return " ".join(p for p in parts if p)


def _plain_title(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    text = _plain_fill(pick(rng, texts._TITLES[bucket]), name, noun, category)
    return text[0].upper() + text[1:]


def _plain_description(rng: random.Random, name: str, noun: str, category: str, feature: str) -> str:
    detail = pick(rng, texts._DETAILS.get(category, texts._DETAILS["home"]))
    text = pick(rng, texts._DESCRIPTIONS).format(name=name, noun=noun.lower(), detail=detail,
                                                 Detail=detail[0].upper() + detail[1:], feature=feature,
                                                 word=texts.CATEGORY_WORDS.get(category, "product"))
    return text[0].upper() + text[1:]


def _products(count: int) -> list[tuple[str, str, str]]:
    """Products as a record names them (the product-name drawer's name, noun and category), with odd ones."""
    rng = random.Random(3)
    found = []
    for _ in range(count):
        state = drawers.RecordState(rng, "US")
        name = drawers._product_name(state)
        assert state.noun is not None and state.category is not None
        found.append((name, state.noun, state.category))
    return [*found, ("ÉCRAN {noun} 100%", "Écran", "electronics"), ("x", "Ä", "unknown-category"),
            ("{name}", "{word}", "books")]


@pytest.mark.parametrize("seed", range(6))
def test_review_texts_and_descriptions_are_what_the_plain_code_draws(seed: int) -> None:
    fast, plain, other = random.Random(seed), random.Random(seed), random.Random(-seed)
    for name, noun, category in _products(150):
        for bucket in BUCKETS:
            for cat in (category, pick(other, CATEGORIES)):
                assert texts.review_body(fast, bucket, name, noun, cat) == _plain_body(plain, bucket, name, noun, cat)
                assert texts.review_title(fast, bucket, name, noun, cat) == \
                    _plain_title(plain, bucket, name, noun, cat)
                assert texts.product_description(fast, name, noun, cat, "with {name} braces") == \
                    _plain_description(plain, name, noun, cat, "with {name} braces")
        assert fast.getstate() == plain.getstate()


def test_review_body_draws_as_sample_for_every_population_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The written-out rng.sample(aspects, 2) for every size it takes (2 to 21) and beyond (22, 40: the
    general call), and after ASPECTS changed under it."""
    for size in (2, 3, 4, 7, 8, 15, 16, 17, 21, 22, 40):
        aspects = tuple(f"aspect {i}{'s' if i % 3 else ''}" for i in range(size))
        monkeypatch.setitem(texts.ASPECTS, "sized", aspects)
        monkeypatch.setitem(texts._SUBJECTS, "sized",
                            (aspects, size, tuple(f"{a} {texts._be(a)}" for a in aspects)))
        fast, plain = random.Random(size), random.Random(size)
        for _ in range(400):
            assert texts.review_body(fast, "neutral", "Big Lamp", "Lamp", "sized") == \
                _plain_body(plain, "neutral", "Big Lamp", "Lamp", "sized")
        assert fast.getstate() == plain.getstate()
    monkeypatch.setitem(texts.ASPECTS, "sized", ("replaced", "after import", "too"))
    fast, plain = random.Random(1), random.Random(1)
    for _ in range(50):
        assert texts.review_body(fast, "negative", "Lamp", "Lamp", "sized") == \
            _plain_body(plain, "negative", "Lamp", "Lamp", "sized")


def test_a_template_the_filler_cannot_write_as_format_does_is_refused() -> None:
    for template in ("{name!r}", "{noun:>10}", "{other}", "{0}", "{name.upper}"):
        with pytest.raises(ValueError, match="plain"):
            texts._filler(template)
    assert texts._filler("{{literal}} {name}")("a", "b", "c") == "{{literal}} {name}".format(name="a")


def test_review_texts_lie_within_the_lengths_their_drawers_claim() -> None:
    """The title and body drawers skip the schema's length check on the strength of these bounds."""
    rng = random.Random(8)
    (t_lo, t_hi), (b_lo, b_hi) = drawers._review_title.lengths, drawers._review_body.lengths
    seen: list[Any] = []
    for i in range(6000):
        state = drawers.RecordState(rng, "US", {"rating": 1 + i % 5})
        title, body = drawers._review_title(state), drawers._review_body(state)
        assert t_lo <= len(title) <= t_hi and b_lo <= len(body) <= b_hi
        seen += [len(title), len(body)]
    # Every title and every body of each bucket and category is reachable from a drawn product, and the
    # bounds are built from the longest and shortest pieces: the longest texts drawn come close to them.
    assert max(seen[0::2]) > t_hi * 0.6 and max(seen[1::2]) > b_hi * 0.6


def test_a_review_drawer_reads_the_rating_as_sentiment_bucket_does() -> None:
    for rating in (1, 2, 3, 4, 5, 0, 9, True, False, 4.0, "5", None, -3):
        fast, plain = random.Random(4), random.Random(4)
        record = {"rating": rating}
        state = drawers.RecordState(fast, "US", dict(record))
        title, body = drawers._review_title(state), drawers._review_body(state)
        other = drawers.RecordState(plain, "US", dict(record))
        name, noun, category = drawers._reviewed(other)
        bucket = texts.sentiment_bucket(rating)
        assert title == _plain_title(plain, bucket, name, noun, category)
        assert body == _plain_body(plain, bucket, name, noun, category)


# -- drawers written into the straight-line builders ---------------------------------------------------------


def _looping(draw: Any) -> Any:
    """``draw`` with every object and list builder in it (nested too) as its loop over its fields' drawers
    (warming.py's code, never specialised): the plain code the straight-line builders stand in for."""
    from types import FunctionType

    from pytest_testdata.generators.traditional import warming

    fields = getattr(draw, "object_fields", None)
    if fields is not None:
        return FunctionType(warming.build.__code__, {"FIELDS": tuple((n, _looping(d)) for n, d in fields),
                                                     "CALLS": 0, "WARM": 10**9}, "build")
    if getattr(draw, "source", "").startswith("def items("):
        names = draw.__globals__
        return FunctionType(warming.items.__code__, {
            "FIELDS": tuple((n, _looping(d)) for n, d in draw.fields), "LO": names["LO"], "HI": names["HI"],
            "COUNT": names["COUNT"], "CALLS": 0, "WARM": 10**9}, "items")
    return draw


def _dataset_schemas() -> list[Any]:
    """The built-in entities, and each as a dataset's job generates it (the fields it sets left undrawn)."""
    from pytest_testdata.engine import Engine
    from pytest_testdata.generators.traditional.derived import without_derived
    from pytest_testdata.schemas.model import Schema

    engine = Engine()
    schemas = [engine.registry.get(e) for e in ("cart", "order", "payment", "product", "review", "user")]
    undrawn = {"order": {"billing_address", "customer_id", "items.*.line_total", "items.*.name",
                         "items.*.product_id", "items.*.sku", "items.*.unit_price", "payment.amount",
                         "shipping_address", "totals.discount", "totals.subtotal", "totals.tax", "totals.total"},
               "payment": {"amount", "card_last_four", "currency", "method", "order_id"},
               "review": {"product_id", "user_id", "verified_purchase"}}  # (as datasets/request.py asks)
    enum = {"type": "string", "enum": ["a", "b", "c"]}
    inner = {"type": "object", "required": ["kind", "quantity", "ref_id"],
             "properties": {"kind": enum, "quantity": {"type": "integer", "minimum": 1, "maximum": 6},
                            "ref_id": {"type": "string", "format": "uuid"}}}
    nested = Schema.from_json_schema({"type": "object", "required": ["outer", "lines"], "properties": {
        "outer": {"type": "object", "required": ["inner", "kind"], "properties": {"inner": inner, "kind": enum}},
        "lines": {"type": "array", "minItems": 1, "maxItems": 5, "items": {
            "type": "object", "required": ["inner", "quantity"],
            "properties": {"inner": inner, "quantity": {"type": "integer", "minimum": 1, "maximum": 3}}}}}},
        name="nested_probe")
    schemas.append(nested)
    return schemas + [without_derived(engine.registry.get(e), frozenset(paths)) for e, paths in undrawn.items()]


@pytest.mark.parametrize("coverage", ["all", "required", "maximal"])
def test_straight_line_builders_draw_what_their_drawers_draw(coverage: str) -> None:
    """Record builders with drawers written in as expressions (UUIDs, enums, currencies, quantities, a card's
    last four digits, a list's length) and nested objects' literals in place of their builders' calls build
    what Plan.build builds calling every drawer through loops, for every entity, locale, scale and fewest."""
    import copy

    from pytest_testdata.generators.traditional.plan import Plan, plan_for
    from pytest_testdata.generators.traditional.straight import WARM_CALLS

    inlined = copied = 0
    for schema in _dataset_schemas():
        plan = plan_for(schema, {}, coverage)
        if "build" not in vars(plan):
            continue
        for _ in range(WARM_CALLS + 1):  # its straight-line code from now on
            plan.build(random.Random(0))
        inlined += plan.build.source.count(":= rng.getrandbits(")  # type: ignore[attr-defined]
        plain = copy.copy(plan)
        plain.drawn = [(name, _looping(draw)) for name, draw in plan.drawn or ()]
        for seed in range(40):
            for locale in (None, "de_DE", "ja_JP", "en_GB"):
                for scale, fewest in ((1.0, False), (0.5, False), (1.0, True)):
                    fast, slow = random.Random(seed), random.Random(seed)
                    made = plan.build(fast, locale, scale=scale, fewest=fewest)
                    expected = Plan.build(plain, slow, locale, scale=scale, fewest=fewest)
                    # the same values, and the same keys in the same order (objects built as copies too)
                    assert json.dumps(made, default=str) == json.dumps(expected, default=str), \
                        (schema.name, seed, locale)
                    assert fast.getstate() == slow.getstate()
                    copied += json.dumps(made, default=str).count('"line_total": null')
    assert inlined >= 10 and copied > 1000 if coverage == "all" else inlined >= 0


def _inline_value(draw: Any, state: Any, entity: str | None) -> Any:
    expression, names = draw.inline(entity)
    source = expression.replace("@", "X_")
    return eval(source, {f"X_{k}": v for k, v in names.items()}, {"state": state, "rng": state.rng})


def test_each_inline_expression_draws_what_its_drawer_draws() -> None:
    """Each drawer's expression against the drawer, with refused draws (enums of every size, a quantity at
    its bounds and at its fewest, a currency of every country and none, a UUID of several entities)."""
    from pytest_testdata.generators.traditional.plan import plan_for
    from pytest_testdata.schemas.model import Schema

    properties: dict[str, Any] = {f"e{n}": {"type": "string", "enum": [f"v{i}" for i in range(n)]}
                                  for n in range(1, 10)}
    properties.update(
        quantity={"type": "integer", "minimum": 1, "maximum": 10},
        few_quantity={"type": "integer", "minimum": 0, "maximum": 2},
        currency={"type": "string", "enum": ["USD", "EUR", "GBP", "JPY", "CHF"]},
        order_id={"type": "string", "format": "uuid"},
        card_last_four={"type": "string", "pattern": "^[0-9]{4}$"},
        rating={"type": "integer", "minimum": 1, "maximum": 5},
        one_value={"type": "integer", "minimum": 3, "maximum": 3},
        helpful_votes={"type": "integer", "minimum": 0, "maximum": 10000},
        stock_level={"type": "integer", "minimum": 2, "maximum": 900},
    )
    schema = Schema.from_json_schema({"type": "object", "properties": properties,
                                      "required": list(properties)}, name="inline_probe")
    plan = plan_for(schema, {}, "all")
    drawers_with = [(name, draw) for name, draw in plan.fields if getattr(draw, "inline", None) is not None]
    assert {name for name, _ in drawers_with} >= {*(f"e{n}" for n in range(1, 10)), "quantity", "currency",
                                                   "order_id", "card_last_four", "rating", "one_value",
                                                   "helpful_votes", "stock_level"}
    for name, draw in drawers_with:
        for entity in ("order", "user", "inline_probe", None):
            if draw.inline(entity) is None:
                assert entity is None and name == "order_id"
                continue
            for seed in range(300):
                country = drawers.COUNTRY_CODES[seed % len(drawers.COUNTRY_CODES)] if seed % 7 else "ZZ"
                fast = drawers.RecordState(random.Random(seed), country, fewest=seed % 11 == 0, entity=entity or "")
                slow = drawers.RecordState(random.Random(seed), country, fewest=seed % 11 == 0, entity=entity or "")
                assert _inline_value(draw, fast, entity) == draw(slow), (name, entity, seed)
                assert fast.rng.getstate() == slow.rng.getstate()


def test_a_card_kind_is_left_unchecked_only_when_its_tag_proves_the_field_s_check() -> None:
    """A card's last four digits drawn for ``^[0-9]{4}$`` are returned as drawn (no test per value); for any
    other pattern, lengths or a caller's constraint the drawer keeps its check."""
    from pytest_testdata.generators.traditional import kind_values
    from pytest_testdata.generators.traditional.kinds import _made_to_pass
    from pytest_testdata.types import FieldConstraint

    form = kind_values.card_last_four
    assert _made_to_pass(form, {"pattern": "^[0-9]{4}$"}, None)
    assert _made_to_pass(form, {"pattern": "^[0-9]{4}$", "minLength": 4, "maxLength": 4}, None)
    assert not _made_to_pass(form, {"pattern": "^[0-9]{3,4}$"}, None)
    assert not _made_to_pass(form, {"pattern": "^[0-9]{4}$", "maxLength": 3}, None)
    assert not _made_to_pass(form, {"pattern": "^[0-9]{4}$", "format": "date"}, None)
    assert not _made_to_pass(form, {"pattern": "^[0-9]{4}$"}, FieldConstraint(max_length=4))
    assert not _made_to_pass(kind_values.card_number, {"pattern": "^[0-9]{4}$"}, None)
    rng = random.Random(2)
    assert all(len(v) == 4 and v.isdigit() for v in (form(drawers.RecordState(rng, "US")) for _ in range(20000)))


def test_a_record_builder_draws_the_record_s_country_as_pick_country_does() -> None:
    expression, names = drawers.pick_country.inline("order")  # type: ignore[attr-defined]
    code = compile(expression.replace("@", "X_"), "<country>", "eval")
    values = {f"X_{k}": v for k, v in names.items()}
    for locale in (None, "", "de_DE", "ja_JP", "en_GB", "xx_YY", "fr_FR"):
        for seed in range(400):
            fast, slow = random.Random(seed), random.Random(seed)
            assert eval(code, values, {"rng": fast, "locale": locale}) == drawers.pick_country(slow, locale)
            assert fast.getstate() == slow.getstate()


@pytest.mark.parametrize("bounds", [(0, 50), (0, 1000), (5, 5.5), (0.5, 2e9), (1e8, 3e9), (0, None)])
def test_a_price_without_a_category_is_what_round_cents_of_its_clamp_makes(bounds: tuple[float, Any]) -> None:
    """An order's shipping (a money field with no product category) clamps and rounds written out: the same
    value as round_cents(min(max(value, lo), hi)), also for scales that push it past either bound."""
    import math

    from pytest_testdata.generators.traditional.cents import CENT, clean_price
    from pytest_testdata.quality.money import round_cents

    lo, hi = bounds
    node: dict[str, Any] = {"type": "number", "minimum": lo, "multipleOf": 0.01}
    if hi is not None:
        node["maximum"] = hi
    draw = drawers._number_drawer(node, "shipping", None, integer=False)
    flo = float(lo)
    fhi = float(hi) if hi is not None else max(flo * 10, 1000.0)
    log_lo, log_hi = math.log(max(flo, 0.01)), math.log(max(fhi, 0.02))

    def plain(rng: random.Random, scale: float) -> float:
        value = math.exp(log_lo + (log_hi - log_lo) * rng.random()) * scale
        if rng.random() < 0.5:
            value = math.floor(value) + 0.99
        value = round_cents(min(max(value, flo), fhi))
        return value if (value / CENT).is_integer() else clean_price(value, flo, fhi)

    for seed in range(3000):
        scale = (1.0, 0.001, 0.37, 3.0, 1e6)[seed % 5]
        fast, slow = random.Random(seed), random.Random(seed)
        state = drawers.RecordState(fast, "US", scale=scale)
        got, want = draw(state), plain(slow, scale)
        assert got == want and type(got) is type(want) and math.copysign(1, got) == math.copysign(1, want)
        assert fast.getstate() == slow.getstate()


# -- seventeenth round: the first rule's timestamps sorted in the builder, a review body as an expression ----


def _timestamps_schema(count: int, after: bool = False, rule_first: bool = True, before: str = "touching") -> Any:
    """A schema of ``count`` date-time fields whose names the timeline orders (created, steps, updated), last
    unless ``after`` (a field drawn after them), with an ``ordered`` rule first unless ``rule_first`` is off:
    then a rule before it that names the first timestamp (``before="touching"``) or leaves them alone
    (``"apart"``: a stock count's flag, whose rule has a vouching enforcer)."""
    from pytest_testdata.schemas.model import Schema

    names = ["created_at", *("paid_at", "shipped_at", "delivered_at", "closed_at")[:count - 2], "updated_at"]
    properties: dict[str, Any] = {"kind": {"type": "string", "enum": ["a", "b", "c"]},
                                  "stock": {"type": "integer", "minimum": 0, "maximum": 5},
                                  "in_stock": {"type": "boolean"}}
    properties.update({name: {"type": "string", "format": "date-time"} for name in reversed(names)})
    if after:  # a timestamp of no order (its name is in none), drawn after the ordered ones
        properties["reminder"] = {"type": "string", "format": "date-time"}
    first = {"touching": {"kind": "same_value", "fields": ["created_at"]},
             "apart": {"kind": "flag_iff_positive", "flag": "in_stock", "quantity": "stock"}}[before]
    coherence = [] if rule_first else [first]
    return Schema.from_json_schema({"type": "object", "properties": properties, "required": list(properties),
                                    "x-coherence": coherence},
                                   name=f"stamps_{count}_{after}_{rule_first}_{before}")


def _warm_pair(schema: Any) -> tuple[Any, Any]:
    """The schema's plan, warm (its compiled builders), and a copy whose drawers are the plain loops."""
    import copy

    from pytest_testdata.generators.traditional.plan import plan_for
    from pytest_testdata.generators.traditional.straight import WARM_CALLS

    plan = plan_for(schema, {}, "all")
    for _ in range(WARM_CALLS + 1):
        plan.build(random.Random(0))
        if plan.build_sure is not None:
            plan.build_sure(random.Random(0))
    plain = copy.copy(plan)
    plain.drawn = [(name, _looping(draw)) for name, draw in plan.drawn or ()]
    return plan, plain


@pytest.mark.parametrize("rule_first", [True, False])
@pytest.mark.parametrize("count", [2, 3, 5, 6])
def test_a_first_ordered_rule_over_the_last_timestamps_is_sorted_in_the_builder(count: int,
                                                                                rule_first: bool) -> None:
    """The builder sorts the timestamps the ordered rule orders (its fields drawn in another order than the
    rule's, refused draws included over 600 seeds), when it is the first rule or every rule before it leaves
    them alone, and writes what Plan.build writes enforcing Ordered, with the same random state; the vouching
    builder returns what its loop returns (records and ``sure``)."""
    from pytest_testdata.generators.traditional.plan import Plan
    from pytest_testdata.generators.traditional.straight import _vouching_loop

    plan, plain = _warm_pair(_timestamps_schema(count, rule_first=rule_first, before="apart"))
    at = 0 if rule_first else 1
    source = plan.build.source
    assert "Ordered" in source and ("sorted((" in source if count > 2 else "if T" in source)
    assert f"R{at}(record" not in source  # the ordered rule is not called
    assert rule_first or "R0(record, rng, values)  # FlagIffPositive" in source  # the rule before it is
    if not rule_first:  # written before the rule before it: that rule sees them ordered
        assert source.index("# Ordered") < source.index("R0(record")
    for seed in range(600):
        for locale in (None, "de_DE", "ja_JP"):
            fast, slow = random.Random(seed), random.Random(seed)
            made = plan.build(fast, locale)
            expected = Plan.build(plain, slow, locale)
            assert json.dumps(made) == json.dumps(expected), (seed, locale)
            assert fast.getstate() == slow.getstate()
    if plan.build_sure is not None:
        assert "enforced above" in plan.build_sure.source
        loop = _vouching_loop(plan.schema.name, plan.ceiling, [(n, d) for n, d in plan.drawn],
                              plan.rules, plan.steps, plan.deferred, plan.cents, object(),
                              drawers.pick_country, None)
        for seed in range(300):
            fast, slow = random.Random(seed), random.Random(seed)
            made, sure = plan.build_sure(fast, None)
            expected, expected_sure = loop(slow, None, 1.0, drawers.VALUES, False)
            assert json.dumps(made) == json.dumps(expected) and sure == expected_sure, seed
            assert fast.getstate() == slow.getstate()


@pytest.mark.parametrize(("after", "rule_first"), [(True, True), (False, False)])
def test_the_timestamps_are_left_to_the_rule_unless_it_is_first_and_they_are_last(after: bool,
                                                                                   rule_first: bool) -> None:
    """A field drawn after the timestamps, or a rule before the ordered one that names one of them: the builder
    calls the rule (its values are read and written in the record) and still builds what Plan.build builds."""
    from pytest_testdata.generators.traditional.plan import Plan

    plan, plain = _warm_pair(_timestamps_schema(4, after=after, rule_first=rule_first))
    assert "sorted((" not in plan.build.source and "# Ordered" in plan.build.source
    for seed in range(100):
        fast, slow = random.Random(seed), random.Random(seed)
        assert json.dumps(plan.build(fast)) == json.dumps(Plan.build(plain, slow))
        assert fast.getstate() == slow.getstate()


def test_the_sorted_group_is_the_rule_s_fields_last_drawn_by_the_timestamp_drawer() -> None:
    """_sorted_group takes the first rule's fields only when every condition holds (each broken in turn)."""
    from pytest_testdata.generators.traditional import timestamps
    from pytest_testdata.generators.traditional.straight import _sorted_group
    from pytest_testdata.quality.rules import Ordered, Sum

    stamp = timestamps.draw_of
    drawn = [("a", drawers.draw_none), ("created_at", stamp), ("updated_at", stamp)]
    ordered = Ordered({"kind": "ordered", "fields": ["created_at", "updated_at"]})
    assert _sorted_group(drawn, [ordered], None) == {"created_at": 0, "updated_at": 1}
    other = Sum({"kind": "sum", "target": "a", "terms": ["created_at"]})
    assert _sorted_group(drawn, [other, ordered], None) == {}  # a rule before it reads one of them
    apart = Sum({"kind": "sum", "target": "a", "terms": ["b", "-c"]})
    assert _sorted_group(drawn, [apart, ordered], None) == {"created_at": 0, "updated_at": 1}
    assert _sorted_group(drawn, [apart, Sum({**apart.spec, "target": "updated_at"}), ordered], None) == {}
    assert _sorted_group([*drawn, ("b", drawers.draw_none)], [ordered], None) == {}  # a field drawn after
    assert _sorted_group([*drawn, ("seen_at", stamp)], [ordered], None) == {}  # a timestamp drawn after
    assert _sorted_group([drawn[0], ("created_at", stamp), ("updated_at", drawers.draw_none)], [ordered],
                         None) == {}  # not the timestamp drawer
    nested = Ordered({"kind": "ordered", "fields": ["x.created_at", "updated_at"]})
    assert _sorted_group(drawn, [nested], None) == {}  # not top-level keys

    class Step:
        always_held, held_in = False, {"US": True}
    assert _sorted_group(drawn, [ordered], [Step()]) == {}  # a vouching step that may be skipped


def test_a_review_body_expression_draws_what_its_drawer_draws() -> None:
    """The review body's expression against ``_review_body`` for products set and not (each of name, noun
    and category missing), every rating shape, with the random state after."""
    ratings = (1, 2, 3, 4, 5, 0, 9, True, 4.0, "5", None)
    for seed in range(400):
        rng = random.Random(seed)
        product = [None, None, None]
        if seed % 5:  # a product drawn first, as a review's title does (one of its three parts dropped at times)
            state = drawers.RecordState(rng, "US")
            product = [drawers._product_name(state), state.noun, state.category]
            if seed % 5 == 1:
                product[seed % 3] = None
        rating = ratings[seed % len(ratings)]
        states = []
        for _ in range(2):
            state = drawers.RecordState(random.Random(seed * 7), "US", {"rating": rating})
            state.product, state.noun, state.category = product
            states.append(state)
        assert _inline_value(drawers._review_body, states[0], "review") == drawers._review_body(states[1]), seed
        assert states[0].rng.getstate() == states[1].rng.getstate()
        assert (states[0].product, states[0].noun, states[0].category) == \
               (states[1].product, states[1].noun, states[1].category)


def test_a_list_item_with_a_review_body_keeps_its_category_reset() -> None:
    """An items builder whose only drawn field is a review body (an expression reading state.category) resets
    the category before each item, and builds what the plain loop builds."""
    from pytest_testdata.generators.traditional.fastrand import between
    from pytest_testdata.generators.traditional.straight import items_builder

    items = items_builder([("body", drawers._review_body), ("x", drawers.draw_none)], 1, 4, between)
    assert "state.category = None  # each line item" in items.source
    plain = _looping(items)
    for _ in range(70):  # warm: its straight-line code
        items(drawers.RecordState(random.Random(0), "US"))
    for seed in range(200):
        fast = drawers.RecordState(random.Random(seed), "US", {"rating": seed % 6})
        slow = drawers.RecordState(random.Random(seed), "US", {"rating": seed % 6})
        fast.category = slow.category = "books"
        fast.product = slow.product = "A book"
        fast.noun = slow.noun = "Book"
        assert items(fast) == plain(slow), seed
        assert fast.rng.getstate() == slow.rng.getstate()


def test_reviewed_returns_the_category_as_category_of_the_state_does() -> None:
    """_reviewed reads a category already set, else draws it as _category does (a record's own, a ceiling's)."""
    for seed in range(200):
        record = {"category": "books"} if seed % 3 == 0 else {}
        fast = drawers.RecordState(random.Random(seed), "US", dict(record), ceiling=40.0 if seed % 4 == 1 else None)
        slow = drawers.RecordState(random.Random(seed), "US", dict(record), ceiling=40.0 if seed % 4 == 1 else None)
        for state in (fast, slow):
            state.product, state.noun = "A thing", "Thing"
            state.category = "toys" if seed % 2 else None
        assert drawers._reviewed(fast) == (slow.product, slow.noun, drawers._category(slow))
        assert fast.rng.getstate() == slow.rng.getstate()


def test_the_four_digits_table_is_the_zero_padded_format_of_every_index() -> None:
    """Each of the 10,000 entries of the card's table is ``f"{i:04d}"``; the card's expression draws what the
    drawer draws (refused draws included), with the random state after."""
    from pytest_testdata.generators.traditional import kind_values

    table = kind_values.four_digits()
    assert len(table) == 10_000 and all(text == f"{i:04d}" for i, text in enumerate(table))
    draw = kind_values.card_last_four
    for seed in range(2_000):
        fast = drawers.RecordState(random.Random(seed), "US")
        slow = drawers.RecordState(random.Random(seed), "US")
        assert _inline_value(draw, fast, "order") == draw(slow), seed
        assert fast.rng.getstate() == slow.rng.getstate()


def test_a_rule_leaves_the_timestamps_alone_only_when_its_spec_names_none_of_them() -> None:
    """vouch.leaves_alone: a known rule whose spec's texts name none of the keys, nor start with a wildcard;
    every other case says False (a key anywhere in the spec, a nested one, a wildcard, an unknown rule, a spec
    value it cannot read)."""
    from pytest_testdata.generators.traditional.vouch import leaves_alone
    from pytest_testdata.quality.rules import FlagIffPositive, Ordered, Rule, SameValue, Sum

    keys = ("created_at", "updated_at")
    assert leaves_alone(FlagIffPositive({"kind": "flag_iff_positive", "flag": "f", "quantity": "q"}), keys)
    assert leaves_alone(Sum({"kind": "sum", "target": "t", "terms": ["a", "-b"]}), keys)
    assert leaves_alone(Ordered({"kind": "ordered", "fields": ["a", "b"]}), keys)
    assert not leaves_alone(Sum({"kind": "sum", "target": "t", "terms": ["a", "-updated_at"]}), keys)
    assert not leaves_alone(SameValue({"kind": "same_value", "fields": ["x.created_at"]}), keys)
    assert not leaves_alone(SameValue({"kind": "same_value", "fields": ["*.a"]}), keys)
    assert not leaves_alone(Sum({"kind": "sum", "target": "t", "terms": ["a", "-*"]}), keys)
    assert not leaves_alone(SameValue({"kind": "same_value", "fields": [{"x": "created_at"}]}), keys)
    assert not leaves_alone(SameValue({"kind": "same_value", "fields": [object()]}), keys)
    assert not leaves_alone(Rule({"kind": "custom", "field": "a"}), keys)  # a kind vouch.py does not know


def test_the_built_in_user_and_product_sort_their_timestamps_in_the_builder() -> None:
    """A user's ordered rule comes after four rules, a product's after one, none naming the timestamps: both
    builders (plain and vouching) sort them before the rules and call no ordered rule (the sixteenth round's
    test of every built-in entity against Plan.build holds their records together)."""
    from pytest_testdata.schemas.registry import SchemaRegistry

    registry = SchemaRegistry()
    for entity in ("user", "product"):
        plan, _ = _warm_pair(registry.get(entity))
        assert plan.build_sure is not None
        for source in (plan.build.source, plan.build_sure.source):
            assert "  # Ordered\n" in source  # the swap
            assert not any("(record, rng, values)" in line and "# Ordered" in line for line in source.splitlines())
            assert source.index("# Ordered") < source.index("R0(record")
