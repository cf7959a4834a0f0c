"""The @pytest.mark.testdata marker: lazy filling, invalid variants, and every bad argument."""

from __future__ import annotations

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.quality.invalid import breakable_rules


def test_marker_fills_the_argument_with_one_record_or_a_list(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart")
        def test_one(cart):
            assert isinstance(cart, dict) and cart["items"]

        @pytest.mark.testdata("order", count=3)
        def test_list(order):
            assert isinstance(order, list) and len(order) == 3

        @pytest.mark.testdata("user", 2, name="customers", constraints={"loyalty_tier": {"enum": ["gold"]}})
        def test_named(customers):
            assert [c["loyalty_tier"] for c in customers] == ["gold", "gold"]

        @pytest.mark.testdata("user", name="buyer")
        @pytest.mark.testdata("product", count=2)
        def test_two_markers(buyer, product, testdata):
            assert "email" in buyer and len(product) == 2
            assert sorted(r.metadata.entity for r in testdata.results) == ["product", "user"]

        @pytest.mark.testdata("cart")
        class TestOnAClass:
            def test_method(self, cart):
                assert cart["total"] >= cart["subtotal"]
    """)
    pytester.runpytest("-v").assert_outcomes(passed=5)


def test_marker_result_metadata_is_reachable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart", count=2, strategy="traditional")
        def test_meta(cart, testdata):
            meta = testdata.last.metadata
            assert testdata.last.records == cart
            assert (meta.entity, meta.count, meta.strategy) == ("cart", 2, "traditional")
            assert meta.reason == "strategy 'traditional' requested explicitly"
            assert meta.violations == [] and meta.coherence == 1.0
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_collection_generates_nothing_and_imports_no_faker(pytester: pytest.Pytester) -> None:
    """`--co` checks markers against the schemas but never generates: no Faker, no records."""
    pytester.makeconftest("""
        import json, sys

        def pytest_sessionfinish(session):
            from pytest_testdata.plugin import state_of
            state = state_of(session.config)
            loaded = [m for m in ("faker", "factory", "pytest_testdata.engine",
                                  "pytest_testdata.generators.traditional") if m in sys.modules]
            print("COLLECTED " + json.dumps({"loaded": loaded, "requests": state.stats.requests,
                                             "engine_built": state._engine is not None}))
    """)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart", count=3)
        def test_cart(cart):
            pass

        @pytest.mark.testdata("user", variant="invalid")
        def test_invalid(user):
            pass
    """)
    # Faker's own pytest plugin imports faker at start-up; switch it off to see what ours does.
    result = pytester.runpytest_subprocess("--co", "-q", "-s", "-p", "no:faker")
    assert result.ret == 0
    line = next(line for line in result.outlines if line.startswith("COLLECTED "))
    assert line == 'COLLECTED {"loaded": [], "requests": 0, "engine_built": false}'
    assert len([x for x in result.outlines if "::test_invalid[" in x]) > 10


def test_generation_happens_at_setup_of_each_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest
        from pytest_testdata.plugin import state_of

        def test_before(request):
            assert state_of(request.config).stats.requests == 0

        @pytest.mark.testdata("cart")
        def test_marked(cart, request):
            assert state_of(request.config).stats.requests == 1

        def test_after(request):
            assert state_of(request.config).stats.requests == 1
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_invalid_variant_parametrizes_with_readable_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart", variant="invalid")
        def test_rejects(cart):
            pass
    """)
    result = pytester.runpytest("--co", "-q")
    ids = [line.split("[", 1)[1].rstrip("]") for line in result.outlines if "::test_rejects[" in line]
    expected = [f"invalid-{r.id}" for r in breakable_rules(Engine().registry.get("cart"))]
    assert ids == expected
    for wanted in ("invalid-cart_id-format", "invalid-items-min_items", "invalid-items.quantity-max",
                   "invalid-items.sku-regex", "invalid-currency-enum", "invalid-total-required+sum",
                   "invalid-subtotal-min+sum_of_products"):
        assert wanted in ids


@pytest.mark.parametrize("entity", ["cart", "order", "payment", "product", "review", "user"])
def test_each_invalid_case_breaks_exactly_the_named_rule(pytester: pytest.Pytester, entity: str) -> None:
    pytester.makepyfile(f"""
        import pytest
        from pytest_testdata.engine import Engine
        from pytest_testdata.types import FieldConstraint
        from pytest_testdata.quality.validator import Validator

        SCHEMA = Engine().registry.get({entity!r})

        from pytest_testdata.quality.rules import build_rules

        RULES = build_rules(SCHEMA.coherence)

        def plain(field):
            return ".".join(p for p in field.split(".") if not p.isdigit())

        @pytest.mark.testdata({entity!r}, variant="invalid", count=3)
        def test_invalid({entity}, testdata, request):
            rule_id = request.node.callspec.id.removeprefix("invalid-")
            named, *also = rule_id.split("+")
            field, rule = named.rsplit("-", 1)
            meta = testdata.last.metadata
            assert meta.details["broken_rules"] == [rule_id] * 3
            also_rules = {{a for a in also if "-" not in a}}      # coherence kinds (or "format")
            also_fields = {{tuple(a.rsplit("-", 1)) for a in also if "-" in a}}
            for index, record in enumerate({entity}):
                # The engine's report: the named rule, and exactly what the test id says it breaks too.
                reported = {{(plain(v.field), v.rule.removeprefix("coherence."))
                            for v in meta.violations if v.record == index}}
                assert (field, rule) in reported, reported
                assert {{r for _, r in reported}} - {{rule}} <= also_rules | {{r for _, r in also_fields}}, reported
                # An independent validator finds the named rule and nothing the id does not name.
                found = {{(plain(v.field), v.rule) for v in Validator(SCHEMA).validate([record])}}
                named_also = {{(field, "format")}} & {{(field, r) for r in also_rules}}
                assert found - {{(field, rule)}} <= also_fields | named_also
                # Every other declared coherence rule holds: derived values follow the broken one.
                failing = {{r.kind for r in RULES if r.check(record) is False}}
                assert failing <= also_rules, (failing, rule_id)
    """)
    result = pytester.runpytest("-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 8 and "failed" not in outcomes, result.stdout.str()


def test_invalid_variant_honours_caller_constraints(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart", variant="invalid", constraints={"total": {"max": 500}})
        def test_rejects(cart, testdata):
            pass
    """)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*test_rejects?invalid-total-max+sum? PASSED*"])
    assert result.parseoutcomes()["passed"] > 10


