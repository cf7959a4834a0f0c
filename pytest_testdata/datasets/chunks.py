"""One chunk of an entity built by the traditional strategy: generated, linked, checked. The same function runs
in the dataset's own process or in a worker process (:mod:`pytest_testdata.datasets.workers`), so a dataset is
the same whichever does the work.

An entity is cut into chunks of :data:`CHUNK` records, always (one process or several). What spans the whole
entity is settled by the building process, before and after the chunks:

- before: the references spread over their parents (a few heavy buyers: the allocation needs every child),
  the popularity weights of the parents of list items, a review's buyer and product (purchases drawn without
  repeats); all drawn from the entity's own seeded stream, as an :class:`EntityJob`;
- in a chunk, from seeds of its own (the entity's seed and the chunk's number): the records drawn (each list
  to its cardinality's length by the generator: generators/traditional/list_lengths.py), list items'
  references, the values copied from the referenced records, the entity's own rules and the cross-entity
  rules enforced, then the validator, the scorer and the cross-entity checks;
- after: unique values across chunks (a repeat is drawn again, from a seed of its own, as a one-record
  chunk), the invalid variant's broken rule, the records indexed for the entities that follow.

A job carries only what its rules read of the referenced records (their key and the fields copied or compared),
so a worker never holds the whole dataset.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import marshal
import math
import os
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from copy import copy as shallow_copy
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from typing import Any

from pytest_testdata.datasets.cardinality import Cardinality, list_length
from pytest_testdata.datasets.coherence import (
    ChunkReads,
    PurchasedBefore,
    RecordIndex,
    SameAsRef,
    clone,
    dataset_rules,
)
from pytest_testdata.datasets.fused_refs import chunk_enforcer
from pytest_testdata.datasets.trusted import trusted_copies
from pytest_testdata.generators.traditional.list_lengths import length_counter
from pytest_testdata.quality.enforcer import fused_enforcer
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed

Record = dict[str, Any]
CHUNK = 2_000
"""Records per chunk. Part of what a seed gives: changing it changes every dataset of more than one chunk."""
ChunkId = tuple[Any, ...]
"""``(n,)`` for the n-th chunk; ``("again", i, attempt)`` for record ``i`` drawn again (a unique value repeated);
``("steer", i, attempt)`` for record ``i`` drawn again to make a purchase (:meth:`ChunkedEntity._steer`)."""


@dataclass
class EntityJob:
    """Everything a chunk of one entity needs, as plain data (sent to worker processes once per entity)."""

    entity: str
    seed: int
    """The entity's seed (the metadata's); chunk seeds derive from it."""
    schema: dict[str, Any]
    """The schema's fields (:func:`portable`): a worker rebuilds it (and compiles its plans) once."""
    count: int
    locale: str | None
    context: str | None
    options: dict[str, Any]
    undrawn: bool
    """Fields are set by the dataset, not drawn: the schema's own rules are enforced after the copies."""
    tables: dict[tuple[str, str], Columns]
    """Referenced records by (entity, key field), reduced to the fields the rules read."""
    purchases: dict[tuple[str, str, str, str], dict[tuple[Any, Any], str]]
    """For ``purchased_before`` rules: when each assigned (buyer, item) pair was bought."""
    refs: dict[str, list[Any]] = field(default_factory=dict)
    """Top-level reference field -> each record's key (None: left empty)."""
    shift: dict[str, int] = field(default_factory=dict)
    """Unique whole-number fields -> what is added to each drawn value: the largest value already in the
    database's table (an earlier dataset's, a fixture's rows), so the records' keys follow the rows there,
    as the database's own would, and repeat none of them."""
    absent: set[str] = field(default_factory=set)
    """Reference fields left out of a record (not set to null) where its key is None: optional, not nullable."""
    in_lists: list[tuple[str, list[Any], list[float]]] = field(default_factory=list)
    """References inside lists (``items.*.product_id``): the path, the parents' keys, cumulative weights."""
    lists: list[tuple[str, Cardinality]] = field(default_factory=list)
    pairs: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    """``purchased_before`` rule name -> each record's (buyer, item)."""
    token: str = ""
    """Names this job in a worker's cache."""
    split: dict[tuple[str, str], tuple[str, list[str], frozenset[str]]] = field(default_factory=dict)
    """Referenced tables sent with each chunk instead of whole (a payment chunk reads the 2,000 orders it
    refers to, not 30,000): target -> (the top-level reference field, the fields the rules read, those of
    which they read the first item only: :meth:`Columns.of`)."""
    narrow: dict[tuple[str, str], dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """Per :attr:`split` table, the objects the rules read only some keys of (an order's ``totals``, of which
    a payment's rules read ``total`` and ``currency``): field -> those keys (:meth:`Columns.reduced`)."""
    parents: dict[tuple[str, str], dict[Any, Record]] = field(default_factory=dict)
    """The building process's whole tables of :attr:`split` (not pickled: :meth:`rows` cuts them)."""
    parents_plain: bool = False
    """Every :attr:`split` table's entity was built from a plain job (:attr:`plain`), so its records hold no
    bytes-like object but bytes (set by the building process)."""
    plain: bool = False
    """Nothing this job holds, nor the :attr:`split` tables' records, is a bytes-like object but bytes: its
    chunks' records, drawn by the built-in kinds from it, are not either and travel back by marshal
    (:attr:`ChunkResult.plain`). Set when the job is handed to the workers (or built here while there are
    workers: a later job may read its records chunk by chunk, :attr:`parents_plain`)."""

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "parents": {}}

    def rows(self, start: int, stop: int) -> dict[tuple[str, str], Columns] | None:
        """The :attr:`split` tables' records that records ``start``..``stop`` refer to (None: none split)."""
        if not self.split:
            return None
        out = {}
        for target, (path, fields, firsts) in self.split.items():
            table = self.parents[target]
            keys = [key for key in dict.fromkeys(self.refs[path][start:stop]) if key in table]
            out[target] = Columns.reduced(dict(zip(keys, map(table.__getitem__, keys), strict=True)), fields,
                                          firsts, self.narrow.get(target, {}), self.parents_plain)
        return out

    def chunks(self) -> list[tuple[ChunkId, int, int]]:
        """(id, start, stop) of each chunk, in order."""
        return [((n,), start, min(start + CHUNK, self.count))
                for n, start in enumerate(range(0, self.count, CHUNK))]


