"""Compile a schema once into a generation plan: one value drawer per field, then the coherence rules.

The plan is the single source of truth of the traditional strategy: :class:`TraditionalGenerator` runs
it for batches, and :func:`pytest_testdata.generators.traditional.factories.factory_for` wraps the same
drawers as factory_boy declarations for users who want a factory to extend.
"""

from __future__ import annotations

import marshal
import random
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, cast

from pytest_testdata.generators.traditional.cents import CENT, CentCleaner, clean_multiple, is_clean
from pytest_testdata.generators.traditional.coverage import ABSENT, ALL, Shape, shape_for
from pytest_testdata.generators.traditional.drawers import (
    COUNTRY_CODES,
    Draw,
    RecordState,
    _address,
    _category,
    _number_drawer,
    _stepped,
    _string_drawer,
    draw_none,
    pick_country,
)
from pytest_testdata.generators.traditional.fastrand import between, pick
from pytest_testdata.generators.traditional.field_names import kin_parent, table_version, within
from pytest_testdata.generators.traditional.identity import identity_rules
from pytest_testdata.generators.traditional.keywords import needs_compose
from pytest_testdata.generators.traditional.list_lengths import LENGTH_KEY, length_counter
from pytest_testdata.generators.traditional.named_things import named_thing_rules
from pytest_testdata.generators.traditional.pools import VALUES, Values
from pytest_testdata.generators.traditional.realistic import realistic_number, realistic_string
from pytest_testdata.generators.traditional.straight import WARM_CALLS, items_builder, object_builder, record_builder
from pytest_testdata.generators.traditional.timeline import timeline_rules
from pytest_testdata.generators.traditional.vocab import PRODUCT_NOUNS
from pytest_testdata.generators.traditional.vouch import (
    Step,
    made_addresses,
    made_rule_shapes,
    made_shapes,
    made_values,
    sure_builder_steps,
)
from pytest_testdata.locales.countries import COUNTRY_LOCALES, CURRENCIES, LOCALE_COUNTRIES
from pytest_testdata.quality.constraints_model import constrain, constrain_tree
from pytest_testdata.quality.rules import Rule, rules_of
from pytest_testdata.schemas.int_formats import without_type_limits
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import FieldConstraint

if TYPE_CHECKING:
    from pytest_testdata.generators.traditional.compose import Composer


def _drawer(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None = None,
            shape: Shape = ALL) -> Draw:
    """The drawer for one subschema (keywords beyond the classic ones go to the keyword compiler)."""
    if needs_compose(node):
        return composer_for(shape).compile(node, name, constraint)
    draw = _typed_drawer(node, name, constraint, shape)
    if shape.plain:
        return draw
    types = node.get("type")
    if types == "null" or not (isinstance(types, list) and "null" in types):
        return draw
    return shape.nullable(draw, name)


