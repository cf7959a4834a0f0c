"""Reference expansion: every ``$ref`` / ``$dynamicRef`` of a (bundled, upgraded) document inlined into the
generation view.

References resolve by ``$id``-relative URI, ``$anchor``, JSON pointer (``~0``/``~1`` and percent escapes,
pointers written against older drafts' keyword names) and, for ``$dynamicRef``, the dynamic scope of 2020-12
(the outermost resource entered that has the ``$dynamicAnchor``). A recursive reference is unrolled
``max_depth`` times and the branch that would go deeper is :data:`~pytest_testdata.schemas.sources.vocabulary.CUT`;
each expanded node is finished by :func:`~pytest_testdata.schemas.sources.merging.simplify`. A
``unevaluated*`` beside in-place applicators keeps the expanded parts as written (``x-unevaluated``) for the
generator to check its merged values against.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.merging import merge_all, simplify
from pytest_testdata.schemas.sources.vocabulary import ANNOTATIONS, CUT, LIST, MAP, ONE, child, pointer

MAX_VIEW_NODES = 50_000
"""A bound on the unrolled view; a schema that would exceed it at the asked depth is unrolled less deep."""
REUSE_AFTER = 5_000
"""Subschemas expanded before a reference target's expansion is kept for reuse (:meth:`_Expander._expand_target`):
a large view (a meta-schema unrolled) gains; in a small one the copies kept cost the garbage collector more
than they save."""


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


def _view_copy(node: Any) -> Any:
    """A copy of an expanded subschema: its dicts and lists new, everything else (the cut-branch marker
    included) the same object."""
    kind = type(node)
    if kind is dict:
        return {key: _view_copy(value) for key, value in node.items()}
    if kind is list:
        return [_view_copy(value) for value in node]
    return node


# -- 3. references --------------------------------------------------------------------------------------

_RENAMED = {"items": ("prefixItems",), "additionalItems": ("items",),
            "dependencies": ("dependentSchemas", "dependentRequired")}
"""Keywords of older drafts renamed by :func:`upgrade`: a JSON pointer written against the old name."""


_NOT_IN_VIEW = frozenset(("$defs", "definitions", "$id", "$anchor", "$dynamicAnchor", "$schema", "$comment",
                          "components", "$vocabulary"))
"""Keywords the generation view leaves out (where references pointed, identifiers, comments)."""


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
        self._resolved: dict[tuple[str, str], tuple[Any, str, str]] = {}
        """Resolved references by (reference, base URI): a schema that refers to the same definition from
        many places (a meta-schema: tens of thousands of times) joins and splits its URIs once."""
        self._expanded: dict[tuple[Any, ...], tuple[Any, int, bool]] = {}
        """Expanded reference targets by (target, base URI, references above it, dynamic scope)."""
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
                    self._index(s, base, child(ptr, key, name))
            elif key in LIST and isinstance(sub, list):
                for i, s in enumerate(sub):
                    self._index(s, base, f"{ptr}/{key}/{i}")
            elif key == "components" and isinstance(sub, dict) and isinstance(sub.get("schemas"), dict):
                for name, s in sub["schemas"].items():
                    self._index(s, base, ptr + pointer("components", "schemas", name))

    def resolve(self, ref: str, base: str, ptr: str, keyword: str = "$ref") -> tuple[Any, str, str]:
        """The node a reference names, its base URI and its JSON pointer in the document."""
        found = self._resolved.get((ref, base))
        if found is None:  # a reference resolves the same wherever it is written (ptr only names it in errors)
            found = self._resolved[(ref, base)] = self._resolve(ref, base, ptr, keyword)
        return found

    def _resolve(self, ref: str, base: str, ptr: str, keyword: str) -> tuple[Any, str, str]:
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
        # The fragment, as urldefrag() finds it (after the first "#"), without parsing the URI each time.
        name = ref.partition("#")[2] if ref.isprintable() else urldefrag(ref)[1]
        if not name or "/" in name or not isinstance(target, dict) or target.get("$dynamicAnchor") != name:
            return None
        for uri in self.scope:
            found = self.dynamic_at.get(f"{uri}#{name}")
            if found is not None:
                return found
        return None

    def _expand_target(self, target: Any, base: str, ptr: str, stack: tuple[int, ...]) -> Any:
        """A reference's target, expanded (past :data:`REUSE_AFTER` subschemas, a copy of the expansion done
        before when the same target is reached again with the same references above it and the same dynamic
        scope: the same schema comes out)."""
        if self.nodes < REUSE_AFTER:
            return self.expand(target, base, ptr, (*stack, id(target)))
        key = (id(target), base, stack, tuple(self.scope))
        done = self._expanded.get(key)
        if done is not None:
            expanded, nodes, cut = done
            self.nodes += nodes  # counted as if expanded again: the bound (and so the depth) stays the same
            if self.nodes > MAX_VIEW_NODES:
                raise _TooBig
            self.cut_any = self.cut_any or cut
            return _view_copy(expanded)
        nodes, cut_before = self.nodes, self.cut_any
        self.cut_any = False
        expanded = self.expand(target, base, ptr, (*stack, id(target)))
        cut = self.cut_any
        self.cut_any = cut_before or cut
        # Kept as a copy: what is returned is the caller's to merge and change.
        self._expanded[key] = (_view_copy(expanded), self.nodes - nodes, cut)
        return expanded

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
            expanded = self._expand_target(target, target_base, target_ptr, stack)
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
            if key in _NOT_IN_VIEW:
                continue
            if key in ONE:
                out[key] = self.expand(value, base, f"{ptr}/{key}", stack)
            elif key in MAP and isinstance(value, dict):
                out[key] = {name: self.expand(s, base, child(ptr, key, name), stack) for name, s in value.items()}
            elif key in LIST and isinstance(value, list):
                out[key] = [self.expand(s, base, f"{ptr}/{key}/{i}", stack) for i, s in enumerate(value)]
            else:
                out[key] = value
        if "unevaluatedProperties" in out or "unevaluatedItems" in out:
            # What the generator builds from merged parts is judged against the parts as written (annotations
            # of failed branches do not count, an uncle's properties are not evaluated here).
            out["x-unevaluated"] = _check_copy(out)
        return simplify(out, self.source, ptr)

