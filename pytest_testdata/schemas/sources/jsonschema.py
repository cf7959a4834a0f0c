"""JSON Schema as users write it, read once into the *generation view* every strategy works from.

:func:`load` takes a document of any supported dialect (``$schema``: 2020-12, the default; 2019-09;
draft-07, -06 and -04) and

1. checks it against its dialect's meta-schema (a registered custom meta-schema is read as its own dialect;
   :mod:`~pytest_testdata.schemas.sources.metaschema`) and embeds the documents its references name
   (registered ones, never fetched: :mod:`~pytest_testdata.schemas.sources.references`);
2. rewrites older dialects' forms into 2020-12 (draft-04 boolean exclusive bounds, ``dependencies``,
   array-form ``items`` / ``additionalItems``, ``$ref`` siblings that drafts up to 07 ignore, ``id``) and
   refuses keywords it cannot honour (2019-09's ``$recursiveRef``, ``unevaluated*`` inside a ``not``
   beside applicators): :mod:`~pytest_testdata.schemas.sources.dialects`;
3. inlines every reference (``#/$defs/x``, ``#/definitions/x``, ``#/components/schemas/x``, ``#anchor``,
   ``$id``-relative URIs, JSON pointers, ``$dynamicRef`` by the dynamic scope of 2020-12), unrolling a
   recursive reference ``max_depth`` times (the schema's ``x-max-depth``, else the loader's setting) and
   cutting the branch that would go deeper: an optional property is left out, an array holds no more
   items, a ``oneOf``/``anyOf`` branch is not chosen; when no finite branch exists the schema is
   refused (:mod:`~pytest_testdata.schemas.sources.expansion`);
4. merges ``allOf`` (top level too) into one schema, keeping what cannot be merged as a residual
   ``allOf`` the generator checks; ``const`` becomes a one-value ``enum``
   (:mod:`~pytest_testdata.schemas.sources.merging`);
5. checks what no value could satisfy (``minimum`` > ``maximum``, ``minLength`` > ``maxLength``, an
   invalid ``pattern``, an empty type intersection...): :mod:`~pytest_testdata.schemas.sources.bounds`.

The stages share :mod:`~pytest_testdata.schemas.sources.vocabulary` (where subschemas sit, JSON pointers,
the cut-branch marker).

Every refusal is a :class:`~pytest_testdata.errors.SchemaError`: one line naming the file, the JSON
pointer, the keyword and the fix. The view is a plain tree (no ``$ref``), so walking it by dotted path
works as for the built-in entities; validation uses the user's document as written
(:mod:`pytest_testdata.quality.standard`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.frozen import Frozen
from pytest_testdata.schemas.sources.dialects import DIALECTS, dialect_of, upgrade
from pytest_testdata.schemas.sources.expansion import MAX_VIEW_NODES, _Expander, _TooBig
from pytest_testdata.schemas.sources.vocabulary import CUT, json_copy, pointer

_META_HOST = "json-schema.org"
DEFAULT_MAX_DEPTH = 3
"""How many times a recursive reference is unrolled unless the schema (``x-max-depth``) says otherwise."""
_DEPTH: contextvars.ContextVar[int | None] = contextvars.ContextVar("testdata_max_depth", default=None)


@contextlib.contextmanager
def max_depth_setting(depth: int | None) -> Iterator[None]:
    """Schemas loaded inside use ``depth`` (the ``testdata_max_depth`` setting) unless they set their own
    ``x-max-depth``; None keeps :data:`DEFAULT_MAX_DEPTH`."""
    token = _DEPTH.set(depth)
    try:
        yield
    finally:
        _DEPTH.reset(token)


def current_max_depth() -> int:
    """The depth schemas loaded here get when they say nothing (``x-max-depth``) themselves."""
    depth = _DEPTH.get()
    return DEFAULT_MAX_DEPTH if depth is None else depth



class Loaded(Frozen):
    """A loaded document: its dialect, the generation view, and whether recursion was cut."""

    __slots__ = ("dialect", "view", "recursive", "depth", "document")  # noqa: RUF023 (in field order: Frozen)

    dialect: str
    view: dict[str, Any]
    recursive: bool
    depth: int
    document: dict[str, Any]
    """The document as written, with the documents it references embedded (:func:`references.bundle`)."""

    def __init__(self, dialect: str, view: dict[str, Any], recursive: bool, depth: int,
                 document: dict[str, Any]) -> None:
        setter = object.__setattr__
        setter(self, "dialect", dialect)
        setter(self, "view", view)
        setter(self, "recursive", recursive)
        setter(self, "depth", depth)
        setter(self, "document", document)



def load(data: Mapping[str, Any], source: str, max_depth: int | None = None, *, meta_checked: bool = False,
         documents: Any = None, base_uri: str | None = None) -> Loaded:
    """Check, upgrade and expand a document into its generation view (see the module docstring).

    ``documents`` (a :class:`~pytest_testdata.schemas.sources.references.SchemaDocuments`, a list of documents
    with ``$id`` or a mapping URI -> document) are what references to other documents resolve to;
    ``base_uri`` is where the document was read from (its file URI), the base of its relative references.

    ``meta_checked`` skips the meta-schema check for documents already known to pass it (the built-in
    entity files, which the test suite checks): that check imports ``jsonschema`` and its format
    libraries, about a third of a second a fresh process would pay for its first built-in record.
    """
    from pytest_testdata.schemas.sources.references import as_documents, bundle, custom_dialect

    registered = as_documents(documents)
    dialect = custom_dialect(data, source, registered) or dialect_of(data, source)
    if not meta_checked:
        _check_meta(data, dialect, source)
    written = data
    data = bundle(data, source, dialect, registered, base_uri, check=not meta_checked)
    upgraded = upgrade(data, dialect, source, "", copy=True)  # a copy: ``data`` is the document as written
    wanted = data.get("x-max-depth", max_depth if max_depth is not None else current_max_depth())
    if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
        raise SchemaError(source, "/x-max-depth", "x-max-depth", f"expected a whole number of at least 1, got "
                          f"{wanted!r}", "set how many levels a recursive schema may nest, e.g. 3")
    depth = wanted
    while True:
        expander = _Expander(upgraded, source, depth, dialect)
        try:
            view = expander.expand(upgraded, expander.root_base, "", ())
            break
        except _TooBig:
            if depth == 1:
                raise SchemaError(source, "", "$ref", f"the schema expands to more than {MAX_VIEW_NODES:,} "
                                  "subschemas even unrolled once", "split the entity into smaller ones") from None
            depth -= 1
    if view is CUT:
        raise SchemaError(source, "", "$ref", "the schema is recursive with no finite branch: every value would "
                          "contain itself through required properties or non-empty arrays",
                          "make one link of the cycle optional (leave it out of \"required\", allow minItems 0, "
                          "or add a oneOf/anyOf branch without the recursion)")
    if view is False:
        raise SchemaError(source, "", "allOf", "no value satisfies this schema (its parts contradict each other)",
                          "remove the contradiction named in the schema's parts")
    if not isinstance(view, dict):
        view = {}
    if data is not written and _embeds_meta(data, written):
        data = bundle(written, source, dialect, registered, base_uri, check=False, include_meta=False)
    return Loaded(dialect, view, expander.cut_any, depth, data)


def _embeds_meta(bundled: Mapping[str, Any], written: Mapping[str, Any]) -> bool:
    """Whether bundling embedded a document under a ``json-schema.org`` URI (a standard meta-schema, which
    the validators know themselves) in ``bundled``'s ``$defs`` / ``definitions``.

    Embedded documents are new entries of that map, each under its URI; reading their keys spares writing
    out the whole map (the user's own definitions with it) as text to search it."""
    for home in ("$defs", "definitions"):
        defs, own = bundled.get(home), written.get(home)
        if isinstance(defs, dict) and defs is not own:
            mine = own if isinstance(own, dict) else {}
            if any(isinstance(key, str) and _META_HOST in key and defs[key] is not mine.get(key) for key in defs):
                return True
    return False


# -- 1. the meta-schema ------------------------------------------------------------------------------------

def _check_meta(data: Mapping[str, Any], dialect: str, source: str) -> None:
    from pytest_testdata.schemas.sources.metaschema import check_meta

    check_meta(data, dialect, source)



__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DIALECTS",
    "MAX_VIEW_NODES",
    "Loaded",
    "current_max_depth",
    "dialect_of",
    "json_copy",
    "load",
    "max_depth_setting",
    "pointer",
]
