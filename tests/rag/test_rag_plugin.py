"""The rag strategy through pytest: fixture and marker arguments, store options, summary."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TESTDATA_STORE", "TESTDATA_STORE_PATH", "WEAVIATE_URL", "RAG_TOP_K"):
        monkeypatch.delenv(name, raising=False)


def test_fixture_call_learns_from_history(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_refunds(testdata):
            orders = testdata("order", count=3, strategy="rag", learn_from_history=True,
                              context="refunded paypal clothing")
            meta = testdata.last.metadata
            assert meta.strategy == "rag" and meta.violations == [] and meta.coherence == 1.0
            assert meta.details["patterns"][0] == "order-refunded-clothing"
            assert {o["order_id"] for o in orders}.__len__() == 3
    """)
    result = pytester.runpytest("--testdata-summary", "full")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*testdata (session seed *)*",
        "rag: 1 request, 3 records, *coherence 1.00*",
        "    1 x strategy 'rag' requested explicitly",
    ])
    assert (pytester.path / ".testdata" / "patterns.sqlite3").is_file()


def test_marker_fills_the_argument_at_setup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.testdata("order", count=3, strategy="rag", learn_from_history=True)
        def test_orders(order, testdata):
            assert len(order) == 3
            assert testdata.last.metadata.strategy == "rag"

        @pytest.mark.testdata("cart", count=4, defect_triggering=True)
        def test_carts(cart, testdata):
            meta = testdata.last.metadata
            assert meta.strategy == "rag" and meta.reason.startswith("defect_triggering:")
            assert len(set(meta.details["defects"])) == 4
    """)
    result = pytester.runpytest("--strict-markers", "--testdata-summary", "full")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["rag: 2 requests, 7 records*",
                                 "    1 x defect_triggering: adapt retrieved known defect shapes"])


def test_auto_routes_history_flags_from_testdata_config(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def testdata_config():
            return {"learn_from_history": True}
    """)
    pytester.makepyfile("""
        def test_users(testdata):
            users = testdata("user", count=2)
            assert testdata.last.metadata.strategy == "rag"
            assert testdata.last.metadata.reason == "learn_from_history: adapt retrieved historical patterns"
    """)
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("how", ["ini", "flag", "env"])
def test_the_store_location_comes_from_ini_flag_or_env(pytester: pytest.Pytester, how: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile("""
        def test_one(testdata):
            testdata("product", strategy="rag")
    """)
    args: list[str] = []
    if how == "ini":
        pytester.makeini("[pytest]\ntestdata_store_path = data/team-patterns.sqlite3\n")
    elif how == "flag":
        args = ["--testdata-store-path", "data/team-patterns.sqlite3"]
    else:
        monkeypatch.setenv("TESTDATA_STORE_PATH", "data/team-patterns.sqlite3")
    pytester.runpytest(*args).assert_outcomes(passed=1)
    assert (pytester.path / "data" / "team-patterns.sqlite3").is_file()
    assert not (pytester.path / ".testdata").exists()


def test_help_lists_the_store_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([
        "*--testdata-store=STORE*",
        "*--testdata-store-path=FILE*",
        "*--testdata-weaviate-url=URL*",
        "*--testdata-rag-top-k=N*",
    ])


@pytest.mark.parametrize(("args", "message"), [
    (["--testdata-store", "redis"], "pytest-testdata: command line --testdata-store (store): 'redis' is not allowed. "
                                    "Allowed: auto, embedded, weaviate."),
    (["--testdata-rag-top-k", "many"], "pytest-testdata: command line --testdata-rag-top-k (rag_top_k): 'many' is "
                                       "not a whole number."),
])
def test_bad_store_options_fail_early(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_a_store_that_is_down_does_not_fail_the_test_and_says_why(pytester: pytest.Pytester) -> None:
    from .conftest import closed_port

    pytester.makepyfile("""
        def test_orders(testdata):
            testdata("order", count=2, learn_from_history=True)
            assert testdata.last.metadata.strategy == "traditional"
    """)
    result = pytester.runpytest("--testdata-store", "weaviate", "--testdata-weaviate-url",
                                f"http://127.0.0.1:{closed_port()}", "--testdata-summary", "full")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["traditional: 1 request, 2 records*",
                                 "    1 x learn_from_history: adapt retrieved historical patterns, but rag is "
                                 "unavailable (the pattern store is unavailable: the Weaviate pattern store at*"])


def test_the_embedded_store_never_imports_weaviate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import sys

        def test_rag(testdata):
            testdata("cart", count=2, learn_from_history=True)
            assert testdata.last.metadata.strategy == "rag"
            assert "weaviate" not in sys.modules
    """)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_xdist_workers_share_one_store_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("entity", ["cart", "order", "user", "product", "payment", "review"])
        def test_rag(testdata, entity):
            testdata(entity, count=3, learn_from_history=True)
            assert testdata.last.metadata.strategy == "rag"
    """)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "--testdata-seed", "5")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["rag: 6 requests, 18 records*"])
    from pytest_testdata.store import DEFECTS, PATTERNS
    from pytest_testdata.store.embedded import EmbeddedStore

    store = EmbeddedStore(pytester.path / ".testdata" / "patterns.sqlite3")
    assert (store.count(PATTERNS), store.count(DEFECTS)) == (18, 17)  # seeded once, whoever came first
    store.close()
