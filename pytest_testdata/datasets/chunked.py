"""An entity built by the traditional strategy, in chunks (:mod:`pytest_testdata.datasets.chunks`): what spans
the whole entity is drawn here before the chunks are built (in this process or by worker processes, the
same chunks either way) and settled here after them.
"""

from __future__ import annotations

import gc
import random
import time
from itertools import accumulate, repeat
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from pytest_testdata.datasets.apart import keep_apart
from pytest_testdata.datasets.cardinality import allocated, keyed, weights
from pytest_testdata.datasets.chunks import ChunkId, ChunkResult, Columns, EntityJob, Kit, build_chunk, portable
from pytest_testdata.datasets.coherence import PurchasedBefore, Purchases, RecordIndex
from pytest_testdata.datasets.resolved import unresolved, written
from pytest_testdata.datasets.result import DatasetViolation, EntityMetadata
from pytest_testdata.datasets.together import repeats, spread_distinct
from pytest_testdata.generators.budget import checkpoint
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, Record

if TYPE_CHECKING:
    from pytest_testdata.datasets.build import Builder
    from pytest_testdata.datasets.graph import Edge
    from pytest_testdata.generators.traditional.generator import TraditionalGenerator

REDRAWS = 20
"""Rounds of drawing again the records whose unique value repeats one of an earlier chunk."""
STEERS = 50
"""Draws of one record (from seeds of its own) to find one that makes a purchase (:meth:`ChunkedEntity._steer`)."""


