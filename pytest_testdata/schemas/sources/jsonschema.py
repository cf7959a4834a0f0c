"""JSON Schema as users write it, read once into the *generation view* every strategy works from.

:func:`load` takes a document of any supported dialect (``$schema``: 2020-12, the default; 2019-09;
draft-07, -06 and -04) and

1. checks it against its dialect's meta-schema (a registered custom meta-schema is read as its own dialect)
   and refuses keywords it cannot honour (2019-09's ``$recursiveRef``, ``unevaluated*`` inside a ``not``
   beside applicators); embeds the documents its references name (registered ones, never fetched:
   :mod:`~pytest_testdata.schemas.sources.references`);
2. rewrites older dialects' forms into 2020-12 (draft-04 boolean exclusive bounds, ``dependencies``,
   array-form ``items`` / ``additionalItems``, ``$ref`` siblings that drafts up to 07 ignore, ``id``);
3. inlines every reference (``#/$defs/x``, ``#/definitions/x``, ``#/components/schemas/x``, ``#anchor``,
   ``$id``-relative URIs, JSON pointers with ``~0``/``~1`` and percent escapes, ``$dynamicRef`` by the
   dynamic scope of 2020-12: the outermost resource entered that has the ``$dynamicAnchor``); a
   ``unevaluatedProperties`` / ``unevaluatedItems`` beside in-place applicators keeps the expanded parts as
   written (``x-unevaluated``) for the generator to check its merged values against; a recursive reference is
   unrolled ``max_depth`` times (the schema's ``x-max-depth``, else the loader's setting) and the branch
   that would go deeper is cut: an optional property is left out, an array holds no more items, a
   ``oneOf``/``anyOf`` branch is not chosen. When no finite branch exists the schema is refused;
4. merges ``allOf`` (top level too) into one schema, keeping what cannot be merged as a residual
   ``allOf`` the generator checks; ``const`` becomes a one-value ``enum``;
5. checks what no value could satisfy (``minimum`` > ``maximum``, ``minLength`` > ``maxLength``, an
   invalid ``pattern``, an empty type intersection...).

Every refusal is a :class:`~pytest_testdata.errors.SchemaError`: one line naming the file, the JSON
pointer, the keyword and the fix. The view is a plain tree (no ``$ref``), so walking it by dotted path
works as for the built-in entities; validation uses the user's document as written
(:mod:`pytest_testdata.quality.standard`).
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.json_values import membership

DIALECTS: dict[str, str] = {
    "https://json-schema.org/draft/2020-12/schema": "2020-12",
    "https://json-schema.org/draft/2019-09/schema": "2019-09",
    "http://json-schema.org/draft-07/schema": "draft-07",
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
}
_META_HOST = "json-schema.org"
DEFAULT_MAX_DEPTH = 3
"""How many times a recursive reference is unrolled unless the schema (``x-max-depth``) says otherwise."""
MAX_VIEW_NODES = 50_000
"""A bound on the unrolled view; a schema that would exceed it at the asked depth is unrolled less deep."""
_DEPTH: contextvars.ContextVar[int | None] = contextvars.ContextVar("testdata_max_depth", default=None)


@contextlib.contextmanager
def max_depth_setting(depth: int | None) -> Iterator[None]:
    """Schemas loaded inside use ``depth`` (the ``testdata_max_depth`` setting) unless they set their own
    ``x-max-depth``; None keeps :data:`DEFAULT_MAX_DEPTH`."""
    token = _DEPTH.set(depth)
    try:
        yield
    finally:
        _DEPTH.reset(token)


def current_max_depth() -> int:
    """The depth schemas loaded here get when they say nothing (``x-max-depth``) themselves."""
    depth = _DEPTH.get()
    return DEFAULT_MAX_DEPTH if depth is None else depth


# Where subschemas sit (everything else is a value: a property *named* "type" is not a keyword).
ONE = ("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
       "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema")
MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
ANNOTATIONS = frozenset(("title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
                         "$comment", "contentMediaType", "contentEncoding", "contentSchema", "$schema", "$id",
                         "$anchor", "$dynamicAnchor", "$defs", "definitions", "$vocabulary", "format"))


class _Cut:
    """A branch cut because it recursed deeper than the depth bound (no finite value below it)."""

    def __repr__(self) -> str:
        return "<cut>"


CUT: Any = _Cut()


@dataclass(frozen=True)
class Loaded:
    """A loaded document: its dialect, the generation view, and whether recursion was cut."""

    dialect: str
    view: dict[str, Any]
    recursive: bool
    depth: int
    document: dict[str, Any]
    """The document as written, with the documents it references embedded (:func:`references.bundle`)."""


def dialect_of(data: Mapping[str, Any], source: str) -> str:
    """The dialect named by ``$schema`` (2020-12 when absent); refuses an unknown one."""
    raw = data.get("$schema")
    if raw is None:
        return "2020-12"
    key = str(raw).rstrip("#").replace("https://json-schema.org/draft-0", "http://json-schema.org/draft-0")
    if key not in DIALECTS:
        raise SchemaError(source, "/$schema", "$schema", f"{raw!r} is not a JSON Schema dialect this loader reads",
                          f"use one of {', '.join(DIALECTS)} (or leave $schema out for 2020-12)")
    return DIALECTS[key]


def json_copy(node: Any) -> Any:
    """A deep copy of a JSON document (dicts, lists and scalars; anything else through ``copy.deepcopy``),
    several times faster than ``copy.deepcopy`` on the large documents users bring."""
    kind = type(node)
    if kind is dict:
        return {key: json_copy(value) for key, value in node.items()}
    if kind is list:
        return [json_copy(value) for value in node]
    if kind is str or kind is int or kind is float or kind is bool or node is None:
        return node
    return copy.deepcopy(node)


def pointer(*parts: Any) -> str:
    """A JSON pointer from parts, with ``~`` and ``/`` escaped."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def load(data: Mapping[str, Any], source: str, max_depth: int | None = None, *, meta_checked: bool = False,
         documents: Any = None, base_uri: str | None = None) -> Loaded:
    """Check, upgrade and expand a document into its generation view (see the module docstring).

    ``documents`` (a :class:`~pytest_testdata.schemas.sources.references.SchemaDocuments`, a list of documents
    with ``$id`` or a mapping URI -> document) are what references to other documents resolve to;
    ``base_uri`` is where the document was read from (its file URI), the base of its relative references.

    ``meta_checked`` skips the meta-schema check for documents already known to pass it (the built-in
    entity files, which the test suite checks): that check imports ``jsonschema`` and its format
    libraries, about a third of a second a fresh process would pay for its first built-in record.
    """
    from pytest_testdata.schemas.sources.references import as_documents, bundle, custom_dialect

    registered = as_documents(documents)
    dialect = custom_dialect(data, source, registered) or dialect_of(data, source)
    if not meta_checked:
        _check_meta(data, dialect, source)
    written = data
    data = bundle(data, source, dialect, registered, base_uri, check=not meta_checked)
    upgraded = upgrade(json_copy(data), dialect, source, "")
    wanted = data.get("x-max-depth", max_depth if max_depth is not None else current_max_depth())
    if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
        raise SchemaError(source, "/x-max-depth", "x-max-depth", f"expected a whole number of at least 1, got "
                          f"{wanted!r}", "set how many levels a recursive schema may nest, e.g. 3")
    depth = wanted
    while True:
        expander = _Expander(upgraded, source, depth, dialect)
        try:
            view = expander.expand(upgraded, expander.root_base, "", ())
            break
        except _TooBig:
            if depth == 1:
                raise SchemaError(source, "", "$ref", f"the schema expands to more than {MAX_VIEW_NODES:,} "
                                  "subschemas even unrolled once", "split the entity into smaller ones") from None
            depth -= 1
    if view is CUT:
        raise SchemaError(source, "", "$ref", "the schema is recursive with no finite branch: every value would "
                          "contain itself through required properties or non-empty arrays",
                          "make one link of the cycle optional (leave it out of \"required\", allow minItems 0, "
                          "or add a oneOf/anyOf branch without the recursion)")
    if view is False:
        raise SchemaError(source, "", "allOf", "no value satisfies this schema (its parts contradict each other)",
                          "remove the contradiction named in the schema's parts")
    if not isinstance(view, dict):
        view = {}
    if data is not written and _META_HOST in str(data.get("$defs", data.get("definitions"))):
        data = bundle(written, source, dialect, registered, base_uri, check=False, include_meta=False)
    return Loaded(dialect, view, expander.cut_any, depth, data)


