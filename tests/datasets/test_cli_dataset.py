"""``testdata dataset``: files per entity, SQL, a SQLite file; same seed, same files; clear errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pytest_testdata.cli import main
from tests.test_cli import run_on_a_terminal

SHOP = ["user=30", "product=20", "order=80", "payment=80", "review=40"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _check_sqlite(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA foreign_keys=ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute('SELECT count(*) FROM payment p JOIN "order" o ON o.order_id = p.order_id '
                      "WHERE abs(p.amount - o.totals_total) > 0.001").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM order_items i JOIN product p ON p.product_id = i.product_id "
                      "WHERE i.unit_price != p.price").fetchone() == (0,)


def test_jsonl_per_entity_same_seed_same_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "dataset", *SHOP, "--seed", "5", "--out", str(tmp_path / "a"))
    assert code == 0
    assert "dataset of 250 records (product 20, user 30, order 80, payment 80, review 40), seed 5, 0 violation(s)" \
        in err
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["order.jsonl", "payment.jsonl", "product.jsonl", "review.jsonl", "user.jsonl"]
    orders = [json.loads(line) for line in (tmp_path / "a" / "order.jsonl").read_text().splitlines()]
    users = {json.loads(line)["user_id"] for line in (tmp_path / "a" / "user.jsonl").read_text().splitlines()}
    assert len(orders) == 80 and {o["customer_id"] for o in orders} <= users
    run(capsys, "dataset", *SHOP, "--seed", "5", "--out", str(tmp_path / "b"))
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_csv_has_a_header_and_json_for_nested_values(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run(capsys, "dataset", "--root", "order", "--count", "12", "--format", "csv", "--seed", "2",
                     "--out", str(tmp_path))
    assert code == 0
    lines = (tmp_path / "order.csv").read_text().splitlines()
    assert lines[0].startswith("order_id,customer_id,items,shipping_address") and len(lines) == 13
    assert {p.name for p in tmp_path.iterdir()} == {"order.csv", "user.csv", "product.csv", "payment.csv"}


def test_sql_statements_load_into_sqlite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "dataset", *SHOP, "--format", "sql", "--seed", "3")
    assert code == 0 and out.startswith("BEGIN;\nCREATE TABLE product (") and out.endswith("COMMIT;\n")
    db = sqlite3.connect(tmp_path / "from-sql.db")
    db.executescript("PRAGMA foreign_keys=ON;\n" + out)
    assert db.execute('SELECT count(*) FROM "order"').fetchone() == (80,)
    _check_sqlite(db)


def test_a_sqlite_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "shop.db"
    code, _, err = run(capsys, "dataset", *SHOP, "--format", "sqlite", "--seed", "3", "--out", str(target))
    assert code == 0 and f"written to {target}" in err
    db = sqlite3.connect(target)
    assert db.execute("SELECT count(*) FROM review").fetchone() == (40,)
    _check_sqlite(db)
    assert [p.name for p in tmp_path.iterdir()] == ["shop.db"]  # no temporary file left behind


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names the flushed files through /proc (Linux)")
def test_a_file_is_on_the_disk_before_it_appears(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLite file is written without fsync at its commit (test PRAGMAs): its bytes, and the folder's
    entry, are flushed once when it is renamed into place, so a file that appeared survives a power cut."""
    import os

    events: list[tuple[str, str]] = []
    fsync, replace = os.fsync, os.replace

    def flushed(handle: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{handle}")))
        fsync(handle)

    def renamed(source: str, target: str) -> None:
        events.append(("replace", str(source)))
        replace(source, target)

    monkeypatch.setattr(os, "fsync", flushed)
    monkeypatch.setattr(os, "replace", renamed)
    target = tmp_path / "shop.db"
    assert run(capsys, "dataset", "user=5", "--format", "sqlite", "--seed", "3", "--out", str(target))[0] == 0
    temporary = next(path for kind, path in events if kind == "replace")
    assert events.index(("fsync", temporary)) < events.index(("replace", temporary))
    assert events[-1] == ("fsync", str(tmp_path))  # the folder, after the rename
    assert sqlite3.connect(target).execute("SELECT count(*) FROM user").fetchone() == (5,)


@pytest.mark.parametrize(("args", "message"), [
    (["user=ten"], "dataset count 'user=ten': expected ENTITY=N such as user=100."),
    (["usr=3", "--out", "x"], "unknown entity 'usr' (did you mean 'user'?)"),
    (["user=3", "review=3", "product=2", "--out", "x"], "review records need order records"),
    (["user=3", "--format", "sqlite"], "--format sqlite needs --out: the SQLite file to create."),
    (["user=3", "--dialect", "postgresql", "--out", "x"],
     "--dialect postgresql is the SQL dialect of --format sql; with --format jsonl it would not be used. Add "
     "--format sql, or leave --dialect out."),
    (["user=3", "--format", "sqlite", "--dialect", "sqlite", "--out", "x"],
     "--dialect sqlite is the SQL dialect of --format sql; with --format sqlite it would not be used."),
    (["user=3", "--cardinality", "order.customer_id=x"], "--cardinality 'order.customer_id=x': expected REF=N"),
    (["product=3", "order=3", "--external", "user", "--out", "x"],
     "--external 'user': expected ENTITY=ID,ID,... or ENTITY=@FILE"),
    (["product=3", "order=3", "--external", "user=, ,", "--out", "x"],
     "--external 'user=, ,': no ids in it. Give at least one id of a user record"),
    (["product=3", "order=3", "--external", "user=@ids.txt", "--out", "x"],
     "--external 'user=@ids.txt': cannot read 'ids.txt' (No such file or directory). Give a text file of ids"),
    (["user=3", "product=3", "order=3", "--external", "user=u-1", "--out", "x"],
     "dataset: user has a count (3) and external ids (1): its records are either built by the dataset or exist "
     "elsewhere, not both."),
    (["product=3", "order=3", "--external", "user=u-1,u-2", "--out", "x"],
     "dataset: external id 'u-1' of user cannot go into order.customer_id: 'u-1' is not a valid uuid [format] "
     "(2 of the 2 ids do not fit). Give ids that order.customer_id's schema accepts (type string, format uuid)"),
    (["product=3", "order=3", "--out", "x"],
     "(counts={'user': N, ...}; user=N on the command line), pass external={'user': [ids...]} (--external "
     "user=ID,ID,...) for user records that exist elsewhere, or ask for root='order' (--root order)"),
])
def test_bad_input_is_one_line_and_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                  message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "dataset", *args)
    assert out == ""
    assert code == 2 and message in err and err.startswith("testdata: error: ")
    assert list(tmp_path.iterdir()) == []


