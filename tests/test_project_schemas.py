"""Schemas registered in a project's configuration reach every door: the fixture, the marker, module-level
``factory_for``, the ``testdata`` command run in that project and the agent started there; load errors are
one line in the CLI and fail exactly the tests that use the broken entity in pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.cli import main
from pytest_testdata.schemas.project import find_project, project_schema_paths

SHIPMENT = {
    "title": "shipment", "type": "object", "required": ["shipment_id", "parcels", "contact"],
    "properties": {
        "shipment_id": {"type": "string", "format": "uuid"},
        "contact": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string",
                                                                                    "format": "email"}}},
        "parcels": {"type": "array", "minItems": 1, "maxItems": 4, "items": {
            "type": "object", "required": ["weight_kg"],
            "properties": {"weight_kg": {"type": "number", "minimum": 0.1, "maximum": 70}}}},
    },
}


def make_project(root: Path, config: str = "pyproject") -> Path:
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "schemas" / "shipment.json").write_text(json.dumps(SHIPMENT))
    if config == "pyproject":
        (root / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.pytest.ini_options]\n'
                                             'testdata_schemas = ["schemas"]\n')
    elif config == "pytest9":
        (root / "pyproject.toml").write_text('[tool.pytest]\ntestdata_schemas = ["schemas"]\n')
    else:
        (root / config).write_text({"pytest.ini": "[pytest]\n", "tox.ini": "[pytest]\n",
                                    "setup.cfg": "[tool:pytest]\n"}[config] + "testdata_schemas = schemas\n")
    (root / "tests" / "unit").mkdir(parents=True, exist_ok=True)
    return root


@pytest.mark.parametrize("config", ["pyproject", "pytest9", "pytest.ini", "tox.ini", "setup.cfg"])
def test_the_project_is_found_from_a_subfolder_as_pytest_finds_it(tmp_path: Path, config: str) -> None:
    root = make_project(tmp_path / "shop", config)
    project = find_project(root / "tests" / "unit")
    assert project.rootdir == root and project.schemas == ("schemas",)
    assert project_schema_paths(start=root / "tests" / "unit") == [root / "schemas"]


def test_the_closest_configuration_wins_and_others_are_ignored(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    (root / "tests" / "tox.ini").write_text("[tox]\nenvlist = py\n")  # no [pytest] section: not a config
    (root / "tests" / "unit" / "setup.cfg").write_text("[metadata]\nname = x\n")
    assert find_project(root / "tests" / "unit").rootdir == root
    (root / "tests" / "pytest.ini").write_text("[pytest]\n")  # a pytest.ini always counts, even empty
    assert find_project(root / "tests" / "unit") == type(find_project())(root / "tests", root / "tests" /
                                                                           "pytest.ini", ())


def test_schemas_from_the_configuration_reach_fixture_marker_and_module_level_factory_for(
        pytester: pytest.Pytester) -> None:
    make_project(pytester.path)
    pytester.makepyfile(test_ship="""
        import pytest
        from pytest_testdata import factory_for

        ShipmentFactory = factory_for("shipment")   # at import time, before any fixture

        def test_factory():
            shipment = ShipmentFactory()
            assert set(shipment) >= {"shipment_id", "parcels", "contact"}

        def test_fixture(testdata):
            assert "@" in testdata("shipment")["contact"]["email"]

        @pytest.mark.testdata("shipment", count=2)
        def test_marker(shipment):
            assert len(shipment) == 2
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)
    pytester.runpytest("-p", "no:cacheprovider", "-n", "2").assert_outcomes(passed=3)  # each worker too


def test_the_command_run_in_the_project_sees_its_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "shop")
    monkeypatch.chdir(root / "tests" / "unit")
    assert main(["generate", "shipment", "-n", "3", "--seed", "4"]) == 0
    shipments = json.loads(capsys.readouterr().out)
    assert len(shipments) == 3 and all(1 <= len(s["parcels"]) <= 4 for s in shipments)
    assert main(["schemas"]) == 0
    assert "shipment (v1, default)" in capsys.readouterr().out
    monkeypatch.setenv("TESTDATA_SCHEMA_DIRS", "other")  # the environment beats the ini, as in pytest
    (root / "other").mkdir()
    (root / "other" / "pallet.json").write_text(json.dumps({"title": "pallet", "type": "object",
                                                            "properties": {"slots": {"type": "integer"}}}))
    assert main(["generate", "pallet", "-n", "1"]) == 0
    assert main(["generate", "shipment", "-n", "1"]) == 2
    assert "unknown entity 'shipment'" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["before", "after"])
def test_schemas_flag_before_or_after_the_subcommand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], where: str) -> None:
    root = make_project(tmp_path / "shop")
    monkeypatch.chdir(tmp_path)  # outside the project: only the flag names the schemas
    flag = ["--schemas", str(root / "schemas")]
    argv = [*flag, "generate", "shipment", "-n", "2"] if where == "before" else ["generate", *flag, "shipment",
                                                                                 "-n", "2"]
    assert main(argv) == 0 and len(json.loads(capsys.readouterr().out)) == 2
    argv = [*flag, "schemas", "--json"] if where == "before" else ["schemas", *flag, "--json"]
    assert main(argv) == 0 and "shipment" in [s["name"] for s in json.loads(capsys.readouterr().out)]
    single = root / "schemas" / "shipment.json"  # a single file works too
    assert main(["generate", "--schemas", str(single), "shipment", "-n", "1"]) == 0