# -- 1. the meta-schema ------------------------------------------------------------------------------------

def _check_meta(data: Mapping[str, Any], dialect: str, source: str) -> None:
    from pytest_testdata.schemas.sources.metaschema import check_meta

    check_meta(data, dialect, source)


# -- 2. older dialects into 2020-12 -----------------------------------------------------------------------

def upgrade(node: Any, dialect: str, source: str, ptr: str) -> Any:
    """Rewrite one (sub)schema of ``dialect`` into 2020-12 forms, in place; returns it."""
    if not isinstance(node, dict):
        return node
    if ptr and isinstance(node.get("$schema"), str):  # an embedded resource of another dialect
        dialect = dialect_of(node, source)
    old = dialect in ("draft-04", "draft-06", "draft-07")
    if old and "$ref" in node:
        # Up to draft-07 a $ref's siblings are ignored (keep only what other references may point into).
        for key in [k for k in node if k not in ("$ref", "definitions", "$defs")]:
            del node[key]  # a sibling $id / id too: it does not change the base URI of the $ref
    if dialect == "draft-04":
        if isinstance(node.get("id"), str):
            node["$id"] = node.pop("id")
        for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(node.get(flag), bool) and node.pop(flag) and bound in node:
                node[flag] = node.pop(bound)
    if old or dialect == "2019-09":
        if isinstance(node.get("items"), list):
            node["prefixItems"] = node.pop("items")
            if "additionalItems" in node:
                node["items"] = node.pop("additionalItems")
        else:
            node.pop("additionalItems", None)
    if old and isinstance(node.get("dependencies"), dict):
        for name, dep in node.pop("dependencies").items():
            if isinstance(dep, list):
                node.setdefault("dependentRequired", {})[name] = dep
            else:
                node.setdefault("dependentSchemas", {})[name] = dep
    if old and isinstance(node.get("$id"), str) and node["$id"].startswith("#"):
        node["$anchor"] = node.pop("$id")[1:]  # a plain-name fragment id is an anchor
    if dialect == "2019-09" and ("$recursiveRef" in node or "$recursiveAnchor" in node):
        raise SchemaError(source, ptr + "/$recursiveRef", "$recursiveRef", "2019-09 dynamic recursion is not "
                          "supported", "use \"$ref\" to the recursive definition, or 2020-12 with a static $ref")
    _plain_unevaluated(node)
    negated = node.get("not")
    if isinstance(negated, dict) and any(k in negated for k in ("unevaluatedProperties", "unevaluatedItems")) \
            and any(k in negated for k in _IN_PLACE):
        key = "unevaluatedProperties" if "unevaluatedProperties" in negated else "unevaluatedItems"
        raise SchemaError(source, f"{ptr}/not/{key}", key, f"{key} inside \"not\" beside in-place applicators "
                          "is not supported by the generator (it would have to build the values the applicators "
                          "leave unevaluated)", "describe the excluded shape with additionalProperties / items, "
                          "or state the allowed values directly instead of \"not\"")
    for key, sub in list(node.items()):
        if key in ONE:
            node[key] = upgrade(sub, dialect, source, f"{ptr}/{key}")
        elif key in MAP and isinstance(sub, dict):
            for name in sub:
                sub[name] = upgrade(sub[name], dialect, source, ptr + pointer(key, name))
        elif key in LIST and isinstance(sub, list):
            node[key] = [upgrade(s, dialect, source, f"{ptr}/{key}/{i}") for i, s in enumerate(sub)]
        elif key == "components" and isinstance(sub, dict) and isinstance(sub.get("schemas"), dict):
            for name, s in sub["schemas"].items():
                sub["schemas"][name] = upgrade(s, dialect, source, pointer("components", "schemas", name))
    return node


