"""One seed governs testdata, Faker and factory_boy, with or without pytest-randomly, serial or under xdist.

The rule (docs/usage.md, "Seeds and replay"): the testdata session seed reseeds Faker's and factory_boy's
shared generators before each test's set-up and again right before its body, after pytest-randomly's own
reseeding; when pytest-randomly is active and no testdata seed is given, the session seed is randomly's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

USER_CODE = """
import json, os, re
import factory
import factory.fuzzy
import pytest
from faker import Faker
from pytest_testdata import factory_for

CartFactory = factory_for("cart")


class UserFactory(factory.DictFactory):
    name = factory.Faker("name")
    email = factory.Faker("email")
    score = factory.fuzzy.FuzzyInteger(0, 10**6)


def dump(request, data):
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.nodeid) + ".json"
    with open(os.path.join(os.environ["DUMP_DIR"], name), "w") as f:
        json.dump(data, f, sort_keys=True)


@pytest.fixture
def account():
    return UserFactory()  # drawn at set-up


@pytest.mark.parametrize("i", range(6))
def test_values(i, request, account):
    dump(request, {"cart": CartFactory(), "carts": CartFactory.build_batch(2), "faker": Faker().name(),
                   "user": UserFactory(), "account": account})


class TestGroup:
    def test_more(self, request, testdata):
        dump(request, {"cart": CartFactory(), "record": testdata("user"), "faker": Faker().address()})
"""


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str,
        *args: str) -> tuple[pytest.RunResult, dict[str, object]]:
    folder = pytester.path / name
    folder.mkdir()
    monkeypatch.setenv("DUMP_DIR", str(folder))
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == 0, result.stdout.str()
    return result, {p.name: json.loads(p.read_text()) for p in sorted(Path(folder).iterdir())}


def header(result: pytest.RunResult) -> tuple[int, str]:
    for line in result.outlines:
        match = re.match(r"^testdata: seed (\d+) \((.*?); replay with", line)
        if match:
            return int(match.group(1)), match.group(2)
    raise AssertionError(result.stdout.str())


def test_the_testdata_seed_governs_faker_and_factory_boy_with_randomly_and_xdist(
        dev_project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    dev_project.makepyfile(test_users=USER_CODE)
    _, plain = run(dev_project, monkeypatch, "plain", "--testdata-seed", "5", "-p", "no:randomly")
    randomly_result, randomly = run(dev_project, monkeypatch, "randomly", "--testdata-seed", "5", "-p", "randomly")
    assert "Using --randomly-seed=" in randomly_result.stdout.str()  # randomly really ran (and shuffled)
    _, other_order = run(dev_project, monkeypatch, "other", "--testdata-seed", "5", "-p", "randomly",
                         "--randomly-seed", "12345")
    _, parallel = run(dev_project, monkeypatch, "parallel", "--testdata-seed", "5", "-p", "randomly", "-n", "2")
    assert len(plain) == 7
    assert randomly == plain
    assert other_order == plain
    assert parallel == plain
    _, different = run(dev_project, monkeypatch, "different", "--testdata-seed", "6", "-p", "randomly")
    assert all(different[name] != plain[name] for name in plain)


def test_with_randomly_and_no_testdata_seed_the_randomly_seed_is_the_session_seed(
        dev_project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    dev_project.makepyfile(test_users=USER_CODE)
    result, adopted = run(dev_project, monkeypatch, "adopted", "-p", "randomly", "--randomly-seed", "4242")
    assert header(result) == (4242, "pytest-randomly's seed, which governs Faker and factory_boy too")
    _, direct = run(dev_project, monkeypatch, "direct", "--testdata-seed", "4242", "-p", "no:randomly")
    assert adopted == direct
    # Under xdist the workers take the controller's seed, not one of their own.
    result, parallel = run(dev_project, monkeypatch, "parallel", "-p", "randomly", "--randomly-seed", "4242",
                           "-n", "2")
    assert header(result)[0] == 4242 and parallel == direct
    # A random randomly seed is adopted too: the header's number replays everything.
    result, _ = run(dev_project, monkeypatch, "random", "-p", "randomly")
    randomly_seed = int(re.search(r"Using --randomly-seed=(\d+)", result.stdout.str()).group(1))  # type: ignore[union-attr]
    assert header(result)[0] == randomly_seed
