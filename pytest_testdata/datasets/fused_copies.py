"""A ``same_as_ref`` copy of short paths as one generated loop (:func:`short_copier`).

:meth:`SameAsRef.enforce_all <pytest_testdata.datasets.rule_same_as_ref.SameAsRef.enforce_all>` copies a
payment's ``amount``, ``currency``, ``method`` and ``card_last_four`` from its order's ``totals.total``,
``totals.currency``, ``payment.method`` and ``payment.card_last_four``, and an order's two addresses from its
customer's ``addresses.0``: a loop over the rule's pairs for every record, each pair's key, part and index
unpacked and tested again. This module writes that loop's plain-dict branch out once per rule, with the
fields as literals (as :mod:`pytest_testdata.datasets.fused_refs` writes the enforcers that draw), and leaves
every other shape to the rule's own loop. ``tests/datasets/test_fused_copies.py`` holds the two together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from pytest_testdata.datasets.record_index import Record
from pytest_testdata.datasets.rule_base import _SCALAR_TYPES, clone

Copier = Callable[[Sequence[Record], dict[Any, Record], Callable[[Record], None]], None]
"""``copy(records, table, other)``: the copy of each record whose reference finds a record in ``table``, both
plain dicts; ``other(record)`` (the rule's own loop for that record) for a record or referenced record of any
other type."""

Short = tuple[str, str, "str | None", "int | None", Callable[[Any], Any], bool]
"""(field, key, part, index, the referenced path's reader, read by the pair before): ``SameAsRef._short``."""


@functools.lru_cache(maxsize=64)
def short_copier(name: str, short: tuple[Short, ...]) -> Copier:
    """The loop of ``SameAsRef.enforce_all``'s short-path branch (a top-level reference ``name``, every field
    a plain key, every referenced path :func:`~pytest_testdata.datasets.rule_base._short_path`), written out:
    each referenced value read as that branch reads it from a plain dict (a dict's part, a list's item at the
    index when it has one, else the reader), a value read by the pair before not read again, and written as
    a copy (a flat dict: ``copy``; a scalar itself; anything else ``clone``). Cached by its arguments (the
    readers themselves): a rule's loop is written once, whichever chunk asks."""
    consts: dict[str, Any] = {"SC": _SCALAR_TYPES, "clone": clone}
    body = [f"k = r.get({name!r})",
            "if k is None:",
            "    continue",
            "p = table.get(k)",
            "if p is None:",
            "    continue",
            "if type(p) is not dict:",
            "    other(r)",
            "    continue"]
    for j, (local, head, part, at, read, same) in enumerate(short):
        if not same:
            body.append(f"v = p.get({head!r})")
            if part is not None:
                consts[f"READ{j}"] = read
                body += ["if type(v) is dict:", f"    v = v.get({part!r})"]
                if at is not None:
                    body += ["elif type(v) is list:", f"    v = v[{at}] if {at} < len(v) else None"]
                body += ["else:", f"    v = READ{j}(p)"]
            body.append("f = type(v) is dict and set(map(type, v.values())) <= SC")
        body.append(f"r[{local!r}] = v.copy() if f else v if type(v) in SC else clone(v)")
    source = ("def copy(records, table, other):\n"
              "    for r in records:\n"
              "        if type(r) is not dict:\n"
              "            other(r)\n"
              "            continue\n"
              + "".join(f"        {line}\n" for line in body))
    exec(compile(source, "<fused copy>", "exec"), consts)  # our own source
    copy: Copier = consts["copy"]
    copy.source = source  # type: ignore[attr-defined]  # (shown by the tests)
    return copy
