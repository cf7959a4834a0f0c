"""Find, load and look up entity schemas: the built-in six plus the user's files, folders and models.

Files are read when they are added (a syntax error is known at once) but each entity is built on first
use, so a mistake in one entity's schema fails exactly the tests (or the command) that use that entity,
and a large OpenAPI document costs only the entities a run asks for. :meth:`SchemaRegistry.check`
builds everything (``testdata schemas``, the agent at start-up).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pytest_testdata.errors import SchemaError, TestdataUsageError, UnknownEntityError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.sources import ModelBinding, Source, source_from_object
from pytest_testdata.schemas.sources.files import PendingEntity, entities_in_file, files_in
from pytest_testdata.schemas.sources.references import SchemaDocuments


def builtin_schema_dir() -> Path:
    """The folder holding the built-in schema files.

    An installed wheel carries them as ``pytest_testdata/builtin_schemas``; a source checkout (editable
    install) keeps them in the repository's top-level ``schemas/`` folder.
    """
    package_dir = Path(__file__).resolve().parent.parent
    bundled = package_dir / "builtin_schemas"
    return bundled if bundled.is_dir() else package_dir.parent / "schemas"


def entity_key(name: str) -> str:
    """How entity names are compared: ``PaymentIntent``, ``paymentintent`` and ``Payment Intent`` differ
    only in case and spaces, so ``PaymentIntent`` and ``paymentintent`` name the same entity."""
    return name.strip().lower().replace(" ", "_")


@dataclass
class _Entry:
    name: str
    where: str
    build: Callable[[], Schema] | None = None
    schema: Schema | None = None
    error: TestdataUsageError | None = None
    binding: ModelBinding | None = None
    ready: bool = False
    """``build`` reads a shipped view (:mod:`~pytest_testdata.schemas.prebuilt`): no depth setting applies."""


class SchemaRegistry:
    """Schemas by entity name. Later sources override earlier ones (user files override built-ins)."""

    def __init__(self, dirs: Sequence[str | Path] = (), *, builtins: bool = True,
                 max_depth: int | None = None) -> None:
        self.max_depth = max_depth
        """How deep recursive schemas nest (the ``testdata_max_depth`` setting; a schema's ``x-max-depth``
        wins); None: the default, 3."""
        self._entries: dict[str, _Entry] = {}
        self.documents = SchemaDocuments()
        """Documents the schemas' ``$ref``s may name: every JSON Schema file loaded here (by file URI and
        ``$id``) and those given to :meth:`register_document`; nothing is fetched from the network."""
        self.file_errors: list[SchemaError] = []
        """Files that could not be read at all (syntax errors): their entities are unknown."""
        if builtins:
            self.load_dir(builtin_schema_dir(), builtin=True)
        for path in dirs:
            self.load_path(path)

    # --- adding ------------------------------------------------------------------------------------

    def load_path(self, path: str | Path) -> list[str]:
        """Add a schema file or a folder of them; returns the entity names found."""
        target = Path(path)
        if target.is_dir():
            return self.load_dir(target)
        if target.is_file():
            return self.load_file(target)
        raise TestdataUsageError(
            f"schema path {str(path)!r} does not exist. Set testdata_schemas (or --testdata-schemas, or the "
            "command's --schemas) to schema files or folders holding *.json / *.yaml JSON Schema or "
            "OpenAPI documents; relative paths start at the rootdir."
        )

    def load_dir(self, folder: str | Path, *, builtin: bool = False) -> list[str]:
        """Add every ``*.json``, ``*.yaml`` and ``*.yml`` file of a folder (sorted by name).

        ``builtin`` is for this package's own folder (its files skip the meta-schema check)."""
        path = Path(folder)
        if not path.is_dir():
            raise TestdataUsageError(
                f"schema folder {str(folder)!r} does not exist. Set testdata_schemas "
                "(or --testdata-schemas) to folders holding schema files, relative to the rootdir."
            )
        load = self._load_builtin if builtin else self.load_file
        names = [name for file in files_in(path) for name in load(file)]
        if not builtin:
            self._register_nested(path)
        return names

    def _register_nested(self, folder: Path) -> None:
        """Register the documents of ``folder``'s sub-folders (``common/address.json``) by file URI and
        ``$id``: they are not entities, but a schema may name them by their ``$id`` before any relative path
        has led to them. One that cannot be read is a file error like an entity file's."""
        from pytest_testdata.schemas.sources.files import SUFFIXES

        for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.parent != folder
                           and p.suffix.lower() in SUFFIXES):
            try:
                self.documents.add_file(file)
            except SchemaError as exc:
                self.file_errors.append(exc)

    def load_file(self, file: str | Path, *, builtin: bool = False) -> list[str]:
        """Add the entities of one file. A file that cannot be parsed is remembered, not raised: a test
        asking for its entity (the file's name) gets the error, the others run."""
        path = Path(file)
        try:
            pending = entities_in_file(path, builtin=builtin, documents=None if builtin else self.documents)
        except SchemaError as exc:
            self.file_errors.append(exc)
            key = entity_key(path.stem)
            self._entries[key] = _Entry(path.stem, str(path), error=exc)
            return [path.stem]
        for entity in pending:
            self._add_pending(entity)
        return [entity.name for entity in pending]

    def _load_builtin(self, file: Path) -> list[str]:
        """Add a built-in entity file: from its shipped, ready-built view when the file is unchanged since
        that was written (:mod:`~pytest_testdata.schemas.prebuilt`), else as any file (skipping the
        meta-schema check, which the test suite makes)."""
        from pytest_testdata.schemas.prebuilt import prebuilt_entry, schema_from_entry

        try:
            raw = file.read_bytes()
        except OSError:
            return self.load_file(file, builtin=True)  # reports it
        entry = prebuilt_entry(file, raw)
        if entry is None:
            return self.load_file(file, builtin=True)
        name: str = entry["entity"]  # (the file is parsed when the entity is built)
        where = str(file)
        self._entries[entity_key(name)] = _Entry(name, where, build=partial(schema_from_entry, entry, raw, where),
                                                 ready=True)
        return [name]

    def _add_pending(self, entity: PendingEntity) -> None:
        self._entries[entity_key(entity.name)] = _Entry(entity.name, entity.where, build=entity.build)

    def register_document(self, document: Any, *, uri: str | None = None) -> list[str]:
        """Make a document available to the ``$ref``s of schemas loaded here, under ``uri`` and its own
        absolute ``$id`` (returns those URIs). Build in-memory schemas with
        ``Schema.from_json_schema(data, documents=registry.documents)``."""
        return self.documents.add(document, uri=uri)

    def register_documents(self, folder: str | Path, base_uri: str | None = None) -> list[str]:
        """Register every document below ``folder`` at ``base_uri`` + its relative path (and its ``$id``)."""
        return self.documents.add_folder(folder, base_uri)

    def register(self, schema: Schema, binding: ModelBinding | None = None) -> Schema:
        """Add (or replace) a schema, with the binding that turns its records into model instances."""
        self._entries[entity_key(schema.name)] = _Entry(schema.name, schema.source, schema=schema, binding=binding)
        return schema

    def register_source(self, source: Source) -> Schema:
        """Add a :class:`~pytest_testdata.schemas.sources.Source` (schema and binding)."""
        return self.register(source.schema, source.binding)

    def register_model(self, model: Any, *, name: str | None = None) -> Schema:
        """Add a model class (pydantic, dataclass, TypedDict, attrs, or any registered source adapter)."""
        with self.depth():
            return self.register_source(source_from_object(model, name))

    def adopt(self, entity: Any) -> Schema:
        """The schema of a :class:`Schema` or model class, registered under its name on first use.

        Refuses (:class:`TestdataUsageError`) a different schema of a name already taken, so a model named
        like a built-in entity (``Order``) never silently replaces it."""
        with self.depth():
            source = source_from_object(entity)
        schema = source.schema
        if schema.name in self and self.get(schema.name).digest != schema.digest:
            existing = self.get(schema.name)
            raise TestdataUsageError(
                f"entity {schema.name!r} ({schema.source}) would replace the schema of the same name from "
                f"{existing.source}. Give it another name: schema_from_object(model, name='...') "
                "(from pytest_testdata.schemas import schema_from_object)."
            )
        return self.register(schema, source.binding)

    def depth(self) -> contextlib.AbstractContextManager[None]:
        """A context in which schemas load with this registry's ``max_depth``."""
        from pytest_testdata.schemas.sources.jsonschema import max_depth_setting

        return max_depth_setting(self.max_depth)

    def extend(self, schemas: Iterable[Schema]) -> None:
        """Register several schemas."""
        for schema in schemas:
            self.register(schema)

    # --- looking up --------------------------------------------------------------------------------

    def get(self, name: str) -> Schema:
        """The schema of an entity, built on first use.

        Raises :class:`UnknownEntityError` (with a close-match suggestion, and the files that failed to
        load) or the entity's load error.
        """
        entry = self._entries.get(name) or self._entries.get(entity_key(name))
        if entry is None:
            error = UnknownEntityError(name, self.names())
            if self.file_errors:
                error.args = (f"{error} Note: {len(self.file_errors)} schema file(s) could not be read, so their "
                              f"entities are unknown: {' | '.join(str(e) for e in self.file_errors)}",)
            raise error
        return self._built(entry)

    def _built(self, entry: _Entry) -> Schema:
        if entry.schema is not None:
            return entry.schema
        if entry.error is None:
            assert entry.build is not None
            try:
                if entry.ready:  # (the loader, and the setting's module with it, stays unimported)
                    entry.schema = entry.build()
                else:
                    with self.depth():
                        entry.schema = entry.build()
                return entry.schema
            except TestdataUsageError as exc:
                entry.error = exc
            except Exception as exc:
                entry.error = SchemaError(
                    entry.where, "", "schema", f"the schema core failed with {type(exc).__name__}: {exc}",
                    "this is a bug in pytest-testdata: please report it with the schema (other entities are "
                    "not affected)",
                )
        raise entry.error.with_traceback(None)

    def binding(self, name: str) -> ModelBinding | None:
        """How records of an entity become model instances; None for a schema-defined entity."""
        entry = self._entries.get(name) or self._entries.get(entity_key(name))
        return entry.binding if entry is not None else None

    def canonical_name(self, name: str) -> str | None:
        """The name of the entity a spelling asks for (``Pet`` -> ``pet``); None for an unknown name. Builds
        its schema (raising its load error) when it was not built yet."""
        return self.get(name).name if name in self else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._entries or entity_key(name) in self._entries)

    def names(self) -> list[str]:
        """Entity names (as registered, built or not), sorted."""
        return sorted(entry.schema.name if entry.schema is not None else entity_key(entry.name)
                      for entry in self._entries.values())

    def all(self, domain: str | None = None) -> list[Schema]:
        """Every schema, optionally only one domain's, sorted by name; raises the first load error."""
        schemas = [self._built(self._entries[key]) for key in sorted(self._entries)]
        return sorted((s for s in schemas if domain is None or s.domain == domain), key=lambda s: s.name)

    def check(self) -> tuple[list[Schema], list[TestdataUsageError]]:
        """Build every entity: the good schemas and every load error (one per broken entity or file)."""
        good: list[Schema] = []
        errors: list[TestdataUsageError] = []
        for key in sorted(self._entries):
            try:
                good.append(self._built(self._entries[key]))
            except TestdataUsageError as exc:
                errors.append(exc)
        return good, errors


# --- the project's registry (what factory_for and the commands see) -------------------------------------

_project_provider: Callable[[], SchemaRegistry] | None = None
_discovered: dict[tuple[str, ...], SchemaRegistry] = {}


def set_project_registry(provider: Callable[[], SchemaRegistry] | None) -> None:
    """Make ``provider()`` the registry that code outside the fixture (``factory_for``) uses; the plugin
    sets it for the session, so module-level ``factory_for("shipment")`` sees the project's schemas."""
    global _project_provider
    _project_provider = provider


def project_registry() -> SchemaRegistry:
    """The registry of the running pytest session, else the one the current directory's project configures
    (its ini file's ``testdata_schemas``, found as pytest finds the rootdir)."""
    if _project_provider is not None:
        return _project_provider()
    from pytest_testdata.schemas.project import project_schema_paths

    paths = tuple(str(p) for p in project_schema_paths())
    if paths not in _discovered:
        _discovered[paths] = SchemaRegistry(paths)
    return _discovered[paths]
