"""A person's whole name, email address and username made from the person's name in the same object.

A user's schema seldom says that ``email`` and ``username`` follow ``first_name`` and ``last_name`` (the
built-in ``user`` does, with an ``email_from_name`` rule), yet a record in which ``Dave Burch`` signs in as
``shelby.hart3581@example.com`` is one nobody has seen in production. So the plan reads, by the kinds the
field-name table gives the object's fields in their context (``name`` under ``author`` is a person's), which
fields hold the person's first and last name or whole name, an email address and a username, and builds the
address and the username from the name, as the built-in user's are built. A whole name (``full_name``,
``display_name``) beside a first and a last name is the two joined, whichever the schema lists first.

Only where the result surely fits the field: an email or username field with a ``pattern``, an ``enum``, a
``const``, an ``x-gen`` of its own, a caller's constraint or a ``maxLength`` too short for a built value keeps
its drawn value; so does a record whose name is missing (optional, null). The fields are drawn as before and
only a drawn string is replaced, so an optional or nullable email stays absent or null as often as the
coverage setting says. An object that declares an ``email_from_name`` rule keeps that rule alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pytest_testdata.generators.traditional.field_names import FieldContext, kind_for, snake
from pytest_testdata.generators.traditional.kind_values import username_of
from pytest_testdata.quality.rules import Rule, ValueSource, fold, latin_name

_FIRST, _LAST, _FULL = "person.first_name", "person.last_name", "person.name"
_EMAIL, _USERNAME = "email", "username"
_SHORTEST = {_EMAIL: 64, _USERNAME: 24}
"""The ``maxLength`` a field needs for every value this module builds to fit (a built address is at most
about 45 characters, a username about 22; the rule checks each value and leaves one that does not fit)."""


class NameHandles(Rule):
    """The email address and the username of ``first``/``last`` (or ``name``, the whole name), inferred
    from field names (see the module docstring); not a kind a schema declares."""

    kind = "name_handles"

    def __init__(self, spec: Mapping[str, Any], limits: Mapping[str, int | None]) -> None:
        super().__init__(spec)
        self._limits = limits
        self._first = self._getter("first") if "first" in spec else None
        self._last = self._getter("last") if "last" in spec else None
        self._full = self._getter("name") if "name" in spec else None
        self._email = self._getter("email") if "email" in spec else None
        self._username = self._getter("username") if "username" in spec else None

    def _names(self, record: Mapping[str, Any]) -> tuple[str, str] | None:
        if self._full is not None:
            whole = self._full(record)
            parts = whole.split() if isinstance(whole, str) else []
            return (parts[0], parts[-1]) if len(parts) >= 2 else None
        assert self._first is not None and self._last is not None
        first, last = self._first(record), self._last(record)
        return (first, last) if isinstance(first, str) and isinstance(last, str) and first and last else None

    def check(self, record: Mapping[str, Any]) -> bool | None:
        names = self._names(record)
        if names is None:
            return None
        first, last = latin_name(names[0]), latin_name(names[1])
        for read in (self._email, self._username):
            value = read(record) if read is not None else None
            if isinstance(value, str) and last not in fold(value.split("@", 1)[0]) and first not in fold(value):
                return False
        return True

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        names = self._names(record)
        if names is None:
            return  # the drawn values stay
        first, last = names
        if "email" in self.spec:
            self._put(record, "email", values.email(first, last, rng, "US"))
        if "username" in self.spec:
            self._put(record, "username", username_of(latin_name(first) or "user", latin_name(last) or "name", rng))

    def _put(self, record: dict[str, Any], key: str, value: str) -> None:
        put_drawn(record, str(self.spec[key]), value, 0, self._limits.get(key))


class WholeName(Rule):
    """The whole name (``full_name``, ``display_name``) is ``first last`` of the same object's first and
    last name; inferred from field names, not a kind a schema declares."""

    kind = "whole_name"

    def __init__(self, spec: Mapping[str, Any], limit: int | None) -> None:
        super().__init__(spec)
        self._limit = limit
        self._first, self._last, self._full = self._getter("first"), self._getter("last"), self._getter("name")

    def _whole(self, record: Mapping[str, Any]) -> str | None:
        first, last = self._first(record), self._last(record)
        return f"{first} {last}" if isinstance(first, str) and isinstance(last, str) and first and last else None

    def check(self, record: Mapping[str, Any]) -> bool | None:
        whole, full = self._whole(record), self._full(record)
        return None if whole is None or not isinstance(full, str) else full == whole

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        whole = self._whole(record)
        if whole is not None:
            put_drawn(record, str(self.spec["name"]), whole, 0, self._limit)


def identity_rules(node: Mapping[str, Any], parent: str, constrained: frozenset[str] = frozenset()) -> list[Rule]:
    """A :class:`WholeName` rule for an object schema with a first, a last and a whole name, and a
    :class:`NameHandles` rule for one whose fields hold a person's name and an email or a username that can
    follow it; none otherwise. ``constrained``: fields a caller's constraint shapes."""
    declared = node.get("x-coherence")
    if isinstance(declared, (list, tuple)) and any(isinstance(r, Mapping) and r.get("kind") == "email_from_name"
                                                   for r in declared):
        return []
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return []
    context = FieldContext(parent, frozenset(snake(s) for s in properties))
    found: dict[str, str] = {}
    for name, sub in properties.items():
        if not isinstance(sub, Mapping) or not may_be_text(sub):
            continue
        gen = sub.get("x-gen")
        kind = gen if isinstance(gen, str) else kind_for(name, "string", context)
        if kind is None or kind in found:
            continue
        name_field = kind in (_FIRST, _LAST, _FULL)
        handle = kind in (_EMAIL, _USERNAME) and gen is None and name not in constrained \
            and _free(sub, _SHORTEST[kind])
        if name_field or handle:
            found[kind] = name
    rules: list[Rule] = []
    spec: dict[str, str] = {}
    if _FIRST in found and _LAST in found:
        spec.update(first=found[_FIRST], last=found[_LAST])
        whole = found.get(_FULL)
        low = properties[whole].get("minLength") if whole is not None else None
        if whole is not None and whole not in constrained and _free(properties[whole], 0) \
                and not (isinstance(low, int) and low > 3):  # a joined name has at least 3 characters
            rules.append(WholeName({**spec, "name": whole}, _max_length(properties[whole])))
    elif _FULL in found:
        spec["name"] = found[_FULL]
    else:
        return []
    for kind in (_EMAIL, _USERNAME):
        if kind in found:
            spec[kind] = found[kind]
    if "email" not in spec and "username" not in spec:
        return rules
    limits: dict[str, int | None] = {key: _max_length(properties[spec[key]]) for key in ("email", "username")
                                     if key in spec}
    return [*rules, NameHandles(spec, limits)]


