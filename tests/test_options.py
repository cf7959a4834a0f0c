"""The `testdata` option group: --help, ini twins, environment, precedence and bad values."""

from __future__ import annotations

import pytest

from pytest_testdata.config import OPTIONS

# A test that reports which country its user came from and how the strategy was chosen.
COUNTRY_PROBE = """
import json

def test_probe(testdata):
    user = testdata("user")
    meta = testdata.last.metadata
    print("PROBE " + json.dumps({"country": user["addresses"][0]["country"], "reason": meta.reason}))
"""


def probe(result: pytest.RunResult) -> dict[str, str]:
    import json

    line = next(line for line in result.outlines if "PROBE " in line)
    data: dict[str, str] = json.loads(line.split("PROBE ", 1)[1])
    return data


def test_help_lists_every_option_with_its_ini_and_env_twins(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    assert result.ret == 0
    text = "\n".join(result.outlines)
    # One group, titled after the plugin.
    assert "pytest-testdata: realistic, coherent and reproducible test data:" in text
    section = text.split("pytest-testdata: realistic, coherent and reproducible test data:")[1]
    flat = " ".join(section.split())  # --help wraps lines; compare with whitespace collapsed
    for option in OPTIONS:
        assert option.flag in flat, option.flag
        assert f"ini: {option.ini}" in flat, option.ini
        for env in option.env:
            assert env in flat, env
    # The ini keys are registered with pytest too (listed in the [pytest] ini-options section).
    for option in OPTIONS:
        assert f"{option.ini} (" in text, option.ini
    assert "Allowed: auto, traditional, llm, rag, hybrid" in flat


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.testdata(entity, count=None, *, name=None*"])


@pytest.mark.parametrize(
    ("args", "env", "ini", "expected_country"),
    [
        pytest.param((), {}, None, None, id="default-mix"),
        pytest.param((), {}, "en_GB", "GB", id="ini"),
        pytest.param((), {"TESTDATA_LOCALE": "de_DE"}, "en_GB", "DE", id="env-over-ini"),
        pytest.param(("--testdata-locale", "fr_FR"), {"TESTDATA_LOCALE": "de_DE"}, "en_GB", "FR",
                     id="cli-over-env"),
    ],
)
def test_precedence_cli_env_ini_default(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                        args: tuple[str, ...], env: dict[str, str], ini: str | None,
                                        expected_country: str | None) -> None:
    if ini:
        pytester.makeini(f"[pytest]\ntestdata_locale = {ini}\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(COUNTRY_PROBE)
    countries = set()
    # With no locale set, countries vary with the seed: several seeds show the mix.
    for seed in range(1, 9) if expected_country is None else (1,):
        result = pytester.runpytest("-s", "--testdata-seed", str(seed), *args)
        result.assert_outcomes(passed=1)
        countries.add(probe(result)["country"])
    if expected_country is None:
        assert len(countries) > 1
    else:
        assert countries == {expected_country}


def test_precedence_config_fixture_over_command_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"locale": "en_CA"}
    """)
    pytester.makepyfile(COUNTRY_PROBE)
    result = pytester.runpytest("-s", "--testdata-locale", "fr_FR")
    result.assert_outcomes(passed=1)
    assert probe(result)["country"] == "CA"


def test_precedence_call_over_config_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"locale": "en_CA"}
    """)
    pytester.makepyfile("""
        import pytest

        def test_call(testdata):
            assert testdata("user", locale="de_DE")["addresses"][0]["country"] == "DE"

        @pytest.mark.testdata("user", locale="fr_FR")
        def test_marker(user):
            assert user["addresses"][0]["country"] == "FR"

        def test_fixture_default(testdata):
            assert testdata("user")["addresses"][0]["country"] == "CA"
    """)
    pytester.runpytest("--testdata-locale", "en_GB").assert_outcomes(passed=3)


def test_config_fixture_can_be_overridden_per_module(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"locale": "en_CA", "constraints": {"loyalty_tier": {"enum": ["gold"]}}}
    """)
    pytester.makepyfile(test_override="""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"locale": "en_GB"}

        def test_module_level(testdata):
            user = testdata("user")
            assert user["addresses"][0]["country"] == "GB"
    """, test_plain="""
        def test_conftest_level(testdata):
            users = testdata("user", count=5)
            assert {u["loyalty_tier"] for u in users} == {"gold"}
            assert {u["addresses"][0]["country"] for u in users} == {"CA"}
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_strategy_precedence_is_reported_in_the_reason(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\ntestdata_strategy = auto\n")
    monkeypatch.setenv("TESTDATA_STRATEGY", "traditional")
    pytester.makepyfile(COUNTRY_PROBE)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    assert probe(result)["reason"] == "strategy 'traditional' requested explicitly"
    result = pytester.runpytest("-s", "--testdata-strategy", "auto")
    assert probe(result)["reason"].startswith("no context, quality hint or history flag")


def test_config_fixture_with_an_unknown_key_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"stratgy": "traditional"}

        def test_it(testdata):
            testdata("cart")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*testdata_config fixture: unknown key 'stratgy' (did you mean "
     "'strategy'?)*"])


