"""Records the traditional plan vouches for are coherent, and nothing else is taken on trust.

The plan enforces each coherence rule while it builds a record; where it can tell that the rule holds
afterwards (generators/traditional/vouch.py), the engine scores the record 1.0 without checking the rules
again. These tests hold that to account: the vouching builder builds the very records the plain one
builds, a vouch is only given where the rule's own check agrees, and records that really break a rule
(invalid variants, hand-broken values, a value source that draws bad values) are still checked and
reported.
"""

from __future__ import annotations

import contextlib
import copy
import random
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional import vouch
from pytest_testdata.generators.traditional.plan import plan_for
from pytest_testdata.generators.traditional.pools import REAL_VALUES, VALUES, Values
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.types import GenerationRequest

LOCALES = (None, "en_US", "en_GB", "de_DE", "fr_FR", "en_CA", "ja_JP", "pt_BR", "es_ES", "it_IT", "nl_NL",
           "en_AU", "en_IN")
JUNK: tuple[Any, ...] = (None, "", "x", "US", "GB", "DE", "CA", "ZZ", "12345", "SW1A 1AA", "K1A 0B1",
                         "+1 202 555 0100", "+44 20 7946 0000", "2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z",
                         -1, 0, 3, 2.5, -4.99, float("nan"), True, [], {}, ["x"], {"a": 1}, "Zoë", "佐藤")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _mutate(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One or two values somewhere in the record replaced, a key dropped or a list emptied."""
    for _ in range(rng.randint(1, 2)):
        node: Any = record
        while True:
            if isinstance(node, dict) and node:
                key = rng.choice(sorted(node))
                if rng.random() < 0.5 or not isinstance(node[key], (dict, list)) or not node[key]:
                    action = rng.random()
                    if action < 0.15:
                        del node[key]
                    elif action < 0.25 and isinstance(node[key], list):
                        node[key] = []
                    else:
                        node[key] = rng.choice(JUNK)
                    break
                node = node[key]
            elif isinstance(node, list) and node:
                node = rng.choice(node)
            else:
                break
    return record


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_the_vouching_builder_builds_what_the_plain_builder_builds(engine: Engine, entity: str) -> None:
    plan = plan_for(engine.registry.get(entity))
    assert plan.build_sure is not None, "the plan of this entity can vouch for its rules"
    vouched = 0
    for seed in range(60):
        for locale in LOCALES:
            for values in (VALUES, REAL_VALUES):
                for scale, fewest in ((1.0, False), (0.2, False), (3.0, False), (1.0, True)):
                    fast, plain = random.Random(seed), random.Random(seed)
                    record, sure = plan.build_sure(fast, locale, scale=scale, fewest=fewest, values=values)
                    assert record == plan.build(plain, locale, scale=scale, fewest=fewest, values=values)
                    assert fast.getstate() == plain.getstate()
                    vouched += sure
    assert vouched > 60 * len(LOCALES) * 8 * (0.5 if entity == "cart" else 0.95)


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_every_record_vouched_for_passes_every_rule(engine: Engine, entity: str) -> None:
    schema = engine.registry.get(entity)
    plan, scorer = plan_for(schema), scorer_for(schema)
    assert plan.build_sure is not None
    for locale in LOCALES:
        rng = random.Random(locale)
        for _ in range(300):
            record, sure = plan.build_sure(rng, locale)
            if sure:
                assert [rule.describe() for rule in scorer.rules if rule.check(record) is False] == [], record
                assert scorer.plain_score(record) == 1.0


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_each_rule_vouches_only_when_its_check_agrees(engine: Engine, entity: str) -> None:
    # Each vouching enforcer against the rule's own enforce and check, on records with broken values of
    # every kind: the same record and draws as enforce; HELD only if it changed nothing; HELD or MADE only
    # if check() then finds no fault.
    schema = engine.registry.get(entity)
    rules = plan_for(schema).rules
    steps = vouch.sure_builder_steps(rules)
    assert steps is not None
    rng = random.Random(entity)
    records = engine.generate(GenerationRequest.checked(entity, 150, strategy="traditional", seed=3)).records
    seen = {vouch.UNSURE: 0, vouch.HELD: 0, vouch.MADE: 0}
    for original in records:
        for _ in range(8):
            broken = _mutate(copy.deepcopy(original), rng)
            for rule, step in zip(rules, steps, strict=True):
                sure = step.sure
                fast, plain = copy.deepcopy(broken), copy.deepcopy(broken)
                seed = rng.getrandbits(32)
                fast_rng, plain_rng = random.Random(seed), random.Random(seed)
                try:
                    rule.enforce(plain, plain_rng, VALUES)
                except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                    with pytest.raises((TypeError, ValueError, KeyError, AttributeError, IndexError)):
                        sure(fast, fast_rng, VALUES)
                    continue
                status = sure(fast, fast_rng, VALUES)
                assert repr(fast) == repr(plain) and fast_rng.getstate() == plain_rng.getstate(), rule.describe()
                seen[status] += 1
                if status == vouch.HELD:
                    assert repr(fast) == repr(broken), (rule.describe(), broken)
                if status != vouch.UNSURE:
                    try:
                        outcome = rule.check(fast)
                    except (TypeError, ValueError, KeyError, AttributeError):
                        outcome = False
                    assert outcome is not False, (rule.describe(), broken, fast)
    assert all(seen.values()), seen  # every outcome came up, so each was compared


def test_a_drawn_value_that_breaks_its_rule_is_not_vouched_for(engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A value source that draws postal codes and phones of the wrong shape: the records break their rules,
    # and the plan must not vouch for them (the rule is checked on the drawn value, not assumed).
    schema = engine.registry.get("user")
    plan, scorer = plan_for(schema), scorer_for(schema)
    assert plan.build_sure is not None
    monkeypatch.setattr(Values, "postal_code", lambda self, country, rng: "not a postal code")
    monkeypatch.setattr(Values, "phone", lambda self, country, rng, region=None: "+0 not a phone")
    rng = random.Random(5)
    checked = 0
    for _ in range(300):
        record = plan.build(rng, "en_US")
        record["addresses"][0]["postal_code"] = "?"  # the postal rule must draw one
        record["phone"] = "+99"  # and the phone rule too
        for rule, step in zip(plan.rules, vouch.sure_builder_steps(plan.rules) or [], strict=True):
            status = step.sure(record, rng, VALUES)
            if rule.kind in ("postal_code_matches_country", "phone_matches_country"):
                assert status == vouch.UNSURE and rule.check(record) is False
                checked += 1
        assert scorer.plain_score(record) < 1.0
    assert checked == 600


def test_conflicting_rules_vouch_only_when_they_changed_nothing() -> None:
    assert vouch.overlap("addresses.*.country", "addresses.0.country")
    assert vouch.overlap("addresses", "addresses.*.postal_code")
    assert vouch.overlap("addresses.*.country", "addresses.*.country")
    assert not vouch.overlap("addresses.*.postal_code", "addresses.0.country")
    assert not vouch.overlap("email", "first_name")
    engine = Engine()
    rules = plan_for(engine.registry.get("user")).rules
    steps = vouch.sure_builder_steps(rules)
    assert steps is not None
    # same_value copies the first address's country to the others: it writes what the phone and postal
    # rules before it check, so it vouches only when it changed nothing.
    assert [(rule.kind, step.undoes) for rule, step in zip(rules, steps, strict=True)] == [
        ("email_from_name", False), ("phone_matches_country", False), ("postal_code_matches_country", False),
        ("same_value", True), ("ordered", False)]
    record = {"phone": "+1 202 555 0100", "addresses": [
        {"country": "US", "state": "DC", "postal_code": "20001"}, {"country": "GB", "postal_code": "20001"}]}
    status = steps[3].sure(record, random.Random(1), VALUES)
    assert status == vouch.MADE and record["addresses"][1]["country"] == "US"
    # In the user's own plan every address is the address drawer's (the record's country in each): the
    # builder leaves same_value out instead (test_rules_the_drawers_make_hold_are_left_out below).
    plan = plan_for(engine.registry.get("user"))
    source = plan.build_sure.source  # type: ignore[union-attr]
    assert "# SameValue: holds by construction" in source and "R3(" not in source


def test_rules_the_drawers_make_hold_are_left_out_and_the_records_stay_the_same() -> None:
    from pytest_testdata.generators.traditional.pools import data_of
    from pytest_testdata.locales.countries import CALLING_CODES, NANP, postal_code_matches

    engine = Engine()
    plan = plan_for(engine.registry.get("user"))
    steps = vouch.sure_builder_steps(plan.rules, plan.drawn)
    assert steps is not None
    assert [(rule.kind, step.always_held, step.held_in) for rule, step in zip(plan.rules, steps, strict=True)] == [
        ("email_from_name", False, None), ("phone_matches_country", False, vouch.PHONES_FIT),
        ("postal_code_matches_country", False, vouch.POSTAL_CODES_FIT), ("same_value", True, None),
        ("ordered", False, None)]
    # A country's table entry says True only when every code its places give, and every international
    # layout of its numbers, passes the rule's own check (GB's places hold outward codes, completed per record).
    for country in CALLING_CODES:
        places = data_of(country).places
        if vouch.POSTAL_CODES_FIT[country]:
            assert all(postal_code_matches(str(row[0]), country) for row in places), country
        if vouch.PHONES_FIT[country]:
            data = data_of(country)
            assert country not in NANP and all(
                r[3].startswith(CALLING_CODES[country] + " ") for r in (*data.fixed, *data.mobile)), country
    # FR too since its data lost the one code without its shape (tests/test_locale_data.py).
    assert vouch.POSTAL_CODES_FIT["US"] and vouch.POSTAL_CODES_FIT["FR"] and vouch.PHONES_FIT["DE"]
    assert not vouch.PHONES_FIT["US"] and not vouch.POSTAL_CODES_FIT["GB"]
    # The builder that leaves them out builds what the rule-by-rule build does, draw for draw, and the
    # rules it left out hold on every record.
    assert plan.build_sure is not None
    left_out = [rule for rule, step in zip(plan.rules, steps, strict=True) if step.always_held or step.held_in]
    for locale in LOCALES:
        fast_rng, plain_rng = random.Random(3), random.Random(3)
        for _ in range(150):
            record, sure = plan.build_sure(fast_rng, locale)
            assert record == plan.build(plain_rng, locale) and fast_rng.getstate() == plain_rng.getstate()
            assert sure and all(rule.check(record) is not False for rule in left_out), (locale, record)


def test_a_rule_over_fields_another_drawer_made_is_not_left_out() -> None:
    # Only the address and phone drawers' values are known to hold; a list of other objects (its own
    # country field) or a phone from a caller's own drawer keeps its rule.
    from pytest_testdata.quality.rules import build_rules

    rules = build_rules(({"kind": "same_value", "fields": ["addresses.*.country"]},
                         {"kind": "postal_code_matches_country", "addresses": "addresses"},
                         {"kind": "phone_matches_country", "phone": "phone", "country": "addresses.0.country"}),
                        "test")
    steps = vouch.sure_builder_steps(rules, [("addresses", lambda state: []), ("phone", lambda state: "+44 1")])
    assert steps is not None
    assert [(step.always_held, step.held_in) for step in steps] == [(False, None)] * 3


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_the_engine_scores_vouched_records_as_the_rules_would(engine: Engine, entity: str) -> None:
    scorer = scorer_for(engine.registry.get(entity))
    for seed in range(4):
        for locale in LOCALES:
            result = engine.generate(GenerationRequest.checked(entity, 50, strategy="traditional", seed=seed,
                                                               locale=locale))
            assert result.metadata.coherence_scores == [scorer.plain_score(r) for r in result.records]


@pytest.mark.parametrize(("entity", "rule_id", "kind"), [
    ("user", "phone-regex+phone_matches_country", "phone_matches_country"),
    ("user", "addresses.postal_code-max_length+postal_code_matches_country", "postal_code_matches_country"),
    ("user", "email-format+email_from_name", "email_from_name"),
    ("cart", "subtotal-min+sum_of_products", "sum_of_products"),
])
def test_an_invalid_variant_that_breaks_a_rule_is_scored_and_reported(engine: Engine, entity: str,
                                                                       rule_id: str, kind: str) -> None:
    # The generator vouched for these records before the variant broke them: the engine must not trust
    # that any more, and the score and the violations must say what is broken.
    result = engine.generate(GenerationRequest.checked(entity, 6, strategy="traditional", seed=4,
                                                       variant="invalid", options={"break": rule_id}))
    assert all(score < 1.0 for score in result.metadata.coherence_scores), result.metadata.coherence_scores
    scorer = scorer_for(engine.registry.get(entity))
    for record in result.records:
        assert any(rule.kind == kind and rule.check(record) is False for rule in scorer.rules)
    assert {v.record for v in result.metadata.violations} == set(range(6))


def test_records_of_a_derived_fields_request_are_not_vouched_for(engine: Engine) -> None:
    # A dataset's request leaves fields undrawn and the rules out of the plan: its plan vouches for rules
    # that are not the schema's, so the generator gives no vouch.
    from pytest_testdata.generators.traditional.derived import DERIVED_OPTION

    schema = engine.registry.get("user")
    request = GenerationRequest.checked("user", 20, strategy="traditional", seed=1,
                                        options={DERIVED_OPTION: ["email"]})
    output = engine.generator("traditional").generate(request, schema, 1)
    assert output.coherent == frozenset()
    plain = engine.generator("traditional").generate(
        GenerationRequest.checked("user", 20, strategy="traditional", seed=2), schema, 2)
    assert plain.coherent == frozenset(range(20))


# -- formats and patterns the drawers always make ---------------------------------------------------------

def _split(made: frozenset[str]) -> tuple[set[str], set[str]]:
    """The paths whose format and pattern are made, and (``=`` marked) those whose whole value is."""
    mark = vouch.VALUE_MARK
    return {p for p in made if not p.startswith(mark)}, {p[len(mark):] for p in made if p.startswith(mark)}


def test_the_paths_whose_shape_is_made_by_construction(engine: Engine) -> None:
    shapes, values = _split(plan_for(engine.registry.get("cart")).made_shapes)
    assert shapes == {"cart_id", "customer_id", "items.*.product_id", "items.*.sku", "created_at", "updated_at"}
    # Whole values: the list of items (its length, its elements' keys) and every item field but the price,
    # which the cent cleaner may move; the totals are the rules' and the cleaner's.
    assert values == {"cart_id", "customer_id", "items", "items.*.product_id", "items.*.sku", "items.*.name",
                      "items.*.quantity", "currency", "created_at", "updated_at"}
    # created_at and updated_at: the ordered rule only swaps two timestamps of the same drawer.
    shapes, values = _split(plan_for(engine.registry.get("user")).made_shapes)
    assert shapes == {"user_id", "created_at", "updated_at"}
    # Names fitted to their lengths and the tier drawn from its enum hold their whole subschema too.
    assert values == shapes | {"first_name", "last_name", "loyalty_tier"}


def test_a_string_fitted_to_its_lengths_is_trusted_whole_and_holds_them(engine: Engine) -> None:
    # Names cut to at most 3 characters and padded to at least 2 (most first names are longer): the fitted
    # drawer says what it makes, and every value it makes, cut or padded, passes the field's checks.
    from pytest_testdata.quality.validator import _quiet

    schema = _custom(engine, {
        "title": "badge", "type": "object", "additionalProperties": False, "required": ["short", "tier"],
        "properties": {"short": {"type": "string", "minLength": 2, "maxLength": 3, "x-gen": "person.first_name"},
                       "tier": {"type": "string", "enum": ["a", "b"]}}})
    plan = plan_for(schema)
    assert _split(plan.made_shapes)[1] == {"short", "tier"}
    check = _quiet(schema.json_schema["properties"]["short"])
    lengths = set()
    for locale in LOCALES:
        rng = random.Random(locale)
        for _ in range(50):
            record = plan.build(rng, locale)
            assert check(record["short"]), record
            lengths.add(len(record["short"]))
    assert lengths == {2, 3}


def test_a_value_is_trusted_only_where_the_drawer_makes_what_the_schema_asks() -> None:
    tag = {"type": "integer", "minimum": 1, "maximum": 10}
    assert vouch.implies(tag, {"type": "integer", "minimum": 0, "maximum": 10, "description": "how many"})
    assert not vouch.implies(tag, {"type": "integer", "minimum": 2, "maximum": 10})  # 1 is drawn
    assert not vouch.implies(tag, {"type": "integer", "maximum": 9})
    assert not vouch.implies(tag, {"type": "integer", "exclusiveMaximum": 10})  # a keyword it does not know
    assert not vouch.implies(tag, {"type": "integer", "multipleOf": 2})
    assert not vouch.implies(tag, {"type": ["integer", "null"]})
    assert not vouch.implies(tag, {"minimum": 1})  # no type: not judged here
    words = {"type": "string", "enum": ("EUR", "USD")}
    assert vouch.implies(words, {"type": "string", "enum": ["USD", "EUR", "GBP"]})
    assert not vouch.implies(words, {"type": "string", "enum": ["USD"]})
    assert not vouch.implies({"type": "string", "format": "uuid"},
                             {"type": "string", "format": "uuid", "x-patterns": ["^a"]})  # a caller's regex
    assert not vouch.implies({"type": "string", "minLength": 8, "maxLength": 50},
                             {"type": "string", "maxLength": 40})


def _custom(engine: Engine, document: dict[str, Any]) -> Any:
    from pytest_testdata.schemas.model import Schema
    from pytest_testdata.schemas.registry import SchemaRegistry

    registry = SchemaRegistry(builtins=False)
    return registry.register(Schema.from_json_schema(document))


def test_a_format_is_trusted_only_from_a_drawer_that_always_makes_it(engine: Engine) -> None:
    schema = _custom(engine, {
        "title": "ticket", "type": "object", "additionalProperties": False,
        "required": ["id", "short", "copied", "opened", "closed", "seen", "sku", "code", "dated"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "sku": {"type": "string", "x-gen": "sku", "pattern": "^[A-Z]{3}-[0-9]{5}$"},
            "code": {"type": "string", "x-gen": "sku", "pattern": "^[A-Z]{3}-[0-9]{4}"},  # not the drawer's
            "dated": {"type": "string", "format": "date-time", "pattern": "^2"},  # a pattern no tag covers
            "short": {"type": "string", "format": "uuid", "maxLength": 12},  # cut to fit: no longer a UUID
            "copied": {"type": "string", "format": "uuid"},  # a rule writes it
            "opened": {"type": "string", "format": "date-time"},
            "closed": {"type": "string", "format": "date-time"},
            "seen": {"type": "string", "format": "date"},  # no drawer claims dates
        },
        "x-coherence": [{"kind": "same_value", "fields": ["copied", "id"], "source": "id"},
                        {"kind": "ordered", "fields": ["opened", "closed"]}],
    })
    plan = plan_for(schema)
    steps = vouch.sure_builder_steps(plan.rules)
    assert steps is None  # same_value with a source has no vouching enforcer: no build_sure at all
    assert plan.build_sure is None and plan.made_shapes == frozenset()
    drawn = list(plan.drawn or [])
    made = vouch.made_shapes(schema.json_schema, drawn, [
        vouch.Step(lambda *a: 0, False, ("copied", "id")),  # a rule that writes both
        vouch.Step(lambda *a: 0, False, ("opened", "closed"), permutes=True)])
    assert made == {"opened", "closed", "sku"}
    made = vouch.made_shapes(schema.json_schema, drawn, [], cleaner_writes=("opened",))
    assert made == {"id", "copied", "closed", "sku"}
    # The records agree: every value at a trusted path has its format.
    from pytest_testdata.quality.validator import _FORMATS

    rng = random.Random(3)
    for _ in range(200):
        record = plan.build(rng)
        assert all(_FORMATS["uuid"](record[p]) for p in ("id", "copied"))
        assert all(_FORMATS["date-time"](record[p]) for p in ("opened", "closed"))
        assert not _FORMATS["uuid"](record["short"])


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_every_value_at_a_trusted_path_has_its_shape(engine: Engine, entity: str) -> None:
    import re2

    from pytest_testdata.quality.paths import get_all
    from pytest_testdata.quality.validator import _FORMATS, validator_for

    schema = engine.registry.get(entity)
    plan = plan_for(schema)
    nodes = {path: schema.subschema(path) or {} for path in _split(plan.made_shapes)[0]}
    assert {str(n.get("format")) for n in nodes.values()} >= {"uuid", "date-time"}
    validator = validator_for(schema, {})
    trusting = validator._accepts_made(plan.made_shapes)  # the acceptor the engine uses for these records
    patterns = 0
    for locale in LOCALES:
        rng = random.Random(str(locale))
        for _ in range(300):
            record = plan.build(rng, locale)
            for path, node in nodes.items():
                for value in get_all(record, path):
                    if "format" in node:
                        assert _FORMATS[node["format"]](value), (path, value)
                    if "pattern" in node:  # judged by RE2 itself, the validator's reference
                        assert re2.search(node["pattern"], value) is not None, (path, value)
                        patterns += 1
            assert trusting(record) is validator.acceptor.function(record) is True
    assert patterns > 0 or entity == "user"


@pytest.mark.parametrize("rule_id", ["cart_id-format", "items.product_id-format", "created_at-format",
                                     "updated_at-format", "items.sku-regex"])
def test_an_invalid_variant_that_breaks_a_trusted_shape_is_reported(engine: Engine, rule_id: str) -> None:
    result = engine.generate(GenerationRequest.checked("cart", 5, strategy="traditional", seed=8,
                                                       variant="invalid", options={"break": rule_id}))
    path, _, kind = rule_id.partition("-")
    head, _, tail = path.partition(".")  # items.product_id is reported as items.2.product_id
    found = {v.record for v in result.metadata.violations if v.rule == kind
             and v.field.split(".")[0] == head and v.field.split(".")[-1] == (tail or head)}
    assert found == set(range(5)), result.metadata.violations


@pytest.mark.parametrize("entity", ["user", "cart", "product"])
def test_every_value_at_a_path_vouched_for_passes_its_checks(engine: Engine, entity: str) -> None:
    # Each value the plan vouches for whole passes the reporting checks of its subschema (the validator's
    # slow path, which alone decides what is reported); a list of items also has exactly its keys.
    from pytest_testdata.quality.paths import get_all
    from pytest_testdata.quality.validator import _quiet, validator_for

    schema = engine.registry.get(entity)
    plan = plan_for(schema)
    values = _split(plan.made_shapes)[1]
    def node_at(path: str) -> Any:
        node: Any = schema.json_schema
        for part in path.split("."):
            node = node["items"] if part == "*" else node["properties"][part]
        return node

    nodes = {path: node_at(path) for path in values}
    checks = {path: _quiet(node) for path, node in nodes.items()}  # type: ignore[arg-type]
    validator = validator_for(schema, {})
    trusting = validator._accepts_made(plan.made_shapes)
    seen = 0
    for locale in LOCALES:
        rng = random.Random(f"{entity} {locale}")
        for _ in range(200):
            record, _sure = plan.build_sure(rng, locale)  # type: ignore[misc]
            for path in values:
                for value in get_all(record, path):
                    assert checks[path](value), (path, value)
                    seen += 1
            for item in record.get("items", []) if "items" in values else []:
                assert set(item) == set(schema.json_schema["properties"]["items"]["items"]["properties"])
            assert trusting(record) is validator.acceptor.function(record) is True
    assert seen > 0


@pytest.mark.parametrize("rule_id", ["items-min_items", "items-max_items", "items.name-min_length",
                                     "items.name-max_length", "items.quantity-min", "items.quantity-max",
                                     "currency-enum", "cart_id-required", "items-required"])
def test_an_invalid_variant_that_breaks_a_value_vouched_for_is_reported(engine: Engine, rule_id: str) -> None:
    # The invalid variant changed the records: nothing is vouched for, and each broken value is reported.
    result = engine.generate(GenerationRequest.checked("cart", 5, strategy="traditional", seed=8,
                                                       variant="invalid", options={"break": rule_id}))
    path, _, kind = rule_id.partition("-")
    head, _, tail = path.partition(".")
    found = {v.record for v in result.metadata.violations if v.rule == kind
             and v.field.split(".")[0] == head and v.field.split(".")[-1] == (tail or head)}
    assert found == set(range(5)), result.metadata.violations


def test_the_validator_trusts_a_vouched_value_only_in_records_it_is_told_about(engine: Engine) -> None:
    # The same broken records given to the validator with the plan's paths and without: a value the plan
    # vouches for that is then changed by hand is a record nobody vouched for; here the caller lies, and
    # only the format-and-value tests of those paths are skipped, nothing else.
    from pytest_testdata.quality.validator import validator_for

    schema = engine.registry.get("cart")
    plan = plan_for(schema)
    validator = validator_for(schema, {})
    records = engine.generate(GenerationRequest.checked("cart", 20, strategy="traditional", seed=9)).records
    broken = copy.deepcopy(records)
    for record in broken:
        record["items"][0]["unit_price"] = -1.0  # not vouched for (the cent cleaner's): still checked
        record["tax"] = "x"
    told = validator.validate(broken, (), plan.made_shapes)
    assert told == validator.validate(broken)
    assert {(v.field, v.rule) for v in told} >= {("items.0.unit_price", "min"), ("tax", "type")}


class _Dict(dict):  # type: ignore[type-arg]
    """A dict subclass: the cleaner's fast reads are for plain dicts only."""


def test_a_cart_the_cent_cleaner_moved_stays_vouched_for_only_when_its_rules_hold(engine: Engine) -> None:
    # The cleaner says whether every rule still holds after its moves (CentMoves.clean); a cart it vouches
    # for is scored 1.0 without a check, so the scorer must agree every time. A dict subclass takes the
    # cleaner's general reads and writes: the same moves, and never vouched for.
    schema = engine.registry.get("cart")
    plan, scorer = plan_for(schema), scorer_for(schema)
    assert plan.cents is not None and plan.cents.moves(plan.rules).vouches
    rng = random.Random(12)
    vouched = 0
    for seed in range(400):
        record, _sure = plan.build_sure(random.Random(seed))  # type: ignore[misc]
        # A price whose quotient by 0.01 is not whole (66.99), the totals derived from it by the rules.
        record["items"][rng.randrange(len(record["items"]))]["unit_price"] = rng.choice((66.99, 0.07, 1.13, 9.99))
        for rule in plan.rules:
            rule.enforce(record, random.Random(seed), VALUES)
        if not plan.cents.dirty(record):
            continue
        subclass = _Dict(copy.deepcopy(record))
        plain_rng, general_rng = random.Random(seed), random.Random(seed)
        sure = plan.cents.clean(record, plan.rules, plain_rng, VALUES)
        assert not plan.cents.clean(subclass, plan.rules, general_rng, VALUES)
        assert repr(dict(subclass)) == repr(record) and plain_rng.getstate() == general_rng.getstate()
        assert not plan.cents.dirty(record) or not sure
        if sure:
            assert scorer.plain_score(record) == 1.0, record
            vouched += 1
    assert vouched > 100


@pytest.mark.parametrize("copied_prices", [False, True], ids=["order", "dataset order"])
def test_an_order_the_cent_cleaner_moved_is_vouched_for_only_when_its_rules_hold(engine: Engine,
                                                                                 copied_prices: bool) -> None:
    # An order's money is nested (items.*.line_total, totals.*): the cleaner tracks its runs of the deriving
    # rules (generators/traditional/cent_runs.py). A dataset's chunk scores an order it vouches for 1.0
    # without a check, so every rule's own check must agree each time, on orders of every shape: prices with
    # rejected cents, and values of the wrong type or missing anywhere (the rules enforced first, so that
    # each held before cleaning, as in a chunk). In a dataset the prices are copied from the products and
    # the quantities move instead.
    from pytest_testdata.generators.traditional.cents import CentCleaner
    from pytest_testdata.quality.rules import build_rules

    schema = engine.registry.get("order")
    rules = build_rules(schema.coherence, schema.source)
    fixed = frozenset({"items.*.unit_price"} if copied_prices else ())
    cleaner = CentCleaner.for_schema(schema.json_schema, rules, fixed)
    assert cleaner is not None and cleaner.moves(rules).vouches
    scorer = scorer_for(schema)
    records = engine.generate(GenerationRequest("order", 400, strategy="traditional", seed=5)).records
    rng = random.Random(13)
    cleaned = vouched = refused = 0
    for n, original in enumerate(records * 3):
        record = copy.deepcopy(original)
        record["items"][rng.randrange(len(record["items"]))]["unit_price"] = rng.choice((66.99, 0.07, 1.13, 9.99))
        if n >= len(records):  # two rounds of broken shapes
            _mutate(record, rng)
        for rule in rules:
            with contextlib.suppress(TypeError, KeyError, AttributeError, ValueError):
                rule.enforce(record, random.Random(n), VALUES)
        if scorer.plain_score(record) != 1.0 or not cleaner.dirty(record):
            continue  # (the cleaner vouches only for what held before it)
        cleaned += 1
        try:
            sure = cleaner.clean(record, rules, random.Random(n), VALUES)
        except (TypeError, KeyError, AttributeError, ValueError):
            continue
        if sure:
            vouched += 1
            assert [r.describe() for r in rules if r.check(record) is False] == [], record
            assert scorer.plain_score(record) == 1.0 and not cleaner.dirty(record), record
        else:
            refused += 1
    assert cleaned > 600 and vouched > 0.8 * cleaned, (cleaned, vouched)


# -- addresses, email and phone: vouched for per locale (Plan.made_for) ---------------------------------------

_USER_MADE = {"=addresses", "=addresses.*.street", "=addresses.*.city", "=addresses.*.state",
              "=addresses.*.postal_code", "=addresses.*.country", "email", "phone"}


def test_the_addresses_email_and_phone_are_made_for_every_locale(engine: Engine) -> None:
    plan = plan_for(engine.registry.get("user"))
    for locale in LOCALES:
        assert plan.made_for(locale) == plan.made_shapes | _USER_MADE, locale
    cart = plan_for(engine.registry.get("cart"))
    assert cart.made_for(None) == cart.made_shapes  # no address, email or phone: nothing more


def test_the_locale_proof_waits_until_a_plan_made_more_than_a_few_records() -> None:
    # Proving a locale's addresses reads every place and street of up to five countries, more than a fresh
    # process's first record costs (bench_cold_start.py): a plan's first records of a locale are checked
    # whole instead, and the proof is made once more than WARM_CALLS records of it were asked for.
    from pytest_testdata.generators.traditional.plan import compile_plan
    from pytest_testdata.generators.traditional.straight import WARM_CALLS

    plan = compile_plan(Engine().registry.get("user"), {}, "all")  # a plan of its own (plan_for's is shared)
    assert plan.made_for("de_DE", 1) == plan.made_shapes
    assert plan.made_for("de_DE", WARM_CALLS - 1) == plan.made_shapes        # 64 asked for so far
    assert plan.made_for("de_DE", 1) == plan.made_shapes | _USER_MADE        # the 65th: proved, and kept
    assert plan.made_for("de_DE", 1) == plan.made_shapes | _USER_MADE
    assert plan.made_for("fr_FR", 10) == plan.made_shapes                    # each locale counts its own
    assert plan.made_for("fr_FR") == plan.made_shapes | _USER_MADE           # asked outright: proved at once


@pytest.mark.parametrize("locale", LOCALES)
def test_every_address_email_and_phone_made_for_a_locale_passes_its_checks(engine: Engine,
                                                                           locale: str | None) -> None:
    # What the acceptor leaves out for these records (Plan.made_for) holds in each of them: the address
    # values pass their subschemas' reporting checks (and lie within the lengths proved from the data), the
    # email its format and the phone its pattern (judged by RE2, the validator's reference).
    import re2

    from pytest_testdata.generators.traditional.pools import address_lengths
    from pytest_testdata.quality.validator import _FORMATS, _quiet, validator_for

    schema = engine.registry.get("user")
    plan = plan_for(schema)
    made = plan.made_for(locale)
    node = schema.json_schema["properties"]
    check_addresses = _quiet(node["addresses"])
    validator = validator_for(schema, {})
    trusting = validator._accepts_made(made)
    rng = random.Random(f"user {locale}")
    for _ in range(400):
        record, _sure = plan.build_sure(rng, locale)  # type: ignore[misc]
        assert check_addresses(record["addresses"]), record["addresses"]
        for address in record["addresses"]:
            lengths = address_lengths(address["country"])
            assert lengths is not None
            for key, (lo, hi) in lengths.items():
                assert lo <= len(address[key]) <= hi, (key, address)
        assert _FORMATS["email"](record["email"]), record["email"]
        assert re2.search(node["phone"]["pattern"], record["phone"]) is not None, record["phone"]
        assert trusting(record) is validator.acceptor.function(record) is True
    # A postal code the postal-code rule draws comes from the same pool function: within the same lengths.
    for country in ("GB", "CA", "NL", "US", "JP"):
        lo, hi = address_lengths(country)["postal_code"]  # type: ignore[index]
        assert all(lo <= len(VALUES.postal_code(country, rng)) <= hi for _ in range(300))


def _user_like(engine: Engine, **changes: Any) -> Any:
    document = copy.deepcopy(engine.registry.get("user").json_schema)
    document["title"] = "member"
    for path, value in changes.items():
        node = document
        *parents, last = path.split("__")
        for part in parents:
            node = node["properties"][part] if part != "items" else node["items"]
        node["properties"][last] = value
    return _custom(engine, document)


def test_a_schema_the_data_cannot_vouch_for_is_checked_and_its_breaks_reported(engine: Engine) -> None:
    # A street shorter than the data's, a postal code of another shape, a phone pattern and an email
    # pattern of the caller's: those paths are not vouched for, and the records that break them are reported.
    from pytest_testdata.quality.validator import validator_for

    schema = _user_like(
        engine, addresses__items__street={"type": "string", "minLength": 3, "maxLength": 12},
        addresses__items__postal_code={"type": "string", "pattern": "^[0-9]{5}$"},
        phone={"type": "string", "pattern": "^\\+1 "},
        email={"type": "string", "format": "email", "pattern": "^[a-z]+\\.", "maxLength": 254})
    plan = plan_for(schema)
    made = plan.made_for(None)
    # (the list's length and its elements' keys are still the drawer's: only the values are checked)
    assert {"=addresses", "=addresses.*.city", "=addresses.*.state", "=addresses.*.country"} <= made
    assert not {"=addresses.*.street", "=addresses.*.postal_code", "email", "phone"} & made
    rng = random.Random(4)
    records = [plan.build_sure(rng, None)[0] for _ in range(300)]  # type: ignore[misc]
    found = {(v.rule, v.field.split(".")[-1]) for v in validator_for(schema, {}).validate(records, (), made)}
    assert found == {("max_length", "street"), ("regex", "postal_code"), ("regex", "phone"), ("regex", "email")}


def test_a_country_outside_the_schemas_enum_is_not_vouched_for(engine: Engine) -> None:
    schema = _user_like(engine, addresses__items__country={"type": "string", "enum": ["US", "GB"]})
    plan = plan_for(schema)
    assert "=addresses.*.country" in plan.made_for("en_GB")
    assert "=addresses.*.country" not in plan.made_for("de_DE")
    assert "=addresses.*.country" not in plan.made_for(None)  # the default mix has more countries


@pytest.mark.parametrize("rule_id", ["addresses.street-max_length", "addresses.city-min_length",
                                     "addresses.state-max_length", "addresses.postal_code-min_length",
                                     "addresses.country-enum", "addresses-max_items", "addresses-min_items",
                                     "email-format", "phone-regex"])
def test_an_invalid_user_that_breaks_an_address_email_or_phone_is_reported(engine: Engine, rule_id: str) -> None:
    result = engine.generate(GenerationRequest.checked("user", 5, strategy="traditional", seed=8,
                                                       variant="invalid", options={"break": rule_id}))
    path, _, kind = rule_id.partition("-")
    head, _, tail = path.partition(".")
    found = {v.record for v in result.metadata.violations if v.rule == kind
             and v.field.split(".")[0] == head and v.field.split(".")[-1] == (tail or head)}
    assert found == set(range(5)), result.metadata.violations


def test_phone_numbers_written_out_are_the_ones_the_helpers_draw() -> None:
    # pools.phone_number writes phone_range, pick, below and _laid_out out: the same numbers and the same
    # draws after them, for every country, style, place and none.
    from pytest_testdata.generators.traditional.pools import data_of, phone_number, phone_number_slow

    for country in ("US", "CA", "GB", "DE", "FR", "JP", "BR", "ES", "IT", "NL", "AU", "IN"):
        places = data_of(country).places
        for style in ("international", "e164", "national"):
            fast, slow = random.Random(country + style), random.Random(country + style)
            for i in range(300):
                found = places[i * 7 % len(places)] if i % 3 else None
                assert phone_number(country, found, fast, style) == phone_number_slow(country, found, slow, style)
            assert fast.random() == slow.random()


def test_an_address_a_rule_writes_into_is_not_vouched_for_there(engine: Engine) -> None:
    # The steps of the user's plan, and the same with a rule that writes the addresses' countries (and with
    # one that rewrites the whole list): the values such a rule writes, and the postal codes drawn for them,
    # are checked.
    plan = plan_for(engine.registry.get("user"))
    tree, drawn = plan.schema.json_schema, list(plan.drawn or [])
    steps, rules = list(plan.steps or []), list(plan.rules)
    countries = ("US", "GB")
    assert vouch.made_addresses(tree, drawn, rules, steps, countries) == {
        "=addresses", "=addresses.*.street", "=addresses.*.city", "=addresses.*.state",
        "=addresses.*.postal_code", "=addresses.*.country"}
    writer = vouch.Step(lambda *a: 0, False, ("addresses.*.country",))
    made = vouch.made_addresses(tree, drawn, [*rules, rules[-1]], [*steps, writer], countries)
    assert made == {"=addresses", "=addresses.*.street", "=addresses.*.city", "=addresses.*.state"}
    whole = vouch.Step(lambda *a: 0, False, ("addresses",))
    assert vouch.made_addresses(tree, drawn, [*rules, rules[-1]], [*steps, whole], countries) == frozenset()
    assert vouch.made_addresses(tree, drawn, rules, steps, countries, cleaner_writes=("addresses",)) == frozenset()
