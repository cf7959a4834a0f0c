"""Straight-line builders: an object's drawers called from one generated function, not from a loop.

A plan builds each object (a cart's line item, a user's address list...) by calling its fields' drawers in
declaration order. Doing that with ``{name: draw(state) for name, draw in fields}`` costs a comprehension
frame, a tuple unpacking and a loop step per field, on every item of every record. These functions compile
the same calls, in the same order, into one function per object (as ``dataclasses`` and ``attrs`` write
their ``__init__``): a dict literal whose values are the drawers' calls. The drawers are the same objects,
called the same number of times in the same order, so records stay what they were for a seed.

Compiling costs about a quarter of a millisecond a builder, more than a few objects save: a nested object's
builder (and a list of objects' builder) runs the loop for its first :data:`WARM_CALLS` calls and compiles
only then (a user schema asked for five records has hundreds of nested objects and lists of them and never
pays it), and builders of the same fields share one compilation.

The generated source is kept on the function (``builder.source``) so it can be read::

    def build(state):
        return {'product_id': D0(state), 'sku': D1(state), 'name': D2(state), 'quantity': D3(state),
                'unit_price': D4(state)}
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import FunctionType
from typing import Any

from pytest_testdata.generators.traditional import warming
from pytest_testdata.generators.traditional.drawers import Draw, RecordState, draw_none
from pytest_testdata.generators.traditional.fastrand import between
from pytest_testdata.generators.traditional.timestamps import draw_of
from pytest_testdata.generators.traditional.vouch import leaves_alone
from pytest_testdata.quality.rules import Ordered

Builder = Callable[[RecordState], dict[str, Any]]


def _inline(draw: Callable[..., Any], prefix: str, entity: str | None) -> tuple[str, dict[str, Any]] | None:
    """A drawer's call written as one expression: its ``inline(entity)`` (an expression of ``state`` and
    ``rng``, whose own names start with ``@``, and those names' values; None when it has none for
    ``entity``, the record's entity when the caller knows it), with ``@`` replaced by ``prefix``."""
    make = getattr(draw, "inline", None)
    found = make(entity) if make is not None else None
    if found is None:
        return None
    expression, names = found
    return expression.replace("@", prefix), {prefix + name: value for name, value in names.items()}


def _value(draw: Draw, own: str, entity: str | None) -> tuple[str, dict[str, Any]]:
    """One field's value in generated code and the names it refers to: ``None`` for a ``null`` field's drawer
    (:func:`draw_none`, no draw), a drawer's ``inline`` expression (the same draws, a Python call fewer), a
    nested object's builder (:func:`object_builder`) as its own literal, else the drawer's call."""
    inline = _inline(draw, own + "_", entity)
    nested = getattr(draw, "object_fields", None)
    if draw is draw_none:
        return "None", {}
    if inline is not None:
        return inline
    if nested is not None:
        return _literal(list(nested), own + "_", entity)
    return f"{own}(state)", {own: draw}


def _literal(fields: list[tuple[str, Draw]], prefix: str = "D",
             entity: str | None = None) -> tuple[str, dict[str, Any]]:
    """The dict literal of an object's fields (``{'sku': D1(state), ...}``, each value as :func:`_value`
    writes it) and the names it refers to. An expression may read ``rng`` (``state.rng``)."""
    names: dict[str, Any] = {}
    body = []
    for i, (name, draw) in enumerate(fields):
        value, more = _value(draw, f"{prefix}{i}", entity)
        names.update(more)
        body.append(f"{name!r}: {value}")
    return "{" + ", ".join(body) + "}", names


COPY_NONES = 3
"""From how many ``null`` fields on an object is built as a copy of a dict of its keys, all None, with the
drawn values set in it (a copy of six keys and one value set cost about 1,100 machine instructions, their
literal 2,300; with one ``null`` field of three the two cost the same)."""


