"""Values shaped by a schema's own ``examples`` (and a string ``default``) for string fields.

A field that neither a format nor the table of field names explains (GitHub's ``type``, an ``environment``,
a ``sha`` spelled ``head``) would otherwise get a sentence, and a status field a generic status; the schema's
examples say better what its values look like. Two shapes are used, nothing else:

- **tokens** ("User", "open", "refs/heads/main", "v1.2.0"): drawn from the examples as written, as an enum's
  values are: the field is categorical;
- **identifiers of digits or hex digits** ("6dcb09b5b578...", "198772"): fresh ones of the same length and
  alphabet, so values vary as real ones do.

Examples that could reach someone (an email address, a URL), that read as prose, or that belong to a unique
field are left alone: emails and URLs have kinds that draw reserved domains, prose gets sentences, and a
handful of examples cannot stay unique.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_testdata.generators.traditional.fastrand import between, pick

if TYPE_CHECKING:
    from pytest_testdata.generators.traditional.drawers import Draw, RecordState

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/+]{0,63}\Z")
_DIGITS = re.compile(r"[1-9][0-9]{2,39}\Z")
_HEX = re.compile(r"(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,128}\Z")
_HEX_UPPER = re.compile(r"(?=[0-9A-F]*[0-9])(?=[0-9A-F]*[A-F])[0-9A-F]{7,128}\Z")

CATEGORICAL_KINDS = frozenset({"status", "category", "tag", "branch"})
"""Kinds by field name that a schema's token examples override: they guess a category, the examples say it."""


def example_strings(node: Mapping[str, Any]) -> list[str]:
    """The string examples of a schema node (``examples``, then a string ``default``), without repeats."""
    found: list[Any] = []
    raw = node.get("examples")
    if isinstance(raw, list):
        found.extend(raw)
    default = node.get("default")
    if isinstance(default, str):
        found.append(default)
    return list(dict.fromkeys(v for v in found if isinstance(v, str)))


def examples_drawer(node: Mapping[str, Any], *, tokens_only: bool = False) -> Draw | None:
    """A drawer shaped by the node's string examples, or None when they show no shape above (or are absent)."""
    if node.get("x-unique"):
        return None
    strings = example_strings(node)
    if not strings:
        return None
    if not tokens_only:
        if all(_DIGITS.match(s) for s in strings):
            return _digits(tuple(len(s) for s in strings))
        for pattern, upper in ((_HEX, False), (_HEX_UPPER, True)):
            if all(pattern.match(s) for s in strings):
                return _hex(tuple(len(s) for s in strings), upper)
    if all(_TOKEN.match(s) for s in strings) and not all(_HEX.match(s) or _HEX_UPPER.match(s) for s in strings):
        choices = tuple(strings)

        def token(state: RecordState) -> str:
            return pick(state.rng, choices)
        return token
    return None


def _digits(lengths: tuple[int, ...]) -> Draw:
    def digits(state: RecordState) -> str:
        width = pick(state.rng, lengths)
        return str(between(state.rng, 10 ** (width - 1), 10**width - 1))
    return digits


def _hex(lengths: tuple[int, ...], upper: bool) -> Draw:
    spec = "X" if upper else "x"

    def hex_digits(state: RecordState) -> str:
        width = pick(state.rng, lengths)
        return format(state.rng.getrandbits(4 * width), f"0{width}{spec}")
    return hex_digits


__all__ = ["CATEGORICAL_KINDS", "example_strings", "examples_drawer"]
