"""Build a dataset: each entity in dependency order, through the engine's router and generators, then its
references assigned, the cross-entity rules enforced, and everything checked.

    for each entity (parents first):
        generate (the routed strategy: traditional, llm, rag or hybrid) -> list lengths -> references
        -> cross-entity rules -> the entity's own rules again -> (invalid: break one rule)
        -> validator + scorer + cross-entity checks -> index by key -> sink (a file, a database)

Seeds derive from the dataset seed and the entity name, so one seed gives the same dataset in any
process (serial, xdist workers, the agent).
"""

from __future__ import annotations

import dataclasses
import gc
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pytest_testdata.datasets import workers
from pytest_testdata.datasets.about import About
from pytest_testdata.datasets.cardinality import allocated, allocation, keyed, list_length, shuffle, weights
from pytest_testdata.datasets.chunked import Ahead, ChunkedEntity, repeats_found
from pytest_testdata.datasets.chunks import Kit, put_reference, put_references
from pytest_testdata.datasets.coherence import DatasetRule, PurchasedBefore, RecordIndex, SameAsRef, clone
from pytest_testdata.datasets.deferred import break_deferred, fill_deferred, rules_on
from pytest_testdata.datasets.graph import DatasetPlan, Edge, plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.resolved import unresolved, written
from pytest_testdata.datasets.result import BrokenRule, Dataset, DatasetViolation, EntityMetadata
from pytest_testdata.datasets.together import repeats, spread_distinct
from pytest_testdata.datasets.workers import SETTING, ChunkPool, processes_for
from pytest_testdata.errors import GenerationError, choice_error
from pytest_testdata.generators.traditional.cents import CentCleaner
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.rules import rules_of
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, GenerationResult, Record, ResultMetadata

if TYPE_CHECKING:
    from pytest_testdata.engine import Engine
    from pytest_testdata.router import Route


