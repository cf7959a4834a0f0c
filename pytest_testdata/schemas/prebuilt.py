"""The built-in entities' schemas as the loader computes them, shipped ready (``schemas/builtin_views.json``).

Loading a schema file resolves its ``$ref``s, upgrades and merges its keywords, and reads what the
validators need from its text: the same work for the same file in every process, some 6 ms of a fresh
process's first ``order``. ``tools/build_schema_views.py`` does it once and writes the results next to this
module, each under its source file's name with the CRC-32 and length of the file's bytes. A built-in file whose bytes
still match is built from there; one edited since (the shipped table not rebuilt) is loaded the long way,
so an edit is never ignored, only slower; ``tests/test_prebuilt_schemas.py`` fails until the table is
rebuilt. The source files stay what users read (``testdata schemas``, the docs).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.sources.vocabulary import json_copy

VIEWS_FILE = Path(__file__).with_name("builtin_views.json")
"""The shipped table: source file name -> its CRC-32 and length, and what :meth:`Schema.from_json_schema` computes."""


def file_check(data: bytes) -> list[int]:
    """What a source file's entry is shipped under: its bytes' CRC-32 and length (an edited file changes
    them; this guards against a table written from another version of the file, not against tampering)."""
    return [zlib.crc32(data), len(data)]


def view_entry(schema: Schema, data: bytes, entity: str) -> dict[str, Any]:
    """What the table holds for one built-in file (``tools/build_schema_views.py`` writes it); ``entity`` is
    the name the file gives its entity, as written (the registry lists it so until it is built)."""
    mentions = schema.__dict__.get("_mentions")
    return {
        "source": file_check(data),
        "entity": entity,
        "name": schema.name,
        "view": schema.json_schema,
        "digest": schema.digest,
        "dialect": schema.dialect,
        "standard": schema.standard,
        "embeds_ids": schema.__dict__.get("_embeds_ids"),
        "mentions": sorted(mentions) if mentions is not None else None,
    }


@cache
def shipped_views() -> Mapping[str, Mapping[str, Any]]:
    """The shipped table, read once per process (empty when the file is missing: every file loads the long way)."""
    try:
        text = VIEWS_FILE.read_text("utf-8")
    except OSError:
        return {}
    table: Mapping[str, Mapping[str, Any]] = json.loads(text)
    return table


def prebuilt_entry(path: Path, data: bytes) -> Mapping[str, Any] | None:
    """The shipped entry of a built-in file whose bytes are ``data``; None when there is none or the file
    changed since the table was written."""
    entry = shipped_views().get(path.name)
    if entry is None or entry.get("source") != file_check(data):
        return None
    return entry


def schema_from_entry(entry: Mapping[str, Any], data: bytes, source: str) -> Schema:
    """The :class:`Schema` :meth:`Schema.from_json_schema` builds from the file's bytes ``data``, from its
    shipped entry. The view and the document are fresh copies, as there (each registry's schema owns its
trees; the coherence rules are the parsed file's), the rest is read as it was computed."""
    document: dict[str, Any] = json.loads(data)  # (the entry was written from these very bytes: an object)
    view: dict[str, Any] = json_copy(entry["view"])
    rules = document.get("x-coherence", [])
    schema = Schema(
        name=entry["name"], json_schema=view, version=document.get("x-version", 1),
        domain=str(document.get("x-domain", "default")), description=str(document.get("description", "")),
        source=source, coherence=tuple(rules), digest=entry["digest"], document=json_copy(document),
        dialect=entry["dialect"], standard=entry["standard"],
    )
    if entry["embeds_ids"] is not None:
        object.__setattr__(schema, "_embeds_ids", entry["embeds_ids"])
    if entry["mentions"] is not None:
        object.__setattr__(schema, "_mentions", frozenset(entry["mentions"]))
    return schema