_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "then", "else", "dependentSchemas", "$ref", "$dynamicRef", "not")


def _plain_unevaluated(node: dict[str, Any]) -> None:
    """``unevaluated*`` in a schema without in-place applicators is ``additionalProperties`` / ``items``
    (which the merge of ``allOf`` parts reads); beside applicators it stays, and the expansion attaches the
    check that judges it (:meth:`_Expander.expand`, ``x-unevaluated``)."""
    if any(k in node for k in _IN_PLACE):
        return
    if "unevaluatedProperties" in node:
        value = node.pop("unevaluatedProperties")
        node.setdefault("additionalProperties", value)
    if "unevaluatedItems" in node and "contains" not in node:  # contains evaluates the items it matches
        value = node.pop("unevaluatedItems")
        node.setdefault("items", value)


def _check_copy(node: Any) -> Any:
    """An expanded (not yet merged) subschema as a plain 2020-12 schema for ``jsonschema``: cut branches
    (never generated) are ``false``."""
    if node is CUT:
        return False
    if isinstance(node, dict):
        return {k: _check_copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_check_copy(v) for v in node]
    return node


# -- 3. references --------------------------------------------------------------------------------------

_RENAMED = {"items": ("prefixItems",), "additionalItems": ("items",),
            "dependencies": ("dependentSchemas", "dependentRequired")}