class ChunkedEntity:
    """One entity of one build (see the module docstring)."""

    def __init__(self, builder: Builder, entity: str, schema: Schema, seed: int, wanted: GenerationRequest,
                 reason: str, started: float) -> None:
        self.builder, self.entity, self.schema, self.seed = builder, entity, schema, seed
        self.wanted, self.reason, self.started = wanted, reason, started
        self.rng = random.Random(derive_seed(builder.request.seed, "links", entity))
        self.job: EntityJob | None = None
        self.drawn: list[tuple[int, list[Any]]] | None = None
        """What :meth:`predraw` drew: per reference, how many parents it assumed and the draws."""

    def predraw(self) -> None:
        """Draw now the first draws of the entity's stream, those that need only how many records each parent
        has (each reference's parent by position, the list items' parents' weights), while the workers build
        the parents: the dataset then hands this entity out sooner once they are finished. :meth:`_job` maps
        the positions to the keys, or draws again when a parent has not the records assumed here."""
        plan = self.builder.plan
        if self.job is not None or self.drawn is not None or plan.together.get(self.entity):
            return  # (a link table's pairs are drawn from the keys themselves: all of it waits for them)
        rng, count = self.rng, plan.counts[self.entity]
        drawn: list[tuple[int, list[Any]]] = []
        for edge in self._edges():
            parents = self._parents(edge.parent)
            if edge.in_list:
                drawn.append((parents, list(accumulate(weights(parents, edge.card.skew, rng)))))
            else:
                drawn.append((parents, allocated(edge.card, count, parents, rng)))
        self.drawn = drawn

    def _edges(self) -> list[Edge]:
        """The references drawn for the job, in the order they are drawn."""
        return [edge for edge in self.builder.plan.edges_of(self.entity) if not edge.deferred and not edge.owned]

    def _parents(self, parent: str) -> int:
        """How many records ``parent`` has (or will have: the plan's count, checked by :meth:`_job`)."""
        plan, built = self.builder.plan, self.builder.records
        if parent in plan.external:
            return len(plan.external[parent])
        return len(built[parent]) if parent in built else plan.counts[parent]

    def prepare(self) -> None:
        """Draw what spans the entity now (the entities it reads are finished): the dataset does it while
        the workers build another entity, instead of between two entities, when the workers would wait."""
        if self.job is None:
            self.job = self._job()

    def pooled(self) -> bool:
        """True when the workers build the chunks (the dataset has a pool, the entity more than one chunk,
        and nothing a worker would lack); call after :meth:`prepare`."""
        from pytest_testdata.datasets import workers

        job = self.job
        return job is not None and self.builder.pool is not None and len(job.chunks()) > 1 \
            and workers.picklable(job) and not _customised()

    def hand_out(self) -> None:
        """Give the chunks to the workers now (see :meth:`ChunkPool.hand_out`), when they build them."""
        self.prepare()
        if self.pooled():
            assert self.builder.pool is not None and self.job is not None
            self.builder.pool.hand_out(self.job)

    def run(self, generator: TraditionalGenerator) -> None:
        from pytest_testdata.datasets import workers

        builder, entity = self.builder, self.entity
        self.prepare()
        job = self.job
        assert job is not None
        kits: list[Kit] = []

        def kit_now() -> Kit:
            """The kit of this process, made once, when first needed: with workers, after the chunks are
            handed out (the workers start on them while this process makes it)."""
            if not kits:
                # The referenced records as this process holds them, not rebuilt from the job's columns as in
                # a worker (whole records: the rules read the same fields of them, parent_reads, same values).
                held = RecordIndex.of_tables(
                    {target: builder.index.table(*target) for target in [*job.tables, *job.split]}, job.purchases)
                kits.append(Kit(job, self.schema, generator, held))
            return kits[0]

        chunks = job.chunks()
        pool = builder.pool
        results: list[ChunkResult] = []
        processes = 1
        seen: dict[str, set[Any]] | None = None
        """With workers: each unique field's values so far, as the chunks come back (None once one may repeat:
        :func:`_no_repeat`). Looked at then, while the workers build, instead of by :meth:`_settle` after the
        last chunk, when the workers wait for the next entity."""
        lookups: dict[str, dict[Any, Record]] | None = None
        """With workers: the lookups of the records by key field (:meth:`RecordIndex.extend`), made as the
        chunks come back instead of after the last one, when the workers wait for the next entity; used when
        no record is drawn again or broken after (else the index is made of the records as they end)."""
        if pool is not None and self.pooled():
            processes = min(pool.processes + 1, len(chunks))  # (this process builds chunks too)

            def here(chunk: ChunkId, start: int, stop: int) -> ChunkResult:
                """The chunk the workers leave to this process, or one it takes back."""
                return build_chunk(job, kit_now(), chunk, start, stop)

            builder.ahead = self.ahead()  # (written while this process waits for a worker: write_piece)
            seen = {name: set(self._taken().get(name, ())) for name in self._unique_fields()}
            lookups = {key_field: {} for key_field in builder.plan.keys[entity]}

            def meanwhile() -> None:
                """Once the chunks are handed out: this process's kit, then the builder's work meanwhile."""
                kit_now()
                builder.meanwhile()

            for result in pool.run(job, here, meanwhile=meanwhile, idle=builder.write_piece):
                checkpoint()  # the request's budget (the agent's deadline) holds for the workers' chunks too
                results.append(result)
                RecordIndex.extend(lookups, result.records)
                if builder.ahead is not None:  # (its add looks at the unique values: seen is its own)
                    builder.ahead.add(result.records)
                    seen = builder.ahead.seen
                elif seen is not None and not _no_repeat(result.records, seen):
                    seen = None
                if builder.freezing:  # (see Builder.steps) the chunks before are not walked again for this one
                    gc.freeze()
        else:
            if pool is not None and workers.picklable(job) and not _customised():
                job.plain = workers.pickled(job)[1]  # a later job reading these records by chunk may be plain
            builder.write_unwritten()
            for chunk, start, stop in chunks:
                results.append(build_chunk(job, kit_now(), chunk, start, stop))
                if builder.freezing:
                    gc.freeze()
        records = [r for result in results for r in result.records]
        scores = [s for result in results for s in result.scores]
        found = [v for result in results for v in result.violations]
        kit = kit_now()
        found, steered = self._steer(job, kit, records, scores, found)
        unchanged = seen is not None and not steered  # (then _settle looks no more and draws nothing again)
        found, unrepeated = self._settle(job, kit, records, scores, found, unchanged)
        if builder.breaks_now(entity):
            found = self._break(job, kit, records, scores, found)
            unrepeated = unchanged = False  # (a record changed since _settle looked)
        builder.index.add(entity, records, builder.plan.keys[entity], lookups if unchanged else None)
        builder.records[entity] = records
        builder.pass_on(entity, records)
        if job.plain:  # (a later job that reads this entity's records chunk by chunk may send its own by marshal)
            builder.plain.add(entity)
        if not unrepeated:  # (else it finds nothing: _settle's last look found no repeat in these records)
            found += repeats_found(records, self._unique_fields(), self._taken())
        found += repeats(records, builder.plan.together.get(entity, ()))
        ruled = written(builder.plan.edges_of(entity), kit.own)  # references a rule may have rewritten
        if ruled:
            found += unresolved(records, ruled, builder._keys_of)
        found.sort(key=lambda v: (v[0], v[2]))
        cross_ids = {rule.id for rule in kit.rules}
        checks = len(kit.rules) * len(records)
        failed = sum(1 for v in found if v[2] in cross_ids)
        timings = {step: sum(r.seconds[step] for r in results) for step in ("generate", "link", "validate")}
        timings["total"] = time.perf_counter() - self.started
        details: dict[str, Any] = {"chunks": len(chunks), "processes": processes}
        for result in results:
            for key, value in result.details.items():
                details[key] = details.get(key, 0) + value
        builder.metadata[entity] = EntityMetadata(
            entity=entity, count=len(records), strategy="traditional", reason=self.reason, seed=self.seed,
            coherence=round(sum(scores) / len(scores), 4) if scores else 1.0,
            dataset_coherence=round((checks - failed) / checks, 4) if checks else 1.0,
            violations=[DatasetViolation(entity, *v) for v in found], details=details, timings=timings)
        builder._finished(entity, self.wanted, records)

    def _job(self) -> EntityJob:
        """What spans the entity, drawn from its stream in a fixed order: references, list items' parents'
        weights, purchases."""
        from pytest_testdata.generators.traditional.derived import DERIVED_OPTION
        from pytest_testdata.generators.traditional.list_lengths import LENGTHS_OPTION

        builder, entity, rng = self.builder, self.entity, self.rng
        plan, index = builder.plan, builder.index
        count = plan.counts[entity]
        undrawn = plan.derived(entity)
        lists = [(path, card) for (owner, path), card in plan.lists.items() if owner == entity]
        # Each list drawn to its cardinality's length by the generator (generators/traditional/list_lengths.py),
        # not to the schema's and then cut (chunks._resize, kept for a list the generator could not draw so):
        # no item drawn to be thrown away.
        lengths = tuple((path, card.min, card.max, card.mean, card.skew) for path, card in lists)
        job = EntityJob(entity=entity, seed=self.seed, schema=portable(self.schema), count=count,
                        locale=self.wanted.locale, context=self.wanted.context,
                        options={**self.wanted.options, DERIVED_OPTION: undrawn, LENGTHS_OPTION: lengths},
                        undrawn=bool(undrawn), tables={}, purchases={}, lists=lists, shift=self._shift())
        edges = self._edges()
        keys = [builder._keys_of(edge) for edge in edges]
        drawn = self.drawn
        if drawn is not None and [parents for parents, _ in drawn] != list(map(len, keys)):
            # A parent has not the records predraw assumed: drawn again, the stream from its start.
            drawn, self.rng = None, random.Random(derive_seed(builder.request.seed, "links", entity))
            rng = self.rng
        for n, (edge, parent_keys) in enumerate(zip(edges, keys, strict=True)):
            if edge.in_list:
                cum = drawn[n][1] if drawn is not None else \
                    list(accumulate(weights(len(parent_keys), edge.card.skew, rng)))
                job.in_lists.append((edge.path, parent_keys, cum))
            else:
                positions = drawn[n][1] if drawn is not None else allocated(edge.card, count, len(parent_keys), rng)
                job.refs[edge.path] = keyed(positions, parent_keys)
                if edge.absent_when_empty:
                    job.absent.add(edge.path)
        self.drawn = None
        by_path = {e.path: e for e in plan.edges_of(entity)}
        if plan.apart.get(entity):  # a transfer's two accounts, a follow's two people: different records
            keep_apart(job.refs, plan.apart[entity], lambda path: builder._keys_of(by_path[path]), rng)
        if plan.together.get(entity):  # a link table's (post_id, tag_id) pairs, each once
            spread_distinct(job.refs, plan.together[entity], lambda path: builder._keys_of(by_path[path]), rng,
                            plan.apart.get(entity, ()), entity, {p for p, e in by_path.items() if e.nullable})
        heads: dict[tuple[str, str], set[str]] = {}
        reads: dict[tuple[str, str], set[str]] = {}
        for rule in plan.rules[entity]:
            if isinstance(rule, PurchasedBefore):
                chosen = rule.pairs_for(count, index, rng)
                job.pairs[rule.name] = chosen
                earliest = index.purchases(*rule.purchases_key).earliest
                job.purchases[rule.purchases_key] = {pair: earliest[pair] for pair in dict.fromkeys(chosen)}
            elif rule.target is not None:
                heads.setdefault(rule.target, set()).update(path.split(".")[0] for path in rule.parent_reads)
                reads.setdefault(rule.target, set()).update(rule.parent_reads)
        for target, fields in heads.items():
            wanted = sorted(fields)
            # A list the rules read only the first item of (a user's first address) travels as that item.
            firsts = frozenset(head for head in fields if all(
                p.split(".")[1:2] == ["0"] for p in reads[target] if p.split(".")[0] == head))
            path = self._split_by(target, job)
            if path is not None:  # sent with each chunk: the records it refers to
                job.split[target] = (path, wanted, firsts)
                # An object the rules read some keys of (an order's totals) travels as those keys alone.
                job.narrow[target] = _narrowed(reads[target], fields - firsts)
                job.parents[target] = index.table(*target)
            else:
                job.tables[target] = Columns.of(index.table(*target), wanted, firsts)
        job.parents_plain = all(target[0] in builder.plain for target in job.split)
        return job

    def _split_by(self, target: tuple[str, str], job: EntityJob) -> str | None:
        """The top-level reference field by which each chunk finds its records of ``target``, when every rule
        reading ``target`` follows it and nothing in a chunk writes it (a chunk's records then look up only
        the keys assigned to them: :meth:`EntityJob.rows`); None otherwise."""
        from pytest_testdata.datasets.trusted import cross_writes, overlap, own_writes
        from pytest_testdata.quality.rules import rules_of

        rules = self.builder.plan.rules[self.entity]
        paths = {getattr(rule, "ref_path", None) for rule in rules if rule.target == target}
        if len(paths) != 1:
            return None
        path = paths.pop()
        if not isinstance(path, str) or path not in job.refs:
            return None
        writes = [cross_writes(rule) for rule in rules]
        writes += [own_writes(rule) for rule in rules_of(self.schema)]
        if any(found is None or any(overlap(path, w) for w in found) for found in writes):
            return None
        # Worth it when the chunks together refer to fewer records than every worker would load whole (a
        # payment refers to one order of 30,000; the orders of a chunk share buyers, and each order chunk
        # refers to most of the users: those travel whole, once per worker).
        keys = job.refs[path]
        sent = sum(len(set(keys[start:stop])) for _, start, stop in job.chunks())
        return path if sent < len(self.builder.index.table(*target)) * max(self.builder.processes, 2) else None

    def _unique_fields(self) -> list[str]:
        return [path for path in self.schema.unique_fields() if "." not in path]

    def _shift(self) -> dict[str, int]:
        """For each unique whole-number field (not a reference) whose values in the database are all whole
        numbers: the largest of them, added to the drawn values (:attr:`EntityJob.shift`)."""
        refs = {edge.path for edge in self.builder.plan.edges_of(self.entity)}
        out = {}
        for path, values in self._taken().items():
            declared = self.schema.properties.get(path, {}).get("type")
            types = set(declared) if isinstance(declared, list) else {declared}
            if path not in refs and set(map(type, values)) == {int} and types - {"null"} == {"integer"} \
                    and max(values) > 0:  # (keys below 1 leave the drawn ones free)
                out[path] = max(values)
        return out

    def _taken(self) -> dict[str, set[Any]]:
        """Each unique field's values already in the database the dataset goes into (rows of its table from
        before: a fixture's, an earlier dataset's): a record holding one is drawn again, as a repeat is."""
        return self.builder.taken.get(self.entity, {})

    def _settle(self, job: EntityJob, kit: Kit, records: list[Record], scores: list[float],
                found: list[tuple[int, str, str, str]], unrepeated: bool = False,
                ) -> tuple[list[tuple[int, str, str, str]], bool]:
        """Unique values across chunks: a record repeating an earlier record's value is drawn again (a
        one-record chunk with a seed of its own, its references kept), until none repeats or :data:`REDRAWS`
        rounds are spent. So is a record repeating an ``x-unique-together`` combination that holds a drawn
        value (a ticket's ``(account_id, seq)``: the reference stays, ``seq`` is drawn again).
        ``unrepeated``: the records as they are were found to repeat no unique value as their chunks came
        back (:func:`_no_repeat`, which finds no repeat only when :func:`_repeating` finds none), and the
        first look is left out.

        Returns the violations and whether the records as they are now repeat no unique value (the last
        round's look found none). :func:`repeats_found` of those records is then empty: it flags a record
        exactly when :func:`_repeating` does (the same values, the same test), so :meth:`run` need not look a
        second time (``_may_repeat`` over every record of the entity, for each unique field); after
        :data:`REDRAWS` rounds of redraws the records were not looked at again, and False says so."""
        combos = self._drawn_combinations()
        if unrepeated and not combos:
            return found, True
        fields = self._unique_fields()
        for attempt in range(REDRAWS):
            again = _repeating(records, fields, self._taken())
            if combos:  # (a record repeating a combination that holds a drawn value draws that value again)
                again = sorted({*again, *(v[0] for v in repeats(records, combos))})
            if not again:
                return found, True
            for i in again:
                result = build_chunk(job, kit, ("again", i, attempt), i, i + 1)
                records[i], scores[i] = result.records[0], result.scores[0]
                found = [v for v in found if v[0] != i] + result.violations
        return found, False

    def _steer(self, job: EntityJob, kit: Kit, records: list[Record], scores: list[float],
               found: list[tuple[int, str, str, str]]) -> tuple[list[tuple[int, str, str, str]], bool]:
        """Records a later entity buys through (``purchased_before`` via this entity: reviews of delivered
        orders) when none of the drawn ones makes a purchase (a few orders, none delivered): records are
        drawn again, the first one first, each as a one-record chunk with seeds of its own, until one makes a
        purchase. A dataset that had a purchase is left as it was; when no draw makes one, the later entity
        says so as before. Returns the violations and whether a record was drawn again."""
        steered = False
        for key in self._bought_through():
            if not records or _purchase_in(records, key):
                continue  # (the first few records answer it: a purchase is common)
            for i in range(len(records)):
                result = next((result for attempt in range(STEERS) if Purchases(
                    (result := build_chunk(job, kit, ("steer", i, attempt), i, i + 1)).records, *key[1:]).pairs),
                    None)
                if result is not None:
                    records[i], scores[i] = result.records[0], result.scores[0]
                    found = [v for v in found if v[0] != i] + result.violations
                    steered = True
                    break
        return found, steered

    def _bought_through(self) -> list[tuple[str, str, str, str]]:
        """The purchases later entities buy through this one (``purchased_before`` via it), which
        :meth:`_steer` makes sure of."""
        return sorted({rule.purchases_key for rules in self.builder.plan.rules.values() for rule in rules
                       if isinstance(rule, PurchasedBefore) and rule.via == self.entity})

    def _drawn_combinations(self) -> list[tuple[str, ...]]:
        """The entity's ``x-unique-together`` combinations that hold a drawn value (those made only of
        references are kept apart as they are assigned: :func:`spread_distinct`)."""
        refs = {edge.path for edge in self.builder.plan.edges_of(self.entity)}
        return [combo for combo in self.builder.plan.together.get(self.entity, ()) if not set(combo) <= refs]

    def ahead(self) -> Ahead | None:
        """The early writing of this entity's chunks (:class:`Ahead`), when the dataset's sink takes an
        entity in parts; None when a later step may change a record in place (the invalid variant breaking
        a rule of this entity) or the entity has a reference filled in at the end."""
        builder = self.builder
        if not getattr(builder.sink, "writes_in_parts", False) or builder.breaks_now(self.entity) \
                or any(edge.deferred for edge in builder.plan.edges_of(self.entity)) or self._drawn_combinations():
            return None  # (a repeated combination's record is drawn again: no chunk is final before _settle)
        return Ahead(self.entity, self._unique_fields(), self._bought_through(), self._taken())

    def _break(self, job: EntityJob, kit: Kit, records: list[Record], scores: list[float],
               found: list[tuple[int, str, str, str]]) -> list[tuple[int, str, str, str]]:
        """The invalid variant: break the chosen rule on one record, then check that record again."""
        builder = self.builder
        rule = builder.to_break
        assert rule is not None
        builder._break(rule, records, self.rng, kit.own)
        i = builder.broken[-1].record
        record = records[i]
        scores[i] = kit.scorer.score(record)
        again = [(i, v.field, v.rule, v.message) for v in kit.validator.validate([record])]
        for cross in kit.rules:
            failure = cross.check(record, kit.index)
            if failure is not None:
                again.append((i, failure[0], cross.id, failure[1]))
        return [v for v in found if v[0] != i] + again