def put_drawn(record: dict[str, Any], field: str, value: str, low: int, high: int | None) -> None:
    """Write a built ``value`` over a drawn string only, and only where it has ``low`` to ``high``
    characters (the field's ``minLength`` and ``maxLength``): an absent or null field stays so, since the
    coverage setting chose it, and a value the field cannot hold leaves the drawn one."""
    if isinstance(record.get(field), str) and low <= len(value) and (high is None or len(value) <= high):
        record[field] = value


def may_be_text(sub: Mapping[str, Any]) -> bool:
    """Whether a field's schema allows a string (``"string"`` or a list of types holding it)."""
    types = sub.get("type")
    return types == "string" or (isinstance(types, list) and "string" in types)


def _free(sub: Mapping[str, Any], shortest: int) -> bool:
    """Whether a built value can stand in the field: no shape of its own, room for a built value."""
    if any(key in sub for key in ("pattern", "x-patterns", "enum", "const")):
        return False
    if sub.get("format") not in (None, "email", "idn-email"):
        return False
    low, high = sub.get("minLength"), _max_length(sub)
    return (high is None or high >= shortest) and (not isinstance(low, int) or low <= 6)


def _max_length(sub: Mapping[str, Any]) -> int | None:
    high = sub.get("maxLength")
    return high if isinstance(high, int) and not isinstance(high, bool) else None


__all__ = ["NameHandles", "WholeName", "identity_rules", "may_be_text", "put_drawn"]