def _serve(cwd: Path, *args: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESTDATA_")}
    proc = subprocess.Popen([sys.executable, "-m", "pytest_testdata.cli", "serve", "--host", "127.0.0.1",
                             "--grpc-port", "0", "--http-port", "0", *args], cwd=cwd,
                            env={**env, "PYTHONUNBUFFERED": "1"}, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            return proc, {"exit": proc.wait(), "stderr": "".join(seen)}
        seen.append(line)
        data = json.loads(line) if line.startswith("{") else {}
        if data.get("event") == "agent started":
            return proc, data
    proc.kill()
    raise AssertionError("agent did not start within 60 s")


def test_the_agent_started_in_the_project_serves_its_schemas(tmp_path: Path) -> None:
    import grpc  # noqa: F401  (the agent extra, in the dev extra: a missing one fails here, loudly)

    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.types import GenerationRequest

    root = make_project(tmp_path / "shop")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "pallet.json").write_text(json.dumps({"title": "pallet", "type": "object",
                                                                "properties": {"slots": {"type": "integer"}}}))
    for cwd, args, expected in [(root / "tests", (), "shipment"),
                                (tmp_path, ("--schemas", str(tmp_path / "extra")), "pallet")]:
        proc, started = _serve(cwd, *args)
        try:
            assert "grpc_port" in started, started
            client = AgentClient(f"127.0.0.1:{started['grpc_port']}", timeout=30)
            try:
                assert expected in [s.name for s in client.schemas()]
                result = client.generate(GenerationRequest.checked(expected, 2, seed=1))
                assert len(result.records) == 2
            finally:
                client.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def test_the_agent_refuses_to_start_with_a_schema_that_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"title": "bad", "type": "object", "properties": {"a": {"$ref": "#/x"}}}')
    _, outcome = _serve(tmp_path, "--schemas", str(tmp_path))
    assert outcome.get("exit") == 2, outcome
    lines = outcome["stderr"].strip().splitlines()
    assert lines == [f"testdata: error: schema {tmp_path / 'bad.json'}: at /properties/a/$ref, '$ref': the "
                     "reference '#/x' points at nothing. Fix: define the target, or correct the pointer (found no "
                     "'x')"], lines


# --- load errors: the CLI exits 2 with one line; pytest fails exactly the tests that use the entity ---

BROKEN = [
    ("syntax.json", '{"title": "syntax", "type": "object",\n "properties": {"a": }}',
     "syntax.json: at /, 'syntax': not valid JSON: Expecting value at line 2, column 22. Fix: fix the syntax"),
    ("dangling.json", json.dumps({"title": "dangling", "type": "object", "properties": {"a": {
        "$ref": "#/$defs/nope"}}}), "dangling.json: at /properties/a/$ref, '$ref': the reference '#/$defs/nope' "
                                 "points at nothing"),
]


@pytest.mark.parametrize(("file", "text", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_schema_is_one_line_and_exit_2_in_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str], file: str,
                                                           text: str, message: str | None) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / file).write_text(text)
    entity = file.removesuffix(".json")
    for argv in (["generate", "--schemas", "s", entity], ["schemas", "--schemas", "s"]):
        code = main(argv)
        out, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert code == 2, (argv, out, err)
        assert len(lines) == 1 and lines[0].startswith("testdata: error: schema "), err
        assert f"{entity}" in lines[0] and "Traceback" not in err
        if message is not None:
            assert message in lines[0]
    # The other entities are not affected: a broken file does not stop the built-in ones.
    assert main(["generate", "--schemas", "s", "cart", "-n", "1"]) == 0


def test_in_pytest_a_broken_schema_fails_exactly_the_tests_that_use_it(pytester: pytest.Pytester) -> None:
    (pytester.path / "schemas").mkdir()
    for file, text, _ in BROKEN:
        (pytester.path / "schemas" / file).write_text(text)
    (pytester.path / "schemas" / "shipment.json").write_text(json.dumps(SHIPMENT))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile("""
        import pytest

        def test_good(testdata):
            assert testdata("shipment")["parcels"]

        def test_builtin(testdata):
            assert testdata("cart")["items"]

        @pytest.mark.parametrize("entity", ["syntax", "dangling"])
        def test_fixture_on_a_broken_entity(testdata, entity):
            testdata(entity)

        @pytest.mark.testdata("syntax")
        def test_marker_on_a_broken_file(syntax):
            pass

        @pytest.mark.testdata("dangling", count=2)
        def test_marker_on_a_broken_entity(dangling):
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rfE")
    result.assert_outcomes(passed=2, failed=2, errors=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "testdata: *1 unreadable schema file(s) (*syntax.json: the tests that use their entities fail)*",
        "*ERROR at setup of test_marker_on_a_broken_file*",
        "*::test_marker_on_a_broken_file: @pytest.mark.testdata('syntax', ...): schema *syntax.json: at /, "
        "'syntax': not valid JSON: Expecting value at line 2, column 22. Fix: fix the syntax there*",
        "*ERROR at setup of test_marker_on_a_broken_entity*",
        "*::test_marker_on_a_broken_entity: @pytest.mark.testdata('dangling', ...): schema *dangling.json: "
        "at /properties/a/$ref, '$ref': the reference '#/$defs/nope' points at nothing. Fix: *",
        "*test_fixture_on_a_broken_entity?syntax?*",
        "E *.SchemaError: schema *syntax.json: at /, 'syntax': not valid JSON*",
    ])
    assert "Traceback" not in out and "pytest_testdata/" not in out  # no frame of ours reaches the user