def test_a_progress_bar_on_the_terminal(tmp_path: Path) -> None:
    code, terminal, _ = run_on_a_terminal(["dataset", "user=1000", "product=500", "order=3000", "payment=500",
                                           "--seed", "1", "--out", "shop"], tmp_path)
    assert code == 0 and "generating dataset" in terminal
    code, terminal, _ = run_on_a_terminal(["dataset", "user=1000", "product=500", "order=3000", "payment=500",
                                           "--seed", "1", "--out", "again", "--no-progress"], tmp_path)
    assert code == 0 and "generating dataset" not in terminal


PETSTORE = """
openapi: 3.0.4
info: {title: Swagger Petstore, version: 1.0.27}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
    Order:
      type: object
      properties:
        id: {type: integer, format: int64}
        petId: {type: integer, format: int64}
        quantity: {type: integer, format: int32}
"""


def test_an_openapi_root_pulls_in_what_its_field_names_refer_to(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    """``--root Order`` on a Petstore (no x-ref): the pets come too, and SQLite finds every petId."""
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    db_path = tmp_path / "pets.db"
    code, _, err = run(capsys, "--schemas", str(tmp_path), "dataset", "--root", "Order", "--count", "25",
                       "--format", "sqlite", "--seed", "2", "--out", str(db_path))
    assert code == 0, err
    db = sqlite3.connect(db_path)
    assert db.execute('SELECT count(*) FROM "order"').fetchone() == (25,)
    assert db.execute("SELECT count(*) FROM pet").fetchone()[0] >= 1
    assert db.execute('SELECT count(*) FROM "order" o LEFT JOIN pet p ON p.id = o.petId '
                      "WHERE o.petId IS NOT NULL AND p.id IS NULL").fetchone() == (0,)


def test_entities_spelled_as_the_document_spells_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    code, out, err = run(capsys, "--schemas", str(tmp_path), "dataset", "Pet=3", "Order=9", "--format", "sql",
                         "--seed", "1")
    assert code == 0, err
    assert "dataset of 12 records (pet 3, order 9), seed 1, 0 violation(s)" in err
    db = sqlite3.connect(tmp_path / "from-sql.db")
    db.executescript(out)
    assert db.execute('SELECT count(*) FROM "order" o JOIN pet p ON p.id = o.petId').fetchone()[0] >= 1


def test_explain_prints_the_plan_and_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "dataset", "--root", "review", "--count", "15", "--seed", "7",
                         "--cardinality", "order.customer_id=1..4", "--explain")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "dataset plan, seed 7"
    assert lines[1] == "  entities, in the order they are built: product, user, order, review"
    assert "    order: read by rule review.by_buyer_after_delivery" in lines
    assert "    order.customer_id -> user.user_id: 1..4 (mean 2.5, long_tail)" in lines
    assert "    review.product_id -> product.product_id: at least 0 (mean 5, long_tail); chosen by a coherence rule" \
        in lines
    assert list(tmp_path.iterdir()) == []  # nothing generated, nothing written


