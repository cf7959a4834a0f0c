"""Encoding cached results, and refusing entries that are corrupt or written for another schema.

Two codecs: JSON for shared backends (Redis: another process, version or person may have written the
bytes, so nothing executable is ever loaded from there) and pickle for the in-process cache (the bytes
never leave this process; loading them is several times faster than JSON, which keeps a hit in the
tens of microseconds). Both check the entry's schema key and format before returning anything.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import fields
from typing import Any, Protocol

from pytest_testdata.cache.keys import KEY_FORMAT
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import EncodedResult, GenerationResult, Record, ResultMetadata, Violation, records_json

PoolItem = tuple[Record, float]
"""A pooled record and its coherence score (pooled records are validated when the pool is filled)."""

_META_FIELDS = {f.name for f in fields(ResultMetadata)}
_VIOLATION_FIELDS = {f.name for f in fields(Violation)}


class CorruptEntry(ValueError):
    """A cached entry that cannot be used: unreadable, truncated, another format or another schema."""


class OtherForm(LookupError):
    """An in-process entry holding records in their wire form only, looked up by a caller wanting records."""


class Codec(Protocol):
    """Turns a result into bytes and back; ``decode`` raises :class:`CorruptEntry` rather than guess.

    A codec may also offer ``encode_encoded`` and ``decode_encoded`` for results whose records are in their
    wire form (:class:`PickleCodec` does); the cache layer keeps the records form where it has not.
    """

    def encode(self, schema: Schema, result: GenerationResult) -> bytes: ...
    def decode(self, payload: bytes, schema: Schema) -> GenerationResult: ...


def _check_header(entry: Any, schema: Schema) -> None:
    if not isinstance(entry, dict):
        raise CorruptEntry(f"entry is a {type(entry).__name__}, not an object")
    if entry.get("format") != KEY_FORMAT:
        raise CorruptEntry(f"entry format {entry.get('format')!r}, expected {KEY_FORMAT}")
    if entry.get("schema") != schema.key:
        raise CorruptEntry(f"entry written for schema {entry.get('schema')!r}, current is {schema.key!r}")


class JsonCodec:
    """Plain JSON, checked field by field on the way back."""

    def encode(self, schema: Schema, result: GenerationResult) -> bytes:
        entry = {"format": KEY_FORMAT, "schema": schema.key, "records": result.records,
                 "metadata": result.metadata.as_dict()}
        # allow_nan=False and no default=: a record that is not plain JSON is not stored at all, rather
        # than stored in a form that would come back different.
        return json.dumps(entry, separators=(",", ":"), allow_nan=False).encode()

    def decode(self, payload: bytes, schema: Schema) -> GenerationResult:
        try:
            entry = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorruptEntry(f"not JSON ({exc})") from None
        _check_header(entry, schema)
        records, meta = entry.get("records"), entry.get("metadata")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise CorruptEntry("records is not a list of objects")
        if not isinstance(meta, dict) or set(meta) != _META_FIELDS:
            raise CorruptEntry("metadata does not have the expected fields")
        violations = meta.get("violations")
        if not isinstance(violations, list) or not all(
                isinstance(v, dict) and set(v) == _VIOLATION_FIELDS for v in violations):
            raise CorruptEntry("metadata.violations is malformed")
        meta["violations"] = [Violation(**v) for v in violations]
        try:
            metadata = ResultMetadata(**meta)
        except TypeError as exc:  # pragma: no cover - the field check above already caught this
            raise CorruptEntry(str(exc)) from None
        _check_result(metadata, records, schema)
        return GenerationResult(records, metadata)


class PickleCodec:
    """For the in-process cache only: the bytes are produced and read by this process.

    An entry holds a result (records and metadata) or, stored by :meth:`encode_encoded`, an
    :class:`EncodedResult` (metadata and the records' wire JSON, what the agent sends): pickling a string
    is a copy of its bytes, far cheaper than pickling the records it encodes, and a hit needs no encoding.
    Such an entry serves only callers wanting the wire form: decoding the JSON would not give back every
    record exactly (``records_json`` writes values JSON lacks as strings), so :meth:`decode` raises
    :class:`OtherForm` for it (a miss; the caller generates and stores the records form).
    """

    def encode(self, schema: Schema, result: GenerationResult) -> bytes:
        entry = {"format": KEY_FORMAT, "schema": schema.key, "result": result}
        return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)

    def encode_encoded(self, schema: Schema, encoded: EncodedResult) -> bytes:
        entry = {"format": KEY_FORMAT, "schema": schema.key, "encoded": encoded}
        return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)

    def decode(self, payload: bytes, schema: Schema) -> GenerationResult:
        result = self._entry(payload, schema)
        if isinstance(result, EncodedResult):
            raise OtherForm("entry holds the records' wire form only")
        return result

    def decode_encoded(self, payload: bytes, schema: Schema) -> EncodedResult:
        result = self._entry(payload, schema)
        if isinstance(result, GenerationResult):
            return EncodedResult(result.metadata, records_json(result.records))
        return result

    @staticmethod
    def _entry(payload: bytes, schema: Schema) -> GenerationResult | EncodedResult:
        try:
            entry = pickle.loads(payload)
        except Exception as exc:  # any unpickling failure means the bytes are unusable
            raise CorruptEntry(f"unreadable ({type(exc).__name__})") from None
        _check_header(entry, schema)
        result = entry.get("result")
        if isinstance(result, GenerationResult):
            _check_result(result.metadata, result.records, schema)
            return result
        encoded = entry.get("encoded")
        if not isinstance(encoded, EncodedResult) or not isinstance(encoded.records_json, str):
            raise CorruptEntry("no result in entry")
        meta = encoded.metadata
        if meta.entity != schema.name or not isinstance(meta.seed, int) \
                or not encoded.records_json.startswith("["):
            raise CorruptEntry(f"entry says {meta.count} {meta.entity!r} records (wanted {schema.name!r})")
        return encoded


def _check_result(metadata: ResultMetadata, records: list[Record], schema: Schema) -> None:
    if metadata.entity != schema.name or metadata.count != len(records) or not isinstance(metadata.seed, int):
        raise CorruptEntry(
            f"entry says {metadata.count} {metadata.entity!r} records, holds {len(records)} "
            f"(wanted {schema.name!r})"
        )


def encode_pool_item(item: PoolItem) -> bytes:
    """A pooled record for a shared pool: ``[score, record]`` as JSON."""
    record, score = item
    return json.dumps([score, record], separators=(",", ":"), allow_nan=False).encode()


def decode_pool_item(payload: bytes) -> PoolItem:
    """Back from :func:`encode_pool_item`; raises :class:`CorruptEntry` for anything else."""
    try:
        score, record = json.loads(payload)
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        raise CorruptEntry(f"pool item unreadable ({exc})") from None
    if not isinstance(record, dict) or isinstance(score, bool) or not isinstance(score, (int, float)):
        raise CorruptEntry("pool item is not [score, record]")
    return record, float(score)
