"""User regular expressions: hostile ones are refused or matched in linear time, through every door.

The agent-side half (health keeps answering while a hostile pattern is handled) is in
tests/agent/test_hostile_regex.py.
"""

from __future__ import annotations

import random
import re
import time

import pytest

import pytest_testdata
from pytest_testdata import TestdataUsageError
from pytest_testdata.quality.regex import (
    MAX_GENERATED_CHARS,
    MAX_PATTERN_CHARS,
    RegexRefused,
    compile_user_regex,
)

CATASTROPHIC = r"^(([a-z0-9._@]|[a-z0-9._@])*)*!$"
"""Exponential for a backtracking engine: 2^n paths on a value of n letters without the final '!'."""

REFUSED = {
    r"^a{1000000000}$": "repeats 1,000,000,000 times; the most one repetition may count is 1000",
    r"^((a{100}){100}){100}$": "nests counted repetitions that multiply to 10,000; the budget is 1000",
    r"^(a{40}){30}$": "multiply to 1,200",
    r"a{100000000000}": "not a valid regular expression",
    r"(?=a)b": "lookarounds",
    r"(?<!a)b": "negative lookarounds",
    r"(a)\1": "backreferences",
    r"(?P<x>a)(?P=x)": "backreferences",
    r"(a)?(?(1)b|c)": "conditional groups",
    r"(?>ab)": "atomic groups",
    r"a++": "possessive quantifiers",
    r"(?x) a b ": "the x (verbose) flag",
    r"(?a)\w": "the a (ASCII) flag",
    r"[[:alpha:]]+": "POSIX class",
    r"a{,5}": "Write {0,n} instead",
    r"a\Z": "RE2: invalid escape sequence: \\Z",
    r"\pL": "not a valid regular expression (bad escape \\p",
    r"(unclosed": "missing ), unterminated subpattern",
    r"((((a*)*)*)*)*": f"longer than {MAX_GENERATED_CHARS:,} characters",
    "a" * (MAX_PATTERN_CHARS + 1): f"longer than the {MAX_PATTERN_CHARS} characters",
}


@pytest.mark.parametrize("pattern", list(REFUSED))
def test_refused_patterns_say_why_and_stay_short(pattern: str) -> None:
    started = time.perf_counter()
    with pytest.raises(RegexRefused) as info:
        compile_user_regex(pattern, "constraints['code']['regex']")
    assert time.perf_counter() - started < 1.0  # refused before any matching work (not a timing claim)
    message = str(info.value)
    assert message.startswith("constraints['code']['regex']: ")
    assert REFUSED[pattern] in message
    assert len(message) < 600  # a 1 KB pattern is shown cut, not whole
    assert isinstance(info.value, TestdataUsageError)


def test_catastrophic_pattern_matches_in_linear_time() -> None:
    regex = compile_user_regex(CATASTROPHIC, "constraints['email']['regex']")
    # Python's re needs about 2^30 steps for this value; RE2 answers at once.
    assert not regex.search("a" * 30 + "x")
    assert not regex.search("a" * 100_000)
    assert regex.search("ab.c@d!")
    value = regex.generate(random.Random(5))
    assert value.endswith("!") and regex.fullmatch(value) and len(value) <= regex.max_length


@pytest.mark.parametrize("pattern", [
    r"^[A-Z]{3}-\d{4}$", r"^\d{5}(-\d{4})?$", r"^[a-z]+(\.[a-z]+)*@example\.com$", r"^a{150}$",
    r"(?i)^[A-F0-9]{8}$", r"^(ab|cd){2,4}x?$", r"^[^@\s]{1,20}@[a-z]{2,10}\.(com|org)$", r"^\w+\s\w+$",
])
def test_generated_values_match_their_pattern(pattern: str) -> None:
    regex = compile_user_regex(pattern, "pattern")
    rng = random.Random(3)
    for _ in range(200):
        value = regex.generate(rng)
        assert regex.fullmatch(value), value
        assert re.fullmatch(pattern, value), value  # Python's re agrees on what was generated
        assert len(value) <= regex.max_length


def test_generation_is_deterministic_per_seed() -> None:
    regex = compile_user_regex(r"^[a-z]{2,8}-\d{1,3}$", "pattern")
    first = [regex.generate(random.Random(9)) for _ in range(3)]
    assert first == [regex.generate(random.Random(9)) for _ in range(3)]