_PLAIN = frozenset((str, int, float, bool, type(None)))
_DICT = frozenset((dict,))


def _may_repeat(records: list[Record], name: str) -> bool:
    """False when no two records have the same value of ``name`` (a set of the values, made without a
    Python loop: the usual case, keys and e-mails); True when they may (the loops below then say which)."""
    # dict.get itself, without a call of a methodcaller per record, when every record is a plain dict (a
    # subclass may answer get otherwise): the values are read once, a dataset's ids and e-mails twice.
    if set(map(type, records)) <= _DICT:
        values = list(map(dict.get, records, repeat(name)))
    else:
        values = list(map(methodcaller("get", name), records))
    if not set(map(type, values)) <= _PLAIN:
        return True  # lists, objects: compared by their text below
    empty = values.count(None)
    return len(set(values)) - (1 if empty else 0) != len(values) - empty


class Ahead:
    """The records of the entity being built that the sink may have before the entity is finished: the
    chunks come back in order, and a chunk's records are final when nothing after them changes them.

    What does (:meth:`ChunkedEntity.run`, after the chunks): :meth:`~ChunkedEntity._steer` draws records
    again only when no record makes a purchase a later entity buys through (once a record makes one, it
    changes nothing); :meth:`~ChunkedEntity._settle` draws again a record whose unique value an earlier
    record has, and a record drawn again can only repeat a value of another record, the later of the two
    being drawn again: no record before the first repeat is ever drawn again. So the chunks up to the first
    that holds a repeat (its own, or of a chunk before) are final once every purchase is made. (The invalid
    variant's break and a reference filled in at the end write into records: no early writes then, see
    :meth:`ChunkedEntity.ahead`.) ``tests/datasets/test_written_ahead.py`` compares the database with
    the entity written whole, repeats and missing purchases included."""

    def __init__(self, entity: str, unique: list[str], purchases: list[tuple[str, str, str, str]],
                 taken: dict[str, set[Any]] | None = None) -> None:
        self.entity = entity
        self.records: list[Record] = []
        """The chunks' records, in order, so far."""
        self.final = 0
        """How many of :attr:`records` no later step changes (while :attr:`purchases` is empty)."""
        self.written = 0
        """How many of :attr:`records` the sink has (:meth:`~pytest_testdata.datasets.build.Builder.write_piece`)."""
        self.purchases = list(purchases)
        """The purchases no record made yet (records may then be drawn again: none is final)."""
        self.seen: dict[str, set[Any]] | None = {name: set((taken or {}).get(name, ())) for name in unique}
        """Each unique field's values so far (and the database's before: ``taken``); None once a value
        repeated (or is not a plain value)."""

    def add(self, records: list[Record]) -> None:
        """The next chunk's records."""
        self.records += records
        self.purchases = [key for key in self.purchases if not _purchase_in(records, key)]
        if self.seen is not None and _no_repeat(records, self.seen):
            self.final = len(self.records)
        else:
            self.seen = None

    def ready(self) -> int:
        """How many records the sink may have now (:attr:`written` of them it has)."""
        return 0 if self.purchases else self.final