def test_explain_still_refuses_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "dataset", "review=5", "--explain")
    assert code == 2 and out == "" and err.startswith("testdata: error: ") and "review" in err


USERS = [f"6f1c2a57-6f3e-4a43-9d3b-3f3c1f0a00{n:02d}" for n in range(1, 5)]


def test_external_ids_from_the_command_line_and_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Orders of users that exist elsewhere: their ids from a file (one a line, blank lines skipped) and the
    command line; no user is generated, and the SQLite file has no user table for the orders to point at."""
    (tmp_path / "users.txt").write_text(f"{USERS[0]}\n\n  {USERS[1]}\n{USERS[2]}\n")
    given = ["--external", f"user=@{tmp_path / 'users.txt'}", "--external", f"user={USERS[3]}"]
    code, out, _ = run(capsys, "dataset", "product=5", "order=40", *given, "--explain")
    assert code == 0 and "  external ids supplied for user: 4" in out.splitlines()
    code, _, err = run(capsys, "dataset", "product=5", "order=40", *given, "--seed", "4",
                       "--out", str(tmp_path / "files"))
    assert code == 0, err
    assert "dataset of 45 records (product 5, order 40), seed 4, 0 violation(s)" in err
    orders = [json.loads(line) for line in (tmp_path / "files" / "order.jsonl").read_text().splitlines()]
    customers = {o["customer_id"] for o in orders}
    assert customers <= set(USERS) and len(customers) >= 2  # (a long tail: one of the four may have none)
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == ["order.jsonl", "product.jsonl"]
    target = tmp_path / "shop.db"
    code, _, err = run(capsys, "dataset", "product=5", "order=40", "payment=40", "--external",
                       f"user={','.join(USERS)}", "--seed", "4", "--format", "sqlite", "--out", str(target))
    assert code == 0, err
    db = sqlite3.connect(target)
    assert {row[0] for row in db.execute('SELECT customer_id FROM "order"')} <= set(USERS)
    assert "user" not in {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    _check_sqlite(db)


def test_external_ids_take_the_type_of_the_fields_that_hold_them(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    """A Petstore order's petId is an integer: ids from the command line are given to it as integers; an id
    that is no whole number is refused, naming the field."""
    (tmp_path / "petstore.yaml").write_text(PETSTORE)
    code, out, err = run(capsys, "--schemas", str(tmp_path), "dataset", "Order=12", "--external", "Pet=7,8,+9",
                         "--seed", "1", "--out", str(tmp_path / "files"))
    assert code == 0, err
    assert "0 violation(s)" in err
    orders = [json.loads(line) for line in (tmp_path / "files" / "order.jsonl").read_text().splitlines()]
    pets = [o["petId"] for o in orders if "petId" in o]
    assert pets and set(pets) <= {7, 8, 9} and all(type(p) is int for p in pets)
    code, out, err = run(capsys, "--schemas", str(tmp_path), "dataset", "Order=12", "--external", "Pet=7,+-8,rex",
                         "--out", str(tmp_path / "other"))
    assert code == 2 and out == ""
    assert err.startswith("testdata: error: --external pet: '+-8' is not a whole number, and order.petId holds "
                          "integer ids of pet. Give pet's ids as whole numbers.")
    assert not (tmp_path / "other").exists()



def test_your_models_by_module_and_class(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``MODULE:CLASS=N`` names a model imported from the current folder; ``--root MODULE:CLASS`` pulls in
    the models its foreign keys reach. The SQLite file has the models' tables, their constraints and rows
    that keep them."""
    import sys

    examples = Path(__file__).resolve().parents[2] / "examples"
    (tmp_path / "bank_models_cli.py").write_text((examples / "bank_models.py").read_text())  # a module of its own
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # (the command puts the current folder on it)
    code, _, err = run(capsys, "dataset", "bank_models_cli:Account=4", "bank_models_cli:Transfer=40",
                       "--format", "sqlite", "--out", "bank.db", "--seed", "2")
    assert code == 0, err
    assert "dataset of 44 records (accounts 4, transfers 40), seed 2, 0 violation(s), written to bank.db" in err
    db = sqlite3.connect(tmp_path / "bank.db")
    db.execute("PRAGMA foreign_keys=ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT count(*) FROM transfers WHERE from_account_id != to_account_id "
                      "AND amount > 0").fetchone() == (40,)
    assert "CHECK (from_account_id <> to_account_id)" in db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'transfers'").fetchone()[0]
    code, out, _ = run(capsys, "dataset", "--root", "bank_models_cli:Transfer", "--count", "5", "--explain")
    assert code == 0 and "accounts: referenced by transfers.from_account_id" in out
    code, _, err = run(capsys, "dataset", "bank_models_cli:Acount=3")
    assert code == 2
    assert err.strip() == ("testdata: error: dataset entity 'bank_models_cli:Acount': module 'bank_models_cli' has "
                           "no 'Acount'. Its classes: Account, Base, Transfer.")