"""Keywords of older drafts renamed by :func:`upgrade`: a JSON pointer written against the old name."""


class _TooBig(Exception):
    pass


class _Expander:
    def __init__(self, root: dict[str, Any], source: str, max_depth: int, dialect: str) -> None:
        self.root = root
        self.source = source
        self.max_depth = max_depth
        self.dialect = dialect
        self.nodes = 0
        self.cut_any = False
        self.root_base = urldefrag(urljoin("urn:testdata:root", str(root.get("$id", ""))))[0] \
            if isinstance(root.get("$id"), str) else "urn:testdata:root"
        self.resources: dict[str, tuple[Any, str]] = {}
        self.anchors: dict[str, tuple[Any, str, str]] = {}
        self.dynamic_at: dict[str, tuple[Any, str, str]] = {}
        """``$dynamicAnchor``s by resource URI + ``#`` + name."""
        self.scope: list[str] = []
        self.bases: dict[int, str] = {}
        """A resource's base URI by node id (its ``$id`` applied once, whichever way it is reached)."""
        self._index(root, self.root_base, "", top=True)

    # where every resource and anchor lives
    def _index(self, node: Any, base: str, ptr: str, top: bool = False) -> None:
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$id"), str) and not top:
            base = urldefrag(urljoin(base, node["$id"]))[0]
            self.bases[id(node)] = base
        if top or isinstance(node.get("$id"), str):
            self.resources.setdefault(base, (node, ptr))
        if isinstance(node.get("$anchor"), str):
            self.anchors[f"{base}#{node['$anchor']}"] = (node, base, ptr)
        if isinstance(node.get("$dynamicAnchor"), str):
            self.anchors.setdefault(f"{base}#{node['$dynamicAnchor']}", (node, base, ptr))
            self.dynamic_at.setdefault(f"{base}#{node['$dynamicAnchor']}", (node, base, ptr))
        for key, sub in node.items():
            if key in ONE:
                self._index(sub, base, f"{ptr}/{key}")
            elif key in MAP and isinstance(sub, dict):
                for name, s in sub.items():
                    self._index(s, base, ptr + pointer(key, name))
            elif key in LIST and isinstance(sub, list):
                for i, s in enumerate(sub):
                    self._index(s, base, f"{ptr}/{key}/{i}")
            elif key == "components" and isinstance(sub, dict) and isinstance(sub.get("schemas"), dict):
                for name, s in sub["schemas"].items():
                    self._index(s, base, ptr + pointer("components", "schemas", name))

    def resolve(self, ref: str, base: str, ptr: str, keyword: str = "$ref") -> tuple[Any, str, str]:
        """The node a reference names, its base URI and its JSON pointer in the document."""
        full = urljoin(base, ref)
        uri, fragment = urldefrag(full)
        if ref.startswith("#"):
            uri = base
        found = self.resources.get(uri)
        if found is None:
            raise SchemaError(self.source, ptr + "/" + keyword, keyword, f"the reference {ref!r} does not resolve "
                              "(remote documents are not fetched)", "point it at a definition in this file, "
                              "e.g. \"#/$defs/address\"")
        node, where = found
        if fragment and not fragment.startswith("/"):
            anchor = self.anchors.get(f"{uri}#{fragment}")
            if anchor is None:
                raise SchemaError(self.source, ptr + "/" + keyword, keyword, f"the reference {ref!r} names no "
                                  f"$anchor {fragment!r}", f"add \"$anchor\": {fragment!r} to the target schema")
            return anchor
        for part in fragment.split("/")[1:] if fragment else []:
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part not in node and part in _RENAMED:
                part = next((new for new in _RENAMED[part] if new in node), part)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SchemaError(self.source, ptr + "/" + keyword, keyword, f"the reference {ref!r} points at "
                                  "nothing", f"define the target, or correct the pointer (found no {part!r})")
            where = f"{where}/{part}"
            if isinstance(node, dict) and isinstance(node.get("$id"), str):
                uri = urldefrag(urljoin(uri, node["$id"]))[0]
        return node, uri, where

    # the expansion
    def expand(self, node: Any, base: str, ptr: str, stack: tuple[int, ...]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_VIEW_NODES:
            raise _TooBig
        if node is True:
            return {}
        if node is False:
            return False
        if not isinstance(node, dict):
            raise SchemaError(self.source, ptr, ptr.rsplit("/", 1)[-1] or "schema", f"expected a schema (an object "
                              f"or true/false), got {node!r}", "write a JSON Schema object here")
        if isinstance(node.get("$id"), str) and ptr:
            base = self.bases.get(id(node)) or urldefrag(urljoin(base, node["$id"]))[0]
        entered = not self.scope or self.scope[-1] != base
        if entered:  # the dynamic scope: the resources evaluation has entered, outermost first
            self.scope.append(base)
        try:
            return self._expand_schema(node, base, ptr, stack)
        finally:
            if entered:
                self.scope.pop()

    def _dynamic_target(self, ref: str, target: Any, base: str, ptr: str) -> tuple[Any, str, str] | None:
        """Where a ``$dynamicRef`` lands (2020-12): when its static target carries the same
        ``$dynamicAnchor``, the outermost resource in the dynamic scope with that anchor; else None."""
        name = urldefrag(ref)[1]
        if not name or "/" in name or not isinstance(target, dict) or target.get("$dynamicAnchor") != name:
            return None
        for uri in self.scope:
            found = self.dynamic_at.get(f"{uri}#{name}")
            if found is not None:
                return found
        return None

    def _expand_schema(self, node: dict[str, Any], base: str, ptr: str, stack: tuple[int, ...]) -> Any:
        ref_key = "$ref" if "$ref" in node else "$dynamicRef" if "$dynamicRef" in node else None
        if ref_key is not None:
            ref = str(node[ref_key])
            if "unevaluatedProperties" in node or "unevaluatedItems" in node:
                # A reference is an in-place applicator: read it as an allOf part, so that the check of
                # unevaluated* sees the properties / items the referenced schema evaluates.
                rest = {k: v for k, v in node.items() if k != ref_key}
                rest["allOf"] = [*rest.get("allOf", []), {ref_key: ref}]
                return self.expand(rest, base, ptr, stack)
            target, target_base, target_ptr = self.resolve(ref, base, ptr, ref_key)
            if ref_key == "$dynamicRef":
                dynamic = self._dynamic_target(ref, target, base, ptr)
                if dynamic is not None:
                    target, target_base, target_ptr = dynamic
            if stack.count(id(target)) >= self.max_depth:
                self.cut_any = True
                return CUT
            expanded = self.expand(target, target_base, target_ptr, (*stack, id(target)))
            rest = {k: v for k, v in node.items() if k != ref_key}
            if not any(k not in ANNOTATIONS and not k.startswith("x-") for k in rest):
                if isinstance(expanded, dict):
                    extras = {k: v for k, v in rest.items() if k.startswith("x-") or k in ("title", "description")}
                    return {**expanded, **extras}
                return expanded
            own = self.expand(rest, base, ptr, stack)
            return merge_all([expanded, own], self.source, ptr)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$defs", "definitions", "$id", "$anchor", "$dynamicAnchor", "$schema", "$comment",
                       "components", "$vocabulary"):
                continue
            if key in ONE:
                out[key] = self.expand(value, base, f"{ptr}/{key}", stack)
            elif key in MAP and isinstance(value, dict):
                out[key] = {name: self.expand(s, base, ptr + pointer(key, name), stack) for name, s in value.items()}
            elif key in LIST and isinstance(value, list):
                out[key] = [self.expand(s, base, f"{ptr}/{key}/{i}", stack) for i, s in enumerate(value)]
            else:
                out[key] = value
        if "unevaluatedProperties" in out or "unevaluatedItems" in out:
            # What the generator builds from merged parts is judged against the parts as written (annotations
            # of failed branches do not count, an uncle's properties are not evaluated here).
            out["x-unevaluated"] = _check_copy(out)
        return simplify(out, self.source, ptr)