def _statements(fields: list[tuple[str, Draw]], prefix: str, entity: str | None, var: str,
                indent: str) -> tuple[list[str], dict[str, Any]]:
    """Lines that make ``var`` the object :func:`_literal` writes: that literal, or for an object with at
    least :data:`COPY_NONES` ``null`` fields (the values a dataset copies in afterwards), a copy of a dict
    of its keys (their order) set to None, then each drawn value set in field order: the same draws in the
    same order, the same keys in the same order, the same values. Nothing a drawer reads sees the object
    before it is whole (drawers read the record, ``state.record``)."""
    if sum(1 for _, draw in fields if draw is draw_none) < COPY_NONES or len({n for n, _ in fields}) != len(fields):
        literal, names = _literal(fields, prefix, entity)
        return [f"{indent}{var} = {literal}"], names
    names = {f"{prefix}NONES": dict.fromkeys(name for name, _ in fields)}  # never written: only copied
    lines = [f"{indent}{var} = {prefix}NONES.copy()"]
    for i, (name, draw) in enumerate(fields):
        if draw is not draw_none:
            value, more = _value(draw, f"{prefix}{i}", entity)
            names.update(more)
            lines.append(f"{indent}{var}[{name!r}] = {value}")
    return lines, names


@lru_cache(maxsize=1024)
def _code(source: str, label: str) -> Any:
    """The compiled module code of a builder's source. The source names its drawers by index (``D0``...),
    not by identity, so objects of the same fields (a user, an address, a repository: the same component
    referenced from many schemas) share one compilation; each builder gets its own namespace."""
    return compile(source, f"<{label}>", "exec")


def _compiled(source: str, names: dict[str, Any], entry: str, label: str) -> Any:
    code = _code(source, label)
    namespace: dict[str, Any] = dict(names)
    exec(code, namespace)  # our own source: drawer indices and repr()-quoted field names
    function = namespace[entry]
    function.source = source
    return function


WARM_CALLS = 64
"""How many objects an object builder builds with a plain loop before its straight-line code is compiled
(about a quarter of a millisecond a builder: a schema asked for a few records never pays it)."""

def object_builder(fields: list[tuple[str, Draw]]) -> Builder:
    """A function equal to ``lambda state: {name: draw(state) for name, draw in fields}``.

    It starts as exactly that loop and, on its :data:`WARM_CALLS`-th call, takes the straight-line code
    (its ``__code__`` is replaced, so every holder of the function gets it): the same drawers in the same
    order either way, so records do not depend on when that happens. A record builder (and a nested
    object's builder) writes its literal in place of the call (``object_fields``).
    """
    lines, names = _statements(fields, "D", None, "made", "    ")
    namespace: dict[str, Any] = {"FIELDS": tuple(fields), "CALLS": 0, "WARM": WARM_CALLS,
                                 "SPECIALISE": _specialise, "NAMES": names}
    function: Any = FunctionType(warming.build.__code__, namespace, "build")  # no compilation
    namespace["build"] = function  # what its code calls itself
    body = "\n".join(lines)
    function.source = f"def build(state):\n{'    rng = state.rng' + chr(10) if 'rng' in body else ''}{body}\n" \
        "    return made\n"
    function.object_fields = tuple(fields)
    return function  # type: ignore[no-any-return]


def _specialise(function: Any) -> None:
    """Give a warmed-up object builder its straight-line code (the names it reads go into its globals
    first, so a call at any moment finds them)."""
    namespace = function.__globals__
    straight: dict[str, Any] = {}
    exec(_code(function.source, "object builder"), straight)
    namespace.update(namespace["NAMES"])
    function.__code__ = straight["build"].__code__