def _typed_drawer(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None, shape: Shape) -> Draw:
    if constraint is None and node.get("x-patterns"):
        # A caller's regex on a nested field, merged in by the constraint model.
        constraint = FieldConstraint(regex=str(node["x-patterns"][0]))
    enum = list(constraint.enum) if constraint and constraint.enum is not None else node.get("enum")
    types = node.get("type")
    main = types if type(types) is str else next((t for t in types or ["string"] if t != "null"), "null")
    if enum:
        choices = tuple(enum)
        if name == "category" and set(choices) & set(PRODUCT_NOUNS):
            # The category the product's name was drawn from (names come first in the schema).
            def category(state: RecordState) -> Any:
                chosen = _category(state)
                return chosen if chosen in choices else pick(state.rng, choices)
            return category
        if name == "currency":
            # A record's currency follows its country most of the time, as real orders do.
            def currency(state: RecordState) -> Any:
                local = CURRENCIES.get(state.country)
                return local if local in choices and state.rng.random() < 0.9 else pick(state.rng, choices)
            if choices and all(type(c) is str for c in choices):  # one of them, always (vouch.made_values)
                currency.makes_value = {"type": "string", "enum": choices}  # type: ignore[attr-defined]
            # As an expression of a straight-line builder (straight.py): the same draws.
            currency.inline = lambda entity: (  # type: ignore[attr-defined]
                "(@L if (@L := @CURRENCIES.get(state.country)) in @C and rng.random() < 0.9 else @PICK(rng, @C))",
                {"CURRENCIES": CURRENCIES, "C": choices, "PICK": pick})
            return currency
        count = len(choices)
        bits = count.bit_length()

        def one_of(state: RecordState) -> Any:
            # pick(state.rng, choices), written out (the same getrandbits draws): a call fewer per value
            getrandbits = state.rng.getrandbits
            i = getrandbits(bits)
            while i >= count:
                i = getrandbits(bits)
            return choices[i]
        if choices and all(type(c) is str for c in choices):  # one of them, always (vouch.made_values)
            one_of.makes_value = {"type": "string", "enum": choices}  # type: ignore[attr-defined]
        if count:
            # As an expression of a straight-line builder (straight.py): the first getrandbits draw, and pick
            # itself when it is refused (its rejection loop starts afresh with the same draws).
            one_of.inline = lambda entity: (  # type: ignore[attr-defined]
                "(@C[@i] if (@i := rng.getrandbits(@BITS)) < @N else @PICK(rng, @C))",
                {"C": choices, "BITS": bits, "N": count, "PICK": pick})
        return one_of
    if node.get("x-gen") == "address":
        return _address
    if main == "object":
        return _object_drawer(node, kin_parent(name), shape)
    if main == "array":
        item = _drawer(node.get("items", {}), name, None, shape)
        lo = constraint.min_length if constraint and constraint.min_length is not None else node.get("minItems", 0)
        hi = constraint.max_length if constraint and constraint.max_length is not None else node.get("maxItems",
                                                                                                      lo + 3)

        draw_count: Callable[[Any, Any, Any], int] = \
            between if type(lo) is int and type(hi) is int else random.Random.randint
        if LENGTH_KEY in node:  # the length a caller asked for (list_lengths.py: a dataset's cardinality)
            lo, hi, draw_count = length_counter(node[LENGTH_KEY])
        if not shape.plain:
            draw_count = _shaped_count(shape, lo, hi, draw_count)

        fields = getattr(item, "fields", None)
        if fields is not None and not shape.plain:
            def shaped_objects(state: RecordState) -> list[Any]:
                n = lo if state.fewest else draw_count(state.rng, lo, hi)
                out = []
                for _ in range(n):
                    state.category = None
                    out.append({name: v for name, draw in fields if (v := draw(state)) is not ABSENT})
                state.category = None
                return out
            return shaped_objects
        if fields is not None:
            # A list of objects (cart items): each item built inline, as one dict literal (straight.py).
            built = items_builder(fields, lo, hi, draw_count)
            if draw_count is between and type(lo) is int and 0 <= lo <= hi:
                # lo to hi dicts, each with exactly the fields' keys (a dict literal): vouch.made_values
                built.makes_value = {"type": "array", "minItems": lo, "maxItems": hi}  # type: ignore[attr-defined]
            return built

        def array(state: RecordState) -> list[Any]:
            n = lo if state.fewest else draw_count(state.rng, lo, hi)
            # A loop, not a list comprehension: a short list (a user's one to three addresses) costs less
            # without the comprehension's own function call. The same calls in the same order.
            out = []
            for _ in range(n):
                out.append(item(state))
            return out
        array.items_of = item  # type: ignore[attr-defined]  # what each element is (vouch.py reads it)
        if draw_count is between and type(lo) is int and type(hi) is int and 0 <= lo <= hi:
            # lo to hi elements, always (vouch.made_addresses reads it, for a list of the address drawer's)
            array.makes_value = {"type": "array", "minItems": lo, "maxItems": hi}  # type: ignore[attr-defined]
        return array
    if main in ("integer", "number"):
        if not shape.plain:
            return shape.number(_typed_drawer(node, name, constraint, ALL), node, constraint, name,
                                integer=main == "integer")
        drawn = without_type_limits(node)  # an int64's -2**63..2**63 is the type's range, not the field's
        realistic = realistic_number(drawn, name, constraint, main == "integer")
        number = realistic or _number_drawer(drawn, name, constraint, integer=main == "integer")
        step = node.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0 and step != 0.01:
            return _stepped(number, step, node, constraint, integer=main == "integer")
        if step == 0.01 and main == "number" and realistic is not None:
            # A named kind's value on the cent (money drawn by _number_drawer is kept clean there).
            low, high = node.get("minimum"), node.get("maximum")

            def cents(state: RecordState) -> Any:
                value = number(state)
                if type(value) is float and not is_clean(value):
                    value = clean_multiple(round(value * 100), CENT, low, high)
                return value
            return cents
        return number
    if main == "boolean":
        return lambda s: s.rng.random() < 0.5
    if main == "null":
        return draw_none
    drawer = realistic_string(node, name, constraint, _string_drawer) or _string_drawer(node, name, constraint)
    # Nullable strings are filled (coherence rules decide when they must be null; the shape may null them).
    return drawer if shape.plain else shape.string(drawer, node, constraint, name)


