"""The extension hooks (pytest_testdata/hookspecs.py): a conftest.py registers schemas and LLM providers."""

from __future__ import annotations

import pytest

SCHEMA_CONFTEST = """
from pytest_testdata.schemas import Schema

def pytest_testdata_register_schemas(registry, config):
    registry.register(Schema.from_json_schema({
        "title": "invoice", "type": "object", "required": ["number", "status"],
        "properties": {
            "number": {"type": "integer", "minimum": 1000, "maximum": 9999},
            "status": {"type": "string", "enum": ["draft", "sent", "paid"]},
        },
    }))
"""


def test_a_conftest_registers_a_schema_for_fixture_and_marker(dev_project: pytest.Pytester) -> None:
    dev_project.makeconftest(SCHEMA_CONFTEST)
    dev_project.makepyfile("""
        import pytest

        def test_fixture(testdata):
            for invoice in testdata("invoice", count=20):
                assert 1000 <= invoice["number"] <= 9999 and invoice["status"] in ("draft", "sent", "paid")

        @pytest.mark.testdata("invoice", variant="invalid")
        def test_marker(invoice, testdata):
            assert len(testdata.last.metadata.violations) == 1
    """)
    result = dev_project.runpytest("-n", "2")  # workers call the hook too
    result.assert_outcomes(passed=1 + 5)  # number-min, number-max, status-enum, number- and status-required
    dev_project.runpytest("-p", "no:xdist", "--co", "-q").stdout.fnmatch_lines([
        "*test_marker[[]invalid-number-required]", "*test_marker[[]invalid-number-min]",
        "*test_marker[[]invalid-number-max]", "*test_marker[[]invalid-status-required]",
        "*test_marker[[]invalid-status-enum]"], consecutive=False)


def test_a_hook_that_is_not_implemented_changes_nothing(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile("def test_it(testdata):\n    assert testdata('cart')['cart_id']\n")
    dev_project.runpytest().assert_outcomes(passed=1)


PROVIDER_CONFTEST = """
import json
from pytest_testdata.llm.base import LLMReply

class ScriptedProvider:
    '''A provider the user wrote: answers every call with reviews built from the requested schema.'''
    name = "scripted"
    transport = "local"
    model = "scripted-1"

    def __init__(self, rating):
        self.rating = rating

    def complete(self, call):
        count = call.schema["properties"]["records"].get("minItems", 1)
        records = [{"review_id": f"00000000-0000-4000-8000-00000000000{i}",
                    "product_id": "00000000-0000-4000-8000-000000000100",
                    "user_id": "00000000-0000-4000-8000-000000000200", "rating": self.rating,
                    "title": "Love it, excellent", "body": "Excellent and wonderful; I love it, works great.",
                    "verified_purchase": True, "helpful_votes": 3,
                    "created_at": "2025-01-02T10:00:00Z", "updated_at": "2025-01-03T10:00:00Z"}
                   for i in range(count)]
        return LLMReply(text=json.dumps({"records": records}), data={"records": records})

def pytest_testdata_register_providers(providers, config):
    providers.register("scripted", lambda options, model: ScriptedProvider(5))
    providers.register("grumpy", lambda options, model: ScriptedProvider(1))
"""


def test_a_conftest_registers_an_llm_provider(dev_project: pytest.Pytester) -> None:
    dev_project.makeconftest(PROVIDER_CONFTEST)
    dev_project.makepyfile("""
        import pytest
        from pytest_testdata import ConstraintViolationError

        def test_named_provider(testdata):
            result = testdata.result("review", strategy="llm", options={"provider": "scripted"})
            assert result.metadata.provider == "scripted" and result.metadata.model == "scripted-1"
            assert result.records[0]["body"].startswith("Excellent and wonderful")

        def test_its_output_is_held_to_the_rules(testdata):
            # A 1-star review that raves breaks the sentiment rule: strict by default, named.
            with pytest.raises(ConstraintViolationError, match="coherence rule sentiment_matches_rating"):
                testdata("review", strategy="llm", options={"provider": "grumpy"})
            lenient = testdata.result("review", strategy="llm", options={"provider": "grumpy"}, strict=False)
            assert lenient.metadata.details["coherence_failures"]
    """)
    # Record mode once: a registered provider's calls are recorded in cassettes like any provider's.
    result = dev_project.runpytest("-W", "error::pytest_testdata.TestdataWarning", "--testdata-record-mode", "once")
    result.assert_outcomes(passed=2)


def test_a_bad_provider_registration_says_what_is_wrong(dev_project: pytest.Pytester) -> None:
    dev_project.makeconftest("""
        def pytest_testdata_register_providers(providers, config):
            providers.register("openai", lambda options, model: None)
    """)
    dev_project.makepyfile("def test_it(testdata):\n    testdata('review', strategy='llm')\n")
    result = dev_project.runpytest()
    result.stdout.fnmatch_lines(["*pytest_testdata_register_providers: the provider name 'openai' is taken (taken: "
                                 "anthropic, auto, local, none, openai). Choose another name.*"])
    assert result.ret != 0


def test_the_hooks_are_documented_in_pytest_help(dev_project: pytest.Pytester) -> None:
    from pytest_testdata import hookspecs

    for name in ("pytest_testdata_register_schemas", "pytest_testdata_register_providers"):
        assert getattr(hookspecs, name).__doc__
    # An unknown pytest_testdata_* hook in a conftest is rejected by pytest (the specs are registered).
    dev_project.makeconftest("def pytest_testdata_register_shemas(registry, config):\n    pass\n")
    dev_project.makepyfile("def test_it(): pass")
    result = dev_project.runpytest()
    result.stdout.fnmatch_lines(["*unknown hook 'pytest_testdata_register_shemas'*"])
