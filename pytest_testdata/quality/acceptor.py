"""Compile a schema into one Python function that says whether a record is valid, as fast as Python goes.

Why: generated records are valid nearly always, and the validator's reporting checks (a closure per
keyword, a path string built for every value) cost more than generating the record. So the validator
first asks this *acceptor*, and runs the reporting checks only on the records it rejects; those checks
alone decide what is reported. The acceptor must therefore never accept a record the reporting checks
would flag. Rejecting one they would pass is harmless (it only costs the slow path), which is why every
shape this module does not handle precisely (several types, a nullable object, an enum on an array...)
falls back to a predicate that runs the reporting check itself.

The function is generated as Python source and compiled once per schema and set of constraints:
straight-line code with the constants bound as globals, no call per field. ``Acceptor.source`` shows it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.types import FieldConstraint

Pred = Callable[[Any], bool]
Fallback = Callable[[Mapping[str, Any], "FieldConstraint | None"], Pred]
"""Builds the always-correct predicate for a subschema (runs the reporting check)."""

_KNOWN_TYPES = frozenset(("string", "integer", "number", "boolean", "object", "array", "null"))
_MISSING = object()


class Acceptor:
    """``acceptor(record) -> bool``: True only for records the reporting validator passes."""

    def __init__(self, node: Mapping[str, Any], constraints: Mapping[str, FieldConstraint],
                 formats: Mapping[str, Callable[[str], object]], fallback: Fallback, name: str = "record",
                 made_shapes: frozenset[str] = frozenset()) -> None:
        self._formats = formats
        self._made = made_shapes
        """Paths (``items.*.product_id``) whose format and pattern tests are left out: the caller knows the
        values have them (records built by drawers that always make them, generators/traditional/vouch.py).
        A path marked ``=`` (``=items.*.quantity``) holds its whole subschema so: none of its tests is made
        (for a list of objects, ``=items``, its type, its length and its elements' keys)."""
        self._fallback = fallback
        self._consts: dict[str, Any] = {"MISSING": _MISSING}
        self._lines: list[str] = []
        self._vars = 0
        try:
            self._object(node, constraints, "v0", 2, check_type=True, path="")
            body = "\n".join(self._lines)
            # A required property is read as var[key]: a missing one raises KeyError, which says no.
            self.source = f"def accept(v0):\n    try:\n{body}\n    except KeyError:\n        return False\n" \
                          "    return True\n"
            namespace = dict(self._consts)
            exec(compile(self.source, f"<acceptor for {name}>", "exec"), namespace)
            self.function: Pred = namespace["accept"]
            """The compiled function itself (calling it directly saves a call per record)."""
        except (SyntaxError, RecursionError, MemoryError):
            # Absurdly deep schemas exceed Python's limits on nested blocks: accept nothing, so every
            # record takes the reporting checks (correct, only slower).
            self.source = ""
            self.function = _reject

    def __call__(self, record: Any) -> bool:
        return self.function(record)

    # -- emitting ----------------------------------------------------------------------------------------

    def _emit(self, depth: int, line: str) -> None:
        self._lines.append("    " * depth + line)

    def _const(self, value: Any, prefix: str) -> str:
        if type(value) in (str, int) or (type(value) is float and math.isfinite(value)):
            # A literal in the source: a constant load costs less than a global's, on every field of every
            # record (repr gives back the same string, int and float).
            return repr(value)
        name = f"{prefix}{len(self._consts)}"
        self._consts[name] = value
        return name

    def _var(self) -> str:
        self._vars += 1
        return f"v{self._vars}"

    def _value(self, node: Mapping[str, Any], constraint: FieldConstraint | None, var: str,
               depth: int, path: str = "?") -> None:
        """Emit code that returns False when ``var`` fails ``node`` (and the caller's constraint)."""
        if constraint is None and "=" + path in self._made:  # the whole value holds by construction
            if node.get("type") == "array":
                self._array(node, None, var, depth, path, exact=True)
            return
        types = node.get("type")
        type_list = [types] if isinstance(types, str) else list(types or [])
        kinds = {t for t in type_list if t != "null"}
        nullable = "null" in type_list
        rules = rules_for(node, constraint)
        enum = list(rules.enum) if rules.enum is not None else None
        allowed: frozenset[Any] | None = None
        if enum is not None:
            try:
                allowed = frozenset(enum)
            except TypeError:
                kinds = set()  # unhashable members: leave it to the fallback
        kind = next(iter(kinds)) if len(kinds) == 1 and set(type_list) <= _KNOWN_TYPES else None
        step = node.get("multipleOf")
        if kind in ("number", "integer") and step != 0.01 and isinstance(step, (int, float)) \
                and not isinstance(step, bool) and step > 0:
            kind = None  # other steps: the reporting check's arithmetic decides (and fails) as it does
        if kind in ("string", "number", "integer", "boolean"):
            self._leaf(node, constraint, var, depth, kind, nullable, allowed, path)
        elif kind == "object" and not nullable and allowed is None:
            self._object(node, None, var, depth, check_type=True, path=path)
        elif kind == "array" and not nullable and allowed is None:
            self._array(node, constraint, var, depth, path)
        else:
            check = self._const(self._fallback(node, constraint), "P")
            self._emit(depth, f"if not {check}({var}): return False")

    def _leaf(self, node: Mapping[str, Any], constraint: FieldConstraint | None, var: str, depth: int,
              kind: str, nullable: bool, allowed: frozenset[Any] | None, path: str = "?") -> None:
        # Which keywords look at a value of this kind (the rest never report on it):
        # strings: length, enum, pattern, format; numbers: range (exclusive bounds too), multipleOf 0.01
        # (other steps never reach here), enum; booleans: enum. Keep in step with validator._compile.
        if kind == "string":
            test = f"type({var}) is str"
        elif kind == "integer":
            test = f"type({var}) is int"
        elif kind == "number":
            test = f"(type({var}) is float or type({var}) is int)"  # (most generated numbers are floats)
        else:
            test = f"type({var}) is bool"
        checks: list[str] = []
        if kind == "string":
            lo, hi = _lengths(node, constraint)
            checks += _bounds(f"len({var})", lo, hi, self._const)
            if allowed is not None:
                checks.append(f"{var} not in {self._const(allowed, 'E')}")
            made = path in self._made  # format and pattern made by the drawer (the caller knows)
            for pattern in rules_for(node, constraint).patterns if not made else ():
                checks.append(f"not {self._const(compile_user_regex(pattern, 'pattern').test, 'S')}({var})")
            fmt = self._formats.get(str(node.get("format")))
            if fmt is not None and not made:
                # A format test may have a shortcut (a regex whose match means valid: the calendar's).
                shortcut = getattr(fmt, "shortcut", None)
                first = f"{self._const(shortcut, 'F')}({var}) is None and " if shortcut is not None else ""
                checks.append(f"{first}not {self._const(fmt, 'M')}({var})")
        elif kind in ("number", "integer"):
            lo, lo_open, hi, hi_open = number_bounds(node, constraint)
            if lo is not None and hi is not None and kind == "integer":
                # One chained comparison. Not for floats: a NaN passes both bounds' reporting checks (every
                # comparison with it is false), and would fail the chain.
                checks.append(f"not {self._const(lo, 'L')} {'<' if lo_open else '<='} {var} "
                              f"{'<' if hi_open else '<='} {self._const(hi, 'H')}")
            else:
                if lo is not None:
                    checks.append(f"{var} {'<=' if lo_open else '<'} {self._const(lo, 'L')}")
                if hi is not None:
                    checks.append(f"{var} {'>=' if hi_open else '>'} {self._const(hi, 'H')}")
            if node.get("multipleOf") == 0.01:
                # The reporting check rounds (a float's round() costs as much as the rest of a line item's
                # checks); a cent value whose quotient by 0.01 is whole passes it without rounding
                # (:func:`cents_pass`), as generated money is.
                checks.append(f"(type({var}) is float and not (-1e6 < {var} < 1e6 and ({var} / 0.01).is_integer())"
                              f" and abs(round({var}, 2) - {var}) > 1e-9)")
            if allowed is not None:
                checks.append(f"{var} not in {self._const(allowed, 'E')}")
        elif allowed is not None:
            checks.append(f"{var} not in {self._const(allowed, 'E')}")
        guard = _float_guard(node, constraint, var) if kind == "number" and allowed is None else None
        if guard is not None:
            # A float in range (and whole in cents) passes every test below: one type test and float
            # comparisons for the usual value, the tests themselves for any other.
            self._emit(depth, f"if type({var}) is not float or not ({guard}):")
            depth += 1
        if not nullable:
            self._emit(depth, f"if not {test}: return False")
            for check in checks:
                self._emit(depth, f"if {check}: return False")
            return
        # Nullable: None passes every keyword when "null" is among the types.
        if not checks:
            self._emit(depth, f"if not {test} and {var} is not None: return False")
            return
        self._emit(depth, f"if {test}:")
        for check in checks:
            self._emit(depth + 1, f"if {check}: return False")
        self._emit(depth, f"elif {var} is not None: return False")

    def _object(self, node: Mapping[str, Any], constraints: Mapping[str, FieldConstraint] | None, var: str,
                depth: int, *, check_type: bool, path: str = "?", exact: bool = False) -> None:
        """``exact``: ``var`` is a dict with exactly the properties' keys (a list's element the caller vouches
        for): no type or key test, and a property whose whole value holds is not even read."""
        if check_type and not exact:
            self._emit(depth, f"if type({var}) is not dict: return False")
        props = node.get("properties")
        if not isinstance(props, Mapping):
            return  # without "properties" the reporting checks look no further into an object
        required = frozenset(node.get("required", ()))
        closed = node.get("additionalProperties") is False
        if exact:
            for name, sub in props.items():
                inner_path = f"{path}.{name}" if path else str(name)
                if "=" + inner_path not in self._made:
                    inner = self._var()
                    self._emit(depth, f"{inner} = {var}[{self._const(name, 'N')}]")
                    self._value(sub, None, inner, depth, inner_path)
            return
        if closed and required == frozenset(props) and all(isinstance(name, str) for name in props):
            # Every property required and no other allowed: as many keys as properties, and each property
            # read below as {var}[key] (a missing one raises KeyError: no) means exactly these keys.
            self._emit(depth, f"if len({var}) != {len(required)}: return False")
        else:
            if required:
                self._emit(depth, f"if not {self._const(required, 'R')} <= {var}.keys(): return False")
            if closed:
                allowed = self._const(frozenset(props), 'K')
                self._emit(depth, f"if not {var}.keys() <= {allowed}: return False")
        for name, sub in props.items():
            constraint = (constraints or {}).get(name)
            key = self._const(name, "N")
            inner = self._var()
            inner_path = f"{path}.{name}" if path else str(name)
            if name in required:
                self._emit(depth, f"{inner} = {var}[{key}]")
                self._value(sub, constraint, inner, depth, inner_path)
            else:
                self._emit(depth, f"{inner} = {var}.get({key}, MISSING)")
                self._emit(depth, f"if {inner} is not MISSING:")
                mark = len(self._lines)
                self._value(sub, constraint, inner, depth + 1, inner_path)
                if len(self._lines) == mark:
                    self._emit(depth + 1, "pass")

    def _array(self, node: Mapping[str, Any], constraint: FieldConstraint | None, var: str,
               depth: int, path: str = "?", exact: bool = False) -> None:
        """``exact``: a list of the right length whose elements are dicts with exactly their properties' keys
        (the caller vouches, ``=items``): only the elements' properties not vouched for are tested."""
        if not exact:
            self._emit(depth, f"if type({var}) is not list: return False")
            lo, hi = _lengths(node, constraint)  # minLength/maxLength apply to lists too
            for check in _bounds(f"len({var})", lo, hi, self._const) + _bounds(
                    f"len({var})", node.get("minItems"), node.get("maxItems"), self._const):
                self._emit(depth, f"if {check}: return False")
        items = node.get("items")
        if isinstance(items, Mapping):
            mark = len(self._lines)
            item = self._var()
            self._emit(depth, f"for {item} in {var}:")
            if exact:
                self._object(items, None, item, depth + 1, check_type=False, path=f"{path}.*", exact=True)
                if len(self._lines) == mark + 1:
                    del self._lines[mark:]  # every property vouched for: no loop at all
                    return
            else:
                self._value(items, None, item, depth + 1, f"{path}.*")
            if len(self._lines) == mark + 1:  # (only the loop's line)
                self._emit(depth + 1, "pass")


def _float_guard(node: Mapping[str, Any], constraint: FieldConstraint | None, var: str) -> str | None:
    """A condition on a float ``var`` under which the tests :meth:`Acceptor._leaf` emits for a number all pass:
    its bounds compared as floats and, for ``multipleOf: 0.01``, the cent test's own shortcut
    (:func:`cents_pass`: within 1e6 in size, ``var / 0.01`` whole). None: nothing to gain (no bound nor step)
    or a bound that is not a float exactly (a huge int): the tests alone then.

    A float compared with a float costs less than with an int (``0.0 <= v``, not ``0 <= v``): Python compares
    an int and a float exactly, so a bound that is a float exactly gives the same answer either way. The
    guard restates the tests' bounds and shortcut; tests/test_fast_paths.py holds them together (the float
    guard's test: each side of each bound, odd floats, other types)."""
    lo, lo_open, hi, hi_open = number_bounds(node, constraint)
    cents = node.get("multipleOf") == 0.01
    if lo is None and hi is None and not cents:
        return None
    low, high = _float_literal(lo), _float_literal(hi)
    if (lo is not None and low is None) or (hi is not None and high is None):
        return None
    chain = ""
    if cents and (low is None or float(low) <= -1e6):
        chain = "-1000000.0 < "  # (a tighter bound than the schema's: the guard only has to imply the tests)
    elif low is not None:
        chain = f"{low} {'<' if lo_open else '<='} "
    chain += var
    if cents and (high is None or float(high) >= 1e6):
        chain += " < 1000000.0"
    elif high is not None:
        chain += f" {'<' if hi_open else '<='} {high}"
    return f"{chain} and ({var} / 0.01).is_integer()" if cents else chain


def _float_literal(value: Any) -> str | None:
    """``value`` as a float literal when it is an int or a float equal to a finite float, else None."""
    if type(value) not in (int, float):
        return None
    try:
        as_float = float(value)
    except OverflowError:
        return None
    return repr(as_float) if math.isfinite(as_float) and as_float == value else None


def cents_pass(value: float) -> bool:
    """The acceptor's shortcut for ``multipleOf: 0.01``: True only for floats the reporting check
    (``abs(round(value, 2) - value) <= 1e-9``) passes.

    If ``value / 0.01`` is a whole k, value is within 3e-16 of it relative to k/100 (two roundings), and
    ``round(value, 2)`` is the float nearest k/100, within half an ulp: below 1e6 the two differ by less
    than 1e-9 (about 3e-10 at most). ``tests/test_fast_paths.py`` checks the implication on many values.
    """
    return -1e6 < value < 1e6 and (value / 0.01).is_integer()


def _reject(value: Any) -> bool:
    return False


def number_bounds(node: Mapping[str, Any], constraint: FieldConstraint | None) -> tuple[Any, bool, Any, bool]:
    """A number's bounds and whether each is exclusive, from the constraint model (schema narrowed by the
    caller's constraint). Both the acceptor and the validator's reporting check read bounds here."""
    return rules_for(node, constraint).numeric_bounds


def _lengths(node: Mapping[str, Any], constraint: FieldConstraint | None) -> tuple[Any, Any]:
    rules = rules_for(node, constraint)
    return rules.min_length, rules.max_length


def _bounds(expr: str, lo: Any, hi: Any, const: Callable[[Any, str], str]) -> list[str]:
    """Conditions true when ``expr`` is out of [lo, hi] (either may be None)."""
    if lo is not None and hi is not None:  # one chained comparison: ``expr`` (a len() call) runs once
        return [f"not {const(lo, 'L')} <= {expr} <= {const(hi, 'H')}"]
    out = []
    if lo is not None:
        out.append(f"{expr} < {const(lo, 'L')}")
    if hi is not None:
        out.append(f"{expr} > {const(hi, 'H')}")
    return out