_COMPOSERS: dict[Shape, Composer] = {}
"""The keyword compilers by shape, made on first need: a plan of classic subschemas (the built-in entities)
never imports the compiler."""


def composer_for(shape: Shape) -> Composer:
    """The keyword compiler whose classic drawers (and its own) follow ``shape``."""
    found = _COMPOSERS.get(shape)
    if found is None:
        from pytest_testdata.generators.traditional.compose import Composer

        if shape == ALL:
            found = _COMPOSERS[shape] = Composer(_drawer)
        else:
            def classic(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
                return _drawer(node, name, constraint, shape)
            found = _COMPOSERS[shape] = Composer(classic, shape)
    return found


def _shaped_count(shape: Shape, lo: int, hi: int, draw_count: Any) -> Any:
    counts = shape.count(lo, hi, lambda rng: int(draw_count(rng, lo, hi)))
    return lambda rng, _lo, _hi: counts(rng)


_OBJECTS: dict[tuple[bytes, str, Shape, int], Draw] = {}
"""Object drawers by (the object's subschema, marshalled, its name, the shape, the field-name table's version):
see :func:`_object_drawer`."""
MAX_OBJECTS = 4096
"""How many object drawers :data:`_OBJECTS` keeps before it starts again (a long-running agent)."""


def _object_drawer(node: Mapping[str, Any], parent: str = "", shape: Shape = ALL) -> Draw:
    """The drawer of an object's fields, in declaration order.

    It depends only on the subschema, the object's name and the shape: its fields are compiled within the
    object's own context (``within(parent, properties)``), never the context it sits in. So the same
    object met again (GitHub's user, repository and organisation objects recur in most of its schemas,
    often several times in one) reuses the drawer compiled the first time: drawers keep no state between
    records, so the records are the same. Schemas holding what marshal cannot write are compiled each time.
    """
    try:
        # marshal's version 2 writes the subschema faithfully (types kept apart: 1, 1.0 and true; no
        # references, so how the tree shares its parts does not matter) at about 2.5 times json.dumps's speed:
        # each object's key is written again inside every enclosing object met for the first time.
        key = (marshal.dumps(cast(Any, node), 2), parent, shape, table_version())
    except ValueError:  # a value marshal cannot write (not JSON): compiled each time
        return _new_object_drawer(node, parent, shape)
    found = _OBJECTS.get(key)
    if found is None:
        found = _new_object_drawer(node, parent, shape)
        if len(_OBJECTS) >= MAX_OBJECTS:
            _OBJECTS.clear()
        _OBJECTS[key] = found
    return found


def forget_object_drawers() -> None:
    """Forget the object drawers kept by :func:`_object_drawer` (the field-name table or kinds changed)."""
    _OBJECTS.clear()


def _new_object_drawer(node: Mapping[str, Any], parent: str, shape: Shape) -> Draw:
    properties = node.get("properties", {})
    required = set(node.get("required", ())) if isinstance(node.get("required"), list) else set()
    with within(parent, properties):  # a field's name means more beside its parent's (`customer.name`)
        fields = [(name, _drawer(sub, name, None, shape)) for name, sub in properties.items()]
    # created before updated, start before end; a person's email and username from the name (by field names)
    timeline = [*timeline_rules(node), *identity_rules(node, parent), *named_thing_rules(node, parent)]
    if not shape.plain:
        fields = [(name, draw if name in required else shape.optional(draw, name)) for name, draw in fields]

        def shaped(state: RecordState) -> dict[str, Any]:
            return {name: v for name, draw in fields if (v := draw(state)) is not ABSENT}
        if timeline:
            return _in_order(shaped, timeline)
        shaped.fields = fields  # type: ignore[attr-defined]
        return shaped

    # Nested objects see the outer record through state.record only; build them on their own.
    obj = object_builder(fields)
    if timeline:
        return _in_order(obj, timeline)  # no .fields: a list of these calls it, so the order is applied
    obj.fields = fields  # type: ignore[attr-defined]  # lets a list of these build its items inline
    return obj


def _in_order(build: Draw, rules: list[Rule]) -> Draw:
    """``build``, then the rules its fields' names imply: timestamps in order (timeline.py), a person's email and
    username from the name (identity.py)."""
    def ordered(state: RecordState) -> dict[str, Any]:
        out: dict[str, Any] = build(state)
        for rule in rules:
            rule.enforce(out, state.rng, state.values)
        return out
    return ordered


def value_drawer(view: Any, name: str = "value") -> Draw:
    """The drawer for any subschema of a generation view (not only an entity's object)."""
    return composer_for(ALL).compile(view, name)


class Plan:
    """The compiled plan for one schema and set of caller constraints.

    A plain class, not a dataclass: creating one cost every fresh process's first record about half a
    millisecond. Plans are built once per schema and never compared."""

    schema: Schema
    fields: list[tuple[str, Draw]]
    rules: list[Rule]
    tracked: tuple[str, ...]
    """Top-level unique fields whose values the generator claims run-wide (UUIDs are not tracked)."""
    root: Draw | None
    """The whole record's drawer, when the top level itself needs the keyword compiler (a top-level
    ``oneOf``, ``required`` names without properties...); else fields are drawn one by one."""
    ceiling: float | None
    """The lowest maximum the caller's constraints put on a money field (products are chosen to fit it)."""
    cents: CentCleaner | None
    """Keeps rule-derived money on values float-division validators accept (generators/traditional/cents)."""
    drawn: list[tuple[str, Draw]] | None
    """:attr:`fields` as :meth:`build` runs them: a field a rule always overwrites (a cart's totals, a
    user's email: :meth:`Rule.overwrites`) gets a placeholder instead of a value drawn to be thrown away."""
    deferred: list[tuple[str, Draw]]
    """Those fields with their drawers: drawn after the rules if a rule left one alone."""
    shape: Shape
    """Which optional properties, nulls, lengths and bounds the records take (the ``coverage`` setting)."""
    build_sure: Callable[..., tuple[dict[str, Any], bool]] | None
    """:meth:`build` returning ``(record, sure)``: ``sure`` when the record's every coherence rule holds by
    how it was built (:mod:`~pytest_testdata.generators.traditional.vouch`); None when the plan cannot say."""
    made_shapes: frozenset[str]
    """Paths whose ``format`` and ``pattern`` hold by construction in every record the plan builds
    (:func:`~pytest_testdata.generators.traditional.vouch.made_shapes`)."""
    steps: list[Step] | None
    """The vouching builder's steps (None without one)."""

    def __init__(self, schema: Schema, fields: list[tuple[str, Draw]], rules: list[Rule], tracked: tuple[str, ...] = (),
                 root: Draw | None = None, ceiling: float | None = None, cents: CentCleaner | None = None,
                 drawn: list[tuple[str, Draw]] | None = None, deferred: list[tuple[str, Draw]] | None = None,
                 shape: Shape = ALL) -> None:
        self.schema, self.fields, self.rules, self.tracked, self.root = schema, fields, rules, tracked, root
        self.ceiling, self.cents, self.drawn, self.shape = ceiling, cents, drawn, shape
        self.deferred = [] if deferred is None else deferred
        self.build_sure = None
        self.made_shapes = frozenset()
        self.steps = None
        self._made_for: dict[str | None, frozenset[str]] = {}
        self._asked: dict[str | None, int] = {}  # records of each locale made before its proof (made_for)
        if self.drawn is None:
            self.drawn = self.fields
        if self.shape.plain and self.root is None:
            # The same steps as build() below, as one generated function (straight.py): no loops over the
            # fields and rules per record. Plans of other shapes keep the method. It runs the method for its
            # first records and compiles only then (a user schema asked for a few records never pays it).
            self.build = record_builder(  # type: ignore[method-assign]
                self.schema.name, self.ceiling,
                [(name, None if draw is _derived else draw) for name, draw in self.drawn],
                self.rules, self.deferred, self.cents, _DERIVED, pick_country, VALUES,
                reference=partial(Plan.build, self))
            # The vouching builder serves only what the engine may trust: never a schema checked whole by the
            # standard validator (the generator does not ask for it there), so none is made for one.
            steps = sure_builder_steps(self.rules, self.drawn) if not self.schema.standard else None
            self.steps = steps
            if steps is not None:
                cleaner_writes = self.cents.writes() if self.cents is not None else ()
                self.made_shapes = made_shapes(self.schema.json_schema, self.drawn, steps, cleaner_writes) \
                    | made_values(self.schema.json_schema, self.drawn, steps, cleaner_writes)
                self.build_sure = record_builder(
                    self.schema.name, self.ceiling,
                    [(name, None if draw is _derived else draw) for name, draw in self.drawn],
                    self.rules, self.deferred, self.cents, _DERIVED, pick_country, VALUES, steps)

    def made_for(self, locale: str | None, records: int | None = None) -> frozenset[str]:
        """:attr:`made_shapes` and, for records of the locale (each record's country is the locale's, or one
        of the default mix without a locale: ``drawers.pick_country``), the address lists whose values hold
        by construction (:func:`~pytest_testdata.generators.traditional.vouch.made_addresses`). Worked out
        once per locale: it reads the countries' data.

        ``records``: how many records the batch asking holds. The locale's proof reads every place and
        street of up to five countries (about 40 ms, more than a fresh process's first record costs
        otherwise), so until :data:`~pytest_testdata.generators.traditional.straight.WARM_CALLS` records of
        the locale were asked for, only :attr:`made_shapes` is trusted and the validator checks the rest:
        a few records never pay for the proof, as they never pay for compiled builders."""
        found = self._made_for.get(locale)
        if found is None and records is not None and self.steps is not None:
            seen = self._asked.get(locale, 0) + records
            self._asked[locale] = seen
            if seen <= WARM_CALLS:
                return self.made_shapes
        if found is None:
            found = self.made_shapes
            if self.steps is not None:
                countries = (LOCALE_COUNTRIES.get(locale, "US"),) if locale else COUNTRY_CODES
                cleaner_writes = self.cents.writes() if self.cents is not None else ()
                assert self.drawn is not None
                tree = self.schema.json_schema
                found = found | made_addresses(tree, self.drawn, self.rules, self.steps, countries, cleaner_writes) \
                    | made_rule_shapes(tree, self.drawn, self.rules, self.steps, countries, cleaner_writes)
            self._made_for[locale] = found
        return found

    def build(self, rng: random.Random, locale: str | None = None, scale: float = 1.0,
              values: Values = VALUES, fewest: bool = False) -> dict[str, Any]:
        """One record: draw every field in declaration order, then enforce the coherence rules."""
        state = RecordState(rng, pick_country(rng, locale), scale=scale, fewest=fewest, values=values,
                            entity=self.schema.name, ceiling=self.ceiling)
        record = state.record
        if self.root is not None:
            drawn = self.root(state)
            record.update(drawn if isinstance(drawn, dict) else {})
        fields: list[tuple[str, Draw]] = self.drawn  # type: ignore[assignment]  # set in __init__
        if self.shape.plain:
            for name, draw in fields:
                record[name] = draw(state)
        else:
            for name, draw in fields:
                value = draw(state)
                if value is not ABSENT:
                    record[name] = value
        for rule in self.rules:
            rule.enforce(record, rng, values)
        for name, draw in self.deferred:
            if record[name] is _DERIVED:  # its rule did not apply (an input was missing): draw it now
                record[name] = draw(state)
        if self.cents is not None and self.cents.dirty(record):
            self.cents.clean(record, self.rules, rng, values)
        return record


def compile_plan(schema: Schema, constraints: Mapping[str, FieldConstraint] | None = None,
                 coverage: str = "all") -> Plan:
    """Compile a plan; caller constraints shape the drawers (top-level ones directly, nested ones through
    the constraint model's merged subschemas); ``coverage`` chooses the records' shapes
    (:mod:`pytest_testdata.generators.traditional.coverage`)."""
    constraints = constraints or {}
    shape = shape_for(coverage, schema.coherence, (*schema.unique_fields(), *constraints))
    tree = schema.json_schema
    if any("." in path for path in constraints):
        tree = constrain_tree(tree, constraints, nested_only=True)
    properties: Mapping[str, Any] = tree.get("properties", {})
    root: Draw | None = None
    if needs_compose({**tree, "type": "object"}):
        top = dict(tree)
        top["properties"] = {n: constrain(sub, constraints[n]) if n in constraints else sub
                             for n, sub in properties.items()}
        with within(_entity_words(schema), properties):
            root = composer_for(shape).compile(top, _entity_words(schema))
        fields: list[tuple[str, Draw]] = []
    else:
        with within(_entity_words(schema), properties):
            fields = [(name, _drawer(sub, name, constraints.get(name), shape)) for name, sub in properties.items()]
        if not shape.plain:
            required = set(tree.get("required", ()))
            fields = [(name, draw if name in required else shape.optional(draw, name)) for name, draw in fields]
    tracked = tuple(
        path for path in schema.unique_fields()
        if "." not in path and schema.properties[path].get("format") != "uuid"
    )
    tracked += tuple(p for p, c in constraints.items() if c.unique and "." not in p)
    rules = rules_of(schema)
    inferred = {"properties": properties, "x-coherence": schema.coherence}
    shaped = frozenset(p.split(".")[0] for p in constraints)  # fields a caller's constraint shapes
    words = _entity_words(schema)
    rules = [*rules, *timeline_rules(inferred), *identity_rules(inferred, words, shaped),
             *named_thing_rules(inferred, words, shaped)]
    # With caller constraints the generator redraws records (and rescales their prices) until they fit, and
    # which records that finds depends on every draw: constrained plans keep drawing every field, so their
    # records stay what they were; the bulk path (no constraints) skips the draws.
    overwritten = set() if constraints else {name for rule in rules for name in rule.overwrites()}
    drawn = [(name, _derived if name in overwritten else draw) for name, draw in fields]
    deferred = [(name, draw) for name, draw in fields if name in overwritten]
    return Plan(schema, fields, rules, tracked, root, _money_ceiling(schema, constraints),
                CentCleaner.for_schema(tree, rules), drawn, deferred, shape)


_DERIVED: Any = object()
"""What a field a rule will overwrite holds until the rules run (never left in a record)."""


def _derived(state: RecordState) -> Any:
    return _DERIVED


def _entity_words(schema: Schema) -> str:
    """What a top-level field's parent is called: the entity's name and its schema's title."""
    title = schema.json_schema.get("title")
    return f"{schema.name} {title}" if isinstance(title, str) and title != schema.name else schema.name


def _money_ceiling(schema: Schema, constraints: Mapping[str, FieldConstraint]) -> float | None:
    """The lowest ``max`` a caller puts on a money field (``total``, ``items.unit_price``), if any."""
    ceilings = []
    for path, constraint in constraints.items():
        node: Any = {"properties": schema.properties}
        for part in path.split("."):
            if part == "*" or part.isdigit():
                continue
            node = node.get("items", node) if isinstance(node, Mapping) else {}
            node = node.get("properties", {}).get(part, {}) if isinstance(node, Mapping) else {}
        money = isinstance(node, Mapping) and (node.get("multipleOf") == 0.01 or node.get("x-gen") == "price")
        if money and constraint.maximum is not None and constraint.maximum > 0:
            ceilings.append(float(constraint.maximum))
    return min(ceilings) if ceilings else None


@lru_cache(maxsize=512)
def _cached_plan(schema: Schema, frozen: tuple[tuple[str, FieldConstraint], ...], coverage: str) -> Plan:
    return compile_plan(schema, dict(frozen), coverage)


def plan_for(schema: Schema, constraints: Mapping[str, FieldConstraint] | None = None,
             coverage: str = "all") -> Plan:
    """The plan for a schema, constraints and coverage, compiled once and reused."""
    return _cached_plan(schema, tuple(sorted((constraints or {}).items())), coverage)


__all__ = ["COUNTRY_LOCALES", "Plan", "RecordState", "compile_plan", "pick_country", "plan_for"]