class Sink(Protocol):
    """Where finished entities go while the dataset is built (a database, files). ``deferred`` names
    fields of a reference cycle that are filled later: a database inserts them empty, then :meth:`fill`s.
    A sink whose ``writes_in_parts`` is true takes an entity in consecutive parts, ``write(..., offset=n)``
    with n the first record's place in the entity (:meth:`Builder.write_piece`); any other is given each
    entity whole."""

    def write(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None: ...
    def fill(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None: ...


Progress = Callable[[str, int], None]

PIECE = 2_000
"""Records of a finished entity written at a time while the workers build (:meth:`Builder.write_piece`):
about a worker's chunk of them (some 50 ms of SQLite for orders with their items)."""


def build_dataset(engine: Engine, request: DatasetRequest, *, sink: Sink | None = None,
                  progress: Progress | None = None, processes: int | None = None) -> Dataset:
    """Generate the dataset a request describes; records stream to ``sink`` entity by entity.

    ``processes``: the processes building the large entities, this one included (``processes - 1`` workers:
    :mod:`pytest_testdata.datasets.workers`); default the engine's ``dataset_processes`` setting, else one per
    core (:func:`~pytest_testdata.datasets.workers.default_processes`). The records are the same."""
    request = request.named_by(engine.registry.canonical_name)  # {"Pet": 5}: OpenAPI's spelling works too
    plan = plan_dataset(request, engine.registry)
    return Builder(engine, request, plan, sink, progress, processes).run()


class Builder:
    """One dataset build (not reusable)."""

    def __init__(self, engine: Engine, request: DatasetRequest, plan: DatasetPlan, sink: Sink | None,
                 progress: Progress | None, processes: int | None = None,
                 taken: Mapping[str, dict[str, set[Any]]] | None = None) -> None:
        self.engine, self.request, self.plan, self.sink, self.progress = engine, request, plan, sink, progress
        setting = processes if processes is not None else engine.options.get(SETTING)
        self.processes = processes_for(setting, "processes" if processes is not None else SETTING)
        self.pool: ChunkPool | None = None
        self.kits: dict[str, Kit] = {}
        self.index = RecordIndex()
        self.records: dict[str, list[Record]] = {}
        self.metadata: dict[str, EntityMetadata] = {}
        self.broken: list[BrokenRule] = []
        self.to_break = self._rule_to_break()
        self.scores: dict[str, list[float | None]] = {}
        """Coherence scores per entity and record known from the last rule pass (None: score it again)."""
        self.routes: dict[str, tuple[Schema, int, GenerationRequest, Route]] = {}
        self.building = ""
        self.freezing = False
        """The build freezes what it holds out of the garbage collector's full passes (see :meth:`steps`)."""
        self.prepared: dict[str, ChunkedEntity] = {}
        """Entities whose spanning draws were made while the workers built another (see :meth:`meanwhile`)."""
        read = getattr(sink, "taken", None)
        self.taken: dict[str, dict[str, set[Any]]] = read(plan) if callable(read) else dict(taken or {})
        """Per entity and unique field: the values already in the database the dataset goes into (rows from
        before the dataset: a fixture's, an earlier dataset's), which no record may repeat. Read from the sink's
        database, or given (``taken``: what a remote caller read from its own, :mod:`~pytest_testdata.agent.
        taken_wire`)."""
        self.predrawn: dict[str, ChunkedEntity] = {}
        """Entities whose first draws were made before their parents were built (see :meth:`meanwhile`)."""
        self.plain: set[str] = set()
        """Entities built from a plain job (:attr:`~pytest_testdata.datasets.chunks.EntityJob.plain`)."""
        self.unwritten: list[tuple[str, list[Record], list[str]]] = []
        """Finished entities not yet given to the sink: with worker processes, an entity is written while
        the workers build the next ones (:meth:`write_piece`), in the same order."""
        self.written = 0
        """How many records of the first unwritten entity the sink has (:meth:`write_piece`)."""
        self.ahead: Ahead | None = None
        """The entity the workers build, when the sink may have its first chunks before it is finished."""

    def _rule_to_break(self) -> DatasetRule | None:
        if self.request.variant != "invalid":
            return None
        rules = [r for e in self.plan.order for r in self.plan.rules[e]]
        if not rules:
            raise GenerationError("dataset variant='invalid': none of the dataset's entities declares a cross-entity "
                                  "rule (x-dataset-coherence) to break.")
        wanted = self.request.break_rule
        if wanted is None:
            return random.Random(derive_seed(self.request.seed, "break")).choice(rules)
        chosen = [r for r in rules if r.id == wanted]
        if not chosen:
            raise choice_error("dataset break_rule", wanted, [r.id for r in rules])
        return chosen[0]

    def run(self) -> Dataset:
        for _ in self.steps():
            pass
        return self.result()

    def steps(self) -> Iterator[str]:
        """Build entity by entity, yielding each name when it is finished (parents first). Entities with a
        reference that closes a cycle are finished last, once that reference is filled in."""
        held = []
        # The finished entities' records live as long as the build: frozen out of the garbage collector's
        # full passes, which would walk them again while each later entity is built (a few tenths of a
        # second over 100,000 records), and given back to it at the end. A freeze made by someone else
        # (the agent's, once warm) is left as it is: unfreezing would undo it.
        self.freezing = freezing = gc.get_freeze_count() == 0
        try:
            large = [e for e, n in self.plan.counts.items() if n >= workers.THRESHOLD
                     and self.request.strategies.get(e, self.request.strategy) in ("traditional", "auto")]
            if self.processes > 1 and large:
                # This process builds chunks too (those it takes back while it waits): one worker fewer
                # than processes, so that no core runs two builders by turns (docs/performance.md).
                self.pool = ChunkPool(self.processes - 1)
                self.pool.start()  # the workers start while the first entities are built
            for entity in self.plan.order:
                self._entity(entity)
                if freezing:
                    gc.freeze()
                if any(e.deferred for e in self.plan.edges_of(entity)):
                    held.append(entity)
                else:
                    yield entity
            self.write_unwritten()
        finally:
            if freezing:
                gc.unfreeze()
            if self.pool is not None:
                self.pool.close()
                self.pool = None
        self._deferred()
        yield from held

    def result(self) -> Dataset:
        """The dataset, once :meth:`steps` is exhausted."""
        return Dataset(self.request.seed, self.plan.order, self.records, self.plan.keys, self.metadata,
                       self.plan.describe(), self.broken)

    # -- one entity -----------------------------------------------------------------------------------

    def _route(self, entity: str) -> tuple[Schema, int, GenerationRequest, Route]:
        """The entity's schema, seed, request and route (worked out once)."""
        if entity not in self.routes:
            schema = self.plan.schemas[entity]
            strategy = self.request.strategies.get(entity, self.request.strategy)
            seed = derive_seed(self.request.seed, "dataset", entity)
            wanted = GenerationRequest.checked(
                entity, self.plan.counts[entity], strategy=strategy, seed=seed, locale=self.request.locale,
                context=self.request.context, options=self.request.options)
            self.routes[entity] = (schema, seed, wanted, self.engine.router.route(wanted, schema))
        return self.routes[entity]

    def _entity(self, entity: str) -> None:
        started = time.perf_counter()
        self.building = entity
        schema, seed, wanted, route = self._route(entity)
        derived = route.strategy == "traditional"
        if derived and self._chunked(entity, schema, seed, wanted, route.reason, started):
            return
        self.write_unwritten()  # built here, with no worker to overlap with
        if derived:  # what the links and rules below set is not drawn (nor are the schema's rules enforced)
            from pytest_testdata.generators.traditional.derived import DERIVED_OPTION

            wanted = wanted.replace(options={**wanted.options, DERIVED_OPTION: self.plan.derived(entity)})
        rng = random.Random(derive_seed(self.request.seed, "links", entity))
        rules = self.plan.rules[entity]
        generator = self.engine.generator(route.strategy)
        chosen: list[Record] | None = None
        if route.strategy in ("llm", "hybrid"):
            # The text is about the dataset's records: references first, then one request per subject.
            chosen = self._chosen(entity, rng, rules)
            about = About(self.plan, entity, chosen, self.index.find, self._context(entity))
            output, records = about.generate(lambda r: generator.generate(r, schema, r.seed or seed), wanted, seed)
        else:
            output = generator.generate(wanted, schema, seed)
            records = output.records
        generated = time.perf_counter()
        own = rules_of(schema)
        # Money copied from a parent (an item's price is its product's) is fixed; a quantity moves instead
        # when a derived total is a value float-division validators reject (generators/traditional/cents).
        fixed = frozenset(str(path) for rule in rules if isinstance(rule, SameAsRef) for path in rule.spec["fields"])
        cents = CentCleaner.for_schema(schema.json_schema, own, fixed)
        self._link(entity, records, rng, rules, own, derived, chosen, cents)
        if self.breaks_now(entity):
            assert self.to_break is not None
            self._break(self.to_break, records, rng, own)
        linked = time.perf_counter()
        self.index.add(entity, records, self.plan.keys[entity])
        self.records[entity] = records
        self.pass_on(entity, records)
        violations, coherence, cross = self._check(entity, schema, records, rules)
        checked = time.perf_counter()
        self.metadata[entity] = EntityMetadata(
            entity=entity, count=len(records), strategy=output.strategy or route.strategy,
            reason=output.reason or route.reason, seed=seed, coherence=coherence, dataset_coherence=cross,
            violations=violations, provider=output.provider, model=output.model, cassette=output.cassette,
            details=dict(output.details),
            timings={"generate": generated - started, "link": linked - generated, "validate": checked - linked,
                     "total": checked - started})
        self._finished(entity, wanted, records)

    def _finished(self, entity: str, wanted: GenerationRequest, records: list[Record]) -> None:
        self._notify(wanted, records, self.metadata[entity])
        deferred = [e.path for e in self.plan.edges_of(entity) if e.deferred]
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead.written:  # its first records are in (then nothing before it is left)
            assert not self.unwritten and ahead.entity == entity
            self.written = ahead.written
        self.unwritten.append((entity, records, deferred))
        if self.pool is None:
            self.write_unwritten()

    def pass_on(self, entity: str, records: list[Record]) -> None:
        """The unique values of an entity's final records, for the entities of its table built after it (classes
        of one model: :mod:`~pytest_testdata.datasets.shared_tables`), kept apart from them as from rows already
        in the table: the largest whole number (their keys follow it), every text. Called as the records are
        put in :attr:`records`, which makes those entities ready to start."""
        later = [n for n, earlier in self.plan.shared.items() if entity in earlier]
        if not later:
            return
        mine = self.plan.schemas[entity]
        for name in later:
            theirs = self.taken.setdefault(name, {})
            for path in self.plan.schemas[name].unique_fields():
                if "." in path or path not in mine.properties:
                    continue
                values = {r.get(path) for r in records} - {None}
                held = theirs.get(path, set())
                numbers = [v for v in (*values, *held) if type(v) is int]
                if numbers and len(numbers) == len(values) + len(held):  # whole numbers: the largest alone
                    theirs[path] = {max(numbers)}
                elif values:
                    theirs[path] = held | values

    def write_unwritten(self) -> None:
        """Give the finished entities to the sink (and the progress callback), in the order they finished
        (the rest of an entity :meth:`write_piece` began)."""
        while self.unwritten:
            self._write_next(None)

    def write_piece(self) -> bool:
        """Give the sink the next :data:`PIECE` records of the finished entities, in order, then those of
        the entity being built that no later step changes (:class:`~pytest_testdata.datasets.chunked.Ahead`);
        False when none is left. The workers' pool asks it while this process would wait for a chunk
        (:meth:`ChunkPool.run`), so loading a database runs while the workers build, and a piece at a time,
        so that the dataset is not kept from an entity's next step (the chunks of the next entity wait for
        it) for longer than a piece. A sink without ``writes_in_parts``
        (:attr:`~pytest_testdata.datasets.load.DatabaseSink.writes_in_parts`) is given each entity whole."""
        if self.unwritten:
            self._write_next(PIECE if getattr(self.sink, "writes_in_parts", False) else None)
            return True
        ahead = self.ahead
        if ahead is None or ahead.written >= ahead.ready():
            return False
        start = ahead.written
        stop = min(ahead.ready(), start + PIECE)
        assert self.sink is not None
        self.sink.write(self.plan, ahead.entity, ahead.records[start:stop], [], offset=start)  # type: ignore[call-arg]
        ahead.written = stop
        return True

    def _write_next(self, most: int | None) -> None:
        """Write the first unwritten entity's next ``most`` records (None: the rest of them); once it is all
        written, tell the progress callback."""
        entity, records, deferred = self.unwritten[0]
        start = self.written
        stop = len(records) if most is None else min(len(records), start + most)
        if self.sink is not None:
            if start == 0 and stop == len(records):
                self.sink.write(self.plan, entity, records, deferred)
            else:  # a part: rows in the same order, an error naming the record's place in the entity
                self.sink.write(self.plan, entity, records[start:stop], deferred, offset=start)  # type: ignore[call-arg]
        if stop < len(records):
            self.written = stop
            return
        self.unwritten.pop(0)
        self.written = 0
        if self.progress is not None:
            self.progress(entity, len(records))

    def _chunked(self, entity: str, schema: Schema, seed: int, wanted: GenerationRequest, reason: str,
                 started: float) -> bool:
        """Build a traditional entity in chunks (:mod:`pytest_testdata.datasets.chunked`); False when the
        engine's traditional generator is not the built-in one (then the entity is built whole)."""
        from pytest_testdata.generators.traditional.generator import TraditionalGenerator

        generator = self.engine.generator("traditional")
        if type(generator) is not TraditionalGenerator:
            return False
        chunked = self.prepared.pop(entity, None) or self.predrawn.pop(entity, None) or \
            ChunkedEntity(self, entity, schema, seed, wanted, reason, started)
        chunked.started = started
        chunked.run(generator)
        return True

    def meanwhile(self) -> None:
        """While the workers build an entity: draw what spans each entity whose parents are all finished
        (:meth:`ChunkedEntity.prepare`; the same draws as later), handing its chunks to the workers behind
        the current entity's (:meth:`ChunkedEntity.hand_out`). The finished entities are written after
        that, a piece at a time while this process would wait (:meth:`write_piece`): writing a dataset's
        orders into SQLite took longer than the workers took for the payments, and the workers waited for
        the reviews until it was done."""
        from pytest_testdata.generators.traditional.generator import TraditionalGenerator

        if type(self.engine.generator("traditional")) is TraditionalGenerator:
            self._hand_out_next()

    def _hand_out_next(self) -> None:
        """Prepare and hand out the entities that can start now (see :meth:`meanwhile`); make the first draws
        of the others built in chunks (:meth:`ChunkedEntity.predraw`), which need no parent's records."""
        for entity in self.plan.order:
            if entity in self.records or entity in self.prepared or entity == self.building:
                continue
            reads = {e.parent for e in self.plan.edges_of(entity) if not e.deferred} | {
                d for rule in self.plan.rules[entity] for d in rule.depends_on} | set(self.plan.shared.get(entity, ()))
            ready = all(d in self.records or d in self.plan.external for d in reads - {entity})
            if not ready and self.request.strategies.get(entity, self.request.strategy) not in ("traditional", "auto"):
                continue  # (not routed before its turn: an LLM entity's route is asked for then)
            schema, seed, wanted, route = self._route(entity)
            if route.strategy != "traditional":
                continue
            chunked = self.predrawn.pop(entity, None) or ChunkedEntity(self, entity, schema, seed, wanted,
                                                                       route.reason, 0.0)
            if ready:
                # Drawn now, and given to the workers behind the entity they build: they start on it as
                # soon as that entity's last chunks are taken (the same chunks, only sooner).
                self.prepared[entity] = chunked
                chunked.hand_out()
            else:
                chunked.predraw()
                self.predrawn[entity] = chunked

    def _chosen(self, entity: str, rng: random.Random, rules: list[DatasetRule]) -> list[Record]:
        """Each record's references before it is generated (see :mod:`pytest_testdata.datasets.about`):
        the plain ones by their cardinalities, a review's buyer and product from the purchases."""
        chosen: list[Record] = [{} for _ in range(self.plan.counts[entity])]
        for edge in self.plan.edges_of(entity):
            if not edge.deferred and not edge.owned and not edge.in_list:
                self._assign(edge, chosen, rng)
        self._distinct(entity, chosen, rng)
        for rule in rules:
            if isinstance(rule, PurchasedBefore):
                for stub, (buyer, item) in zip(chosen, rule.pairs_for(len(chosen), self.index, rng), strict=True):
                    stub[rule.buyer], stub[rule.item] = buyer, item
        return chosen

    def _link(self, entity: str, records: list[Record], rng: random.Random, rules: list[DatasetRule],
              own: list[Any], derived: bool, chosen: list[Record] | None = None,
              cents: CentCleaner | None = None) -> None:
        """References, then the cross-entity rules, then the entity's own rules (``x-coherence``).

        With ``derived``, the generator left the copied fields empty and enforced no rule of the schema:
        the copies come first, then the schema's rules as the generator would enforce them (sums over the
        copied prices), then the rules that move timestamps or pick statuses, then a check of the schema's
        rules again (a moved timestamp or a new status can break one; it is enforced again).
        """
        from pytest_testdata.generators.traditional.drawers import VALUES

        self._lists(entity, records, rng)
        for edge in self.plan.edges_of(entity):
            if not edge.deferred and not edge.owned and not (chosen is not None and not edge.in_list):
                self._assign(edge, records, rng)
        if chosen is None:
            self._distinct(entity, records, rng)
        copies: list[DatasetRule] = [r for r in rules if isinstance(r, SameAsRef)] if derived else []
        if derived:
            index = self.index
            for record in records:
                for copy in copies:
                    copy.enforce(record, index, rng)
                for own_rule in own:
                    own_rule.enforce(record, rng, VALUES)
        for rule in rules:
            if isinstance(rule, PurchasedBefore):
                pairs = None if chosen is None else [(r.get(rule.buyer), r.get(rule.item)) for r in records]
                rule.assign(records, self.index, rng, pairs)
        enforce = [r for r in rules if not isinstance(r, PurchasedBefore) and r not in copies]
        scores: list[float | None] = []
        for record in records:
            for other in enforce:
                other.enforce(record, self.index, rng)
            applicable = passed = 0
            changed = False
            for own_rule in own:
                outcome = own_rule.check(record)
                if outcome is False:
                    own_rule.enforce(record, rng, VALUES)
                    changed = True
                elif outcome is not None:
                    applicable += 1
                    passed += 1
            if cents is not None and cents.dirty(record):
                cents.clean(record, own, rng, VALUES)
                changed = True
            # With no change in this pass, each check saw the final record: they are its score. A change
            # can break a rule checked before it, so that record is scored again (by the scorer).
            scores.append(None if changed else (passed / applicable if applicable else 1.0))
        self.scores[entity] = scores

    def _context(self, entity: str) -> str | None:
        """For text written by an LLM: what the records refer to (a review of a product the dataset holds)."""
        parents = [e.parent for e in self.plan.edges_of(entity) if e.parent in self.records]
        if not parents:
            return self.request.context
        names = []
        for parent in dict.fromkeys(parents):
            sample = [str(r["name"]) for r in self.records[parent][:20] if isinstance(r.get("name"), str)]
            if sample:
                names.append(f"{parent}s such as {', '.join(sample[:8])}")
        extra = f"These records belong to a dataset that holds {'; '.join(names)}." if names else ""
        return " ".join(p for p in (self.request.context, extra) if p) or None

    def _lists(self, entity: str, records: list[Record], rng: random.Random) -> None:
        """List lengths per the list cardinalities (a clone of an existing element extends a list)."""
        for (owner, path), card in self.plan.lists.items():
            if owner != entity:
                continue
            for record in records:
                items = record.get(path)
                if not isinstance(items, list) or not items:
                    continue
                n = list_length(card, rng)
                if n < len(items):
                    del items[n:]
                while len(items) < n:
                    items.append(clone(items[rng.randrange(len(items))]))

    def _distinct(self, entity: str, records: list[Record], rng: random.Random) -> None:
        """References re-pointed so no ``x-unique-together`` combination repeats (datasets/together.py)."""
        combos = self.plan.together.get(entity)
        if not combos:
            return
        by_path = {e.path: e for e in self.plan.edges_of(entity) if not e.deferred and not e.owned and not e.in_list}
        refs = {path: [r.get(path) for r in records] for path in by_path}
        spread_distinct(refs, combos, lambda path: self._keys_of(by_path[path]), rng, entity=entity,
                        nullable={p for p, e in by_path.items() if e.nullable})
        for path, values in refs.items():
            put_references(records, path, values, by_path[path].absent_when_empty)

    def _keys_of(self, edge: Edge) -> list[Any]:
        if edge.parent in self.plan.external:
            return list(self.plan.external[edge.parent])
        read = edge.parent_field
        return [r.get(read) for r in self.records[edge.parent]]

    def _assign(self, edge: Edge, records: list[Record], rng: random.Random,
                exclude_self: bool = False) -> None:
        keys = self._keys_of(edge)
        if edge.in_list:
            self._assign_in_lists(edge, records, keys, rng)
            return
        n = len(records)
        empty = set(rng.sample(range(n), round(n * edge.card.empty))) if edge.card.empty else set()
        filled = [i for i in range(n) if i not in empty]
        for i in empty:
            put_reference(records[i], edge.path, None, edge.absent_when_empty)
        if exclude_self and edge.unique:  # (a record's successor) an earlier record no other points at
            _assign_once_each(edge, records, filled, rng)
            return
        if exclude_self:  # a self-reference (a manager): point at an earlier record, the first has none
            for i in filled:
                first = None if not i else records[rng.randrange(i)].get(edge.parent_field)
                put_reference(records[i], edge.path, first, edge.absent_when_empty)
            return
        for i, parent in zip(filled, allocation(len(filled), len(keys), edge.card, rng), strict=True):
            records[i][edge.path] = keys[parent]

    def _allocate(self, edge: Edge, n: int, rng: random.Random) -> list[Any]:
        """Each of ``n`` records' key for a top-level reference (None: left empty), as :meth:`_assign`."""
        keys = self._keys_of(edge)
        return keyed(allocated(edge.card, n, len(keys), rng), keys)

    def _assign_in_lists(self, edge: Edge, records: list[Record], keys: list[Any], rng: random.Random) -> None:
        head, _, tail = edge.path.partition(".*.")
        cum: list[float] = []
        total = 0.0
        for w in weights(len(keys), edge.card.skew, rng):
            total += w
            cum.append(total)
        choices = rng.choices
        for record in records:
            lines = record.get(head)
            if not isinstance(lines, list):
                continue
            seen: set[Any] = set()
            for line in lines:
                if not isinstance(line, dict):
                    continue
                key = choices(keys, cum_weights=cum)[0]
                tries = 0
                while key in seen and tries < 5 and len(seen) < len(keys):
                    key = choices(keys, cum_weights=cum)[0]
                    tries += 1
                seen.add(key)
                line[tail] = key

    def _break(self, rule: DatasetRule, records: list[Record], rng: random.Random, own: list[Any]) -> None:
        from pytest_testdata.generators.traditional.drawers import VALUES

        order = list(range(len(records)))
        shuffle(rng, order)
        for i in order:
            breakage = rule.breaks(records[i], self.index, rng)
            if breakage is None:
                continue
            for own_rule in own:  # keep the record's own rules whole: only the cross-entity rule breaks
                if own_rule.check(records[i]) is False:
                    own_rule.enforce(records[i], rng, VALUES)
            self.broken.append(BrokenRule(rule.id, rule.entity, i, breakage.field, breakage.message))
            if rule.entity in self.scores:
                self.scores[rule.entity][i] = None  # changed: scored again
            return
        raise GenerationError(f"dataset variant='invalid': no {rule.entity} record could break {rule.id} "
                              f"(none refers to a record the rule compares with).")

    def _check(self, entity: str, schema: Schema, records: list[Record],
               rules: list[DatasetRule]) -> tuple[list[DatasetViolation], float, float]:
        out = [DatasetViolation(entity, v.record, v.field, v.rule, v.message)
               for v in validator_for(schema, {}).validate(records)]
        scorer = scorer_for(schema)
        known = self.scores.get(entity) or [None] * len(records)
        scores = [scorer.score(r) if k is None else k for r, k in zip(records, known, strict=True)]
        checks = passed = 0
        for rule in rules:
            for i, record in enumerate(records):
                found = rule.check(record, self.index)
                checks += 1
                if found is None:
                    passed += 1
                else:
                    out.append(DatasetViolation(entity, i, found[0], rule.id, found[1]))
        unique = [path for path in schema.unique_fields() if "." not in path]
        out += [DatasetViolation(entity, *found) for found in repeats_found(records, unique, self.taken.get(entity))]
        out += [DatasetViolation(entity, *found) for found in repeats(records, self.plan.together.get(entity, ()))]
        ruled = written(self.plan.edges_of(entity), rules_of(schema))  # references a rule may have rewritten
        out += [DatasetViolation(entity, *found) for found in unresolved(records, ruled, self._keys_of)]
        out.sort(key=lambda v: (v.record, v.rule))
        coherence = round(sum(scores) / len(scores), 4) if scores else 1.0
        return out, coherence, round(passed / checks, 4) if checks else 1.0

    def breaks_now(self, entity: str) -> bool:
        """Whether the invalid variant's rule is broken while ``entity`` is built (a rule on a reference filled
        in afterwards is broken then, by :meth:`_deferred`)."""
        rule = self.to_break
        return rule is not None and rule.entity == entity and self._deferred_edge(rule) is None

    def _deferred_edge(self, rule: DatasetRule) -> Edge | None:
        """The deferred reference ``rule`` looks through, if it does."""
        for edge in self.plan.edges_of(rule.entity):
            if edge.deferred and edge.path == rule.ref_path:
                return edge
        return None

    def _deferred(self) -> None:
        """Fill the references that close a cycle, now that both ends exist: chosen so the rules on them hold
        (:mod:`pytest_testdata.datasets.deferred`), then those rules checked."""
        touched: dict[str, list[str]] = {}
        for edge in self.plan.edges:
            if not edge.deferred:
                continue
            rng = random.Random(derive_seed(self.request.seed, "deferred", edge.name))
            on = rules_on(edge, self.plan.rules[edge.child])
            if on and not edge.in_list:
                children = self.records[edge.child]
                fill_deferred(edge, children, self.records[edge.parent], on, self.index, rng)
                if self.to_break in on:
                    self._break_deferred(edge, on, children, rng)
            else:
                self._assign(edge, self.records[edge.child], rng, exclude_self=edge.parent == edge.child)
            touched.setdefault(edge.child, []).append(edge.path)
        for entity, paths in touched.items():
            self.index.add(entity, self.records[entity], self.plan.keys[entity])
            self._check_deferred(entity)
            if self.sink is not None:
                self.sink.fill(self.plan, entity, self.records[entity], paths)

    def _break_deferred(self, edge: Edge, on: list[DatasetRule], children: list[Record], rng: random.Random) -> None:
        rule = self.to_break
        assert rule is not None
        others = [r for r in on if r is not rule]
        i = break_deferred(rule, edge, children, self.records[edge.parent], others, self.index, rng)
        if i is None:
            raise GenerationError(f"dataset variant='invalid': no {rule.entity} record could break {rule.id} "
                                  f"(no {edge.parent} record breaks it while the other rules on {edge.path} hold).")
        found = rule.check(children[i], self.index)
        assert found is not None
        self.broken.append(BrokenRule(rule.id, rule.entity, i, edge.path, f"{edge.path} points at "
                                      f"{children[i][edge.path]!r}: {found[0]} {found[1]}"))

    def _check_deferred(self, entity: str) -> None:
        """The rules on ``entity``'s deferred references, checked now that they are filled (they saw empty
        references when the entity was checked): their violations and the share of checks that held."""
        rules = [r for r in self.plan.rules[entity] if self._deferred_edge(r) is not None]
        if not rules:
            return
        meta, records = self.metadata[entity], self.records[entity]
        ids = {r.id for r in rules}
        found = [DatasetViolation(entity, i, f, rule.id, m) for rule in rules for i, f, m in
                 rule.check_all(records, self.index)]
        violations = sorted([v for v in meta.violations if v.rule not in ids] + found, key=lambda v: (v.record, v.rule))
        every = {r.id for r in self.plan.rules[entity]}
        checks = len(self.plan.rules[entity]) * len(records)
        failed = sum(1 for v in violations if v.rule in every)
        cross = round((checks - failed) / checks, 4) if checks else 1.0
        self.metadata[entity] = dataclasses.replace(meta, violations=violations, dataset_coherence=cross)

    def _notify(self, wanted: GenerationRequest, records: list[Record], meta: EntityMetadata) -> None:
        listeners = getattr(self.engine, "listeners", ())
        if not listeners:
            return
        result = GenerationResult(records, ResultMetadata(
            entity=meta.entity, count=meta.count, strategy=meta.strategy, reason=meta.reason, seed=meta.seed,
            coherence=meta.coherence, timings=meta.timings, provider=meta.provider, model=meta.model,
            details={"dataset": True}))
        for listener in listeners:
            listener(wanted, result)


def _assign_once_each(edge: Edge, records: list[Record], filled: list[int], rng: random.Random) -> None:
    """A unique reference to the record's own entity: each filled record points at an earlier record that no
    other points at, drawn at random (the first record, and one whose earlier records are all taken, has
    none: a unique self-reference is nullable, or it would be a cycle with no end)."""
    wanted = set(filled)
    free: list[int] = []  # earlier records no record points at yet
    for i, record in enumerate(records):
        if i in wanted:
            key = None
            if free:
                j = rng.randrange(len(free))
                free[j], free[-1] = free[-1], free[j]
                key = records[free.pop()].get(edge.parent_field)
            put_reference(record, edge.path, key, edge.absent_when_empty)
        free.append(i)


def generate_dataset(counts: Mapping[Any, int] | None = None, *, engine: Engine | None = None,
                     sink: Sink | None = None, processes: int | None = None, **kwargs: Any) -> Dataset:
    """The Python API: ``generate_dataset({"user": 10, "order": 30}, seed=1)`` or
    ``generate_dataset(root="order", count=30, seed=1)``. Entities are named, or given as a ``Schema`` or a
    model class (SQLAlchemy, pydantic...: registered with the engine), as for ``testdata.dataset``. Keyword
    arguments as :meth:`DatasetRequest.checked`; ``processes`` as :func:`build_dataset`."""
    from pytest_testdata.datasets.calls import entity_name
    from pytest_testdata.engine import Engine

    engine = engine or Engine()
    if isinstance(counts, Mapping):
        counts = {entity_name(key, engine.registry): n for key, n in counts.items()}
    if kwargs.get("root") is not None:
        kwargs["root"] = entity_name(kwargs["root"], engine.registry)
    request = DatasetRequest.checked(counts, **kwargs)
    return build_dataset(engine, request, sink=sink, processes=processes)
