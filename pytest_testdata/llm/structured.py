"""Structured output: the JSON Schema a model must follow, and reading its (possibly broken) answer.

The model is asked for ``{"records": [...]}`` with exactly the requested number of records. Identifier
fields (``format: uuid``) are left out of what the model writes and assigned here from the seed: a model
spends ~20 tokens on each UUID and small models get their shape wrong, while an identifier carries no
meaning an LLM could add.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Mapping
from typing import Any

from pytest_testdata.quality.constraints_model import constrain
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import FieldConstraint, Record


def record_schema(schema: Schema, constraints: Mapping[str, FieldConstraint]) -> dict[str, Any]:
    """The entity's JSON Schema as the model sees it: no ``x-`` keys or UUID fields, constraints merged in."""
    out = schema.output_schema()
    _drop_uuid_fields(out)
    for path, constraint in constraints.items():
        node = _node_at(out, path)
        if node is not None:
            merged = constrain(node, constraint)  # the constraint model: the schema narrowed by the caller's
            merged.pop("x-unique", None)
            patterns = merged.pop("x-patterns", None)
            if patterns:
                merged["pattern"] = patterns[-1] if "pattern" not in merged else merged["pattern"]
                if merged["pattern"] != patterns[-1]:
                    merged["allOf"] = [*merged.get("allOf", []), *({"pattern": p} for p in patterns)]
            node.clear()
            node.update(merged)
    return out


def answer_schema(item_schema: dict[str, Any], count: int) -> dict[str, Any]:
    """The schema of a whole answer: an object whose ``records`` list holds exactly ``count`` records."""
    return {
        "type": "object",
        "properties": {
            "records": {"type": "array", "items": item_schema, "minItems": count, "maxItems": count}
        },
        "required": ["records"],
        "additionalProperties": False,
    }


def uuid_paths(schema: Schema) -> list[str]:
    """Dotted paths (``items.*.product_id``) of the UUID fields this module fills in."""
    return [path for path, sub in schema.walk() if sub.get("format") == "uuid"]


def assign_ids(record: Record, paths: list[str], rng: random.Random) -> None:
    """Fill the UUID fields of one record from ``rng`` (reproducible for a seed)."""
    for path in paths:
        _fill(record, path.split("."), rng)


def _fill(node: Any, parts: list[str], rng: random.Random) -> None:
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if not rest:
        import uuid  # here, not at the top: the router loads this module on the traditional path too

        node[head] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return
    child = node.get(head)
    if rest[0] == "*":
        for item in child if isinstance(child, list) else []:
            _fill(item, rest[1:], rng)
    else:
        _fill(child, rest, rng)


def _drop_uuid_fields(node: dict[str, Any]) -> None:
    props = node.get("properties")
    if isinstance(props, dict):
        dropped = [
            name for name, sub in props.items() if isinstance(sub, dict) and sub.get("format") == "uuid"
        ]
        for name in dropped:
            del props[name]
        if isinstance(node.get("required"), list):
            node["required"] = [r for r in node["required"] if r not in dropped]
        for sub in props.values():
            if isinstance(sub, dict):
                _drop_uuid_fields(sub)
    items = node.get("items")
    if isinstance(items, dict):
        _drop_uuid_fields(items)


def _node_at(root: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: Any = root
    for part in path.split("."):
        if part == "*":
            node = node.get("items") if isinstance(node, dict) else None
            continue
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or part not in props:
            return None
        node = props[part]
    return node if isinstance(node, dict) else None


def parse_records(reply_data: Any, text: str) -> tuple[list[Any], str | None]:
    """The records in an answer, and a problem description when the answer was not clean JSON.

    Complete records before a cut (an answer stopped at the token limit) are kept: each record is decoded
    on its own, so ``{"records": [{...}, {...}, {"na`` still yields two.
    """
    data = reply_data
    problem = None
    if data is None:
        try:
            # strict=False: a raw newline inside a string (small models write them) is still readable
            data = json.loads(text, strict=False)
        except json.JSONDecodeError as exc:
            salvaged = _salvage(text)
            what = "cut short" if salvaged or text.strip().startswith("{") else "not JSON"
            return salvaged, f"answer was {what} ({exc.msg} at character {exc.pos}): {_clip(text)}"
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        return list(data["records"]), problem
    if isinstance(data, list):
        return list(data), 'answer was a bare list, not {"records": [...]}'
    if isinstance(data, dict) and data:
        return [data], 'answer was a single record, not {"records": [...]}'
    return [], f"answer had no records: {_clip(text)}"


def _salvage(text: str) -> list[Any]:
    start = text.find("[", text.find('"records"') if '"records"' in text else 0)
    if start < 0:
        return []
    decoder = json.JSONDecoder(strict=False)
    records: list[Any] = []
    pos = start + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            return records
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return records
        records.append(value)


def _clip(text: str, limit: int = 160) -> str:
    text = text.strip().replace("\n", " ")
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def deep_copy(record: Record) -> Record:
    """A copy safe to mutate (replayed answers are shared with the cassette)."""
    return copy.deepcopy(record)
