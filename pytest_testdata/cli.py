"""The ``testdata`` console command: generate records, list schemas, the pattern store (``rag``)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from pytest_testdata.atomic import atomic_output
from pytest_testdata.errors import ConstraintViolationError, TestdataError, TestdataUsageError
from pytest_testdata.types import COVERAGES, STRATEGIES, GenerationRequest, Record

FORMATS = ("json", "jsonl", "csv")
CHUNK = 1000
PROGRESS_THRESHOLD = 5000
"""Show a progress bar for runs of at least this many records (on a terminal)."""

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="testdata", description="Realistic, coherent and reproducible test data (pytest-testdata)."
    )
    add_schemas_argument(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    gen = sub.add_parser("generate", help="generate records of an entity")
    add_schemas_argument(gen)
    gen.add_argument("entity", help="entity name (see `testdata schemas`)")
    gen.add_argument("-n", "--count", type=int, default=10, help="number of records (default 10)")
    gen.add_argument("--format", choices=FORMATS, default="json", help="output format (default json)")
    gen.add_argument("--seed", type=int, default=None, help="seed (default: random, printed to stderr)")
    gen.add_argument("--strategy", default="auto", help=f"one of {', '.join(STRATEGIES)} (default auto)")
    gen.add_argument("--out", "-o", default="-", help="output file (default: standard output)")
    gen.add_argument("--locale", default=None, help="locale such as en_GB (default: a mix)")
    gen.add_argument("--context", default=None, help="scenario description for the llm/hybrid strategies")
    gen.add_argument("--constraint", action="append", default=[], metavar="FIELD:KEY=VALUE",
                     help="constraint such as total:max=500 or currency:enum=USD,EUR (repeatable)")
    gen.add_argument("--coverage", default=None, metavar="MODE",
                     help=f"record shapes: one of {', '.join(COVERAGES)} (default: TESTDATA_COVERAGE, else all; "
                     "docs/schemas.md)")
    gen.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    gen.add_argument("--learn-from-history", action="store_true",
                     help="adapt patterns from the pattern store (rag/hybrid; see `testdata rag`)")
    gen.add_argument("--defect-triggering", action="store_true",
                     help="records with known bug-triggering shapes from the pattern store's defects")
    gen.add_argument("--best-effort", action="store_true",
                     help="write records even when some still break a constraint or rule (default: exit 1)")
    gen.set_defaults(func=cmd_generate)

    schemas = sub.add_parser("schemas", help="list the known entity schemas and their fields (exit 2 if one "
                             "does not load)")
    add_schemas_argument(schemas)
    schemas.add_argument("--domain", default=None, help="only schemas of this domain")
    schemas.add_argument("--json", action="store_true", help="print JSON instead of a table")
    schemas.set_defaults(func=cmd_schemas)

    from pytest_testdata.datasets.cli import add_parser as add_dataset_parser

    add_dataset_parser(sub)

    from pytest_testdata.store.cli import add_parser as add_rag_parser

    add_rag_parser(sub)

    serve = sub.add_parser("serve", help="run the Test Data Agent (gRPC, plus HTTP health and metrics)")
    add_schemas_argument(serve)
    from pytest_testdata.agent.cli import add_arguments

    add_arguments(serve)
    serve.set_defaults(func=cmd_serve)
    return parser


def add_schemas_argument(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--schemas PATH`` (repeatable), accepted before the subcommand and after it."""
    parser.add_argument("--schemas", action="append", default=[] if top else None,
                        dest="schemas" if top else "sub_schemas", metavar="PATH",
                        help="schema file or folder (JSON Schema or OpenAPI, .json/.yaml; repeatable). "
                        "Default: testdata_schemas of the project's pytest configuration (found from the "
                        "current directory upward) or TESTDATA_SCHEMA_DIRS")


