"""The `testdata` fixture: records, results with metadata, and the errors a call can raise."""

from __future__ import annotations

import pytest


@pytest.mark.usefixtures("llm_not_built")  # the context-routing case expects llm unavailable
def test_fixture_returns_records_and_results(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import json

        def test_one_record(testdata):
            cart = testdata("cart")
            assert isinstance(cart, dict)
            assert json.loads(json.dumps(cart)) == cart  # plain JSON-compatible data

        def test_list(testdata):
            users = testdata("user", count=5)
            assert isinstance(users, list) and len(users) == 5
            assert len({u["user_id"] for u in users}) == 5
            assert testdata("user", count=1) != users[:1]
            assert len(testdata("user", count=1)) == 1

        def test_result_metadata(testdata):
            result = testdata.result("order", 3, constraints={"totals.total": {"max": 500}})
            assert len(result) == 3 and result.valid
            meta = result.metadata
            assert (meta.entity, meta.count, meta.strategy) == ("order", 3, "traditional")
            assert meta.reason.startswith("no context, quality hint or history flag")
            assert isinstance(meta.seed, int) and meta.violations == []
            assert 0.0 <= meta.coherence <= 1.0 and len(meta.coherence_scores) == 3
            assert {"route", "generate", "validate", "total"} <= set(meta.timings)
            assert json.loads(json.dumps(meta.as_dict()))["entity"] == "order"
            assert all(o["totals"]["total"] <= 500 for o in result.records)
            assert testdata.last is result and testdata.results == [result]

        def test_hints_and_context_are_routed_with_a_reason(testdata):
            testdata("cart", hints="fast")
            assert testdata.last.metadata.reason == "hint 'fast' asks for speed"
            testdata("cart", context="holiday shopping, electronics")
            meta = testdata.last.metadata
            assert meta.strategy == "traditional"
            assert "context given" in meta.reason and "fell back to traditional" in meta.reason
    """)
    pytester.runpytest().assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('testdata("carts")', "UnknownEntityError: unknown entity 'carts' (did you mean 'cart'?). Known "
         "entities: cart, order, payment, product, review, user.*"),
        ('testdata("cart", count=0)', "TestdataUsageError: count: expected a whole number from 1 to "
         "1,000,000, "
         "got 0.*"),
        ('testdata("cart", count=-3)', "*count: expected a whole number from 1 to 1,000,000, got -3.*"),
        ('testdata("cart", constraints={"total": {"min": 9, "max": 1}})',
         "*: min (9) is greater than max (1); no value can satisfy both. Swap them or widen the range."),
        ('testdata("user", constraints={"email": {"regex": "(unclosed"}})',
         "*'(unclosed' is not a valid regular expression (missing ), unterminated subpattern*"),
        ('testdata("cart", strategy="magic")', "*strategy: 'magic' is not allowed. Allowed: auto, "
         "traditional, "
         "llm, rag, hybrid."),
        ('testdata("cart", strategy="llm")', "StrategyNotAvailableError: strategy 'llm' is not available in "
         "this version of pytest-testdata: the LLM strategy * is not built yet.*"),
        ('testdata("cart", cnt=2)', "*testdata(): unknown argument 'cnt' (did you mean 'count'?).*"),
        ('testdata("user", locale="en_NZ")', "*locale: 'en_NZ' is not allowed*. Allowed: en_US, "
         "en_GB, de_DE, fr_FR, en_CA, ja_JP, pt_BR, es_ES, it_IT, nl_NL, en_AU, en_IN.*"),
        ('testdata("cart", hints=["quick"])', "*hints: 'quick' is not allowed. Allowed: fast, realistic, "
         "coherent, edge_cases, bulk, minimal, maximal."),
        ('testdata("cart", constraints={"total": {"maximum": 5}})', "*unknown key 'maximum' (did you mean "
         "'max'?)*"),
        ('testdata("product", constraints={"price": {"min": 20000}})', "*min 20000 is above the schema's "
         "maximum 9999.99; no value satisfies both.*"),
        ('testdata("product", constraints={"category": {"enum": ["weapons"]}})', "*enum value "
         "'weapons' is not "
         "allowed by the schema. Allowed: electronics, books, *"),
        ('testdata("user", constraints={"email": {"max": 5}})', "*min/max apply to numbers, but "
         "this field is "
         "string. Use length, min_length or max_length instead."),
        ('testdata("cart", constraints={"items": {"min_length": 20}})', "*min_length 20 is above "
         "the schema's "
         "maximum of 8 items. Use at most 8."),
    ],
    ids=["unknown-entity", "count-zero", "count-negative", "min-over-max", "bad-regex", "unknown-strategy",
         "unbuilt-strategy", "unknown-argument", "unknown-locale", "unknown-hint", "unknown-constraint-key",
         "min-above-schema", "enum-outside-schema", "min-on-string", "length-above-schema"],
)
@pytest.mark.usefixtures("llm_not_built")
def test_bad_calls_fail_the_test_with_a_readable_message(pytester: pytest.Pytester, call: str,
                                                         message: str) -> None:
    pytester.makepyfile(test_bad=f"""
        def test_it(testdata):
            {call}
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E   *{message}", "test_bad.py:2: *"])
    assert "pytest_testdata/engine.py" not in result.stdout.str()  # the user's line, not our internals
