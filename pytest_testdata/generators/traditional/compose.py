"""The keyword compiler: drawers for subschemas that use JSON Schema beyond the classic keywords.

:func:`pytest_testdata.generators.traditional.plan._drawer` hands a subschema of the generation view
here when :func:`needs_compose` says so; simple parts come back to the classic drawers (realistic values
by field name), so a user's ``oneOf`` of addresses still gets real streets. Keywords are met by
construction where that is cheap (bounds, steps, enums, formats, tuples, ``contains``, object sizes) and
by a seeded, bounded redraw against the subschema where they are not (``not``, ``oneOf`` exclusivity,
``if``, a residual ``allOf``): values stay reproducible for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.generators.traditional.cents import clean_multiple
from pytest_testdata.generators.traditional.coverage import ABSENT, ALL, Shape
from pytest_testdata.generators.traditional.drawers import Draw, RecordState, draw_none, out_of_redraws
from pytest_testdata.generators.traditional.fastrand import between, pick
from pytest_testdata.generators.traditional.field_names import kin_parent, within
from pytest_testdata.generators.traditional.formats import FORMATS
from pytest_testdata.generators.traditional.keywords import CLASSIC_FORMATS, STANDARD_KEYS, kinds_of, needs_compose
from pytest_testdata.generators.traditional.realistic import realistic_string
from pytest_testdata.locales.gazetteer import common_words
from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.quality.standard import subschema_check
from pytest_testdata.schemas.sources.json_values import distinct
from pytest_testdata.schemas.sources.merging import merge_all
from pytest_testdata.types import FieldConstraint

Classic = Callable[[Mapping[str, Any], str, "FieldConstraint | None"], Draw]
REDRAWS = 40
"""Draws of one value before a filtered keyword (``not``, ``oneOf``...) gives up and keeps the last."""
_KINDS = ("object", "array", "string", "integer", "number", "boolean", "null")


def _infer(node: Mapping[str, Any]) -> str:
    """The type of an untyped subschema, from its keywords (a string when nothing says otherwise)."""
    keys = node.keys()
    if keys & {"properties", "required", "patternProperties", "additionalProperties", "minProperties",
               "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas"}:
        return "object"
    if keys & {"items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems"}:
        return "array"
    if keys & {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}:
        return "integer" if isinstance(node.get("multipleOf"), int) else "number"
    return "string"


class Composer:
    """Compiles view subschemas into drawers; ``classic`` is the plan's drawer for simple parts, ``shape``
    the records' coverage (:mod:`pytest_testdata.generators.traditional.coverage`)."""

    def __init__(self, classic: Classic, shape: Shape = ALL) -> None:
        self.classic = classic
        self.shape = shape

    def compile(self, node: Any, name: str, constraint: FieldConstraint | None = None) -> Draw:
        if node is True or node == {}:
            return self.classic({"type": "string"}, name, None)
        if node is False or not isinstance(node, Mapping):
            return lambda s: None
        if not needs_compose(node):
            extra = node.get("x-patterns")
            if constraint is None and extra:
                constraint = FieldConstraint(regex=str(extra[0]))
            return self.classic(node, name, constraint)
        node = _tidy(node)
        checks: list[Callable[[Any], bool]] = []
        unevaluated = node.pop("x-unevaluated", None)
        if unevaluated is not None:  # unevaluated* judged against the parts as written (schemas/sources)
            checks.append(subschema_check(unevaluated))
        # Several "not"s (an allOf of "must not contain ..." rules) are read together, not as a residual.
        negations, residual = _negations(node.pop("not", None), node.pop("allOf", None))
        if residual:
            checks.append(subschema_check({"allOf": residual}))
        for negated in negations:
            node = _narrow_by_not(node, negated)
            checks.append(_negated(subschema_check(negated)))
        if "if" in node:
            draw = self._conditional(node, name, constraint)
        elif "oneOf" in node or "anyOf" in node:
            draw = self._union(node, name, constraint)
        else:
            draw = self._plain(node, name, constraint)
        if negations and all(isinstance(n, Mapping) and "pattern" in n for n in negations) \
                and kinds_of(node) == {"string"}:
            # "not": {"pattern": "[ ~^:?*]"} (a git branch name): after a few tries fall back to word tokens
            # joined by a separator the patterns do not forbid; a pattern that forbids the space between
            # two words rules every sentence out, so the field's own drawer gets one try only.
            spaced = any(compile_user_regex(n["pattern"], "not.pattern").search("a b") for n in negations)
            return _filtered(draw, checks, fallback=_tokens, tries=1 if spaced else 8)
        return _filtered(draw, checks) if checks else draw

    # -- combinators --------------------------------------------------------------------------------------
    def _conditional(self, node: dict[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
        condition = node.pop("if")
        then, otherwise = node.pop("then", {}), node.pop("else", {})
        holds = subschema_check(condition)
        variants: list[tuple[Draw, bool]] = []
        for branch, expected in ((then, True), (otherwise, False)):
            if branch is False:
                continue
            merged = merge_all([node, condition, branch] if expected and isinstance(condition, dict)
                               else [node, branch], "<view>", "")
            if isinstance(merged, dict):
                variants.append((self.compile(merged, name, constraint), expected))
        if not variants:
            return lambda s: None

        def draw(state: RecordState) -> Any:
            value = None
            for attempt in range(REDRAWS):
                branch, expected = variants[(attempt + between(state.rng, 0, 1)) % len(variants)]
                value = branch(state)
                if holds(value) == expected or out_of_redraws(state):
                    return value
            return value
        return draw

    def _union(self, node: dict[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
        key = "oneOf" if "oneOf" in node else "anyOf"
        branches = node.pop(key)
        extra = node.pop("anyOf", None) if key == "oneOf" else None
        if extra is not None:
            node["allOf"] = [*node.get("allOf", []), {"anyOf": extra}]
        values = [b for b in branches if not _null_only(b)]
        if values and len(values) < len(branches) and "allOf" not in node:
            # ``Optional[X]`` (anyOf X or null): null as often as the shape says, never in ``all``.
            rest = {**node, key: values} if len(values) > 1 else merge_all([node, values[0]], "<view>", "")
            return self.shape.nullable(self.compile(rest, name, constraint), name)
        compiled: list[Draw] = []
        exclusive = key == "oneOf" and len(branches) > 1
        for i, branch in enumerate(branches):
            try:
                merged = merge_all([node, branch], "<view>", "")
            except Exception:  # a branch that contradicts its parent cannot be chosen
                continue
            if isinstance(merged, dict):
                if exclusive:
                    merged = _excluding(merged, branches[:i] + branches[i + 1:])
                compiled.append(self.compile(merged, name, constraint))
        if not compiled:
            return lambda s: None
        checks = [_branch_check(b) for b in branches] if exclusive else []

        def draw(state: RecordState) -> Any:
            value = None
            start = between(state.rng, 0, len(compiled) - 1)
            for attempt in range(REDRAWS):
                value = compiled[(start + attempt) % len(compiled)](state)
                if not exclusive or sum(1 for c in checks if c(value)) == 1 or out_of_redraws(state):
                    return value
            return value
        return draw

    # -- one type -----------------------------------------------------------------------------------------
    def _plain(self, node: dict[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
        enum = node.get("enum")
        if enum is not None:
            rest = {k: v for k, v in node.items() if k != "enum" and not k.startswith("x-")}
            fits = subschema_check(rest)
            choices = [v for v in enum if fits(v)] or list(enum)
            return lambda s: pick(s.rng, choices)
        kinds = [k for k in _KINDS if k in kinds_of(node)] or [_infer(node)]
        concrete = [k for k in kinds if k != "null"] or ["null"]
        if len(concrete) > 1:
            drawers = [self._typed({**node, "type": k}, k, name, constraint) for k in concrete]
            draw: Draw = lambda s: drawers[between(s.rng, 0, len(drawers) - 1)](s)  # noqa: E731
        else:
            kind = concrete[0]
            draw = self._typed({**node, "type": kind}, kind, name, constraint)
        return self.shape.nullable(draw, name) if "null" in kinds and concrete != ["null"] else draw

    def _typed(self, node: dict[str, Any], kind: str, name: str, constraint: FieldConstraint | None) -> Draw:
        if kind not in ("object", "array"):
            node = {k: v for k, v in node.items() if k not in STANDARD_KEYS or k.startswith("exclusive")}
        if kind == "object":
            return self._object(node, name)
        if kind == "array":
            return self._array(node, name, constraint)
        if kind in ("integer", "number"):
            number = _number(node, name, kind == "integer", self.classic, constraint)
            return number if self.shape.plain else self.shape.number(number, node, constraint, name,
                                                                     kind == "integer")
        if kind == "string":
            return self._string(node, name, constraint)
        if kind == "boolean":
            return lambda s: s.rng.random() < 0.5
        return draw_none

    def _string(self, node: dict[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
        fmt = node.get("format")
        lo, hi = node.get("minLength", 0), node.get("maxLength")
        if fmt in FORMATS and "x-gen" not in node and "pattern" not in node:
            base = FORMATS[fmt]
            fits = subschema_check({k: v for k, v in node.items() if not k.startswith("x-")})

            def formatted(state: RecordState) -> str:
                value = base(state)
                for _ in range(REDRAWS):
                    if fits(value) or out_of_redraws(state):
                        return str(value)
                    value = base(state)
                return str(value)
            # A field whose name calls for a kind that refines the format (`hostname` named `domain`).
            return realistic_string(node, name, constraint, lambda *_: formatted) or formatted
        simple = {k: v for k, v in node.items() if k != "format" or fmt in CLASSIC_FORMATS}
        draw = self.classic(simple, name, constraint)
        if fmt is not None and "pattern" in node:
            return _filtered(draw, [subschema_check({"format": fmt})])
        if lo or hi is not None:
            return draw
        return draw

    def _object(self, node: dict[str, Any], name: str) -> Draw:
        node = _settle_object(node)
        props: dict[str, Any] = dict(node.get("properties", {}))
        required = [r for r in node.get("required", []) if isinstance(r, str)]
        patterns = node.get("patternProperties", {})
        additional = node.get("additionalProperties", {})
        names_ok = subschema_check(node["propertyNames"]) if "propertyNames" in node else None
        for key in list(props):
            if names_ok is not None and not names_ok(key) and key not in required:
                del props[key]
        for key in required:
            if key not in props:
                props[key] = _schema_for_key(key, patterns, additional)
        if patterns:
            for key in list(props):
                extra = [s for p, s in patterns.items() if compile_user_regex(p, "patternProperties").search(key)]
                if extra:
                    props[key] = merge_all([props[key], *extra], "<view>", "")
        most = node.get("maxProperties")
        if isinstance(most, int) and len(props) > most:
            optional = [k for k in props if k not in required]
            for key in optional[: len(props) - most]:
                del props[key]
        with within(kin_parent(name), props):  # a field's name means more beside its parent's (`customer.name`)
            fields = [(key, self.compile(sub, key)) for key, sub in props.items()]
        least = node.get("minProperties", 0)
        extra_key = self._key_drawer(node, patterns, additional)
        extra_value = self._extra_value(patterns, additional)
        shape = self.shape
        shaped = [(key, draw if key in required else shape.optional(draw, key)) for key, draw in fields]

        def obj(state: RecordState) -> dict[str, Any]:
            if shape.plain:
                out = {key: draw(state) for key, draw in fields}
            else:
                out = {key: v for key, draw in shaped if (v := draw(state)) is not ABSENT}
                for key, draw in fields:  # minProperties first takes back the declared properties left out
                    if len(out) >= least:
                        break
                    if key not in out:
                        out[key] = draw(state)
            tries = 0
            while len(out) < least and tries < REDRAWS * 4:
                tries += 1
                key = extra_key(state)
                if key not in out:
                    out[key] = extra_value(key, state)
            return out
        return obj

    def _key_drawer(self, node: Mapping[str, Any], patterns: Mapping[str, Any], additional: Any) -> Draw:
        if additional is not False and "propertyNames" in node:
            names = node["propertyNames"]
            return self.compile({"type": "string", **names} if isinstance(names, dict) else {}, "key")
        if patterns:
            regexes = [compile_user_regex(p, "patternProperties") for p in patterns]

            def patterned(state: RecordState) -> str:
                regex = pick(state.rng, regexes)
                key = regex.generate(state.rng)
                longer = f"{key}{state.rng.getrandbits(16):x}"
                # A pattern like "^x-" makes the same key every time: a suffix keeps keys apart.
                return longer if state.rng.random() < 0.5 and regex.search(longer) else key
            return patterned
        counter = {"n": 0}

        def key(state: RecordState) -> str:
            counter["n"] += 1
            return f"extra_{state.rng.getrandbits(20):x}"
        return key

    def _extra_value(self, patterns: Mapping[str, Any], additional: Any) -> Callable[[str, RecordState], Any]:
        cache: dict[str, Draw] = {}

        def value(key: str, state: RecordState) -> Any:
            if key not in cache:
                cache[key] = self.compile(_schema_for_key(key, patterns, additional), key)
            return cache[key](state)
        return value

    def _array(self, node: dict[str, Any], name: str, constraint: FieldConstraint | None) -> Draw:
        prefix = [self.compile(s, name) for s in node.get("prefixItems", [])]
        items = node.get("items", {})
        item_name = name[:-1] if name.endswith("s") and len(name) > 3 else name
        rest = self.compile(items, item_name) if items is not False else None
        lo = node.get("minItems", 0)
        if constraint is not None and constraint.min_length is not None:
            lo = max(lo, constraint.min_length)
        hi = node.get("maxItems")
        if constraint is not None and constraint.max_length is not None:
            hi = constraint.max_length if hi is None else min(hi, constraint.max_length)
        if rest is None:
            hi = len(prefix) if hi is None else min(hi, len(prefix))
        if hi is None:
            hi = max(lo, len(prefix)) + 3
        distinct = _distinct_values(items) if node.get("uniqueItems") and not prefix else None
        if distinct is not None:
            hi = max(lo, min(hi, distinct))  # unique items from an enum of three: at most three of them
        contains = node.get("contains")
        least = node.get("minContains", 1) if contains is not None else 0
        most = node.get("maxContains")
        lo = max(lo, least)
        matching = self.compile(merge_all([items, contains], "<view>", "") if isinstance(items, dict)
                                and isinstance(contains, dict) else contains, item_name) if contains is not None \
            else None
        is_match = subschema_check(contains) if contains is not None else None
        unique = bool(node.get("uniqueItems"))

        count = self.shape.count(lo, max(lo, hi), lambda rng: between(rng, lo, max(lo, hi)))
        closed = _closed_choices(items) if unique and not prefix and contains is None else None
        if closed:
            def distinct_choices(state: RecordState) -> list[Any]:
                # Unique items from a small closed set (an enum): drawn without putting back, not by redraws.
                left = list(closed)
                return [left.pop(between(state.rng, 0, len(left) - 1)) for _ in range(min(count(state.rng),
                                                                                         len(left)))]
            return distinct_choices

        def array(state: RecordState) -> list[Any]:
            n = count(state.rng)
            n = max(n, min(len(prefix), hi))
            out: list[Any] = []
            for i in range(n):
                for _ in range(REDRAWS if unique or most is not None else 1):
                    if i < len(prefix):
                        value = prefix[i](state)
                    elif rest is not None:
                        value = rest(state)
                    else:
                        break
                    if unique and _contains(out, value) and not out_of_redraws(state):
                        continue
                    if most is not None and is_match is not None and is_match(value) \
                            and not out_of_redraws(state):
                        continue
                    break
                else:
                    if len(out) >= lo:
                        break
                out.append(value)
            if matching is not None:
                want = least if most is None else between(state.rng, least, max(least, most))
                have = sum(1 for v in out if is_match is not None and is_match(v))
                slots = [i for i in range(len(prefix), len(out)) if not (is_match and is_match(out[i]))]
                while have < want:
                    value = matching(state)
                    if unique and _contains(out, value):
                        value = matching(state)
                    if slots:
                        out[slots.pop()] = value
                    elif rest is not None and (hi is None or len(out) < hi):
                        out.append(value)
                    else:
                        break
                    have += 1
            return out
        return array


_COUNTS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties", "minContains",
           "maxContains")


def _tidy(node: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without keywords that do nothing here (``then`` without ``if``, ``maxContains`` without
    ``contains``), counts as ints (``2.0`` is a valid count), and ``unevaluated*`` read as what they mean
    for a value built only from declared parts."""
    out = dict(node)
    if "if" not in out:
        out.pop("then", None)
        out.pop("else", None)
    if "contains" not in out:
        out.pop("minContains", None)
        out.pop("maxContains", None)
    for key in _COUNTS:
        if isinstance(out.get(key), float):
            out[key] = int(out[key])
    # Beside applicators unevaluated* stays, as a hint for the branch a combinator merges in.
    applied = any(k in out for k in ("anyOf", "oneOf", "allOf", "if", "dependentSchemas"))
    unevaluated = out.get("unevaluatedProperties")
    if unevaluated is not None and not applied:
        del out["unevaluatedProperties"]
        if "additionalProperties" not in out and not out.get("patternProperties"):
            out["additionalProperties"] = unevaluated
    items = out.get("unevaluatedItems")
    contains = out.get("contains")
    if items is not None and "items" not in out and isinstance(contains, dict):
        # Items that this schema's contains matches are evaluated whatever the applicators do: every item
        # matches it, or the unevaluated schema (the check of the parts as written judges the rest).
        out["items"] = contains if items is False else {"anyOf": [contains, items]}
    elif items is not None and not applied:
        del out["unevaluatedItems"]
        out.setdefault("items", items)
    return out


_REMARKS = frozenset(("title", "description", "$comment", "examples", "default"))


def _negated(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: not check(value)


def _negations(negated: Any, residual: Any) -> tuple[list[Any], list[Any]]:
    """The ``not`` schemas of a node (its own and those of residual ``allOf`` parts that say nothing else),
    and the residual parts left."""
    negations = [] if negated is None else [negated]
    rest: list[Any] = []
    for part in residual or []:
        said = {k: v for k, v in part.items() if k not in _REMARKS} if isinstance(part, Mapping) else None
        if said is not None and list(said) == ["not"]:
            negations.append(said["not"])
        else:
            rest.append(part)
    return negations, rest


def _excluding(merged: dict[str, Any], others: list[Any]) -> dict[str, Any]:
    """A ``oneOf`` branch that leaves out an optional property each other branch requires, so a value
    drawn from it matches that branch alone by construction (``directory`` or ``directories``, not both)
    rather than after redraws; the exclusivity check still runs."""
    props = merged.get("properties")
    if not isinstance(props, dict) or "minProperties" in merged:
        return merged
    required = set(merged.get("required", []))
    kept = dict(props)
    for other in others:
        names = other.get("required") if isinstance(other, Mapping) else None
        if not isinstance(names, list):
            continue
        missing = [n for n in names if isinstance(n, str) and n not in required]
        if missing and all(n in kept for n in missing):
            del kept[missing[0]]
    return {**merged, "properties": kept} if len(kept) < len(props) else merged


_ASKED_FIRST = ("type", "const", "enum", "required", "minProperties", "maxProperties", "dependentRequired")


def _branch_check(branch: Any) -> Callable[[Any], bool]:
    """:func:`subschema_check` of a ``oneOf`` branch with its cheap keywords asked first: a value drawn from
    another branch usually fails one of them (a required property it lacks, another type) before the
    branch's ``properties`` are walked value by value. Whether a value is valid does not depend on the order
    of the keywords; ``jsonschema`` stops at the first error."""
    if isinstance(branch, dict):
        first = {key: branch[key] for key in _ASKED_FIRST if key in branch}
        if first:
            branch = {**first, **{key: value for key, value in branch.items() if key not in first}}
    return subschema_check(branch)


def _null_only(branch: Any) -> bool:
    """A union branch that only allows null (``{"type": "null"}``, ``{"const": null}``)."""
    if not isinstance(branch, Mapping):
        return False
    rest = {k: v for k, v in branch.items() if k not in ("title", "description") and not k.startswith("x-")}
    return rest in ({"type": "null"}, {"const": None}, {"enum": [None]})


def _contains(values: list[Any], value: Any) -> bool:
    from pytest_testdata.schemas.sources.merging import _same

    return any(_same(v, value) for v in values)


def _schema_for_key(key: str, patterns: Mapping[str, Any], additional: Any) -> Any:
    matched = [s for p, s in patterns.items() if compile_user_regex(p, "patternProperties").search(key)]
    if matched:
        merged = merge_all(matched, "<view>", "")
        return merged if isinstance(merged, dict) else {}
    return additional if isinstance(additional, dict) else {}


def _settle_object(node: dict[str, Any]) -> dict[str, Any]:
    """Fold ``dependentSchemas`` and ``dependentRequired`` in for the keys the object will hold."""
    for _ in range(4):
        present = set(node.get("properties", {})) | set(node.get("required", []))
        changed = False
        required = list(node.get("required", []))
        for trigger, names in dict(node.get("dependentRequired", {})).items():
            if trigger in present:
                for extra in names:
                    if extra not in required:
                        required.append(extra)
                        changed = True
        if changed:
            node = {**node, "required": required}
        dependent = node.get("dependentSchemas", {})
        for trigger in [t for t in dependent if t in present]:
            sub = dependent[trigger]
            rest = {k: v for k, v in node.items() if k != "dependentSchemas"}
            remaining = {t: s for t, s in dependent.items() if t != trigger}
            merged = merge_all([rest, sub], "<view>", "") if isinstance(sub, dict) else rest
            node = {**merged, "dependentSchemas": remaining} if remaining else merged
            changed = True
            break
        if not changed:
            break
    return node


def _narrow_by_not(node: dict[str, Any], negated: Any) -> dict[str, Any]:
    """Leave out the types a ``not`` excludes outright (``not: {type: "null"}``) and an optional property
    whose presence it forbids (``not: {required: ["x"]}``), so fewer redraws."""
    if isinstance(negated, Mapping) and isinstance(negated.get("required"), list) \
            and set(negated) - _REMARKS <= {"required", "properties"}:
        return _excluding(node, [negated])
    if isinstance(negated, Mapping) and set(negated) == {"type"}:
        banned = kinds_of(negated)
        kinds = [k for k in (kinds_of(node) or set(_KINDS)) if k not in banned and not (
            k == "integer" and "number" in banned)]
        if kinds:
            return {**node, "type": kinds if len(kinds) > 1 else kinds[0]}
    return node


def _closed_choices(items: Any) -> list[Any] | None:
    """The values an item schema allows when it is an ``enum`` (or ``const``) they are drawn from as they
    are, distinct by JSON equality; None otherwise."""
    if not isinstance(items, Mapping):
        return None
    rest = {k: v for k, v in items.items() if k not in ("enum", "const") and not k.startswith("x-")
            and k not in _REMARKS}
    if "const" in items:
        values = [items["const"]]
    elif isinstance(items.get("enum"), list):
        values = list(items["enum"])
    else:
        return None
    if set(rest) - {"type"}:
        return None
    fits = subschema_check(rest)
    chosen = distinct(value for value in values if fits(value))
    return chosen or None


def _distinct_values(items: Any) -> int | None:
    """How many different values an item schema allows, when it is a small closed set (enum, const, boolean)."""
    if not isinstance(items, Mapping):
        return None
    if "const" in items:
        return 1
    if isinstance(items.get("enum"), list):
        return len(items["enum"])
    if items.get("type") == "boolean":
        return 2
    return None


def _filtered(draw: Draw, checks: list[Callable[[Any], bool]], fallback: Draw | None = None,
              tries: int = REDRAWS) -> Draw:
    """Redraw until every check holds (``tries`` times, then ``REDRAWS`` times from ``fallback`` if given)."""
    def filtered(state: RecordState) -> Any:
        value = draw(state)
        for _ in range(tries):
            if all(check(value) for check in checks) or out_of_redraws(state):
                return value
            value = draw(state)
        if fallback is None:
            return value
        for _ in range(REDRAWS):
            value = fallback(state)
            if all(check(value) for check in checks) or out_of_redraws(state):
                return value
        return value
    return filtered


_SEPARATORS = ("-", "_", ".", "/", "")


def _tokens(state: RecordState) -> str:
    """Two plain words joined by a separator (``release-notes``): a name where a sentence does not fit."""
    words = common_words()[1]
    return f"{pick(state.rng, words).lower()}{pick(state.rng, _SEPARATORS)}{pick(state.rng, words).lower()}"


def _number(node: Mapping[str, Any], name: str, integer: bool, classic: Classic,
            constraint: FieldConstraint | None) -> Draw:
    step = node.get("multipleOf")
    if step is None and node.get("exclusiveMinimum") is None and node.get("exclusiveMaximum") is None:
        return classic({k: v for k, v in node.items()}, name, constraint)
    # The schema's bounds narrowed by the caller's, from the one constraint model.
    low, open_low, high, open_high = rules_for(node, constraint).numeric_bounds
    if low is None and (high is None or high > 0 or (high == 0 and not open_high)):
        low = 0  # no lower bound: values from zero up, when zero is allowed
    if low is None:
        low = (high if high is not None else 0) - 1000
    if high is None:
        high = low + 1000 if low >= 0 else low + 2000
    if step is not None and integer and not float(step).is_integer():
        ilo = math.floor(low) + 1 if open_low else math.ceil(low)
        ihi = math.ceil(high) - 1 if open_high else math.floor(high)

        def whole_multiple(state: RecordState) -> int:
            for _ in range(REDRAWS):
                value = between(state.rng, ilo, max(ilo, ihi))
                quotient = value / step
                if math.isfinite(quotient) and int(quotient) == quotient:
                    return value
            return 0 if ilo <= 0 <= ihi else ilo
        return whole_multiple
    if step is not None:
        first = math.ceil(low / step)
        last = math.floor(high / step)
        if open_low and first * step <= low:
            first += 1
        if open_high and last * step >= high:
            last -= 1
        last = max(first, last)
        whole = isinstance(step, int) and not isinstance(step, bool)
        span = last - first

        def stepped(state: RecordState) -> Any:
            k = first + (int(state.rng.random() * min(span, 200) + 0.5) if span else 0)
            if whole:
                return k * step
            value = clean_multiple(min(k, last), step, low, high)
            return int(value) if integer and float(value).is_integer() else value
        return stepped
    if integer:
        ilo, ihi = math.floor(low) + 1 if open_low else math.ceil(low), math.ceil(high) - 1 if open_high \
            else math.floor(high)
        return lambda s: between(s.rng, ilo, max(ilo, ihi))
    fl, fh = float(low), float(high)

    def uniform(state: RecordState) -> float:
        value = round(state.rng.uniform(fl, fh), 2)
        if (open_low and value <= fl) or value < fl or (open_high and value >= fh) or value > fh:
            value = (fl + fh) / 2
        return value
    return uniform