@pytest.mark.parametrize(
    ("marker", "signature", "message"),
    [
        ('"cart", cnt=3', "cart", "test_bad.py::test_it: @pytest.mark.testdata got an unknown argument 'cnt' "
         "(did you mean 'count'?). Allowed: count, name, strategy, constraints, context, hints, "
          "seed, variant, "
         "learn_from_history, defect_triggering, locale, options, strict, coverage."),
        ('"carts"', "carts", "test_bad.py::test_it: @pytest.mark.testdata('carts', ...): unknown "
         "entity 'carts' "
         "(did you mean 'cart'?). Known entities: cart, order, payment, product, review, user.*"),
        ('"cart", count=0', "cart", "test_bad.py::test_it: @pytest.mark.testdata('cart', ...): "
         "count: expected "
         "a whole number from 1 to 1,000,000, got 0.*"),
        ('"cart", constraints={"total": {"min": 10, "max": 1}}', "cart",
         "*: min (10) is greater than max (1); no value can satisfy both.*"),
        ('"user", constraints={"email": {"regex": "[a-"}}', "user",
         "*'regex'*: '[[]a-' is not a valid regular expression*"),
        ('"cart", strategy="fastest"', "cart",
         "*strategy: 'fastest' is not allowed. Allowed: auto, traditional, llm, rag, hybrid.*"),
        ('"cart", constraints={"totl": {"max": 5}}', "cart",
         "*constraints: 'cart' has no field 'totl' (did you mean 'total'?)*"),
        ('"cart", variant="broken"', "cart", "*variant: 'broken' is not allowed. Allowed: valid, invalid.*"),
        ('"cart"', "basket", "test_bad.py::test_it: @pytest.mark.testdata('cart') fills the argument 'cart', "
         "but the test has no such parameter.*"),
        ("count=3", "cart", "test_bad.py::test_it: @pytest.mark.testdata needs the entity first: a "
         "name, a Schema or a model class (pydantic, dataclass, TypedDict, attrs)*"),
    ],
    ids=["unknown-argument", "unknown-entity", "count-zero", "min-over-max", "bad-regex", "unknown-strategy",
         "unknown-field", "unknown-variant", "missing-parameter", "no-entity"],
)
def test_bad_marker_arguments_fail_at_collection(pytester: pytest.Pytester, marker: str, signature: str,
                                                 message: str) -> None:
    pytester.makepyfile(test_bad=f"""
        import pytest

        @pytest.mark.testdata({marker})
        def test_it({signature}):
            pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting test_bad.py*", message])
    # One clean message, no chained traceback.
    assert "During handling of the above exception" not in result.stdout.str()


def test_marker_with_an_unbuilt_strategy_errors_at_setup(pytester: pytest.Pytester, llm_not_built: str) -> None:
    strategy = llm_not_built
    pytester.makepyfile(test_bad=f"""
        import pytest

        @pytest.mark.testdata("cart", strategy={strategy!r})
        def test_it(cart):
            pass

        def test_other():
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        f"test_bad.py::test_it: @pytest.mark.testdata('cart', ...): strategy {strategy!r} is not "
         f"available in "
        "this version of pytest-testdata: * is not built yet. Available: *traditional*",
    ])
    assert "_testdata_autouse" not in result.stdout.str()  # no plugin internals in the report


def test_a_marker_that_would_shadow_a_fixture_is_an_error_naming_both(dev_project: pytest.Pytester) -> None:
    dev_project.makeconftest("""
        import pytest

        @pytest.fixture
        def order():
            return {"order_id": "the user's own"}
    """)
    dev_project.makepyfile(test_shadowed="""
        import pytest

        @pytest.mark.testdata("order", count=2)
        def test_shadowed(order):
            assert order == {"order_id": "the user's own"}
    """, test_renamed="""
        import pytest

        @pytest.mark.testdata("order", count=2, name="orders")  # the fix the message gives
        def test_renamed(order, orders):
            assert order == {"order_id": "the user's own"} and len(orders) == 2
    """)
    result = dev_project.runpytest("--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=1)  # a collection error, like every bad marker
    result.stdout.fnmatch_lines([
        "*test_shadowed: @pytest.mark.testdata('order') would fill the argument 'order', but the fixture 'order' "
        "(defined in *conftest.py:3) already provides it, and the marker would silently replace it. Pass "
        "name='<another argument>' to the marker (and add that argument to the test), or rename the fixture.",
    ])
