"""Invalid variants: records that each break exactly one named constraint.

``@pytest.mark.testdata("user", variant="invalid")`` parametrizes a test over :func:`breakable_rules`;
each case gets a valid record with one rule broken by :func:`break_record`, then :func:`rederive` brings
every value computed from the broken one up to date (an order's line totals, subtotal, total and payment
amount follow a broken quantity), so the validator reports that violation and no stale total beside it.

Where a break cannot stand alone (a bad value put in a field that a coherence rule computes, such as
``subtotal``; an email longer than RFC 5321's 254 characters), the rule says so: its id carries the other
rule (``subtotal-max+sum_of_products``) and the result's metadata lists both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.paths import get_all
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.quality.rules import Rule, ValueSource, rules_of
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import FieldConstraint

_BAD_FORMATS = {"uuid": "not-a-uuid", "date-time": "2024-13-45 25:61", "email": "not-an-email", "date": "31/02/2024"}
_BAD_STRINGS = ("!", "~~ invalid ~~", "", "0", "zzzz")


@dataclass(frozen=True, slots=True)
class BrokenRule:
    """One rule to break: the field path (``items.*.quantity``), the rule name, and the bad value's kind."""

    path: str
    rule: str
    limit: Any = None
    also: tuple[str, ...] = ()
    """Other rules this break necessarily breaks too (coherence kinds, or ``format``)."""

    @property
    def id(self) -> str:
        """Readable test id: ``total-max``, ``items.quantity-min``, ``subtotal-max+sum_of_products``."""
        return "+".join((f"{self.path.replace('.*', '')}-{self.rule}", *self.also))


def _effective(sub: Mapping[str, Any], c: FieldConstraint | None) -> dict[str, Any]:
    """The field's rules as JSON Schema keyword names, from the constraint model."""
    rules = rules_for(sub, c)
    return {"minimum": rules.minimum, "maximum": rules.maximum, "minLength": rules.min_length,
            "maxLength": rules.max_length, "enum": list(rules.enum) if rules.enum is not None else None,
            "pattern": rules.patterns[-1] if rules.patterns else None, "format": rules.format,
            "minItems": rules.min_items, "maxItems": rules.max_items, "type": sub.get("type")}


def _bad_string(pattern: str, lo: int | None, hi: int | None) -> str | None:
    compiled = compile_user_regex(pattern, "pattern")
    for candidate in _BAD_STRINGS:
        if not compiled.search(candidate) and (lo is None or len(candidate) >= lo) and (
                hi is None or len(candidate) <= hi):
            return candidate
    return None


def breakable_rules(schema: Schema, constraints: Mapping[str, FieldConstraint] | None = None) -> list[BrokenRule]:
    """Every rule of the schema (and the caller's constraints) that one value change can break alone."""
    constraints = constraints or {}
    rules: list[BrokenRule] = []
    required = set(schema.json_schema.get("required", ()))
    derived: dict[str, list[str]] = {}
    keyed: dict[str, list[str]] = {}
    copies: dict[str, list[str]] = {}
    emptied: dict[str, list[str]] = {}
    for coherence in rules_of(schema):
        for target in coherence.derives():
            derived.setdefault(_star(target), []).append(coherence.kind)
            if coherence.kind in _MISSING_BREAKS:
                for path, _ in schema.walk():
                    # removing `path` removes the computed field but not what it is computed from
                    inside = _star(target) == path or _star(target).startswith(path + ".")
                    if inside and not any(_star(r) == path or _star(r).startswith(path + ".")
                                          for r in coherence.reads()):
                        emptied.setdefault(path, []).append(coherence.kind)
        for key in coherence.keyed_by():
            keyed.setdefault(_star(key), []).append(coherence.kind)
        source = coherence.spec.get("source") if coherence.kind == "same_value" else None
        if isinstance(source, str):
            copies[source] = [_star(str(f)) for f in coherence.spec.get("fields", ()) if f != source]
        elif coherence.kind == "same_value" and _distinct_fields(coherence):
            for f in coherence.spec.get("fields", ()):
                keyed.setdefault(_star(str(f)), []).append("same_value")
    for path, sub in schema.walk():
        eff = _effective(sub, constraints.get(path))
        types = eff["type"] if isinstance(eff["type"], list) else [eff["type"]]
        is_string = "string" in types
        if path in required:
            rules.append(BrokenRule(path, "required"))
        if eff["minimum"] is not None:
            rules.append(BrokenRule(path, "min", eff["minimum"]))
        if eff["maximum"] is not None:
            rules.append(BrokenRule(path, "max", eff["maximum"]))
        if is_string and eff["enum"]:
            rules.append(BrokenRule(path, "enum"))
        elif is_string and eff["pattern"]:
            bad = _bad_string(str(eff["pattern"]), eff["minLength"], eff["maxLength"])
            if bad is not None:
                rules.append(BrokenRule(path, "regex", bad))
        elif is_string and eff["format"] in _BAD_FORMATS:
            rules.append(BrokenRule(path, "format", _BAD_FORMATS[eff["format"]]))
        if is_string and not eff["pattern"] and not eff["enum"] and eff["format"] in (None, "email"):
            if eff["minLength"]:
                rules.append(BrokenRule(path, "min_length", eff["minLength"]))
            if eff["maxLength"] is not None:
                rules.append(BrokenRule(path, "max_length", eff["maxLength"]))
        if "array" in types:
            if eff["minItems"]:
                rules.append(BrokenRule(path, "min_items", eff["minItems"]))
            if eff["maxItems"] is not None:
                rules.append(BrokenRule(path, "max_items", eff["maxItems"]))
    by_path: dict[str, set[str]] = {}
    for rule in rules:
        by_path.setdefault(rule.path, set()).add(rule.rule)
    return [_with_also(rule, derived, keyed, copies, emptied, by_path, schema) for rule in rules]