@pytest.mark.parametrize(
    ("args", "ini", "env", "expected"),
    [
        (("--testdata-strategy", "fastest"), None, {}, "command line --testdata-strategy "
         "(strategy): 'fastest' "
         "is not allowed. Allowed: auto, traditional, llm, rag, hybrid."),
        (("--testdata-seed", "abc"), None, {}, "command line --testdata-seed (seed): 'abc' is not a seed. "
         "Allowed: a whole number, 'random' or 'last'."),
        (("--testdata-locale", "xx_XX"), None, {}, "command line --testdata-locale (locale): 'xx_XX' is not "
         "allowed. Allowed: en_US, en_GB, de_DE, fr_FR, en_CA, ja_JP, pt_BR, es_ES, it_IT, nl_NL, en_AU, en_IN."),
        (("--testdata-summary", "ful"), None, {}, "command line --testdata-summary (summary): 'ful' is not "
         "allowed (did you mean 'full'?). Allowed: short, full, none."),
        (("--testdata-record-mode", "sometimes"), None, {}, "command line --testdata-record-mode "
         "(record_mode): "
         "'sometimes' is not allowed. Allowed: none, once, new_episodes, all, rewrite."),
        ((), "testdata_strategy = speedy", {}, "ini option testdata_strategy (strategy): 'speedy' is not "
         "allowed"),
        ((), "testdata_offline = maybe", {}, "ini option testdata_offline: 'maybe' is not a boolean. "
         "Allowed: true, false, 1, 0, yes, no."),
        ((), None, {"TESTDATA_SEED": "soon"}, "environment variable TESTDATA_SEED (seed): 'soon' is "
         "not a seed."),
        ((), None, {"TESTDATA_STRATEGY": "Traditional"}, "environment variable TESTDATA_STRATEGY (strategy): "
         "'Traditional' is not allowed (did you mean 'traditional'?)"),
    ],
    ids=["strategy", "seed", "locale", "summary", "record-mode", "ini-strategy", "ini-bool", "env-seed",
         "env-strategy"],
)
def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                            args: tuple[str, ...], ini: str | None, env: dict[str, str],
                                            expected: str) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"ERROR: pytest-testdata: {expected}" in "\n".join(result.errlines)


def test_unbuilt_default_strategy_fails_the_run_early(pytester: pytest.Pytester, llm_not_built: str) -> None:
    strategy = llm_not_built
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--testdata-strategy", strategy)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = "\n".join(result.errlines)
    assert f"strategy {strategy!r}" in err
    assert "is not built yet" in err
    assert "Available: auto, " in err and "traditional" in err.split("Available: ")[1]


def test_missing_schema_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntestdata_schemas = no_such_dir\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*schema path 'no_such_dir'*does not exist under the rootdir*"])


def test_ini_twins_set_every_option(pytester: pytest.Pytester) -> None:
    pytester.mkdir("more_schemas")
    pytester.makeini("""
        [pytest]
        testdata_strategy = traditional
        testdata_seed = 4242
        testdata_locale = en_GB
        testdata_schemas = more_schemas
        testdata_summary = full
        testdata_offline = true
        testdata_record_mode = once
        testdata_cassette_dir = cassettes_here
    """)
    pytester.makepyfile("""
        import pytest
        from pytest_testdata.plugin import state_of

        def test_settings(request, testdata):
            s = state_of(request.config).settings
            assert (s.strategy, s.seed, s.locale, s.schemas, s.summary) == (
                "traditional", 4242, "en_GB", ("more_schemas",), "full")
            assert (s.offline, s.record_mode, s.cassette_dir) == (True, "once", "cassettes_here")
            assert testdata("user")["addresses"][0]["country"] == "GB"
    """)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "testdata: seed 4242 (given; replay with --testdata-seed 4242), strategy traditional, locale en_GB, "
        "schema paths more_schemas*",
        # summary = full lists the router's reasons under each path
        "*testdata (session seed 4242)*",
        "traditional: 1 request, 1 record, * ms, coherence 1.00",
        "    1 x strategy 'traditional' requested explicitly",
    ])


def test_summary_none_prints_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(testdata): testdata('cart', count=3)")
    result = pytester.runpytest("--testdata-summary", "none")
    result.assert_outcomes(passed=1)
    assert not any("testdata (session seed" in line for line in result.outlines)


def test_terminal_summary_counts_requests_and_records(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        def test_a(testdata):
            testdata("cart", count=3)
            testdata("user")

        @pytest.mark.testdata("order", count=2)
        def test_b(order):
            pass
    """)
    result = pytester.runpytest("--testdata-seed", "7")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*- testdata (session seed 7) -*",
        "traditional: 3 requests, 6 records, * ms, coherence 1.00",
    ])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_without_plugin(request):
            assert not request.config.pluginmanager.hasplugin("testdata")
            assert "testdata" not in request.fixturenames
    """)
    result = pytester.runpytest("-p", "no:testdata")
    result.assert_outcomes(passed=1)
    assert not any(line.startswith("testdata: seed") for line in result.outlines)
    help_text = pytester.runpytest("-p", "no:testdata", "--help").stdout.str()
    assert "--testdata-seed" not in help_text


def test_plugin_disabled_leaves_the_marker_unknown_under_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart")
        def test_it():
            pass
    """)
    # In a subprocess: an inline run shares the already-imported plugin with this process.
    result = pytester.runpytest_subprocess("-p", "no:testdata", "--strict-markers")
    result.stdout.fnmatch_lines(["*'testdata' not found in `markers` configuration option*"])


def test_marker_works_under_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("cart")
        def test_it(cart):
            assert cart["items"]
    """)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)
