"""Finishing an expanded node: cut branches dropped, ``allOf`` merged into one schema, ``const`` read as a
one-value ``enum``, exclusive integer bounds made inclusive, and the bounds checked
(:mod:`~pytest_testdata.schemas.sources.bounds`).

:func:`merge` intersects two schemas; what cannot be combined into one keyword (two patterns, two
``oneOf``s...) stays in a residual ``allOf`` that the generator checks values against.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.bounds import _search, check_bounds
from pytest_testdata.schemas.sources.json_values import membership
from pytest_testdata.schemas.sources.vocabulary import ANNOTATIONS, CUT, _num, _types, pointer


def _impossible(node: Any) -> bool:
    return node is CUT or node is False


_SHAPED = frozenset(("not", "properties", "patternProperties", "dependentSchemas", "additionalProperties", "items",
                     "prefixItems", "contains", "anyOf", "oneOf", "if", "then", "else", "allOf", "const"))
"""The keywords :func:`simplify` may rewrite (a node with none of them, most leaves, only has its bounds
checked)."""


def simplify(node: dict[str, Any], source: str, ptr: str) -> Any:
    """Finish one expanded node: drop cut branches, merge allOf, turn const into enum, check bounds.

    Returns CUT when the node cannot be generated without a cut branch, False when nothing satisfies it.
    """
    if node.keys().isdisjoint(_SHAPED):
        check_bounds(node, source, ptr)
        _integer_bounds(node)
        return node
    if node.get("not") == {}:
        return False  # "not everything": no value
    cut = any(v is CUT for v in node.values())
    props = node.get("properties")
    required = set(node.get("required", ())) if isinstance(node.get("required"), list) else set()
    if isinstance(props, dict):
        for name in [n for n, s in props.items() if _impossible(s)]:
            if name in required:
                if props[name] is CUT:
                    return CUT
                raise SchemaError(source, ptr + pointer("properties", name), name, "the property is required "
                                  "but its schema allows no value", "make it optional or allow a value")
            cut = cut or props[name] is CUT
            del props[name]
            node.setdefault("x-absent", []).append(name)
    for key in ("patternProperties", "dependentSchemas"):
        group = node.get(key)
        if isinstance(group, dict):
            for name in [n for n, s in group.items() if s is CUT]:
                del group[name]
                if key == "dependentSchemas":
                    node.setdefault("x-absent", []).append(name)
    if node.get("additionalProperties") is CUT:
        node["additionalProperties"] = False
    if node.get("items") is CUT:
        node["items"] = False
    prefix = node.get("prefixItems")
    if isinstance(prefix, list) and any(_impossible(s) for s in prefix):
        keep = next(i for i, s in enumerate(prefix) if _impossible(s))
        node["prefixItems"] = prefix[:keep]
        node["maxItems"] = min(keep, node.get("maxItems", keep))
        if node.get("minItems", 0) > keep:
            return CUT if prefix[keep] is CUT else False
    if node.get("items") is False and "type" in node and _types(node) == {"array"}:
        limit = len(node.get("prefixItems", ()))
        if node.get("minItems", 0) > limit:
            return CUT if cut else _unsat(source, ptr, "minItems", f"minItems {node['minItems']} needs more "
                                          f"items than the {limit} allowed", "lower minItems or allow items")
    if node.get("contains") is CUT or node.get("contains") is False:
        was_cut = node["contains"] is CUT
        if node.get("minContains", 1) == 0:
            del node["contains"]
        elif was_cut:
            return CUT
        else:
            # Nothing can be contained: the value is anything but an array.
            del node["contains"]
            kinds = [k for k in (sorted(_types(node)) or ["object", "string", "number", "boolean", "null"])
                     if k != "array"]
            if not kinds:
                return _unsat(source, ptr, "contains", "contains is false, so no array satisfies it, and the type "
                              "allows only arrays", "remove contains or allow another type")
            node["type"] = kinds if len(kinds) > 1 else kinds[0]
    if node.get("not") is CUT:
        del node["not"]
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            kept = [b for b in branches if not _impossible(b)]
            if not kept:
                return CUT if any(b is CUT for b in branches) else _unsat(
                    source, ptr, key, f"every {key} branch is impossible", "fix at least one branch")
            if key == "anyOf" or len(kept) == len(branches):
                node[key] = kept
            else:
                # Cut oneOf branches still count against "exactly one": keep them to check against.
                node[key] = kept
                node.setdefault("x-oneof-cut", True)
    for key in ("then", "else"):
        if node.get(key) is CUT:
            node[key] = False
    if node.get("if") is CUT:
        node["if"] = False
    all_of = node.pop("allOf", None)
    if isinstance(all_of, list):
        if any(s is CUT for s in all_of):
            return CUT
        if any(s is False for s in all_of):
            return _unsat(source, ptr, "allOf", "one allOf part allows no value", "remove it")
        node = merge_all([node, *all_of], source, ptr)
        if not isinstance(node, dict):
            return node
    if "const" in node:
        const = node.pop("const")
        enum = node.get("enum")
        if enum is not None and not any(_same(const, v) for v in enum):
            return _unsat(source, ptr, "const", f"const {const!r} is not in enum", "make them agree")
        node["enum"] = [const]
    check_bounds(node, source, ptr)
    _integer_bounds(node)
    return node


def _unsat(source: str, ptr: str, keyword: str, problem: str, fix: str) -> Any:
    raise SchemaError(source, ptr, keyword, f"unsatisfiable: {problem}", fix)



def _same(a: Any, b: Any) -> bool:
    """JSON equality (1 == 1.0, but True != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and (isinstance(a, (int, float)) == isinstance(b, (int, float)))


def _integer_bounds(node: dict[str, Any]) -> None:
    """Exclusive bounds of an integer become inclusive ones (what the drawers read)."""
    if ("exclusiveMinimum" not in node and "exclusiveMaximum" not in node) or _types(node) - {"null"} != {"integer"}:
        return
    value: Any = node.get("exclusiveMinimum")
    if _num(value):
        del node["exclusiveMinimum"]
        edge = math.floor(value) + 1
        node["minimum"] = max(edge, node["minimum"]) if _num(node.get("minimum")) else edge
    value = node.get("exclusiveMaximum")
    if _num(value):
        del node["exclusiveMaximum"]
        edge = math.ceil(value) - 1
        node["maximum"] = min(edge, node["maximum"]) if _num(node.get("maximum")) else edge


def merge_all(parts: list[Any], source: str, ptr: str) -> Any:
    """The intersection of schemas, as one schema (see :func:`merge`)."""
    out: Any = {}
    for part in parts:
        if part is CUT:
            return CUT
        if part is False:
            return _unsat(source, ptr, "allOf", "a part allows no value", "remove it")
        out = merge(out, part, source, ptr)
    return out


_MAX_KEYS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
_MIN_KEYS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")


def merge(a: dict[str, Any], b: dict[str, Any], source: str, ptr: str) -> Any:
    """Merge ``b`` into ``a`` (both expanded): what both allow. Parts that cannot be combined into one
    keyword (two different patterns, two ``oneOf``s...) stay in a residual ``allOf`` that the generator
    checks values against."""
    out = dict(a)
    residual: list[dict[str, Any]] = list(out.pop("allOf", []))
    for key, value in b.items():
        if key not in out:
            out[key] = value
            continue
        mine = out[key]
        if key == "allOf":
            residual.extend(value)
        elif key == "type":
            left, right = _types({"type": mine}), _types({"type": value})
            both = (left & right) | ({"integer"} if "integer" in left | right and "number" in left | right
                                     and ("integer" in left or "integer" in right) and
                                     ("number" in left or "number" in right) else set())
            if not both:
                return _unsat(source, ptr, "type", f"the types {sorted(left)} and {sorted(right)} share no value",
                              "make the parts agree on a type")
            out[key] = sorted(both)[0] if len(both) == 1 else sorted(both)
        elif key in _MIN_KEYS:
            out[key] = max(mine, value)
        elif key in _MAX_KEYS:
            out[key] = min(mine, value)
        elif key == "required":
            out[key] = list(dict.fromkeys([*mine, *value]))
        elif key == "enum":
            allowed = membership(value)
            both_enum = [v for v in mine if allowed(v)]
            if not both_enum:
                return _unsat(source, ptr, "enum", f"the enums {mine!r} and {value!r} share no value",
                              "make the parts agree on the allowed values")
            out[key] = both_enum
        elif key == "const":
            if not _same(mine, value):
                return _unsat(source, ptr, "const", f"const {mine!r} and const {value!r} differ",
                              "keep one const")
        elif key in ("properties", "patternProperties", "dependentSchemas"):
            merged = dict(mine)
            for name, sub in value.items():
                merged[name] = merge_all([merged[name], sub], source, ptr + pointer(key, name)) \
                    if name in merged else sub
            out[key] = merged
        elif key == "dependentRequired":
            out[key] = {n: list(dict.fromkeys([*mine.get(n, []), *v])) for n, v in {**mine, **value}.items()}
        elif key in ("items", "additionalProperties", "propertyNames", "contains") and isinstance(mine, dict) \
                and isinstance(value, dict):
            if key == "contains":
                residual.append({"contains": value})
            else:
                out[key] = merge_all([mine, value], source, f"{ptr}/{key}")
        elif key in ("items", "additionalProperties") and (mine is False or value is False):
            out[key] = False
        elif key == "prefixItems":
            longer = mine if len(mine) >= len(value) else value
            # Positions past the shorter list must also fit that side's "items" (false: there are none).
            beyond = (a if len(mine) < len(value) else b).get("items", {}) if len(mine) != len(value) else {}
            pairs = enumerate(zip(mine, value, strict=False))
            tail = longer[min(len(mine), len(value)):]
            if beyond is False:
                tail = []
            elif isinstance(beyond, dict) and beyond:
                tail = [merge_all([x, beyond], source, f"{ptr}/{key}/{i}") for i, x in enumerate(tail)]
            out[key] = [merge_all([x, y], source, f"{ptr}/{key}/{i}") for i, (x, y) in pairs] + tail
        elif key == "uniqueItems":
            out[key] = bool(mine) or bool(value)
        elif key == "multipleOf":
            out[key] = _lcm(mine, value)
            if out[key] is None:
                out[key] = mine
                residual.append({"multipleOf": value})
        elif key == "x-unevaluated":
            residual.append(value)  # both checks hold
        elif key in ("unevaluatedProperties", "unevaluatedItems"):
            if value is False or mine is False:  # a generation hint (the checks judge): the stricter
                out[key] = False
        elif key.startswith("x-") or key in ANNOTATIONS - {"format"}:
            continue  # the first part's annotation stays
        elif _same(mine, value):
            continue
        else:
            residual.append({key: value})
    _closed_to(out, a, source, ptr)
    _closed_to(out, b, source, ptr)
    if residual:
        out["allOf"] = residual
    return out


def _lcm(a: Any, b: Any) -> Any:
    """The least common multiple of two steps (``0.2`` and ``0.5`` -> ``1``), or None when not exact."""
    from fractions import Fraction
    from math import gcd, lcm

    fa, fb = Fraction(str(a)), Fraction(str(b))
    if fa <= 0 or fb <= 0:
        return None
    both = Fraction(lcm(fa.numerator, fb.numerator), gcd(fa.denominator, fb.denominator))
    if both.denominator == 1:
        return int(both)
    value = float(both)
    return value if Fraction(str(value)) == both else None


def _closed_to(out: dict[str, Any], side: Mapping[str, Any], source: str, ptr: str) -> None:
    """A part with ``additionalProperties: false`` allows only its own properties: leave the others out."""
    if side.get("additionalProperties") is not False or not isinstance(out.get("properties"), dict):
        return
    own: Any = side.get("properties") if isinstance(side.get("properties"), dict) else {}
    patterns = list(side.get("patternProperties", {})) if isinstance(side.get("patternProperties"), dict) else []
    required = set(out.get("required", ()))
    for name in list(out["properties"]):
        if name in own or any(_search(p, name) for p in patterns):
            continue
        if name in required:
            _unsat(source, ptr, "additionalProperties", f"{name!r} is required but another part allows no "
                   "properties beyond its own", f"declare {name!r} in that part too")
        del out["properties"][name]
        out.setdefault("x-absent", []).append(name)