@dataclass
class Columns:
    """Records reduced to some fields, by key, as columns: made and pickled with no Python loop per record
    in the building process (the workers wait for it); :meth:`table` rebuilds the records in a worker."""

    keys: list[Any]
    fields: list[str]
    columns: list[list[Any]]
    rows: dict[Any, Record] | None = None
    """The reduced records themselves, when some record lacks one of the fields (kept absent, not None), or
    those of one chunk (:meth:`reduced`)."""
    plain: bool = False
    """:attr:`rows` hold no bytes-like object but bytes (:attr:`EntityJob.parents_plain`): they travel by
    ``marshal``, as :class:`ChunkResult` does (a quarter fewer instructions both ways than pickle)."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.plain and self.rows is not None:
            try:
                state["rows"] = marshal.dumps(self.rows)
            except ValueError:  # not only the plain built-in types (a subclass, a date): pickle then
                state["plain"] = False
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("plain") and isinstance(state["rows"], bytes):
            state["rows"] = marshal.loads(state["rows"])
        self.__dict__.update(state)

    @classmethod
    def of(cls, table: dict[Any, Record], fields: list[str], firsts: frozenset[str] = frozenset()) -> Columns:
        """``firsts``: fields of which the rules read only the first item (``addresses.0``): a list there
        travels as its first item alone (a user's other addresses stay here)."""
        records = list(table.values())
        try:
            columns = [list(map(itemgetter(f), records)) for f in fields]
        except KeyError:  # a record lacks a field
            return cls([], fields, [], {key: {f: _first(r[f]) if f in firsts else r[f] for f in fields if f in r}
                                        for key, r in table.items()})
        for f, column in zip(fields, columns, strict=True):
            if f in firsts:
                column[:] = map(_first, column)
        return cls(list(table), fields, columns)

    @classmethod
    def reduced(cls, table: dict[Any, Record], fields: list[str], firsts: frozenset[str],
                narrow: dict[str, tuple[str, ...]], plain: bool = False) -> Columns:
        """The records as :meth:`of` sends them, further reduced: an object of a field of ``narrow`` (an order's
        ``totals``) travels as the keys the rules read alone (a key it lacks stays absent; a value that is
        not an object travels whole). Made here as the reduced records themselves (:attr:`rows`, one dict
        display per record): for the few records of one chunk that is cheaper, both ways, than columns made
        into dicts again in the worker (docs/performance.md, sixteenth round, second wave). ``plain``: they
        travel by marshal (:attr:`plain`)."""
        try:
            rows = _reducer(tuple(fields), firsts, tuple(sorted(narrow.items())))(table.items())
        except (KeyError, TypeError):  # a record lacks a field, an object one of its keys, or is no object
            rows = {key: {f: _reduced(r[f], f, firsts, narrow) for f in fields if f in r} for key, r in table.items()}
        return cls([], fields, [], rows, plain)

    def table(self) -> dict[Any, Record]:
        if self.rows is not None:
            return self.rows
        # {key: dict(zip(fields, row)) ...} with no Python loop per record: a worker waits for it.
        rows = map(dict, map(zip, repeat(self.fields), zip(*self.columns, strict=True)))
        return dict(zip(self.keys, rows, strict=True))


def _reduced(value: Any, name: str, firsts: frozenset[str], narrow: dict[str, tuple[str, ...]]) -> Any:
    """One record's value of field ``name`` as :meth:`Columns.reduced` sends it."""
    if name in firsts:
        return _first(value)
    keys = narrow.get(name)
    if keys is not None and type(value) is dict:
        return {k: value[k] for k in keys if k in value}
    return value


@functools.cache
def _reducer(fields: tuple[str, ...], firsts: frozenset[str], narrow: tuple[tuple[str, tuple[str, ...]], ...]
             ) -> Callable[[Iterable[tuple[Any, Record]]], dict[Any, Record]]:
    """``{key: reduced record}`` of (key, record) pairs as one comprehension with the fields' names written
    out (a dict display: no call per record or field), what :func:`_reduced` makes of each field when every
    record holds every field and every narrowed field is an object holding every key read; else it raises
    KeyError (a field or key missing) or TypeError (a value not an object, read by a key): the caller then
    reduces each record in turn. The names are written with ``repr``: any text is a literal."""
    nested = dict(narrow)
    parts = []
    for name in fields:
        if name in firsts:
            value = f"_first(r[{name!r}])"
        elif name in nested:
            value = "{" + ", ".join(f"{k!r}: r[{name!r}][{k!r}]" for k in nested[name]) + "}"
        else:
            value = f"r[{name!r}]"
        parts.append(f"{name!r}: {value}")
    source = "lambda items: {key: {" + ", ".join(parts) + "} for key, r in items}"
    reduce: Callable[[Iterable[tuple[Any, Record]]], dict[Any, Record]] = \
        eval(compile(source, "<split reducer>", "eval"), {"_first": _first})  # our own source: names as literals
    return reduce


def _first(value: Any) -> Any:
    return value[:1] if type(value) is list else value


@dataclass
class ChunkResult:
    """A built chunk: its records, what checking them found (record numbers are the entity's), scores."""

    start: int
    records: list[Record]
    violations: list[tuple[int, str, str, str]]
    scores: list[float]
    details: dict[str, int]
    seconds: dict[str, float]
    plain: bool = False
    """Set by a worker whose job is plain (:attr:`EntityJob.plain`): the records then travel back to the
    dataset's process by ``marshal``, not ``pickle``."""
    spool: str = ""
    """Set by a worker with :attr:`plain`: the folder (the pool's) the records' ``marshal`` is written into, so
    that only the file's name goes through the pipe."""

    def __getstate__(self) -> dict[str, Any]:
        # A worker's chunk on its way back: marshal writes and reads an order's nested dicts and lists about a
        # fifth faster than pickle (callgrind: 50,000 against 62,000 instructions an order both ways), the
        # same values of the same types, the same objects shared. It refuses anything but the plain built-in
        # types (a subclass, a date: pickle then) and writes any bytes-like object as bytes: a job that
        # could hold one (a bytearray) is not plain.
        state = dict(self.__dict__)
        if self.plain:
            try:
                blob = marshal.dumps(self.records)
            except ValueError:
                state["plain"] = False
                return state
            state["records"] = blob
            if self.spool:
                # Through a file, not the pipe: 2,000 orders are 1.25 MB, which a 64 KiB pipe takes in some
                # twenty turns of the worker and the dataset's result thread (the worker waits for each); the
                # file is written at once and the worker takes its next chunk.
                state["records"] = _spooled(self.spool, blob)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("plain"):
            raw = state["records"]
            if isinstance(raw, str):  # a spooled file's name (see __getstate__)
                with open(raw, "rb") as file:
                    raw = file.read()
                os.unlink(state["records"])
            state["records"] = _loaded(raw)
        self.__dict__.update(state)


_SPOOLED = itertools.count()


def _loaded(raw: bytes) -> Any:
    """``marshal.loads(raw)`` with the garbage collector held off while it runs: 2,000 orders are some 17,000
    new dicts and lists, which would start a young collection every 700 of them, and now and then one of
    the dataset's whole heap, while nothing among them can be garbage yet (the collector sees them at its
    next pass, as usual). A collector switched off by the caller stays off."""
    if not gc.isenabled():
        return marshal.loads(raw)
    gc.disable()
    try:
        return marshal.loads(raw)
    finally:
        gc.enable()


def _spooled(folder: str, blob: bytes) -> str:
    """Write a chunk's records into a file of ``folder`` (named by this process and a count); its name."""
    path = os.path.join(folder, f"chunk-{os.getpid()}-{next(_SPOOLED)}.marshal")
    with open(path, "wb") as file:
        file.write(blob)
    return path


def portable(schema: Schema) -> dict[str, Any]:
    """The schema's declared fields (not its cached, compiled parts): what :class:`Schema` is rebuilt from."""
    return {f.name: getattr(schema, f.name) for f in dataclasses.fields(Schema)}


class Kit:
    """What building chunks of one job needs, made once per job and process."""

    def __init__(self, job: EntityJob, schema: Schema | None = None, generator: Any = None,
                 index: RecordIndex | None = None) -> None:
        """``index``: the referenced records, when this process holds them (the dataset's); a worker
        rebuilds them from the job's columns."""
        from pytest_testdata.generators.traditional.cents import CentCleaner
        from pytest_testdata.generators.traditional.generator import TraditionalGenerator
        from pytest_testdata.quality.coherence import scorer_for
        from pytest_testdata.quality.rules import rules_of
        from pytest_testdata.quality.validator import validator_for

        self.schema = schema if schema is not None else Schema(**job.schema)
        self.rules = dataset_rules(self.schema)
        self.own = rules_of(self.schema)
        fixed = frozenset(str(path) for rule in self.rules if isinstance(rule, SameAsRef)
                          for path in rule.spec["fields"])
        self.cents = CentCleaner.for_schema(self.schema.json_schema, self.own, fixed)
        self.generator = generator if generator is not None else TraditionalGenerator()
        self.validator = validator_for(self.schema, {})
        self.scorer = scorer_for(self.schema)
        moved = [f"{knob.items}.*.{knob.factor}" for knob in self.cents.knobs] if self.cents is not None else []
        self.trusted = trusted_copies(self.rules, self.own, moved)
        """Copies that hold by construction (:mod:`pytest_testdata.datasets.trusted`): not checked again."""
        self._job = job
        self._proven: list[frozenset[str]] = []
        """:meth:`shapes`, once worked out: shared by the kit's copies (:meth:`with_rows`)."""
        if index is not None:
            self.index = index

    @cached_property
    def unchecked(self) -> frozenset[str]:
        """The trusted copies whose check a chunk skips: those whose referenced values are all equal to
        themselves. A value that is not (a float NaN) is never equal to its copy, which the check reports;
        such a copy is checked (worked out once per job and process, over the referenced table)."""
        trusted = set(self.trusted)
        for rule in self.rules:
            if rule.id in trusted and isinstance(rule, SameAsRef) and rule.target is not None \
                    and not _self_equal(self.index.table(*rule.target).values(), [r for _, _, r in rule.pairs]):
                trusted.discard(rule.id)
        return frozenset(trusted)

    def shapes(self) -> frozenset[str]:
        """Paths whose format and pattern the validator need not test in this job's records: the references and
        copies proven once per job and process (:mod:`pytest_testdata.datasets.proven`)."""
        if not self._proven:
            from pytest_testdata.datasets.proven import later_writes, proven_paths

            job, cents = self._job, self.cents
            writes = later_writes(self.rules, self.own, cents.writes() if cents is not None else ())
            # (a schema checked whole by the standard validator leaves nothing out: nothing to prove)
            self._proven.append(frozenset() if self.schema.standard else proven_paths(
                self.schema.json_schema, self.rules, writes, job.count, job.refs, job.in_lists, job.split,
                self.index, job.pairs))
        return self._proven[0]

    def with_rows(self, rows: dict[tuple[str, str], Columns] | None) -> Kit:
        """This kit for one chunk whose :attr:`EntityJob.split` tables come with it (``rows``): the same kit
        with those tables in its index (looked up by key: the chunk's records find the same records)."""
        if rows is None:
            return self
        kit = shallow_copy(self)
        kit.__dict__.pop("unchecked", None)
        tables = dict(self.index._by_field)
        tables.update((target, columns.table()) for target, columns in rows.items())
        kit.index = RecordIndex.of_tables(tables, self._job.purchases)
        return kit

    @cached_property
    def index(self) -> RecordIndex:
        """The referenced records the rules read (built when first used: the dataset's process needs them
        only for a redraw or an invalid variant when workers build the chunks)."""
        job = self._job
        return RecordIndex.of_tables({target: columns.table() for target, columns in job.tables.items()},
                                     job.purchases)


def _self_equal(parents: Iterable[Record], reads: list[Callable[[Any], Any]]) -> bool:
    """Whether every value the readers find in the records is equal to itself (no float NaN)."""
    for parent in parents:
        for read in reads:
            value = read(parent)
            if not value == value:  # noqa: SIM201 - a NaN is not equal to itself
                return False
    return True


def put_reference(record: Record, path: str, value: Any, leave_out: bool) -> None:
    """Set a top-level reference; an empty one (None) is left out of the record instead when ``leave_out``
    (the field is optional and its type has no null, as most of an OpenAPI document's references)."""
    if value is None and leave_out:
        record.pop(path, None)
    else:
        record[path] = value


def build_chunk(job: EntityJob, kit: Kit, chunk: ChunkId, start: int, stop: int) -> ChunkResult:
    """Generate, link and check records ``start``..``stop`` of the job's entity (see the module docstring)."""
    from pytest_testdata.generators.traditional.drawers import VALUES
    from pytest_testdata.generators.traditional.list_lengths import LENGTHS_OPTION
    from pytest_testdata.generators.traditional.unique import unique_scope
    from pytest_testdata.types import GenerationRequest

    began = time.perf_counter()
    seed = derive_seed(job.seed, "chunk", *chunk)
    wanted = GenerationRequest.checked(job.entity, stop - start, strategy="traditional", seed=seed,
                                       locale=job.locale, context=job.context, options=job.options)
    with unique_scope():  # unique within the chunk here; across chunks, settled by the building process
        output = kit.generator.generate(wanted, kit.schema, seed)
    records = output.records
    for path, by in job.shift.items():  # (only into a database with rows already in the table)
        for record in records:
            value = record.get(path)
            if type(value) is int:
                record[path] = value + by
    generated = time.perf_counter()
    rng = random.Random(derive_seed(job.seed, "links", *chunk))
    index, rules, own, cents = kit.index, kit.rules, kit.own, kit.cents
    drawn = output.details.get(LENGTHS_OPTION, ())  # lists the generator drew to their cardinality's length
    for path, card in job.lists:
        if path not in drawn:
            _resize(records, path, card, rng)
    for path, values in job.refs.items():
        put_references(records, path, values[start:stop], path in job.absent)
    for path, keys, cum in job.in_lists:
        _assign_in_lists(records, path, keys, cum, rng)
    for copy in rules:  # copies draw nothing: each over the whole chunk, then the rules that draw
        if isinstance(copy, SameAsRef):
            copy.enforce_all(records, index)
    if job.undrawn:
        enforce_own = fused_enforcer(own)  # each own rule's enforce, in order, in one function
        for record in records:
            enforce_own(record, rng, VALUES)
    for rule in rules:
        if isinstance(rule, PurchasedBefore):
            rule.assign(records, index, rng, job.pairs[rule.name][start:stop])
    # the rules enforced record by record, as one function (each rule's enforcer, in order)
    enforce = chunk_enforcer([r for r in rules if not isinstance(r, (PurchasedBefore, SameAsRef))], index)
    checks = [(rule.check, rule.enforce) for rule in own]
    # The schema's rules compiled into one function (the scorer's): when it passes a record, no check
    # below would fail (nor raise), so the loop over the rules is skipped with the same outcome.
    accept = kit.scorer.acceptor.function if checks else None
    which = cents.which if cents is not None else None  # (cents.dirty, saying whether the items' targets are)
    clean = cents.moves(own).clean if cents is not None else None  # (worked out once per rule list)
    # An entity the dataset writes nothing into after drawing it (no reference, copy, list length or
    # cross-entity rule: products, users) keeps the records its plan vouched for (every own rule holds by
    # how it was built, and the formats its drawers always make: generators/traditional/vouch.py): those
    # are not checked against the rules nor for those formats again. Anything the chunk changes below
    # (the cent cleaner) is scored as usual.
    untouched = not (job.undrawn or rules or job.lists or job.refs or job.in_lists)
    vouched = output.coherent if untouched else frozenset()
    known: list[float | None] = []
    for number, record in enumerate(records):
        if enforce is not None:
            enforce(record, rng)
        changed = False
        if accept is None or (number not in vouched and not accept(record)):
            for check, fix in checks:
                if check(record) is False:
                    fix(record, rng, VALUES)
                    changed = True
        if which is not None and (rejected := which(record)) and \
                not clean(record, rng, VALUES, True, rejected == 2):  # type: ignore[misc]
            changed = True
        # With no change in this pass, each check saw the final record and passed (or did not apply): its
        # score is 1.0. A change can break a rule checked before it, so that record is scored again; the cent
        # cleaner's moves leave it at 1.0 when the cleaner can tell that every rule still holds (it was given
        # a record whose rules held: generators/traditional/cent_runs.py).
        known.append(None if changed else 1.0)
    linked = time.perf_counter()
    # Records the dataset wrote into: the formats of the references and copies it proved once per job are
    # not tested again (datasets/proven.py); the generator's made_shapes no longer hold for them.
    violations = [(start + v.record, v.field, v.rule, v.message) for v in kit.validator.validate(
        records, (), output.made_shapes if untouched else kit.shapes())]
    unchecked = kit.unchecked if kit.trusted else kit.trusted
    scores = [kit.scorer.score(r) if k is None else k for r, k in zip(records, known, strict=True)]
    reads = ChunkReads(records, index)  # the columns the rules' proofs read, each once (the parents of a reference)
    for rule in rules:
        if rule.id not in unchecked:
            violations += [(start + i, where, rule.id, message) for i, where, message in
                           rule.check_all(records, index, reads)]
    checked = time.perf_counter()
    details = {k: v for k, v in output.details.items() if isinstance(v, int)}
    return ChunkResult(start, records, violations, scores, details,
                       {"generate": generated - began, "link": linked - generated, "validate": checked - linked})


def put_references(records: list[Record], path: str, values: list[Any], leave_out: bool) -> None:
    """:func:`put_reference` of each record's value, written out (a call fewer per record of a chunk)."""
    for record, value in zip(records, values, strict=True):
        if value is None and leave_out:
            record.pop(path, None)
        else:
            record[path] = value


def _resize(records: list[Record], path: str, card: Cardinality, rng: random.Random) -> None:
    """List lengths per the list's cardinality (a clone of an existing element extends a list), for a list
    the generator did not draw to that length itself (its details name those it did)."""
    # list_length(card, rng), drawn as the generator draws a list's length (list_lengths.length_counter: what
    # depends on the cardinality alone worked out once per chunk; the same draws and the same values).
    plain = type(rng) is random.Random  # (a subclass may draw otherwise: its own randint and randrange then)
    lo, hi, count = length_counter({"min": card.min, "max": card.max, "mean": card.mean, "skew": card.skew})
    if not plain and card.skew != "long_tail":  # (the counter's uniform draw is a plain Random's randint)
        def count(rng: random.Random, lo: int, hi: int) -> int:
            return list_length(card, rng)
    getrandbits = rng.getrandbits
    for record in records:
        items = record.get(path)
        if not isinstance(items, list) or not items:
            continue
        n = count(rng, lo, hi)
        if n < len(items):
            del items[n:]
        while len(items) < n:
            if plain:  # rng.randrange(len(items)): the same getrandbits draws (fastrand.below)
                size = len(items)
                bits = size.bit_length()
                at = getrandbits(bits)
                while at >= size:
                    at = getrandbits(bits)
            else:
                at = rng.randrange(len(items))
            items.append(clone(items[at]))


def _assign_in_lists(records: list[Record], path: str, keys: list[Any], cum: list[float],
                     rng: random.Random) -> None:
    """Each list item's reference, drawn by the parents' popularity (no repeat within a record while the
    parents last, within five tries)."""
    head, _, tail = path.partition(".*.")
    total = cum[-1] + 0.0 if cum else 0.0
    bad = len(cum) != len(keys) or not 0.0 < total < math.inf
    # rng.choices(keys, cum_weights=cum)[0], inlined: the same draw, with no list and no checks per item.
    random_, hi = rng.random, len(keys) - 1
    for record in records:
        lines = record.get(head)
        if not isinstance(lines, list):
            continue
        seen: set[Any] = set()
        for line in lines:
            if not isinstance(line, dict):
                continue
            if bad:
                rng.choices(keys, cum_weights=cum)  # raises what random says of such weights
            key = keys[bisect_right(cum, random_() * total, 0, hi)]
            tries = 0
            while key in seen and tries < 5 and len(seen) < len(keys):
                key = keys[bisect_right(cum, random_() * total, 0, hi)]
                tries += 1
            seen.add(key)
            line[tail] = key


# -- in a worker process ------------------------------------------------------------------------------------

_KITS: dict[str, tuple[EntityJob, Kit]] = {}


def work(path: str, token: str, chunk: ChunkId, start: int, stop: int,
         rows: dict[tuple[str, str], Columns] | None = None, plain: bool = False) -> ChunkResult:
    """A worker process's task: the job (read from ``path`` once per job), then one chunk of it (``rows``:
    the records of the job's :attr:`~EntityJob.split` tables this chunk refers to; ``plain``: the records
    travel back by marshal, :attr:`ChunkResult.plain`)."""
    held = _KITS.get(token)
    if held is None:
        import pickle

        with open(path, "rb") as file:
            job: EntityJob = pickle.load(file)
        _KITS.clear()  # one job at a time: memory follows the entity being built
        held = _KITS[token] = (job, Kit(job))
        # The job's referenced records and the kit live until the next job: out of the collector's full
        # passes, which otherwise walk them again for every chunk's records (a tenth of a second each).
        gc.freeze()
    result = build_chunk(held[0], held[1].with_rows(rows), chunk, start, stop)
    result.plain = plain
    if plain:
        result.spool = os.path.dirname(path)
    return result


def warm() -> int:
    """Import what chunks need (a worker's first chunk then starts at once); returns the process id. What
    the worker holds from then on (modules, pools, compiled plans: a forked worker's copy of the dataset's
    process) lives as long as it: frozen out of the garbage collector's full passes, which would walk it
    again and again (and copy the pages a fork shares with the parent)."""
    import os

    from pytest_testdata.generators.traditional import generator  # noqa: F401
    from pytest_testdata.quality import coherence, validator  # noqa: F401

    gc.freeze()
    return os.getpid()