def test_counts_up_to_a_hundred_draw_what_rstr_draws() -> None:
    import rstr

    for pattern in (r"^[A-Z]{3}-[a-z]{0,40}$", r"^(foo|bar)+\d?$"):
        ours = compile_user_regex(pattern, "pattern").generate(random.Random(1))
        assert ours == rstr.Rstr(random.Random(1)).xeger(pattern)


def test_non_string_pattern_is_a_usage_error() -> None:
    with pytest.raises(RegexRefused, match=r"^pattern: expected a pattern string, got int 5\.$"):
        compile_user_regex(5, "pattern")


def test_generate_refuses_a_hostile_constraint_before_generating() -> None:
    with pytest.raises(TestdataUsageError, match=r"constraints\['email'\]\['regex'\]: '\^a\{1000000000\}\$' "
                                                 r"repeats 1,000,000,000 times"):
        pytest_testdata.generate("user", 1, constraints={"email": {"regex": "^a{1000000000}$"}})


def test_generate_honours_a_catastrophic_constraint() -> None:
    pattern = r"^(([a-z ]|[a-z ])*)*!$"
    result = pytest_testdata.generate("product", 5, seed=1, constraints={"name": {"regex": pattern}})
    assert result.valid
    assert all(re.fullmatch(r"[a-z ]*!", record["name"]) for record in result.records)


def test_a_catastrophic_constraint_the_schema_overrides_is_reported() -> None:
    # A user's email is derived from the name (a coherence rule), so it cannot end in "!": the call
    # returns at once and says so, instead of spending 2^n steps per check.
    result = pytest_testdata.generate("user", 3, seed=1, constraints={"email": {"regex": CATASTROPHIC}},
                                      strict=False)  # reported in metadata, not raised
    assert {(v.field, v.rule) for v in result.metadata.violations} == {("email", "regex")}


@pytest.mark.parametrize("bound", [float("nan"), float("inf"), float("-inf"), 1e308])
def test_unusable_numeric_bounds_are_usage_errors(bound: float) -> None:
    with pytest.raises(TestdataUsageError, match=r"constraints\['total'\]\['min'\]: .* is not a usable bound; "
                                                 r"min and max must be finite numbers from -2\*\*53 to 2\*\*53"):
        pytest_testdata.generate("cart", 1, constraints={"total": {"min": bound}})


def test_plugin_reports_a_hostile_schema_pattern(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", **{"schemas/code": """{
        "title": "code", "type": "object", "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": "^((a{100}){100}){100}$"}}
    }"""})
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile("""
        def test_codes(testdata):
            testdata("code", 2)
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=0, failed=1)
    result.stdout.fnmatch_lines(["*pattern*'^((a{100}){100}){100}$' nests counted repetitions that multiply "
                                 "to 10,000; the budget is 1000*"])
    assert "Traceback" not in result.stdout.str()


# -- the re fast path (quality/linear.py): RE2's answer, in linear time ------------------------------------

LINEAR = [r"^[A-Z]{3}-[0-9]{5}$", r"^\+[0-9][0-9 -]{6,18}[0-9]$", r"^[0-9]{4}$", r"^[^@]+@[^@]+$",
          r"^[a-z]*[0-9]+$", r"^\d{3}$", r"^\w+@x$", r"^(ab)c$", r"^a.c", r"\A[a-z]+$", r"^[\D]$",
          r"^[^0-9]+[0-9]$", r"^[a-zé]{2,4}-\d$", r"^x?y$"]
NOT_LINEAR = [r"[a-z]+", r"^[a-z]+[a-z]+$", r"^\s+$", r"^.*x$", r"(?i)^abc$", r"^(?i:a)b$", r"^a+?b$",
              r"^(ab)+$", r"^a\bb$", r"^(a|bc)$", r"^a$b", r"^[a-z]{0,20}[a-z]{0,20}[a-z]{0,20}$"]
TEXTS = ["ABC-12345", "ABC-1234", "abc-12345", "+1 212 555 0100", "+12125550100", "+1 212", "1234", "12345",
         "١٢٣٤", "a@b", "a@b@c", "@b", "abc123", "abc", "123", "٣", "x_1@x", "abc", "ac", "abcd", "a\nc",
         "a.c", "abc", "1234\n", "ABC-12345\n", "\nABC-12345", "é", "ée-1", "aéé-٣", "y", "xy", "xxy", "", "Ω1",
         "a" * 300 + "1", "a" * 300 + "!", "+1" + " 1" * 40]


