"""Dotted paths into records: ``totals.total``, ``addresses.0.country``, ``addresses.*.country``."""

from __future__ import annotations

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