# -- 4. cut branches, allOf, const -----------------------------------------------------------------------

def _impossible(node: Any) -> bool:
    return node is CUT or node is False


def simplify(node: dict[str, Any], source: str, ptr: str) -> Any:
    """Finish one expanded node: drop cut branches, merge allOf, turn const into enum, check bounds.

    Returns CUT when the node cannot be generated without a cut branch, False when nothing satisfies it.
    """
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


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


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
    if _types(node) - {"null"} != {"integer"}:
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


# -- 5. what no value satisfies -----------------------------------------------------------------------------

_PAIRS = (("minimum", "maximum", "a number", "minimum", "maximum"),
          ("minLength", "maxLength", "a string's length", "minLength", "maxLength"),
          ("minItems", "maxItems", "an array's length", "minItems", "maxItems"),
          ("minProperties", "maxProperties", "an object's size", "minProperties", "maxProperties"),
          ("minContains", "maxContains", "the matching items", "minContains", "maxContains"))


def check_bounds(node: Mapping[str, Any], source: str, ptr: str) -> None:
    """Refuse bounds no value meets and patterns that do not compile (``ptr`` names the place)."""
    for lo_key, hi_key, what, lo_name, hi_name in _PAIRS:
        lo, hi = node.get(lo_key), node.get(hi_key)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            raise SchemaError(source, f"{ptr}/{lo_key}", lo_key, f"{lo_name} {lo!r} is greater than {hi_name} "
                              f"{hi!r}, so no value fits {what}", f"lower {lo_name} or raise {hi_name}")
    _check_caps(node, source, ptr)
    lo = node.get("exclusiveMinimum", node.get("minimum"))
    hi = node.get("exclusiveMaximum", node.get("maximum"))
    if _num(lo) and _num(hi) and ("exclusiveMinimum" in node or "exclusiveMaximum" in node) and lo >= hi:
        key = "exclusiveMinimum" if "exclusiveMinimum" in node else "exclusiveMaximum"
        raise SchemaError(source, f"{ptr}/{key}", key, f"the range ({lo!r}, {hi!r}) with an exclusive bound "
                          "holds no number", "widen the range")
    step = node.get("multipleOf")
    if _num(step) and _types(node) - {"null"} == {"integer"} and _num(node.get("minimum")) \
            and _num(node.get("maximum")):
        first = math.ceil(node["minimum"] / step)
        if first * step > node["maximum"]:
            raise SchemaError(source, f"{ptr}/multipleOf", "multipleOf", f"no multiple of {step!r} lies between "
                              f"{node['minimum']!r} and {node['maximum']!r}", "widen the range or change the step")
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        _checked_pattern(pattern, source, f"{ptr}/pattern", "pattern")
    names = node.get("patternProperties")
    if isinstance(names, dict):
        for name in names:
            _checked_pattern(name, source, ptr + pointer("patternProperties", name), "patternProperties")
    fmt_names = node.get("propertyNames")
    if isinstance(fmt_names, dict) and isinstance(fmt_names.get("pattern"), str):
        _checked_pattern(fmt_names["pattern"], source, f"{ptr}/propertyNames/pattern", "pattern")
    if node.get("additionalProperties") is False and isinstance(node.get("required"), list):
        props: Any = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        pats = list(names) if isinstance(names, dict) else []
        for name in node["required"]:
            if name not in props and not any(_search(p, name) for p in pats):
                raise SchemaError(source, f"{ptr}/required", "required", f"{name!r} is required but "
                                  "additionalProperties is false and no property or patternProperties allows it",
                                  f"define {name!r} under properties, or drop it from required")