def _purchase_in(records: list[Record], key: tuple[str, str, str, str]) -> bool:
    """Whether a record makes a purchase of ``key`` (each record on its own, as :meth:`ChunkedEntity._steer`
    asks)."""
    return any(Purchases([record], *key[1:]).pairs for record in records)


def _no_repeat(records: list[Record], seen: dict[str, set[Any]]) -> bool:
    """True when no record repeats a unique value of ``seen`` (the values so far, by field) or of a record
    before it, as :func:`_repeating` finds repeats (None is no value); the records' values then join ``seen``.
    False when one may: a repeat, or a value other than str, int, float, bool (compared by its text there)."""
    for name, values in seen.items():
        found = [record.get(name) for record in records]
        if not set(map(type, found)) <= _PLAIN:
            return False
        present = [value for value in found if value is not None]
        fresh = set(present)
        if len(fresh) != len(present) or not fresh.isdisjoint(values):
            return False
        values |= fresh
    return True


def _narrowed(reads: set[str], heads: set[str]) -> dict[str, tuple[str, ...]]:
    """The fields of ``heads`` that the rules read only keys of (``totals.total``, ``totals.currency``: not
    ``totals`` itself, nor an item ``totals.0`` or ``totals.*``), each with the keys read, in order: those
    objects travel as those keys alone (:meth:`Columns.reduced`). A field read whole by any rule travels
    whole."""
    keys: dict[str, set[str]] = {}
    whole: set[str] = set()
    for path in reads:
        head, dot, tail = path.partition(".")
        if head not in heads:
            continue
        key = tail.split(".")[0]
        if not dot or not key or key == "*" or key.isdigit():
            whole.add(head)
        else:
            keys.setdefault(head, set()).add(key)
    return {head: tuple(sorted(found)) for head, found in sorted(keys.items()) if head not in whole}


