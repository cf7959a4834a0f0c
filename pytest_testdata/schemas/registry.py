"""Find, load and look up entity schemas: the built-in six plus the user's folders and models."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pytest_testdata.errors import TestdataUsageError, UnknownEntityError
from pytest_testdata.schemas.model import Schema


def builtin_schema_dir() -> Path:
    """The folder holding the built-in schema files.

    An installed wheel carries them as ``pytest_testdata/builtin_schemas``; a source checkout (editable
    install) keeps them in the repository's top-level ``schemas/`` folder.
    """
    package_dir = Path(__file__).resolve().parent.parent
    bundled = package_dir / "builtin_schemas"
    return bundled if bundled.is_dir() else package_dir.parent / "schemas"


class SchemaRegistry:
    """Schemas by entity name. Later sources override earlier ones (user folders override built-ins)."""

    def __init__(self, dirs: Sequence[str | Path] = (), *, builtins: bool = True,
                 max_depth: int | None = None) -> None:
        self._schemas: dict[str, Schema] = {}
        self.max_depth = max_depth
        """How deep recursive schemas nest (a schema's own ``x-max-depth`` wins); None: the default, 3."""
        if builtins:
            self.load_dir(builtin_schema_dir())
        for folder in dirs:
            self.load_dir(folder)

    def load_dir(self, folder: str | Path) -> list[Schema]:
        """Load every ``*.json`` schema file in a folder; raises on a missing folder or bad file."""
        path = Path(folder)
        if not path.is_dir():
            raise TestdataUsageError(
                f"schema folder {str(folder)!r} does not exist. Set testdata_schemas "
                "(or --testdata-schemas) to folders holding *.json schema files, relative to the rootdir."
            )
        loaded = [self.load_file(file) for file in sorted(path.glob("*.json"))]
        return loaded

    def load_file(self, file: str | Path) -> Schema:
        """Load one schema file and register it."""
        path = Path(file)
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise TestdataUsageError(
                f"schema file {str(path)!r} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}."
            ) from None
        name = data.get("x-entity") or data.get("title") or path.stem if isinstance(data, dict) else None
        schema = Schema.from_json_schema(data, source=str(path), name=name, max_depth=self.max_depth)
        return self.register(schema)

    def register(self, schema: Schema) -> Schema:
        """Add (or replace) a schema."""
        self._schemas[schema.name] = schema
        return schema

    def register_model(self, model: type[Any], *, name: str | None = None) -> Schema:
        """Register a pydantic model class as an entity."""
        return self.register(Schema.from_pydantic(model, name=name))

    def get(self, name: str) -> Schema:
        """The schema for an entity; raises :class:`UnknownEntityError` with a close-match suggestion."""
        try:
            return self._schemas[name]
        except KeyError:
            raise UnknownEntityError(name, self._schemas) from None

    def __contains__(self, name: object) -> bool:
        return name in self._schemas

    def names(self) -> list[str]:
        """Entity names, sorted."""
        return sorted(self._schemas)

    def all(self, domain: str | None = None) -> list[Schema]:
        """Every schema, optionally only one domain's, sorted by name."""
        return [s for _, s in sorted(self._schemas.items()) if domain is None or s.domain == domain]

    def extend(self, schemas: Iterable[Schema]) -> None:
        """Register several schemas."""
        for schema in schemas:
            self.register(schema)