def test_simple_anchored_patterns_take_the_re_path_and_others_stay_on_re2() -> None:
    for pattern in LINEAR:
        assert compile_user_regex(pattern, "p").searcher.__qualname__.startswith("linear_matcher"), pattern
    for pattern in NOT_LINEAR:
        assert not compile_user_regex(pattern, "p").searcher.__qualname__.startswith("linear_matcher"), pattern


@pytest.mark.parametrize("pattern", LINEAR + NOT_LINEAR)
def test_every_path_answers_as_re2_does(pattern: str) -> None:
    import re2

    options = re2.Options()
    options.log_errors = False
    reference = re2.compile(pattern, options)  # the binding's own search, as the validator used to call it
    regex = compile_user_regex(pattern, "p")
    rng = random.Random(pattern)
    texts = TEXTS + [regex.generate(rng) for _ in range(30)]
    for text in texts:
        assert regex.search(text) is (reference.search(text) is not None), (pattern, text)
        assert regex.test is not None
        assert bool(regex.test(text)) is (reference.search(text) is not None), (pattern, text)


def test_patterns_without_a_newline_in_any_item_are_tested_by_re_itself() -> None:
    # The acceptor calls re's own fullmatch for these (no wrapper); a newline anywhere gives RE2's answer.
    import re2

    taken = [p for p in LINEAR if compile_user_regex(p, "p").test is not compile_user_regex(p, "p").searcher]
    assert set(taken) == {r"^[A-Z]{3}-[0-9]{5}$", r"^\+[0-9][0-9 -]{6,18}[0-9]$", r"^[0-9]{4}$", r"^\d{3}$",
                          r"^[a-z]*[0-9]+$", r"^\w+@x$", r"^(ab)c$", r"\A[a-z]+$", r"^[a-zé]{2,4}-\d$",
                          r"^x?y$"}
    for pattern in taken:
        regex, reference = compile_user_regex(pattern, "p"), re2.compile(pattern)
        rng = random.Random(pattern)
        for good in (regex.generate(rng) for _ in range(20)):
            for text in (good, good + "\n", "\n" + good, good[:1] + "\n" + good[1:], good + "\r\n"):
                assert bool(regex.test(text)) is (reference.search(text) is not None), (pattern, text)


def test_the_shipped_schemas_patterns_are_the_ones_matched_without_compiling_re2_first() -> None:
    # SHIPPED_PATTERNS may wait for RE2 only because RE2 accepts each and re answers each as RE2 does
    # (test_every_path_answers_as_re2_does runs them, through the lazy path, against RE2 itself).
    import json

    import re2

    from pytest_testdata.quality.regex import SHIPPED_PATTERNS
    from pytest_testdata.schemas.registry import builtin_schema_dir

    def patterns(node: object) -> set[str]:
        if isinstance(node, dict):
            found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
            return found.union(*(patterns(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(patterns(v) for v in node))
        return set()

    files = sorted(builtin_schema_dir().glob("*.json"))
    assert len(files) == 6
    shipped = set().union(*(patterns(json.loads(f.read_text("utf-8"))) for f in files))
    assert shipped == SHIPPED_PATTERNS
    assert set(LINEAR) >= SHIPPED_PATTERNS
    options = re2.Options()
    options.log_errors = False
    for pattern in SHIPPED_PATTERNS:
        regex, reference = compile_user_regex(pattern, "p"), re2.compile(pattern, options)
        assert regex.searcher.__qualname__.startswith("linear_matcher"), pattern
        rng = random.Random(pattern)
        for text in TEXTS + [regex.generate(rng) for _ in range(20)]:
            for variant in (text, text + "\n", "\n" + text):
                assert regex.fullmatch(variant) is (reference.fullmatch(variant) is not None), (pattern, variant)
                assert regex.search(variant) is (reference.search(variant) is not None), (pattern, variant)


def test_patterns_on_the_re_path_stay_linear_on_hostile_values() -> None:
    started = time.process_time()
    for pattern in (r"^[a-z]*[0-9]+$", r"^[^@]+@[^@]+$", r"^\+[0-9][0-9 -]{6,18}[0-9]$", r"^\w+@x$"):
        regex = compile_user_regex(pattern, "p")
        for value in ("a" * 200_000 + "!", "@" + "b" * 200_000, "+" + "1" * 200_000 + "x", "a@" * 100_000):
            regex.search(value)
    assert time.process_time() - started < 5  # quadratic backtracking would take minutes