def resolve_schema_paths(args: argparse.Namespace) -> None:
    """Replace ``args.schemas`` by the paths this run reads: the flags (before and after the subcommand),
    else the project's configuration (see :mod:`pytest_testdata.schemas.project`)."""
    from pytest_testdata.schemas.project import project_schema_paths

    given = [*getattr(args, "schemas", []), *(getattr(args, "sub_schemas", None) or [])]
    paths = project_schema_paths(given)
    for path in paths:
        if not path.exists():
            origin = "--schemas" if given else "the project's testdata_schemas (or TESTDATA_SCHEMA_DIRS)"
            raise TestdataUsageError(f"schema path {str(path)!r} (from {origin}) does not exist. "
                                     "Name an existing schema file or folder.")
    args.schemas = [str(p) for p in paths]


def _engine(args: argparse.Namespace) -> Any:
    """The engine on the settings of the ``TESTDATA_*`` environment (the one resolver, config.py)."""
    from pytest_testdata.config import resolve
    from pytest_testdata.engine import Engine

    settings = resolve({}, {})
    # args.schemas already holds the run's schema paths: --schemas, else TESTDATA_SCHEMA_DIRS, else the
    # project's testdata_schemas (resolve_schema_paths, through the same resolver).
    return Engine(schema_dirs=args.schemas, options={**settings.extra, "settings": settings})


def parse_constraints(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["total:max=500", "currency:enum=USD,EUR"]`` -> ``{"total": {"max": 500.0}, ...}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        field, sep, rest = item.partition(":")
        key, sep2, raw = rest.partition("=")
        if not (sep and sep2 and field and key):
            raise TestdataUsageError(f"--constraint {item!r}: expected FIELD:KEY=VALUE, e.g. total:max=500.")
        value: Any = raw
        try:
            if key in ("min", "max"):
                value = float(raw) if "." in raw else int(raw)
            elif key in ("length", "min_length", "max_length"):
                value = int(raw)
        except ValueError:
            raise TestdataUsageError(
                f"--constraint {item!r}: {key} needs a number, got {raw!r}. For example: {field}:{key}=500."
            ) from None
        if key == "enum":
            value = raw.split(",")
        elif key == "unique":
            value = raw.lower() in ("1", "true", "yes")
        out.setdefault(field, {})[key] = value
    return out


def _write(records: list[Record], fmt: str, out: TextIO, first: bool, last: bool, fields: list[str]) -> None:
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "json":
        body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in records)
        out.write(("[\n" if first else ",\n") + body + ("\n]\n" if last else ""))
    else:
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        if first:
            writer.writeheader()
        for record in records:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                             for k, v in record.items()})


def cmd_generate(args: argparse.Namespace) -> int:
    from pytest_testdata.quality.constraints import check_constraints
    from pytest_testdata.seeding import random_seed

    engine = _engine(args)
    seed = args.seed if args.seed is not None else random_seed()
    constraints = parse_constraints(args.constraint)
    # Validate everything before writing a byte: a bad argument must not leave half a file behind.
    probe = GenerationRequest.checked(args.entity, args.count, strategy=args.strategy, constraints=constraints,
                                      seed=seed, locale=args.locale, context=args.context,
                                      learn_from_history=args.learn_from_history,
                                      defect_triggering=args.defect_triggering, coverage=args.coverage)
    schema = engine.registry.get(args.entity)
    check_constraints(schema, probe.constraints)
    engine.generator(engine.router.route(probe, schema).strategy)  # an unavailable strategy fails here
    with contextlib.ExitStack() as stack:
        # A file is written beside the target and renamed into place at the end (pytest_testdata.atomic):
        # an interrupt or an error leaves whatever was there before untouched.
        out: TextIO = sys.stdout if args.out == "-" else stack.enter_context(atomic_output(args.out))
        paths, reasons = _generate_into(out, args, engine, schema, seed, constraints)
    print(f"testdata: {args.count} {args.entity} records, seed {seed}, strategy {'/'.join(sorted(paths))}"
          + (f", written to {args.out}" if args.out != "-" else ""), file=sys.stderr)
    from pytest_testdata.router import PLAIN_REASON

    # Why, when it says more than "as asked" (a fallback, a context the strategy does not read...).
    plain = {PLAIN_REASON, f"strategy {args.strategy!r} requested explicitly", *getattr(args, "warned", ())}
    for reason in sorted(reasons - plain):  # (a warning already said it)
        print(f"testdata: why: {reason}", file=sys.stderr)
    return 0


