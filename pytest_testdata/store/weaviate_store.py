"""The Weaviate pattern store, on the v4 ``weaviate-client`` (``pip install 'pytest-testdata-agent[rag]'``).

Configuration, passed in from the settings (:mod:`pytest_testdata.config`): ``weaviate_url``
(``http://localhost:8080``; a ``*.weaviate.cloud`` host connects to Weaviate Cloud), ``weaviate_api_key``
(optional), ``weaviate_grpc_port`` (default 50051) and ``rag_alpha`` (hybrid weight of the vector side,
default 0.5). Each collection is created with its
properties on first use. Objects get deterministic UUIDs from (collection, key), so adding a pattern
again replaces it, and are imported through the client's dynamic batch.

Vectors are supplied by us (``self_provided``): a signed feature-hashing of the search text's words,
so hybrid queries work on any Weaviate without a vectorizer module or an embedding model. The vector
side is lexical too; what it adds over plain BM25 is a length-normalised overlap score that weighs the
record's own words, which ranks near-duplicates of the context first.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.store.base import COLLECTIONS, Hit, Pattern, StoreUnavailableError, collection_name, query_terms

VECTOR_DIMS = 256


def hashed_vector(text: str) -> list[float]:
    """A unit vector of the text's words by signed feature hashing (deterministic, no model)."""
    vec = [0.0] * VECTOR_DIMS
    for word in query_terms(text) if len(text) < 2000 else text.lower().split():
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "big") % VECTOR_DIMS
        vec[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec


def _import_weaviate() -> Any:
    try:
        import weaviate
    except ImportError:
        raise MissingDependencyError("weaviate-client", "rag", "The Weaviate pattern store") from None
    return weaviate


class WeaviateStore:
    """Pattern store in a Weaviate instance (v4 client: gRPC for queries and batches)."""

    backend = "weaviate"

    def __init__(self, url: str, api_key: str | None = None, *, grpc_port: int | None = None,
                 alpha: float | None = None, timeout: float = 10.0) -> None:
        weaviate = _import_weaviate()
        from weaviate.classes.init import AdditionalConfig, Auth, Timeout

        self.location = url
        self.alpha = 0.5 if alpha is None else float(alpha)  # rag_alpha (config.py), passed in by open_store
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise StoreUnavailableError(
                f"weaviate_url {url!r} has no host name. Expected a URL such as http://localhost:8080."
            )
        secure = parsed.scheme == "https"
        auth = Auth.api_key(api_key) if api_key else None
        config = AdditionalConfig(timeout=Timeout(init=timeout, query=timeout, insert=timeout * 3))
        try:
            if parsed.hostname.endswith(".weaviate.cloud") or parsed.hostname.endswith(".weaviate.network"):
                self._client = weaviate.connect_to_weaviate_cloud(
                    cluster_url=url, auth_credentials=auth, additional_config=config)
            else:
                self._client = weaviate.connect_to_custom(
                    http_host=parsed.hostname, http_port=parsed.port or (443 if secure else 8080),
                    http_secure=secure, grpc_host=parsed.hostname,
                    grpc_port=grpc_port or 50051,
                    grpc_secure=secure, auth_credentials=auth, additional_config=config)
        except Exception as exc:  # the client raises several connection error types
            raise StoreUnavailableError(
                f"the Weaviate pattern store at {url!r} is not reachable ({type(exc).__name__}: {exc}). "
                "Start it (see docs/rag.md: `docker compose up -d weaviate`), fix the Weaviate URL, or use the "
                "embedded store (--testdata-store embedded)."
            ) from None
        self._lock = threading.Lock()
        self._ready: set[str] = set()

    def _collection(self, name: str) -> Any:
        """The collection, created with its properties on first use."""
        coll = collection_name(name)
        if coll not in self._ready:
            from weaviate.classes.config import Configure, DataType, Property, Tokenization

            with self._lock:
                if not self._client.collections.exists(coll):
                    self._client.collections.create(
                        coll,
                        description=f"pytest-testdata pattern store: {coll}",
                        vector_config=Configure.Vectors.self_provided(),
                        properties=[
                            Property(name="key", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
                            Property(name="entity", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
                            Property(name="title", data_type=DataType.TEXT, tokenization=Tokenization.WORD),
                            Property(name="body", data_type=DataType.TEXT, tokenization=Tokenization.WORD),
                            Property(name="defect", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
                            Property(name="data", data_type=DataType.TEXT, index_searchable=False,
                                     index_filterable=False),
                            Property(name="pii_hashes", data_type=DataType.TEXT_ARRAY,
                                     tokenization=Tokenization.FIELD, index_searchable=False),
                        ],
                    )
                self._ready.add(coll)
        # `use` is the 4.16+ name of `get` (which newer clients deprecate).
        collections = self._client.collections
        return (collections.use if hasattr(collections, "use") else collections.get)(coll)

    def add(self, patterns: Iterable[Pattern]) -> int:
        from weaviate.util import generate_uuid5

        by_collection: dict[str, list[Pattern]] = {}
        for p in patterns:
            by_collection.setdefault(collection_name(p.collection), []).append(p)
        written = 0
        for coll, items in by_collection.items():
            collection = self._collection(coll)
            with collection.batch.dynamic() as batch:
                for p in items:
                    text = p.search_text()
                    batch.add_object(
                        uuid=generate_uuid5(p.key, coll),
                        properties={
                            "key": p.key, "entity": p.entity, "title": p.title, "body": text,
                            "defect": p.defect or "", "pii_hashes": list(p.pii_hashes),
                            "data": json.dumps(p.as_dict(), ensure_ascii=False),
                        },
                        vector=hashed_vector(f"{p.title} {text}"),
                    )
            failed = collection.batch.failed_objects
            if failed:
                raise StoreUnavailableError(
                    f"Weaviate rejected {len(failed)} of {len(items)} patterns for {coll}: "
                    f"{failed[0].message}"
                )
            written += len(items)
        return written

    def search(self, collection: str, query: str, *, entity: str | None = None, limit: int = 5) -> list[Hit]:
        from weaviate.classes.query import Filter, MetadataQuery, Sort

        coll = self._collection(collection)
        filters = Filter.by_property("entity").equal(entity) if entity is not None else None
        terms = query_terms(query)
        if not terms:
            response = coll.query.fetch_objects(filters=filters, limit=limit, sort=Sort.by_property("key"),
                                                return_properties=["data"])
            return [Hit(Pattern.from_dict(json.loads(o.properties["data"])), 0.0) for o in response.objects]
        text = " ".join(terms)
        response = coll.query.hybrid(
            query=text, vector=hashed_vector(text), alpha=self.alpha, query_properties=["title^3", "body"],
            filters=filters, limit=limit, return_metadata=MetadataQuery(score=True), return_properties=["data"],
        )
        hits = []
        for obj in response.objects:
            score = obj.metadata.score if obj.metadata is not None and obj.metadata.score is not None else 0.0
            hits.append(Hit(Pattern.from_dict(json.loads(obj.properties["data"])), float(score)))
        return hits

    def count(self, collection: str, entity: str | None = None) -> int:
        from weaviate.classes.query import Filter

        coll = self._collection(collection)
        filters = Filter.by_property("entity").equal(entity) if entity is not None else None
        result = coll.aggregate.over_all(total_count=True, filters=filters)
        return int(result.total_count or 0)

    def fingerprints(self) -> frozenset[str]:
        coll = self._collection(collection_name("prod_samples"))
        hashes: set[str] = set()
        for obj in coll.iterator(return_properties=["pii_hashes"]):
            hashes.update(obj.properties.get("pii_hashes") or ())
        return frozenset(hashes)

    def clear(self, collection: str) -> None:
        coll = collection_name(collection)
        with self._lock:
            self._client.collections.delete(coll)
            self._ready.discard(coll)

    def drop_all(self) -> None:
        """Delete the three collections (used by the contract tests' clean-up)."""
        for coll in COLLECTIONS:
            self.clear(coll)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"WeaviateStore({self.location!r})"