def items_builder(fields: list[tuple[str, Draw]], lo: Any, hi: Any,
                  draw_count: Callable[[Any, Any, Any], int]) -> Draw:
    """A list of objects (``lo`` of them when ``state.fewest``, else ``draw_count(state.rng, lo, hi)``), each
    a product of its own category (``state.category`` is reset before each and after the last), each built
    as :func:`object_builder` builds one: by a loop over the fields for its first :data:`WARM_CALLS` lists,
    then by straight-line code (the same drawers in the same order either way)."""
    lines, names = _statements(fields, "D", None, "item", "        ")
    names.update(LO=lo, HI=hi, COUNT=draw_count)
    count = "COUNT(rng, LO, HI)"
    if draw_count is between and type(lo) is int and type(hi) is int and lo <= hi:
        # between(rng, LO, HI) written out: its getrandbits draw, and the call itself when the draw is refused
        # (its rejection loop starts afresh with the same draws)
        names.update(SPAN=hi - lo + 1, BITS=(hi - lo + 1).bit_length())
        count = "(LO + r if (r := rng.getrandbits(BITS)) < SPAN else COUNT(rng, LO, HI))"
    # Each line item is a product of its own category: state.category is reset before each, unless no
    # drawer of the item can read it (each is null or an inline expression that reads no category: not one
    # tagged ``reads_category``, as a review body's, which reads the product a title drew).
    reads = any(draw is not draw_none and (_inline(draw, "", None) is None or getattr(draw, "reads_category", False))
                for _, draw in fields)
    reset = "        state.category = None  # each line item is a product of its own category\n" if reads else ""
    source = (
        "def items(state):\n"
        "    rng = state.rng\n"
        f"    n = LO if state.fewest else {count}\n"
        "    out = []\n"
        "    for _ in range(n):\n"
        f"{reset}"
        + "\n".join(lines) + "\n"
        "        out.append(item)\n"
        "    state.category = None\n"
        "    return out\n"
    )
    namespace: dict[str, Any] = {"FIELDS": tuple(fields), "LO": lo, "HI": hi, "COUNT": draw_count, "CALLS": 0,
                                 "WARM": WARM_CALLS, "SPECIALISE": _specialise_items, "NAMES": names}
    items: Any = FunctionType(warming.items.__code__, namespace, "items")  # no compilation
    namespace["items"] = items  # what its code calls itself
    items.source = source
    items.fields = fields  # what each element is built of (vouch.made_shapes reads it)
    return items  # type: ignore[no-any-return]


def _specialise_items(function: Any) -> None:
    """Give a warmed-up items builder its straight-line code (the names that code reads go into its globals
    first, so a call at any moment finds them)."""
    namespace = function.__globals__
    straight: dict[str, Any] = {}
    exec(_code(function.source, "items builder"), straight)
    namespace.update(namespace["NAMES"])
    function.__code__ = straight["items"].__code__