def _generate_into(out: TextIO, args: argparse.Namespace, engine: Any, schema: Any, seed: int,
                   constraints: dict[str, dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Write the records in chunks; returns the strategies that wrote them and the router's reasons."""
    from pytest_testdata.seeding import derive_seed

    show = not args.no_progress and args.count >= PROGRESS_THRESHOLD and sys.stderr.isatty()
    progress = None
    paths: set[str] = set()
    reasons: set[str] = set()
    try:
        if show:
            from rich.console import Console
            from rich.progress import Progress

            # On stderr: rich defaults to stdout, where the records go (and where a pipe hid the bar).
            progress = Progress(console=Console(stderr=True), transient=True)
            progress.start()
            task = progress.add_task(f"generating {args.entity}", total=args.count)
        done = 0
        while done < args.count:
            n = min(CHUNK, args.count - done)
            # Each chunk's seed derives from the run seed, so a run of N records always gives the same file.
            request = GenerationRequest.checked(
                args.entity, n, strategy=args.strategy, constraints=constraints, locale=args.locale,
                context=args.context, seed=derive_seed(seed, "chunk", done // CHUNK),
                learn_from_history=args.learn_from_history, defect_triggering=args.defect_triggering,
                strict=not args.best_effort, coverage=args.coverage,
            )
            result = engine.generate(request)
            paths.add(result.metadata.strategy)
            reasons.add(result.metadata.reason)
            _write(result.records, args.format, out, done == 0, done + n >= args.count, list(schema.fields))
            done += n
            if progress is not None:
                progress.update(task, advance=n)
    finally:
        if progress is not None:
            progress.stop()
    return paths, reasons


def cmd_schemas(args: argparse.Namespace) -> int:
    from pytest_testdata.config import resolve
    from pytest_testdata.schemas.registry import SchemaRegistry

    every, errors = SchemaRegistry(args.schemas, max_depth=resolve({}, {}).get("max_depth")).check()
    for error in errors:
        print(f"testdata: error: {error}", file=sys.stderr)
    schemas = [s for s in every if args.domain is None or s.domain == args.domain]
    if args.json:
        print(json.dumps([s.describe() for s in schemas], indent=2))
        return 2 if errors else 0
    buf = io.StringIO()
    for schema in schemas:
        buf.write(f"{schema.name} (v{schema.version}, {schema.domain}): {schema.description}\n")
        buf.write(f"    fields: {', '.join(schema.fields)}\n")
        refs = schema.references()
        if refs:
            buf.write(f"    references: {', '.join(f'{k} -> {v}' for k, v in refs.items())}\n")
        if schema.coherence:
            buf.write(f"    coherence: {', '.join(r['kind'] for r in schema.coherence)}\n")
    sys.stdout.write(buf.getvalue())
    return 2 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from pytest_testdata.agent.cli import run

    return run(args)  # run() refuses to start when one of the schemas does not load


def _warning_line(said: list[str]) -> Callable[..., None]:
    """``warnings.showwarning`` for the command: the package's warnings as one ``testdata: warning:`` line
    each (not Python's file, line and source), kept in ``said``; others as Python shows them."""
    from pytest_testdata.errors import TestdataWarning

    original = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        if issubclass(category, TestdataWarning):
            said.append(str(message))
            print(f"testdata: warning: {message}", file=sys.stderr)
        else:
            original(message, category, filename, lineno, file, line)
    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``testdata`` command; errors print one readable line.

    Exit status: 0 done; 1 the records could not meet the request's constraints or rules (nothing is
    written to ``--out``; ``--best-effort`` writes them anyway); 2 any other error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    args.warned = []
    try:
        resolve_schema_paths(args)
        func: Command = args.func
        with warnings.catch_warnings():
            warnings.showwarning = _warning_line(args.warned)
            return func(args)
    except ConstraintViolationError as exc:
        print(f"testdata: error: {exc}", file=sys.stderr)
        return 1
    except TestdataError as exc:
        print(f"testdata: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        out = getattr(args, "out", "-")
        kept = f"; {out} was left as it was" if out not in (None, "-") else ""
        print(f"testdata: interrupted{kept}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