def _repeating(records: list[Record], fields: list[str], taken: dict[str, set[Any]] | None = None) -> list[int]:
    """Records whose value of a unique field an earlier record already has (or the database: ``taken``)."""
    return sorted({found[0] for found in repeats_found(records, fields, taken)})


def repeats_found(records: list[Record], fields: list[str], taken: dict[str, set[Any]] | None = None,
                  ) -> list[tuple[int, str, str, str]]:
    """Each record whose value of a unique field an earlier record has, or the database (``taken``: rows
    from before the dataset), as a violation: (record, field, "unique", message)."""
    out = []
    for name in fields:
        before = (taken or {}).get(name)
        if not before and not _may_repeat(records, name):
            continue
        seen: dict[Any, int] = dict.fromkeys(before or (), -1)
        for i, record in enumerate(records):
            value = record.get(name)
            if value is None:
                continue
            key = value if isinstance(value, (str, int, float, bool)) else repr(value)
            if key in seen:
                out.append((i, name, "unique", f"{value!r} repeats record {seen[key]}'s value" if seen[key] >= 0
                            else f"{value!r} is already in the database's table"))
            else:
                seen[key] = i
    return out


def _customised() -> bool:
    """True when the user registered value kinds or field names in this process (a worker would not
    have them): the chunks are then built here."""
    from pytest_testdata.generators.traditional.field_names import TABLE, rows
    from pytest_testdata.generators.traditional.kinds import KINDS

    return len(rows()) != len(TABLE) or any(not kind.builtin for kind in KINDS.values())
