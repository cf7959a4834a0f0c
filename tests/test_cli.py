"""The `testdata` command: generate (json, jsonl, csv; seeds; --out), schemas, and readable errors."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_testdata.cli import main
from tests.llm.servers import PROVIDER_ENV


@pytest.fixture(autouse=True)
def outside_any_project(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads the project configuration around the current directory: run it in none."""
    monkeypatch.chdir(tmp_path_factory.mktemp("no_project"))
    monkeypatch.delenv("TESTDATA_SCHEMA_DIRS", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_json_is_reproducible_with_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "generate", "cart", "-n", "3", "--seed", "7")
    assert code == 0
    carts = json.loads(out)
    assert len(carts) == 3 and all("cart_id" in c for c in carts)
    assert err.strip() == "testdata: 3 cart records, seed 7, strategy traditional"
    assert json.loads(run(capsys, "generate", "cart", "-n", "3", "--seed", "7")[1]) == carts
    assert json.loads(run(capsys, "generate", "cart", "-n", "3", "--seed", "8")[1]) != carts


def test_the_reason_is_printed_when_the_strategy_is_not_what_was_asked(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROVIDER_ENV, "TESTDATA_ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    _, _, err = run(capsys, "generate", "user", "-n", "2", "--seed", "1", "--strategy", "traditional",
                    "--context", "premium buyers")
    assert err.splitlines() == ["testdata: 2 user records, seed 1, strategy traditional",
                                "testdata: why: strategy 'traditional' requested explicitly (context not used by it)"]
    _, _, err = run(capsys, "generate", "user", "-n", "2", "--seed", "1", "--context", "premium buyers")
    assert err.splitlines()[1].startswith(
        "testdata: why: context given: an LLM writes coherent, context-aware records, but llm is unavailable "
        "(no LLM provider is configured: ")
    assert err.splitlines()[1].endswith("; fell back to traditional")
    # The model's own fallback is a warning, said once as a line of the command's (not Python's file and line)
    _, _, err = run(capsys, "generate", "review", "-n", "2", "--seed", "1", "--strategy", "llm")
    lines = err.splitlines()
    assert len(lines) == 2 and lines[1] == "testdata: 2 review records, seed 1, strategy traditional"
    assert lines[0].startswith("testdata: warning: strategy 'llm' for 'review': no LLM provider is configured: ")
    assert lines[0].endswith("; fell back to traditional for all 2 records")