def record_builder(entity: str, ceiling: float | None, drawn: list[tuple[str, Draw | None]],
                   rules: list[Any], deferred: list[tuple[str, Draw]], cents: Any, placeholder: Any,
                   pick_country: Callable[[Any, Any], str], values: Any,
                   sure_steps: list[Any] | None = None,
                   reference: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """A function equal to :meth:`Plan.build` for a plan of plain shape with no top-level keyword compiler:
    the fields drawn one by one (``placeholder`` for those a rule overwrites), the rules enforced in order,
    the deferred fields a rule left alone drawn, the cent cleaner run on a dirty record.

    For a cart it reads::

        def build(rng, locale=None, scale=1.0, values=VALUES, fewest=False):
            state = NEW(RecordState)  # RecordState.__init__'s assignments written out (_new_state)
            state.rng = rng
            state.country = PICK_COUNTRY(rng, locale)
            state.record = record = {}
            ...
            record['cart_id'] = D0(state)
            ...
            record['subtotal'] = PLACEHOLDER  # a rule writes it
            ...
            R0(record, rng, values)
            ...
            if record['subtotal'] is PLACEHOLDER:  # its rule did not apply: draw it now
                record['subtotal'] = E0(state)
            ...
            if CENTS.dirty(record):
                CENTS.clean(record, RULES, rng, values)
            return record

    With ``sure_steps`` (:func:`pytest_testdata.generators.traditional.vouch.sure_builder_steps`) it is
    the same function returning ``(record, sure)`` instead: the same draws and writes, each rule enforced
    by its vouching enforcer, and ``sure`` true when every rule vouched that it holds
    (:mod:`~pytest_testdata.generators.traditional.vouch`), nothing was drawn after the rules and the
    cent cleaner did not run.

    With ``reference`` (the plan's own ``build`` method, bound: the steps above as a loop), the function
    calls it for its first :data:`WARM_CALLS` records and only then compiles its code (its ``__code__`` is
    replaced, as an object builder's is): a user schema asked for a few records never pays the compilation.

    A vouching builder's dirty record stays vouched for when the cent cleaner can tell that every rule still
    holds after its moves (:class:`~pytest_testdata.generators.traditional.cents.CentMoves`: money that is
    top-level fields, as a cart's subtotal, tax and total).
    """
    names: dict[str, Any] = {"RecordState": RecordState, "PICK_COUNTRY": pick_country, "VALUES": values,
                             "ENTITY": entity, "CEILING": ceiling, "PLACEHOLDER": placeholder,
                             "CENTS": cents, "RULES": rules, "NEW": object.__new__}
    sure = sure_steps is not None
    lines = ["def build(rng, locale=None, scale=1.0, values=VALUES, fewest=False):", *_new_state()]
    country = _inline(pick_country, "C_", entity)
    if country is not None:  # the record's country drawn by an expression (drawers.pick_country's), not a call
        lines = [line.replace("PICK_COUNTRY(rng, locale)", country[0]) for line in lines]
        names.update(country[1])
    group = _sorted_group(drawn, rules, sure_steps)
    for i, (name, draw) in enumerate(drawn):
        inline = _inline(draw, f"D{i}_", entity) if draw is not None else None
        nested = getattr(draw, "object_fields", None)
        if name in group:  # a timestamp the Ordered rule orders: kept in a local, written once ordered
            lines.append(f"    T{i} = {inline[0] if inline is not None else f'D{i}(state)'}")
            names.update(inline[1] if inline is not None else {f"D{i}": draw})
        elif draw is None:
            lines.append(f"    record[{name!r}] = PLACEHOLDER  # a rule writes it")
        elif draw is draw_none:  # a null field: nothing drawn
            lines.append(f"    record[{name!r}] = None")
        elif inline is not None:  # the drawer's expression: the same draws, a call fewer
            lines.append(f"    record[{name!r}] = {inline[0]}")
            names.update(inline[1])
        elif nested is not None:  # a nested object's literal (or copy) in place of its builder's call
            made, more = _statements(list(nested), f"D{i}_", entity, f"made{i}", "    ")
            lines += [*made, f"    record[{name!r}] = made{i}"]
            names.update(more)
        else:
            names[f"D{i}"] = draw
            lines.append(f"    record[{name!r}] = D{i}(state)")
    at = _sorted_rule(rules) if group else -1  # the rule enforced above, before the rules
    if group:
        lines += _sorted_lines(drawn, group, rules[at])
    if sure_steps is not None:
        lines.append("    sure = True")
        for i, (rule, step) in enumerate(zip(rules, sure_steps, strict=True)):
            if i == at:  # every value a str: the rule's step gives HELD or MADE, sure stays
                lines.append(f"    # {type(rule).__name__}: enforced above")
                continue
            if step.always_held:  # it holds by how the fields were drawn, and enforcing it changes nothing
                lines.append(f"    # {type(rule).__name__}: holds by construction")
                continue
            names[f"R{i}"] = step.sure
            # A rule that holds by construction for the record's country is not run for it (vouch.py).
            held = f"not H{i}[state.country] and " if step.held_in is not None else ""
            if step.held_in is not None:
                names[f"H{i}"] = step.held_in
            if step.undoes:  # it writes what an earlier rule checks: it vouches only if it changed nothing
                lines.append(f"    if {held}R{i}(record, rng, values) != 1:  # {type(rule).__name__}")
            else:
                lines.append(f"    if {held}not R{i}(record, rng, values):  # {type(rule).__name__}")
            lines.append("        sure = False")
    else:
        for i, rule in enumerate(rules):
            if i == at:
                continue  # enforced above (_sorted_lines)
            names[f"R{i}"] = rule.enforce
            lines.append(f"    R{i}(record, rng, values)  # {type(rule).__name__}")
    for i, (name, draw) in enumerate(deferred):
        names[f"E{i}"] = draw
        lines += [f"    if record[{name!r}] is PLACEHOLDER:  # its rule did not apply: draw it now",
                  f"        record[{name!r}] = E{i}(state)"]
        if sure:
            lines.append("        sure = False")
    moves = cents.moves(rules) if cents is not None else None
    if moves is not None and sure and moves.vouches:
        names.update(DIRTY=cents.dirty, CLEAN_SURE=moves.clean)
        lines += ["    if DIRTY(record):", "        if not CLEAN_SURE(record, rng, values):",
                  "            sure = False"]
    elif cents is not None:
        lines += ["    if CENTS.dirty(record):", "        CENTS.clean(record, RULES, rng, values)"]
        if sure:
            lines.append("        sure = False")
    lines.append("    return record, sure" if sure else "    return record")
    label = "vouching record builder" if sure else "record builder"
    source = "\n".join(lines) + "\n"
    if reference is None and sure_steps is not None:
        reference = _vouching_loop(entity, ceiling, drawn, rules, sure_steps, deferred, cents, placeholder,
                                   pick_country, moves)
    if reference is None:
        return _compiled(source, names, "build", label)  # type: ignore[no-any-return]
    namespace: dict[str, Any] = {"CALLS": 0, "WARM": WARM_CALLS, "SPECIALISE": _specialise_record,
                                 "REFERENCE": reference, "VALUES": values, "NAMES": names}
    function: Any = FunctionType(warming.record.__code__, namespace, "build", (None, 1.0, values, False))
    namespace["record"] = function  # what its code calls itself (no compilation: warming.py's code)
    function.source = source
    return function  # type: ignore[no-any-return]


_STR_DRAWERS = (draw_of,)
"""Drawers that return a ``str`` whatever they draw and read nothing of the record (the ``date-time`` drawer):
what :func:`_sorted_group` can order in the builder itself."""


def _sorted_rule(rules: list[Any]) -> int:
    """The position of the plan's first :class:`Ordered` rule (-1 when it has none): the rule
    :func:`_sorted_group` may enforce in the builder itself."""
    return next((i for i, rule in enumerate(rules) if type(rule) is Ordered), -1)


def _sorted_group(drawn: list[tuple[str, Draw | None]], rules: list[Any],
                  sure_steps: list[Any] | None) -> dict[str, int]:
    """The fields of the plan's first :class:`Ordered` rule (:func:`_sorted_rule`), in its order (name to
    position in the rule), when the builder can enforce it itself, before the rules; else an empty dict. That
    is when the rule orders top-level keys, each one of the record's last drawn fields (nothing is drawn after
    them) by a drawer of :data:`_STR_DRAWERS`, every rule before it leaves those keys alone
    (:func:`~pytest_testdata.generators.traditional.vouch.leaves_alone`: it neither reads nor writes them, so
    it runs the same whether they are ordered before it or after), and a vouching builder runs the rule's
    step (it does not skip it as held).

    :meth:`Ordered.enforce` on values that are all ``str`` writes ``sorted(values)`` back to its keys in order
    (its two-key path: swaps them when the second is less), which writes nothing when they are in order, and
    draws nothing: the builder keeps the values in locals, sorts them there and writes each key once, in the
    drawn order (each key's place in the record is the same). The rule's vouching step (``vouch._ordered``)
    returns HELD or MADE for two strings, so ``sure`` stays as it is; no rule before it reads the keys, so it
    undoes no earlier rule's check. ``tests/test_builder_shortcuts.py`` holds the two together (the records
    and random state of the builders against ``Plan.build`` for many seeds)."""
    at = _sorted_rule(rules)
    if at < 0:
        return {}
    keys = rules[at]._keys
    if keys is None or len(keys) < 2 or len(set(keys)) != len(keys) or len(keys) > len(drawn):
        return {}
    if sure_steps is not None and (sure_steps[at].always_held or sure_steps[at].held_in is not None):
        return {}
    last = drawn[len(drawn) - len(keys):]
    if {name for name, _ in last} != set(keys) or not all(
            any(draw is known for known in _STR_DRAWERS) for _, draw in last):
        return {}
    if not all(leaves_alone(rule, tuple(keys)) for rule in rules[:at]):
        return {}
    return {key: position for position, key in enumerate(keys)}


def _sorted_lines(drawn: list[tuple[str, Draw | None]], group: dict[str, int], rule: Any) -> list[str]:
    """The lines that enforce the Ordered rule (see :func:`_sorted_group`) on the locals ``T<i>`` and write
    them into the record, in the drawn order."""
    local = {name: f"T{i}" for i, (name, _) in enumerate(drawn) if name in group}
    ordered = [local[key] for key in sorted(group, key=group.__getitem__)]
    if len(ordered) == 2:  # Ordered.enforce's two-key path: a swap when the second is less
        first, second = ordered
        lines = [f"    if {second} < {first}:  # {type(rule).__name__}",
                 f"        {first}, {second} = {second}, {first}"]
    else:  # sorted(values) written back in the rule's order (in order already, the same objects)
        lines = [f"    {', '.join(ordered)} = sorted(({', '.join(ordered)}))  # {type(rule).__name__}"]
    return lines + [f"    record[{name!r}] = {local[name]}" for name, _ in drawn if name in group]


_STATE_ARGUMENTS = {"rng": "rng", "country": "PICK_COUNTRY(rng, locale)", "record": "{}", "scale": "scale",
                    "fewest": "fewest", "ceiling": "CEILING", "values": "values", "entity": "ENTITY"}
"""What a record builder gives ``RecordState``: the others keep their defaults."""


def _new_state() -> list[str]:
    """The lines of a record builder that make its ``state`` and ``record``: ``RecordState(rng, country,
    scale=scale, fewest=fewest, values=values, entity=ENTITY, ceiling=CEILING)`` with ``__init__``'s
    assignments written out, read from its signature (every other attribute at its default), after
    ``object.__new__``: the constructor's call and its sixteen arguments' binding cost a user or a cart about
    1,500 instructions. A default that is not a plain constant keeps the constructor's call."""
    code = RecordState.__init__.__code__
    params = code.co_varnames[1:code.co_argcount]
    defaults = RecordState.__init__.__defaults__ or ()
    default_of = dict(zip(params[len(params) - len(defaults):], defaults, strict=True))
    lines = ["    state = NEW(RecordState)"]
    for name in params:
        if name in _STATE_ARGUMENTS:
            value = _STATE_ARGUMENTS[name]
        elif name in default_of and type(default_of[name]) in (type(None), bool, int, float, str):
            value = repr(default_of[name])
        else:  # (a default this cannot write as a literal)
            return ["    state = RecordState(rng, PICK_COUNTRY(rng, locale), scale=scale, fewest=fewest, "
                    "values=values, entity=ENTITY, ceiling=CEILING)", "    record = state.record"]
        lines.append(f"    state.{name} = {'record = ' if name == 'record' else ''}{value}")
    return lines


def _vouching_loop(entity: str, ceiling: float | None, drawn: list[tuple[str, Draw | None]], rules: list[Any],
                   sure_steps: list[Any], deferred: list[tuple[str, Draw]], cents: Any, placeholder: Any,
                   pick_country: Callable[[Any, Any], str], moves: Any) -> Callable[..., tuple[dict[str, Any], bool]]:
    """The steps of :func:`record_builder`'s vouching code, as loops: what a vouching builder runs until it is
    warm (compiling its code was the first compilation of a fresh process's first user or cart record, some
    3 million instructions). The same draws, rule runs and writes in the same order, and the same ``sure``."""
    checks = [(step.sure, step.held_in, step.undoes) for step in sure_steps if not step.always_held]
    cleaner_vouches = moves is not None and moves.vouches

    def build(rng: Any, locale: Any, scale: float, values: Any, fewest: bool) -> tuple[dict[str, Any], bool]:
        state = RecordState(rng, pick_country(rng, locale), scale=scale, fewest=fewest, values=values,
                            entity=entity, ceiling=ceiling)
        record = state.record
        for name, draw in drawn:
            record[name] = placeholder if draw is None else None if draw is draw_none else draw(state)
        sure = True
        for check, held_in, undoes in checks:
            if held_in is not None and held_in[state.country]:
                continue  # it holds by construction for the record's country: not run (vouch.py)
            if (check(record, rng, values) != 1) if undoes else not check(record, rng, values):
                sure = False
        for name, draw in deferred:
            if record[name] is placeholder:  # its rule did not apply: draw it now
                record[name] = draw(state)
                sure = False
        if cleaner_vouches:
            if cents.dirty(record) and not moves.clean(record, rng, values):
                sure = False
        elif cents is not None and cents.dirty(record):
            cents.clean(record, rules, rng, values)
            sure = False
        return record, sure
    return build


def _specialise_record(function: Any) -> None:
    """Give a warmed-up record builder its straight-line code (the names that code reads go into its globals
    first, so a call at any moment finds them)."""
    namespace = function.__globals__
    straight: dict[str, Any] = {}
    exec(_code(function.source, "record builder"), dict(namespace["NAMES"]), straight)
    namespace.update(namespace["NAMES"])
    function.__code__ = straight["build"].__code__
