"""Documents a schema may reference by URI (``"$ref": "address.json"``, ``"$ref": "https://example.com/a.json"``).

A user's schemas often refer to other files or to ``$id`` URLs. Nothing is ever fetched from the network:
a reference resolves only to a document the user registered

- every JSON Schema file of a ``testdata_schemas`` folder (by its file location and by its ``$id``),
- documents given to :meth:`SchemaDocuments.add` / ``Schema.from_json_schema(..., documents=...)`` /
  :meth:`~pytest_testdata.schemas.registry.SchemaRegistry.register_document`,
- a folder served under a base URI (:meth:`SchemaDocuments.add_folder`), as the JSON-Schema-Test-Suite
  serves its ``remotes`` folder under ``http://localhost:1234/``,
- a file next to the referring file (a relative reference from a schema loaded from a file),
- the JSON Schema meta-schemas (the ``jsonschema`` library ships them).

:func:`bundle` embeds every document a schema reaches into the schema's own ``$defs`` (``definitions``
before 2019-09) under its URI as ``$id``: the standard's *compound document*, which every validator and
the generator resolve without any registry. A reference to a document that is not registered is one
:class:`~pytest_testdata.errors.SchemaError` naming the URL and how to register it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from pytest_testdata.errors import SchemaError, TestdataUsageError
from pytest_testdata.schemas.sources.dialects import DIALECTS
from pytest_testdata.schemas.sources.vocabulary import child, pointer


def _url2pathname(path: str) -> str:
    """``urllib.request.url2pathname``, imported on first use: urllib.request brings http.client and the
    email package (about 30 ms), which loading a schema without a ``file:`` reference never needs."""
    from urllib.request import url2pathname

    return url2pathname(path)


ROOT_URI = "urn:testdata:root"
"""The base URI of a document that has no ``$id`` and was not read from a file."""
_OLD = ("draft-04", "draft-06", "draft-07")
_ONE = frozenset(("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
                  "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"))
_MAP = frozenset(("properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "dependencies"))
_LIST = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))


class SchemaDocuments:
    """Documents by absolute URI (without fragment), for references between schemas.

    Example::

        documents = SchemaDocuments()
        documents.add({"$id": "https://example.com/address.json", "type": "object"})
        Schema.from_json_schema(customer, documents=documents)
    """

    def __init__(self, documents: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] = ()) -> None:
        self._by_uri: dict[str, tuple[Any, str]] = {}
        if isinstance(documents, Mapping):
            for uri, document in documents.items():
                self.add(document, uri=uri)
        else:
            for document in documents:
                self.add(document)

    def add(self, document: Any, *, uri: str | None = None, where: str = "<memory>") -> list[str]:
        """Register a document under ``uri`` and under its own absolute ``$id``; returns the URIs.

        Raises :class:`TestdataUsageError` when the document has neither (nothing could refer to it)."""
        uris: list[str] = []
        base = urldefrag(uri)[0] if uri else ""
        if base:
            uris.append(base)
        own = _own_id(document)
        if own is not None:
            full = urldefrag(urljoin(base, own))[0]
            if _absolute(full) and full not in uris:
                uris.append(full)
        if not uris:
            raise TestdataUsageError(
                f"schema document {where}: it has no absolute \"$id\" and no URI was given, so no reference "
                "can name it. Give it an \"$id\" such as \"https://example.com/schemas/address.json\", or "
                "pass uri=... when registering it.")
        for each in uris:
            self._by_uri[each] = (document, where)
        return uris

    def add_file(self, path: str | Path, *, uri: str | None = None) -> list[str]:
        """Register a JSON / YAML file under its file URI (or ``uri``) and its ``$id``."""
        from pytest_testdata.schemas.sources.files import read_document

        file = Path(path).resolve()
        return self.add(read_document(file), uri=uri or file.as_uri(), where=str(file))

    def add_folder(self, folder: str | Path, base_uri: str | None = None) -> list[str]:
        """Register every ``*.json`` / ``*.yaml`` file below ``folder`` (sub-folders too), each at
        ``base_uri`` + its relative path (its file URI when ``base_uri`` is None) and at its ``$id``."""
        from pytest_testdata.schemas.sources.files import SUFFIXES

        root = Path(folder).resolve()
        if not root.is_dir():
            raise TestdataUsageError(f"schema documents: {str(folder)!r} is not a folder. Pass the folder that "
                                     "holds the referenced *.json / *.yaml documents.")
        prefix = base_uri if base_uri is None or base_uri.endswith("/") else base_uri + "/"
        uris: list[str] = []
        for file in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
            relative = file.relative_to(root).as_posix()
            uris += self.add_file(file, uri=None if prefix is None else prefix + relative)
        return uris

    def get(self, uri: str) -> tuple[Any, str] | None:
        """``(document, where it came from)`` for an absolute URI, or None."""
        return self._by_uri.get(uri)

    def uris(self) -> list[str]:
        """Every registered URI."""
        return sorted(self._by_uri)

    def __len__(self) -> int:
        return len(self._by_uri)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri


def as_documents(documents: Any) -> SchemaDocuments | None:
    """``documents`` as given to ``Schema.from_json_schema`` (a :class:`SchemaDocuments`, a list of
    documents with ``$id``, a mapping URI -> document, or None)."""
    if documents is None or isinstance(documents, SchemaDocuments):
        return documents
    return SchemaDocuments(documents)


def _own_id(document: Any) -> str | None:
    if not isinstance(document, Mapping):
        return None
    own = document.get("$id", document.get("id") if _dialect(document, "") == "draft-04" else None)
    return own if isinstance(own, str) and not own.startswith("#") else None


def _absolute(uri: str) -> bool:
    return bool(urlsplit(uri).scheme)


def _dialect(node: Mapping[str, Any], inherited: str) -> str:
    raw = node.get("$schema")
    if not isinstance(raw, str):
        return inherited
    key = raw.rstrip("#").replace("https://json-schema.org/draft-0", "http://json-schema.org/draft-0")
    return DIALECTS.get(key, inherited)


def _subschemas(node: Mapping[str, Any], ptr: str) -> Iterator[tuple[Any, str]]:
    for key, sub in node.items():
        if key in _ONE:
            if isinstance(sub, list):  # draft-07 and older: items as an array
                yield from ((s, f"{ptr}/{key}/{i}") for i, s in enumerate(sub))
            else:
                yield sub, f"{ptr}/{key}"
        elif key in _MAP and isinstance(sub, dict):
            yield from ((s, child(ptr, key, name)) for name, s in sub.items() if isinstance(s, (dict, bool)))
        elif key in _LIST and isinstance(sub, list):
            yield from ((s, f"{ptr}/{key}/{i}") for i, s in enumerate(sub))
        elif key == "components" and isinstance(sub, dict) and isinstance(sub.get("schemas"), dict):
            yield from ((s, ptr + pointer("components", "schemas", n)) for n, s in sub["schemas"].items())


def _walk(node: Any, base: str, dialect: str, ptr: str, ids: set[str],
          refs: list[tuple[str, str, str, str]], top: bool = False) -> None:
    """Collect the resource URIs (``ids``) and the references ``(ref, base, pointer, keyword)`` of a tree."""
    if not isinstance(node, dict):
        return
    dialect = _dialect(node, dialect) if not top else dialect
    old = dialect in _OLD
    own = node.get("id" if dialect == "draft-04" else "$id")
    if isinstance(own, str) and not own.startswith("#") and not (old and "$ref" in node) and not top:
        base = urldefrag(urljoin(base, own))[0]
        ids.add(base)
    for keyword in ("$ref", "$dynamicRef"):
        if isinstance(node.get(keyword), str):
            refs.append((node[keyword], base, ptr, keyword))
    for sub, where in _subschemas(node, ptr):
        if old and "$ref" in node and not where.startswith((f"{ptr}/definitions", f"{ptr}/$defs")):
            continue  # up to draft-07 a $ref's siblings are ignored
        _walk(sub, base, dialect, where, ids, refs)


def _meta_document(uri: str) -> Any:
    """A JSON Schema meta-schema (or vocabulary meta-schema) the ``jsonschema`` library ships, or None."""
    if "json-schema.org" not in uri:
        return None
    try:
        from jsonschema_specifications import REGISTRY
    except ImportError:  # pragma: no cover - a dependency of jsonschema
        return None
    for each in (uri, uri + "#"):
        try:
            return REGISTRY.contents(each)
        except LookupError:
            continue
    return None


class _FileRefused(Exception):
    """A ``file:`` reference met inside :func:`no_file_documents`."""


_NO_FILES: contextvars.ContextVar[str | None] = contextvars.ContextVar("testdata_no_file_documents", default=None)


@contextlib.contextmanager
def no_file_documents(why: str) -> Iterator[None]:
    """Documents loaded inside may not read files through ``file:`` references (``why`` says so in the
    error): the agent compiling a schema a caller sent must not read its own disk for the caller."""
    token = _NO_FILES.set(why)
    try:
        yield
    finally:
        _NO_FILES.reset(token)


def _file_document(uri: str) -> tuple[Any, str] | None:
    """A file a relative reference names next to the referring file (``file:`` URIs only)."""
    if urlsplit(uri).scheme != "file":
        return None
    refused = _NO_FILES.get()
    if refused is not None:
        raise _FileRefused(refused)
    path = Path(_url2pathname(urlsplit(uri).path))
    if not path.is_file():
        return None
    from pytest_testdata.schemas.sources.files import read_document

    return read_document(path), str(path)


def bundle(data: Mapping[str, Any], source: str, dialect: str, documents: SchemaDocuments | None = None,
           base_uri: str | None = None, *, check: bool = True, include_meta: bool = True) -> dict[str, Any]:
    """``data`` with every document it references (transitively) embedded under its URI, or ``data`` itself
    when it references nothing outside itself.

    ``base_uri`` is where the document was read from (its file URI); relative references start there unless
    the document has an ``$id``. ``check`` checks each embedded document against its dialect's meta-schema.
    ``include_meta`` False leaves the standard meta-schemas out (every validator knows them).
    """
    root_base = urldefrag(urljoin(base_uri or ROOT_URI, _own_id(data) or ""))[0] if _own_id(data) or base_uri \
        else ROOT_URI
    ids: set[str] = {root_base}
    refs: list[tuple[str, str, str, str]] = []
    _walk(data, root_base, dialect, "", ids, refs, top=True)
    embedded: dict[str, Any] = {}
    home = "definitions" if dialect in _OLD else "$defs"
    while refs:
        ref, base, ptr, keyword = refs.pop(0)
        full = urldefrag(urljoin(base, ref))[0] if not ref.startswith("#") else base
        if full in ids:
            continue
        found = documents.get(full) if documents is not None else None
        if found is None:
            meta = _meta_document(full)
            try:
                found = (meta, full) if meta is not None else _file_document(full)
            except _FileRefused as exc:
                raise SchemaError(source, f"{ptr}/{keyword}", keyword, f"the reference {ref!r} names the file "
                                  f"{full!r}, and {exc}", "embed the document it names (in \"$defs\")") from None
        if found is None:
            raise SchemaError(source, f"{ptr}/{keyword}", keyword, f"the reference {ref!r} names the document "
                              f"{full!r}, which is not registered (documents are never fetched from the network)",
                              _how_to_register(full))
        document, where = found
        if not isinstance(document, (dict, bool)):
            raise SchemaError(where, "", "$ref", f"the document at {full!r} is not a schema (got "
                              f"{type(document).__name__})", "register a JSON Schema object under that URI")
        inner = _embedded(document, full, dialect, where, check)
        embedded[full] = inner
        own = _dialect(inner, dialect) if isinstance(inner, dict) else dialect
        _walk(inner, full, own, f"/{home}/{full}", ids, refs)
        ids.add(full)
    if not include_meta:  # validators know the meta-schemas themselves
        embedded = {uri: doc for uri, doc in embedded.items() if _meta_document(uri) is None}
    if not embedded:
        return dict(data)
    out = dict(data)
    if base_uri and not _own_id(data):
        out["id" if dialect == "draft-04" else "$id"] = root_base
    out[home] = {**(data.get(home) or {}), **embedded}
    return out


def _embedded(document: Any, uri: str, dialect: str, where: str, check: bool) -> Any:
    """One referenced document as an embedded resource whose ``$id`` is the URI it was referenced by."""
    if document is True or document is False:
        document = {} if document else {"not": {}}
    own_dialect = _dialect(document, dialect)
    if check:
        from pytest_testdata.schemas.sources.metaschema import check_meta

        check_meta(document if "$schema" in document else {**document, "$schema": _DIALECT_URIS[own_dialect]},
                   own_dialect, where)
    key = "id" if own_dialect == "draft-04" else "$id"
    out = {key: uri, **{k: v for k, v in document.items() if k not in ("$id", "id")}}
    if "$schema" not in out and own_dialect != dialect:
        out["$schema"] = _DIALECT_URIS[own_dialect]
    return out


_DIALECT_URIS = {
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
    "2019-09": "https://json-schema.org/draft/2019-09/schema",
    "draft-07": "http://json-schema.org/draft-07/schema#",
    "draft-06": "http://json-schema.org/draft-06/schema#",
    "draft-04": "http://json-schema.org/draft-04/schema#",
}


KNOWN_VOCABULARIES = frozenset(
    f"https://json-schema.org/draft/{draft}/vocab/{name}"
    for draft in ("2020-12", "2019-09")
    for name in ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation",
                 "format-assertion", "format", "content"))
"""The vocabularies of the standard dialects: a meta-schema built from them is read as its base dialect."""


def custom_dialect(data: Mapping[str, Any], source: str, documents: SchemaDocuments | None) -> str | None:
    """The dialect of a document whose ``$schema`` names a registered custom meta-schema (its own ``$schema``
    a standard dialect), or None when ``$schema`` names no registered document.

    Keywords of the standard vocabularies are honoured whether or not the meta-schema lists them (values are
    then stricter than needed, never invalid); a vocabulary the generator does not know that the meta-schema
    requires (``true``) is refused, naming it."""
    raw = data.get("$schema")
    found = documents.get(urldefrag(raw)[0]) if isinstance(raw, str) and documents is not None else None
    if found is None:
        return None
    meta, where = found
    base = meta.get("$schema") if isinstance(meta, Mapping) else None
    key = str(base).rstrip("#").replace("https://json-schema.org/draft-0", "http://json-schema.org/draft-0")
    if key not in DIALECTS:
        raise SchemaError(source, "/$schema", "$schema", f"the meta-schema {raw!r} ({where}) is itself written in "
                          f"{base!r}, not a JSON Schema dialect this loader reads",
                          f"give the meta-schema \"$schema\" one of {', '.join(DIALECTS)}")
    vocabularies = meta.get("$vocabulary", {})
    unknown = sorted(uri for uri, required in (vocabularies.items() if isinstance(vocabularies, Mapping) else ())
                     if required is True and uri not in KNOWN_VOCABULARIES)
    if unknown:
        raise SchemaError(source, "/$schema", "$schema", f"the meta-schema {raw!r} requires the vocabulary "
                          f"{unknown[0]!r}, which the generator does not know", "mark that vocabulary optional "
                          "(false) in the meta-schema's $vocabulary, or use a standard dialect's $schema")
    return DIALECTS[key]


def _how_to_register(uri: str) -> str:
    if urlsplit(uri).scheme == "file":
        return (f"create that file, or correct the reference (it is read relative to the referring file; "
                f"{_url2pathname(urlsplit(uri).path)!r} does not exist)")
    if not _absolute(uri):
        return ("give the referring schema an absolute \"$id\", or load it from a file, so that the relative "
                "reference has a base; or refer to the document by its absolute \"$id\"")
    return (f"put the document in a testdata_schemas folder with \"$id\": {uri!r}, or pass it to "
            "Schema.from_json_schema(..., documents=[...]) or SchemaRegistry.register_document(...)")