def test_random_seed_is_printed_and_replays(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(capsys, "generate", "user", "-n", "2")
    seed = err.split("seed ")[1].split(",")[0]
    assert json.loads(run(capsys, "generate", "user", "-n", "2", "--seed", seed)[1]) == json.loads(out)


def test_jsonl_and_csv_hold_the_same_records(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out_json, _ = run(capsys, "generate", "order", "-n", "4", "--seed", "3")
    _, out_jsonl, _ = run(capsys, "generate", "order", "-n", "4", "--seed", "3", "--format", "jsonl")
    orders = json.loads(out_json)
    assert [json.loads(line) for line in out_jsonl.splitlines()] == orders
    target = tmp_path / "orders.csv"
    code, out, err = run(capsys, "generate", "order", "-n", "4", "--seed", "3", "--format", "csv",
                         "--out", str(target))
    assert code == 0 and out == "" and err.strip().endswith(f"written to {target}")
    rows = list(csv.DictReader(target.open(newline="", encoding="utf-8")))
    assert [r["order_id"] for r in rows] == [o["order_id"] for o in orders]
    assert json.loads(rows[0]["items"]) == orders[0]["items"]  # nested values as JSON cells
    assert rows[0]["status"] == orders[0]["status"]


def test_large_runs_are_chunked_but_identical_for_a_seed(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for target in (first, second):
        code, _, _ = run(capsys, "generate", "product", "-n", "2500", "--seed", "9", "--format", "jsonl",
                         "--out", str(target))
        assert code == 0
    assert first.read_bytes() == second.read_bytes()
    products = [json.loads(line) for line in first.read_text().splitlines()]
    assert len(products) == 2500 and len({p["sku"] for p in products}) == 2500


def test_constraints_locale_and_schemas_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = run(capsys, "generate", "cart", "-n", "20", "--seed", "1", "--constraint", "total:max=300",
                    "--constraint", "currency:enum=EUR,GBP")
    carts = json.loads(out)
    assert all(c["total"] <= 300 and c["currency"] in ("EUR", "GBP") for c in carts)
    _, out, _ = run(capsys, "generate", "user", "-n", "5", "--seed", "1", "--locale", "de_DE")
    assert {u["addresses"][0]["country"] for u in json.loads(out)} == {"DE"}
    (tmp_path / "pet.json").write_text(json.dumps({
        "title": "pet", "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "x-gen": "person.first_name"},
                       "species": {"type": "string", "enum": ["cat", "dog"]}}}))
    code, out, _ = run(capsys, "--schemas", str(tmp_path), "generate", "pet", "-n", "3", "--seed", "2")
    assert code == 0 and {p["species"] for p in json.loads(out)} <= {"cat", "dog"}


def test_schemas_lists_entities_fields_references_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemas")
    assert code == 0
    versions = {"cart": 2, "order": 2, "payment": 2, "product": 1, "review": 2, "user": 1}  # 2: dataset rules
    for entity, version in versions.items():
        assert f"\n{entity} (v{version}, ecommerce): " in "\n" + out
    fields = "cart_id, customer_id, items, subtotal, tax, total, currency, created_at, updated_at"
    assert f"    fields: {fields}" in out
    assert "customer_id -> user.user_id" in out and "coherence: email_from_name" in out
    listed = json.loads(run(capsys, "schemas", "--json")[1])
    assert [s["name"] for s in listed] == ["cart", "order", "payment", "product", "review", "user"]
    assert json.loads(run(capsys, "schemas", "--json", "--domain", "nope")[1]) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "carts"), "unknown entity 'carts' (did you mean 'cart'?). Known entities: "
         "cart, order,"),
        (("generate", "cart", "-n", "0"), "count: expected a whole number from 1 to 1,000,000, got 0."),
        (("generate", "cart", "--strategy", "magic"), "strategy: 'magic' is not allowed. Allowed: auto, "
         "traditional, llm, rag, hybrid."),
        (("generate", "cart", "--strategy", "llm"), "strategy 'llm' is not available in this version of "
         "pytest-testdata: the LLM strategy"),
        (("generate", "cart", "--constraint", "total:min=9", "--constraint", "total:max=1"),
         "constraints['total']: min (9) is greater than max (1)"),
        (("generate", "cart", "--constraint", "total:max=lots"), "--constraint 'total:max=lots': max needs a "
         "number, got 'lots'. For example: total:max=500."),
        (("generate", "cart", "--constraint", "total"), "--constraint 'total': expected FIELD:KEY=VALUE"),
        (("generate", "cart", "--constraint", "sku:regex=[a-"), "'[a-' is not a valid regular expression"),
        (("generate", "cart", "--constraint", "totl:max=5"), "'cart' has no field 'totl' (did you mean "
         "'total'?)"),
        (("generate", "user", "--locale", "en_NZ"), "locale: 'en_NZ' is not allowed"),
        (("--schemas", "/no/such/dir", "schemas"), "schema path '/no/such/dir' (from --schemas) does not exist."),
    ],
    ids=["unknown-entity", "count", "strategy", "unbuilt-strategy", "min-over-max", "not-a-number",
         "malformed", "bad-regex", "unknown-field", "locale", "missing-folder"],
)
@pytest.mark.usefixtures("llm_not_built")
def test_errors_exit_2_with_one_readable_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              args: tuple[str, ...], message: str) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(capsys, *args, *(["--out", str(target)] if args[0] == "generate" else []))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("testdata: error: ") and message in lines[0], err
    assert out == "" and not target.exists()  # nothing half-written


def test_unwritable_output_is_a_readable_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "cart", "--out", str(tmp_path / "missing" / "x.json"))
    assert code == 2 and "cannot write the file (No such file or directory)" in err


def test_console_script_is_installed(tmp_path: Path) -> None:
    exe = shutil.which("testdata") or str(Path(sys.executable).with_name("testdata"))
    proc = subprocess.run([exe, "generate", "review", "-n", "2", "--seed", "5", "--format", "jsonl"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["rating"] in range(1, 6) for line in proc.stdout.splitlines()] == [True, True]
    proc = subprocess.run([exe, "generate", "reviews"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "did you mean 'review'" in proc.stderr
    assert "Traceback" not in proc.stderr


def run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, bytes]:
    """Run the console script with stderr on a pseudo-terminal (where a person would watch it)."""
    import os
    import pty

    master, slave = pty.openpty()
    exe = shutil.which("testdata") or str(Path(sys.executable).with_name("testdata"))
    stdout_file = cwd / "stdout.bin"
    with stdout_file.open("wb") as sink:  # a file, not a pipe: nothing blocks while we read the terminal
        proc = subprocess.Popen([exe, *args], stdout=sink, stderr=slave, cwd=cwd)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout=120)
    return code, b"".join(chunks).decode(errors="replace"), stdout_file.read_bytes()


def test_long_runs_show_a_progress_bar_on_the_terminal_only(tmp_path: Path) -> None:
    code, terminal, stdout = run_on_a_terminal(
        ["generate", "product", "-n", "5000", "--seed", "1", "--format", "jsonl"], tmp_path)
    assert code == 0
    assert "generating product" in terminal  # the bar, on stderr
    lines = stdout.decode().splitlines()
    assert len(lines) == 5000 and all(line.startswith("{") for line in lines)  # records untouched
    code, terminal, _ = run_on_a_terminal(
        ["generate", "product", "-n", "5000", "--seed", "1", "--no-progress", "--out", "p.jsonl"], tmp_path)
    assert code == 0 and "generating product" not in terminal
    code, terminal, _ = run_on_a_terminal(["generate", "product", "-n", "100", "--out", "q.json"], tmp_path)
    assert code == 0 and "generating product" not in terminal  # short runs: no bar
