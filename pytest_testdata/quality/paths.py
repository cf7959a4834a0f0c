"""Dotted paths into records: ``totals.total``, ``addresses.0.country``, ``addresses.*.country``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MISSING = object()


def get_all(record: Any, path: str) -> list[Any]:
    """Every value at a path (``*`` fans out over a list); missing parts give no value."""
    nodes = [record]
    for part in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            if part == "*":
                if isinstance(node, list):
                    nxt.extend(node)
            elif isinstance(node, dict):
                if part in node:
                    nxt.append(node[part])
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                nxt.append(node[int(part)])
        nodes = nxt
    return nodes


def get(record: Any, path: str, default: Any = None) -> Any:
    """The first value at a path, or ``default``."""
    values = get_all(record, path)
    return values[0] if values else default


def set_all(record: Any, path: str, value: Any) -> None:
    """Set the value at a path (``*`` sets it in every list element); missing parents are skipped."""
    head, _, last = path.rpartition(".")
    parents = get_all(record, head) if head else [record]
    for parent in parents:
        if isinstance(parent, dict):
            parent[last] = value
        elif isinstance(parent, list):
            if last == "*":
                for i in range(len(parent)):
                    parent[i] = value
            elif last.isdigit() and int(last) < len(parent):
                parent[int(last)] = value


# Compiled accessors. Coherence rules read the same few paths of every record, and splitting the path and
# walking it generically costs more than the check itself. These return functions equal to ``get`` /
# ``get_all`` / ``set_all`` for one path; plain records take a direct route, anything unusual (dict
# subclasses, odd types on the way) goes through the generic walkers above, so results never differ.

Getter = Callable[[Any], Any]


def _plain_parts(path: str) -> list[tuple[str, int | None]] | None:
    """Each part of a path with its list index (or None); None when only the walker will do."""
    parts: list[tuple[str, int | None]] = []
    for part in path.split("."):
        if part == "*":
            return None
        if part.isdigit() and not part.isascii():
            return None  # "²" is a digit to str.isdigit but not to int(): leave it to the walker
        parts.append((part, int(part) if part.isdigit() else None))
    return parts


def getter(path: str) -> Getter:
    """A function equal to ``lambda record: get(record, path)``."""
    parts = _plain_parts(path)
    if parts is None:
        return lambda record: get(record, path)
    if len(parts) == 1:
        key = path

        def get_key(record: Any) -> Any:
            if type(record) is dict:
                return record.get(key)
            return get(record, path)
        return get_key

    if len(parts) == 2:
        return _two_part_getter(path, parts)
    if len(parts) == 3:
        return _three_part_getter(path, parts)

    def get_path(record: Any) -> Any:
        node = record
        for key, index in parts:
            kind = type(node)
            if kind is dict:
                if key not in node:
                    return None
                node = node[key]
            elif kind is list:
                if index is None or index >= len(node):
                    return None
                node = node[index]
            else:
                return get(record, path)
        return node
    return get_path


def _two_part_getter(path: str, parts: list[tuple[str, int | None]]) -> Getter:
    """``get_path`` of :func:`getter` for a path of two parts (``totals.total``, the money an order's rules
    and its cent cleaner read again and again): a dict in a dict read with two ``get``s, any other shape by
    the same steps as ``get_path``."""
    (k0, i0), (k1, i1) = parts

    def get_two(record: Any) -> Any:
        node: Any
        if type(record) is dict:
            node = record.get(k0)
            if type(node) is dict:
                return node.get(k1)
            if k0 not in record:
                return None
        elif type(record) is list:
            if i0 is None or i0 >= len(record):
                return None
            node = record[i0]
        else:
            return get(record, path)
        kind = type(node)
        if kind is dict:
            return node.get(k1)
        if kind is list:
            if i1 is None or i1 >= len(node):
                return None
            return node[i1]
        return get(record, path)
    return get_two


def _three_part_getter(path: str, parts: list[tuple[str, int | None]]) -> Getter:
    """``get_path`` of :func:`getter` unrolled for a path of three parts (``addresses.0.country``, the paths
    most coherence rules read): the same steps, without the loop."""
    (k0, i0), (k1, i1), (k2, i2) = parts

    def get_three(record: Any) -> Any:
        node = record
        kind = type(node)
        if kind is dict:
            if k0 not in node:
                return None
            node = node[k0]
        elif kind is list:
            if i0 is None or i0 >= len(node):
                return None
            node = node[i0]
        else:
            return get(record, path)
        kind = type(node)
        if kind is dict:
            if k1 not in node:
                return None
            node = node[k1]
        elif kind is list:
            if i1 is None or i1 >= len(node):
                return None
            node = node[i1]
        else:
            return get(record, path)
        kind = type(node)
        if kind is dict:
            if k2 not in node:
                return None
            return node[k2]
        if kind is list:
            if i2 is None or i2 >= len(node):
                return None
            return node[i2]
        return get(record, path)
    return get_three


def all_getter(path: str) -> Callable[[Any], list[Any]]:
    """A function equal to ``lambda record: get_all(record, path)``."""
    head, star, tail = path.partition(".*.")
    simple = star and not any(c in head + tail for c in ".*") and not tail.isdigit()
    if not simple:
        parts = _plain_parts(path)
        return _one_path(path, parts) if parts is not None else lambda record: get_all(record, path)

    def get_each(record: Any) -> list[Any]:
        # "addresses.*.country": one key, then every element of a list, then one key of each; the same
        # operations get_all performs, without splitting the path for every record.
        if isinstance(record, dict):
            if head not in record:
                return []
            items = record[head]
            if not isinstance(items, list):
                return []
            return [item[tail] for item in items if isinstance(item, dict) and tail in item]
        return get_all(record, path)
    return get_each


def _one_path(path: str, parts: list[tuple[str, int | None]]) -> Callable[[Any], list[Any]]:
    """``get_all`` of a path with no ``*`` (``totals.subtotal``): at most one value, walked without splitting."""
    def get_one(record: Any) -> list[Any]:
        node = record
        for key, index in parts:
            kind = type(node)
            if kind is dict:
                if key not in node:
                    return []
                node = node[key]
            elif kind is list:
                if index is None or index >= len(node):
                    return []
                node = node[index]
            else:
                return get_all(record, path)
        return [node]
    if len(parts) == 1:
        (key, _), = parts

        def get_top(record: Any) -> list[Any]:
            # a top-level key of a dict: one lookup; any other shape by get_one's steps
            if type(record) is dict:
                return [record[key]] if key in record else []
            return get_one(record)
        return get_top
    if len(parts) != 2:
        return get_one
    (k0, _), (k1, _) = parts

    def get_two(record: Any) -> list[Any]:
        # "totals.total", a dict in a dict: two lookups; any other shape by get_one's steps
        if type(record) is dict:
            node = record.get(k0)
            if type(node) is dict:
                return [node[k1]] if k1 in node else []
        return get_one(record)
    return get_two


Setter = Callable[[Any, Any], None]


def setter(path: str) -> Setter:
    """A function equal to ``lambda record, value: set_all(record, path, value)``."""
    head, star, tail = path.partition(".*.")
    if star and not any(c in head + tail for c in ".*") and not tail.isdigit():
        def set_each(record: Any, value: Any) -> None:
            # "addresses.*.country": the steps set_all takes for this shape, without re-parsing the path.
            if not isinstance(record, dict):
                set_all(record, path, value)
            elif head in record and isinstance(record[head], list):
                for item in record[head]:
                    if isinstance(item, dict):
                        item[tail] = value
        return set_each
    if "." in path:
        head, _, last = path.rpartition(".")
        parts = _plain_parts(head) if last != "*" else None
        if parts is None:
            return lambda record, value: set_all(record, path, value)
        parents_of = _one_path(head, parts)
        if len(parts) == 1:
            return _two_part_setter(path, head, last, _set_path_of(parents_of, last))
        return _set_path_of(parents_of, last)

    def set_key(record: Any, value: Any) -> None:
        if type(record) is dict:
            record[path] = value
        else:
            set_all(record, path, value)
    return set_key


def _set_path_of(parents_of: Callable[[Any], list[Any]], last: str) -> Setter:
    """set_all's steps for a path with no ``*``: its one parent (if any, found by ``parents_of``), then the
    last key or index."""

    def set_path(record: Any, value: Any) -> None:
        for parent in parents_of(record):
            if isinstance(parent, dict):
                parent[last] = value
            elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
                parent[int(last)] = value
    return set_path


def _two_part_setter(path: str, head: str, last: str, general: Setter) -> Setter:
    """The setter of a path of two parts (``totals.total``): a dict in a dict written with one ``get``, any
    other shape by the general steps."""

    def set_two(record: Any, value: Any) -> None:
        if type(record) is dict:
            node = record.get(head)
            if type(node) is dict:
                node[last] = value
                return
        general(record, value)
    return set_two
