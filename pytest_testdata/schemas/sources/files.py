"""Schema files: JSON Schema documents and OpenAPI documents, in JSON or YAML.

A file yields one or more *pending entities*: a name and a function that builds the :class:`Schema`.
Entities are built on first use, so a mistake in one entity's schema is reported where that entity is
used, and a large OpenAPI document costs only the entities a run asks for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_testdata.errors import MissingDependencyError, SchemaError
from pytest_testdata.schemas.model import Schema

SUFFIXES = (".json", ".yaml", ".yml")
"""File types read from a schema folder."""


@dataclass(frozen=True)
class PendingEntity:
    """An entity a file defines, built on first use."""

    name: str
    where: str
    """The file (and JSON pointer) that defines it, for listings and messages."""
    build: Callable[[], Schema]


def files_in(folder: Path) -> list[Path]:
    """The schema files of a folder (not its subfolders), sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file; a :class:`SchemaError` naming the line and column on a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(str(path), "", "file", f"the file cannot be read ({exc})",
                          "check the file's permissions and that it is UTF-8") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaError(
                str(path), "", "syntax", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                "fix the syntax there (`python -m json.tool FILE` shows it)",
            ) from None
    return _read_yaml(path, text)


def _read_yaml(path: Path, text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise MissingDependencyError("pyyaml", "openapi", f"reading the YAML schema file {str(path)!r}") from None
    loader = _json_like_loader(yaml)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SchemaError(str(path), "", "syntax", f"not valid YAML: {problem}{where}",
                          "fix the syntax there (indentation, quoting, a missing colon)") from None
    return _string_keys(data)


_LOADERS: dict[str, Any] = {}


def _json_like_loader(yaml: Any) -> Any:
    """A safe loader (libyaml's when it is usable) that leaves dates as strings, as JSON would."""
    key = f"loader-{id(yaml)}"  # one per import of the yaml package (see _libyaml_usable)
    if key not in _LOADERS:
        base = yaml.CSafeLoader if _libyaml_usable(yaml) else yaml.SafeLoader
        resolvers = {first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
                     for first, entries in base.yaml_implicit_resolvers.items()}
        _LOADERS.clear()
        _LOADERS[key] = type("JsonLikeLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    return _LOADERS[key]


def _libyaml_usable(yaml: Any) -> bool:
    """Whether libyaml's parser builds this ``yaml`` package's node classes.

    A C extension is initialised once per process: when the ``yaml`` package is imported a second time (pytest's
    ``pytester`` drops modules an in-process run imported), ``yaml._yaml`` still builds the first import's
    nodes, the new resolver recognises none of them, and every document fails with "could not determine a
    constructor for the tag None". The pure-Python parser has no such state.
    """
    try:
        from yaml import _yaml
    except ImportError:
        return False
    return hasattr(yaml, "CSafeLoader") and getattr(_yaml, "MappingNode", None) is yaml.nodes.MappingNode


def _string_keys(node: Any) -> Any:
    # YAML keys may be numbers or booleans (``200:``, ``on:``); JSON Schema keys are strings.
    if isinstance(node, dict):
        return {(k if isinstance(k, str) else json.dumps(k)): _string_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_string_keys(v) for v in node]
    return node


def entities_in_file(path: Path, *, builtin: bool = False, documents: Any = None) -> list[PendingEntity]:
    """The entities a file defines: one for a JSON Schema, one per object component of an OpenAPI document.

    ``builtin`` marks this package's own entity files: they are not checked against the meta-schema again
    in every process (tests/test_schemas.py checks them), so a first built-in record does not import
    ``jsonschema``. ``documents`` (a :class:`~pytest_testdata.schemas.sources.references.SchemaDocuments`)
    receives a JSON Schema file under its file URI and its ``$id``, and is what its references resolve to."""
    data = read_document(path)
    if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
        from pytest_testdata.schemas.sources.openapi import entities_in_document

        return entities_in_document(data, str(path))
    if not isinstance(data, dict):
        raise SchemaError(str(path), "", "type", f"expected a JSON Schema object at the top, got "
                          f"{type(data).__name__}", "make the file one JSON object describing the entity")
    name = data.get("x-entity") or data.get("title") or path.stem
    if not isinstance(name, str):
        name = path.stem
    uri = path.resolve().as_uri()
    if documents is not None:
        documents.add(data, uri=uri, where=str(path))

    def build() -> Schema:
        return Schema.from_json_schema(data, source=str(path), name=name, meta_checked=builtin, documents=documents,
                                       base_uri=uri)

    return [PendingEntity(name, str(path), build)]
