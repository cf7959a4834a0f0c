"""``testdata dataset``: a linked dataset as JSON Lines or CSV per entity, SQL statements or a SQLite file.

    testdata dataset user=100 product=50 order=300 payment=300 review=200 --format jsonl --out shop/
    testdata dataset --root order --count 300 --format sqlite --out shop.db
    testdata dataset user=10 order=30 product=20 --format sql            (to standard output)
    testdata dataset --root review --count 50 --explain                  (the plan only: nothing generated)
    testdata dataset product=20 order=50 --external user=@users.txt --out shop/   (orders of users you have)
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_testdata.datasets.export import FORMATS
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.types import STRATEGIES

if TYPE_CHECKING:  # the plan's module is imported when a dataset is made, not when the CLI starts
    from pytest_testdata.datasets.graph import DatasetPlan

_WHOLE = re.compile(r"[+-]?[0-9]+")
PROGRESS_THRESHOLD = 5000
"""Show a progress bar for datasets of at least this many records (on a terminal)."""


def add_parser(sub: Any) -> None:
    """Add the ``dataset`` subcommand to the ``testdata`` command."""
    ds = sub.add_parser("dataset", help="generate linked entities (users, orders, payments...) as files or a DB",
                        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ds.add_argument("counts", nargs="*", metavar="ENTITY=N",
                    help="records per entity, e.g. user=100 order=300; an entity of your models as MODULE:CLASS=N "
                    "(myapp.models:Account=10, imported from the current folder)")
    ds.add_argument("--root", default=None, help="a root entity (or MODULE:CLASS): what it references is pulled "
                    "in (with --count)")
    ds.add_argument("--count", type=int, default=None, help="records of the root entity (default 10)")
    ds.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)")
    ds.add_argument("--out", "-o", default=None,
                    help="a folder for jsonl/csv (one file per entity), a file for sql (default: standard output) "
                         "or sqlite")
    ds.add_argument("--seed", type=int, default=None, help="seed (default: random, printed to stderr)")
    ds.add_argument("--strategy", default="traditional", help=f"one of {', '.join(STRATEGIES)} (default traditional)")
    ds.add_argument("--cardinality", action="append", default=[], metavar="REF=MIN..MAX",
                    help="children per parent, e.g. order.customer_id=1..5 or order.items=2 (repeatable)")
    ds.add_argument("--external", action="append", default=[], metavar="ENTITY=IDS",
                    help="ids of ENTITY records that exist elsewhere, for references to draw from instead of "
                         "generating them: user=ID,ID,... or user=@FILE (one id a line); repeatable")
    ds.add_argument("--locale", default=None, help="locale such as en_GB (default: a mix)")
    ds.add_argument("--dialect", choices=("sqlite", "postgresql"), default=None,
                    help="SQL dialect of --format sql (default sqlite)")
    ds.add_argument("--processes", type=int, default=None, metavar="N",
                    help="processes building entities of 10,000 records or more, this one included (N - 1 workers "
                         "beside it); 1: this process only (default: TESTDATA_DATASET_PROCESSES, else one per "
                         "core; the records are the same)")
    ds.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    ds.add_argument("--explain", action="store_true",
                    help="print the plan (entities in order, counts, references and their cardinalities, what "
                         "was pulled in and why) and stop: nothing is generated or written")
    ds.set_defaults(func=cmd_dataset)


def _counts(items: list[str]) -> dict[str, int] | None:
    if not items:
        return None
    out: dict[str, int] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name or not raw.isdigit():
            raise TestdataUsageError(f"dataset count {item!r}: expected ENTITY=N such as user=100.")
        out[name] = int(raw)
    return out


def _model_entity(name: str, registry: Any) -> str:
    """An entity named as ``module:Class`` (a SQLAlchemy model, a pydantic model, a dataclass...): imported
    from the current folder (as ``uvicorn app:app`` does) and registered; its entity name. Any other name as
    it is."""
    import importlib

    module_name, colon, attribute = name.partition(":")
    if not colon:
        return name
    if not module_name or not attribute:
        raise TestdataUsageError(f"dataset entity {name!r}: expected MODULE:CLASS such as myapp.models:Account.")
    here = str(Path.cwd())
    if here not in sys.path:
        sys.path.insert(0, here)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TestdataUsageError(f"dataset entity {name!r}: cannot import module {module_name!r} ({exc}). Run "
                                 "from the folder it is imported from, or install its package.") from None
    found: Any = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            names = sorted(n for n, v in vars(module).items() if isinstance(v, type) and not n.startswith("_")
                           and v.__module__ == module.__name__)  # (its own classes, not the ones it imports)
            raise TestdataUsageError(f"dataset entity {name!r}: module {module_name!r} has no {attribute!r}. "
                                     f"Its classes: {', '.join(names) or 'none'}.")
        found = getattr(found, part)
    from pytest_testdata.datasets.calls import entity_name

    return entity_name(found, registry)


def _processes(given: int | None) -> int:
    """--processes, else the dataset_processes setting (TESTDATA_DATASET_PROCESSES), else one per core."""
    from pytest_testdata.config import resolve
    from pytest_testdata.datasets.workers import processes_for

    if given is not None:
        return processes_for(given, "--processes")
    return processes_for(resolve({}, {}).get("dataset_processes"), "TESTDATA_DATASET_PROCESSES")


def _cardinalities(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        low, dots, high = raw.partition("..")
        ok = sep and name and low.isdigit() and (not dots or high.isdigit())
        if not ok:
            raise TestdataUsageError(f"--cardinality {item!r}: expected REF=N or REF=MIN..MAX, such as "
                                     "order.customer_id=1..5.")
        out[name] = (int(low), int(high)) if dots else int(low)
    return out


def _external(items: list[str]) -> dict[str, list[str]]:
    """``--external ENTITY=ID,ID,...`` or ``ENTITY=@FILE`` (one id a line, blank lines skipped), repeatable."""
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name or not raw.strip():
            raise TestdataUsageError(f"--external {item!r}: expected ENTITY=ID,ID,... or ENTITY=@FILE (a file of "
                                     "ids, one a line), such as user=@users.txt.")
        if raw.startswith("@"):
            path = Path(raw[1:])
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                raise TestdataUsageError(f"--external {item!r}: cannot read {str(path)!r} ({reason}). Give a text "
                                         "file of ids, one a line.") from None
            ids = [line.strip() for line in text.splitlines() if line.strip()]
        else:
            ids = [part.strip() for part in raw.split(",") if part.strip()]
        if not ids:
            raise TestdataUsageError(f"--external {item!r}: no ids in it. Give at least one id of a {name} record "
                                     "that exists elsewhere.")
        out.setdefault(name, []).extend(ids)
    return out


def _typed_external(plan: DatasetPlan, external: Mapping[str, Sequence[str]]) -> dict[str, tuple[Any, ...]]:
    """The command line's ids in the JSON type of the fields that refer to them: an integer when every such
    field is an integer (a ``customer_id`` of ``type: integer``), else the text as given."""
    typed: dict[str, tuple[Any, ...]] = {name: tuple(ids) for name, ids in external.items()}
    for name, ids in external.items():
        kinds: set[Any] = set()
        for edge in plan.edges:
            if edge.parent == name:
                declared = (plan.schemas[edge.child].subschema(edge.path) or {}).get("type")
                kinds.update(declared if isinstance(declared, list) else [declared])
        kinds.discard("null")
        if kinds != {"integer"}:
            continue
        bad = [i for i in ids if not _WHOLE.fullmatch(i)]
        if bad:
            refs = sorted(e.name for e in plan.edges if e.parent == name)
            raise TestdataUsageError(f"--external {name}: {bad[0]!r} is not a whole number, and {', '.join(refs)} "
                                     f"hold{'s' if len(refs) == 1 else ''} integer ids of {name}. Give {name}'s "
                                     "ids as whole numbers.")
        typed[name] = tuple(int(i) for i in ids)
    return typed


def cmd_dataset(args: argparse.Namespace) -> int:
    from pytest_testdata.datasets.build import build_dataset
    from pytest_testdata.datasets.export import AtomicFiles, RecordFiles, SqlScript
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.datasets.request import DatasetRequest
    from pytest_testdata.engine import Engine
    from pytest_testdata.seeding import random_seed

    if args.dialect is not None and args.format != "sql":  # it would be dropped without a word
        raise TestdataUsageError(f"--dialect {args.dialect} is the SQL dialect of --format sql; with --format "
                                 f"{args.format} it would not be used. Add --format sql, or leave --dialect out.")
    seed = args.seed if args.seed is not None else random_seed()
    external = _external(args.external)
    engine = Engine(schema_dirs=args.schemas)
    counts = _counts(args.counts)
    if counts is not None:
        counts = {_model_entity(name, engine.registry): n for name, n in counts.items()}
    root = _model_entity(args.root, engine.registry) if args.root is not None else None
    request = DatasetRequest.checked(counts, root=root, count=args.count, seed=seed,
                                     strategy=args.strategy, cardinality=_cardinalities(args.cardinality),
                                     external=external, locale=args.locale)
    request = request.named_by(engine.registry.canonical_name)  # Pet=5 names OpenAPI's Pet, entity pet
    processes = _processes(args.processes)
    # Every bad input fails in planning, before a byte is written. External ids are text on the command line:
    # planned once to learn which fields hold them, then again with the ids in those fields' type.
    plan = plan_dataset(request, engine.registry, check_external=not external)
    if external:
        request = dataclasses.replace(request, external=_typed_external(plan, request.external))
        plan = plan_dataset(request, engine.registry)
    if args.explain:
        print(explain(plan.describe(), seed))
        return 0
    if args.format in ("jsonl", "csv", "sqlite") and args.out is None:
        raise TestdataUsageError(f"--format {args.format} needs --out: "
                                 + ("a folder for one file per entity." if args.format != "sqlite"
                                    else "the SQLite file to create."))
    total = sum(plan.counts.values())
    files = AtomicFiles()
    sink: Any
    script: SqlScript | None = None
    if args.format in ("jsonl", "csv"):
        sink = RecordFiles(Path(args.out), args.format, files)
    elif args.format == "sql":
        out = sys.stdout if args.out in (None, "-") else files.open(Path(args.out))
        sink = script = SqlScript(out, args.dialect or "sqlite")
    else:
        from pytest_testdata.datasets.db import sqlite_engine
        from pytest_testdata.datasets.load import DatabaseSink

        destination = Path(args.out)
        temporary = files.path(destination)
        temporary.unlink()
        database = sqlite_engine(temporary)
        sink = DatabaseSink(database)
    bar = _progress(args, total)
    try:
        dataset = build_dataset(engine, request, sink=sink, progress=bar.advance if bar else None,
                                processes=processes)
        if script is not None:
            script.close()
            if script.out is not sys.stdout:
                script.out.close()
        if args.format == "sqlite":
            sink.finish(dataset)
            database.dispose()
        files.commit()
    except BaseException:
        if args.format == "sqlite":
            sink.abort()
            database.dispose()
        elif script is not None and script.out is not sys.stdout:
            script.out.close()
        files.discard()
        raise
    finally:
        if bar is not None:
            bar.stop()
    where = f", written to {args.out}" if args.out not in (None, "-") else ""
    problems = len(dataset.violations)
    print(f"testdata: dataset of {total} records ({', '.join(f'{e} {n}' for e, n in plan.counts.items())}), "
          f"seed {seed}, {problems} violation(s){where}", file=sys.stderr)
    for violation in dataset.violations[:10]:
        print(f"  {violation}", file=sys.stderr)
    return 1 if problems else 0


_INFERRED = {"after_ref": "inferred from timestamp names",
             "same_as_ref": "inferred: a reference to its own entity shares what the record belongs to"}
"""How ``--explain`` says where an inferred rule came from (datasets/inferred_rules.py)."""


def explain(described: dict[str, Any], seed: int) -> str:
    """The plan of ``DatasetPlan.describe`` as text a person reads: ``testdata dataset --explain``."""
    lines = [f"dataset plan, seed {seed}",
             f"  entities, in the order they are built: {', '.join(described['order'])}",
             "  records: " + ", ".join(f"{entity} {n}" for entity, n in described["counts"].items())]
    if described["pulled_in"]:
        lines.append("  pulled in:")
        lines += [f"    {entity}: {why}" for entity, why in described["pulled_in"].items()]
    if described["references"]:
        lines.append("  references (children per parent):")
        for name, ref in described["references"].items():
            how = [what for what, flag in (("chosen by a coherence rule", ref["by_rule"]),
                                           ("inferred from the field's name", ref["by_field_name"]),
                                           ("filled in after its parent", ref["deferred"])) if flag]
            lines.append(f"    {name} -> {ref['to']}: {ref['cardinality']}" + (f"; {', '.join(how)}" if how else ""))
    if described.get("rules"):
        lines.append("  cross-entity rules:")
        lines += [f"    {rule_id} ({rule['kind']}" + (f"; {_INFERRED.get(rule['kind'], 'inferred')})"
                                                      if rule["inferred"] else ")")
                  for rule_id, rule in described["rules"].items()]
    if described.get("shared"):
        lines.append("  classes of one model, sharing its table (each built after those it names):")
        lines += [f"    {entity}: kinds {', '.join(map(repr, share['kinds']))}; after {', '.join(share['after'])}"
                  for entity, share in described["shared"].items()]
    for entity, n in described["external"].items():
        lines.append(f"  external ids supplied for {entity}: {n}")
    return "\n".join(lines)


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        # On stderr: standard output may carry the SQL.
        self.progress = Progress(console=Console(stderr=True), transient=True)
        self.progress.start()
        self.task = self.progress.add_task("generating dataset", total=total)

    def advance(self, entity: str, n: int) -> None:
        self.progress.update(self.task, advance=n, description=f"generating dataset ({entity} done)")

    def stop(self) -> None:
        self.progress.stop()


def _progress(args: argparse.Namespace, total: int) -> _Bar | None:
    if args.no_progress or total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    return _Bar(total)