def _distinct_fields(rule: Rule) -> bool:
    """A same-value rule over different fields (shipping and billing country), not one list's items."""
    return len({_star(str(f)) for f in rule.spec.get("fields", ())}) > 1


def _star(path: str) -> str:
    """``addresses.0.country`` -> ``addresses.*.country``: the form :meth:`Schema.walk` names paths in."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


_REPLACING = frozenset({"min", "max", "enum", "regex", "format", "min_length", "max_length"})
"""Breaks that put a new value in place; in a derived field, the deriving rule then breaks too."""
EMAIL_MAX = 254
"""RFC 5321: a forward path holds at most 254 characters, so a longer address is no address."""


_MISSING_BREAKS = frozenset({"sum_of_products", "product_each", "sum"})
"""Derivations whose check fails (rather than not applying) when their computed field is missing."""


def _with_also(rule: BrokenRule, derived: Mapping[str, list[str]], keyed: Mapping[str, list[str]],
               copies: Mapping[str, list[str]], emptied: Mapping[str, list[str]], by_path: Mapping[str, set[str]],
               schema: Schema) -> BrokenRule:
    also: list[str] = []
    if rule.rule in _REPLACING:
        # a longer domain keeps the name an email was made from
        also += [k for k in derived.get(rule.path, ()) if not (k == "email_from_name" and rule.rule == "max_length")]
    if rule.rule == "required":
        also += emptied.get(rule.path, [])
    if rule.rule == "enum":
        also += keyed.get(rule.path, [])
    elif rule.rule in _REPLACING:
        also += [k for k in keyed.get(rule.path, []) if k == "same_value"]
    if rule.rule in ("min", "max"):
        # a copied value (an order's total into its payment's amount) carries the break along
        also += [f"{other.replace('.*', '')}-{rule.rule}" for other in copies.get(rule.path, ())
                 if rule.rule in by_path.get(other, ())]
    also = list(dict.fromkeys(also))
    sub = schema.subschema(rule.path) or {}
    if rule.rule == "max_length" and sub.get("format") == "email" and int(rule.limit) + 1 > EMAIL_MAX:
        also.append("format")
    return BrokenRule(rule.path, rule.rule, rule.limit, tuple(also)) if also else rule


def _unique_bad(value: str, index: int, pattern: str | None = None, hi: int | None = None) -> str:
    """The bad value made distinct per record of a batch (a unique field stays unique when broken)."""
    if index == 0:
        return value
    compiled = compile_user_regex(pattern, "pattern") if pattern else None
    for candidate in (f"{value}-{index}", f"{value}{index}", f"{'!' * (index % 7 + 1)}{index}"):
        if (compiled is None or not compiled.search(candidate)) and (hi is None or len(candidate) <= hi):
            return candidate
    return value


def _long_email(address: str, length: int) -> str:
    """An address of exactly ``length`` characters, lengthened in the domain (labels of at most 63).

    The local part keeps the name it was made from (RFC 5321 allows it 64 characters); the domain grows
    by labels in front of the original one.
    """
    local, _, domain = address.partition("@")
    extra = length - len(address)
    labels: list[int] = []
    while extra > 1:
        size = min(63, extra - 1)
        labels.append(size)
        extra -= size + 1
    if extra == 1:  # one character left: a label one longer, or a longer local part
        if labels and labels[-1] < 63:
            labels[-1] += 1
        else:
            local += "x"
    return f"{local}@{'.'.join(['x' * n for n in labels] + [domain])}"


def break_record(record: dict[str, Any], broken: BrokenRule, schema: Schema, index: int = 0) -> bool:
    """Change ``record`` in place so that it breaks ``broken`` and nothing else the validator checks.

    ``index`` is the record's place in its batch: a broken unique field gets a bad value of its own.
    Returns False (record unchanged) when the record has no place to break it, such as an empty list
    holding the field; the caller draws another record.
    """
    head, _, name = broken.path.rpartition(".")
    parents = [record] if not head else get_all(record, head)
    parent = next((p for p in parents if isinstance(p, dict)), None)
    if parent is None:
        return False
    sub = schema.subschema(broken.path) or {}
    value = parent.get(name)
    integer = sub.get("type") == "integer"
    step = 1 if integer else 0.01
    if broken.rule == "required":
        parent.pop(name, None)
    elif broken.rule == "min":
        parent[name] = round(broken.limit - step, 2) if not integer else int(broken.limit) - 1
    elif broken.rule == "max":
        parent[name] = round(broken.limit + step, 2) if not integer else int(broken.limit) + 1
    elif broken.rule == "enum":
        parent[name] = _unique_bad(f"not_a_valid_{name}", index)
    elif broken.rule == "regex":
        parent[name] = _unique_bad(str(broken.limit), index, str(sub.get("pattern") or ""), sub.get("maxLength"))
    elif broken.rule == "format":
        parent[name] = _unique_bad(str(broken.limit), index, None, sub.get("maxLength"))
    elif broken.rule == "min_length":
        parent[name] = str(value or "x")[: max(int(broken.limit) - 1, 0)]
    elif broken.rule == "max_length":
        text = str(value or "x")
        if "@" in text:
            parent[name] = _long_email(text, int(broken.limit) + 1)
        else:
            parent[name] = text + "x" * (int(broken.limit) + 1 - len(text))
    elif broken.rule == "min_items":
        parent[name] = list(value or [])[: int(broken.limit) - 1]
    elif broken.rule == "max_items":
        items = list(value or [])
        if not items:
            return False
        while len(items) <= int(broken.limit):
            items.append(items[len(items) % max(len(value or []), 1)])
        parent[name] = items
    return True


_MISSING = object()


def rederive(record: dict[str, Any], broken: BrokenRule, schema: Schema, values: ValueSource,
             rng: Any, rules: list[Rule] | None = None) -> list[str]:
    """Bring every value derived from the broken one up to date; return the rules that still fail.

    The rules run in their declared order (each feeds the next: line totals, subtotal, tax, total,
    payment amount). A rule that fails is enforced, then the broken value is put back, so a rule can
    never "repair" the break itself. What fails at the end fails because of the break alone: a bad value
    in a derived field (the deriving rule), nothing else.
    """
    rules = rules_of(schema) if rules is None else rules
    head, _, name = broken.path.rpartition(".")
    parents = [record] if not head else get_all(record, head)
    holder = next((p for p in parents if isinstance(p, dict)), None)
    kept = _MISSING if holder is None else holder.get(name, _MISSING)

    def restore() -> None:
        if holder is None:
            return
        if kept is _MISSING:
            holder.pop(name, None)
        else:
            holder[name] = kept

    star = _star(broken.path)
    for rule in rules:
        if rule.kind == "same_value" and not rule.spec.get("source") and _distinct_fields(rule) and star in {
                _star(str(f)) for f in rule.spec.get("fields", ())}:
            continue  # copying the bad value into another field would break that field too: leave it
        if rule.check(record) is False:
            # A broken value the rule cannot use (an unknown country) leaves the rule broken.
            with contextlib.suppress(KeyError, ValueError, TypeError):
                rule.enforce(record, rng, values)
            restore()
    return [rule.kind for rule in rules if rule.check(record) is False]