def _check_caps(node: Mapping[str, Any], source: str, ptr: str) -> None:
    """Refuse lower bounds above what one record may hold (a ``minLength`` of 10**9 would build a gigabyte
    string, or never finish): the same caps as a caller's constraints (``types.MAX_LENGTH``/``MAX_ITEMS``)."""
    from pytest_testdata.types import MAX_ITEMS, MAX_LENGTH

    for key, cap, unit in (("minLength", MAX_LENGTH, "characters"), ("minItems", MAX_ITEMS, "items"),
                           ("minProperties", MAX_ITEMS, "properties"), ("minContains", MAX_ITEMS, "items")):
        bound: Any = node.get(key)
        if _num(bound) and bound > cap:
            raise SchemaError(source, f"{ptr}/{key}", key, f"{key} {bound:,} is above the cap of {cap:,} {unit} "
                              "a generated value may have", f"lower {key} to {cap:,} or less")


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compile_pattern(pattern: str, where: str) -> Any:
    from pytest_testdata.quality.regex import compile_user_regex

    return compile_user_regex(pattern, where)


def _checked_pattern(pattern: str, source: str, ptr: str, keyword: str) -> None:
    """Compile a schema pattern through the linear-time regex module; a refusal names file and pointer."""
    from pytest_testdata.quality.regex import RegexRefused

    try:
        _compile_pattern(pattern, keyword)
    except RegexRefused as exc:
        problem = str(exc).partition(": ")[2] or str(exc)
        raise SchemaError(source, ptr, keyword, problem.rstrip("."),
                          "write a pattern within the documented budget (docs/usage.md)") from None


def _search(pattern: str, text: str) -> bool:
    return bool(_compile_pattern(pattern, "patternProperties").search(text))
