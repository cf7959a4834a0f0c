"""``testdata rag seed | ingest | search``: the pattern store from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pytest_testdata.store.base import COLLECTIONS

SHORT_COLLECTIONS = tuple(c.removeprefix("testdata_") for c in COLLECTIONS)


def add_parser(sub: Any) -> None:
    """Add the ``rag`` subcommand (with its own ``seed``, ``ingest``, ``search``) to the main parser."""
    rag = sub.add_parser("rag", help="the pattern store of the rag/hybrid strategies: seed, ingest, search")
    rag_sub = rag.add_subparsers(dest="rag_command", metavar="ACTION")
    rag_sub.required = True

    def store_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", choices=("auto", "embedded", "weaviate"), default=None,
                       help="backend (default: TESTDATA_STORE, else auto: Weaviate when WEAVIATE_URL is set)")
        p.add_argument("--store-path", default=None, metavar="FILE",
                       help="embedded store file (default: TESTDATA_STORE_PATH, else .testdata/patterns.sqlite3)")
        p.add_argument("--weaviate-url", default=None, metavar="URL", help="Weaviate server (default: WEAVIATE_URL)")

    seed = rag_sub.add_parser("seed", help="load the 35 curated patterns (realistic records and defect shapes)")
    store_args(seed)
    seed.set_defaults(func=cmd_seed)

    ingest = rag_sub.add_parser("ingest", help="store records from a JSON/JSONL file (production samples are "
                                               "scrubbed of PII)")
    ingest.add_argument("file", help="a JSON file (object or list of objects) or JSONL file (one object a line)")
    ingest.add_argument("--collection", default="prod_samples", metavar="NAME",
                        help=f"one of {', '.join(SHORT_COLLECTIONS)} (default prod_samples)")
    ingest.add_argument("--entity", default=None, help="entity of every record (default: worked out per record)")
    store_args(ingest)
    ingest.set_defaults(func=cmd_ingest)

    search = rag_sub.add_parser("search", help="show what a query retrieves")
    search.add_argument("query", help="words describing the scenario (empty string: everything)")
    search.add_argument("--entity", "-e", default=None, help="only this entity's patterns")
    search.add_argument("--collection", action="append", default=None, metavar="NAME",
                        help=f"one of {', '.join(SHORT_COLLECTIONS)} (repeatable; default all)")
    search.add_argument("-k", "--top-k", type=int, default=None,
                        help="results per collection (default: TESTDATA_RAG_TOP_K, else 5)")
    search.add_argument("--json", action="store_true", help="print the hits (with their records) as JSON")
    store_args(search)
    search.set_defaults(func=cmd_search)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The flags over the settings resolved from the environment (``TESTDATA_*``) and the defaults."""
    from pytest_testdata.config import resolve

    return {"store": args.store, "store_path": args.store_path, "weaviate_url": args.weaviate_url,
            "rag_top_k": getattr(args, "top_k", None), "settings": resolve({}, {})}


def _open(args: argparse.Namespace) -> Any:
    from pytest_testdata.store import open_store

    return open_store(_options(args))


def cmd_seed(args: argparse.Namespace) -> int:
    from pytest_testdata.store import curated_patterns

    store = _open(args)
    try:
        patterns = curated_patterns()
        store.add(patterns)
        defects = sum(1 for p in patterns if p.defect)
        print(f"testdata: seeded {len(patterns)} curated patterns ({len(patterns) - defects} patterns, "
              f"{defects} defects) into the {store.backend} store at {store.location}")
    finally:
        store.close()
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from pytest_testdata.schemas.registry import SchemaRegistry
    from pytest_testdata.store.base import collection_name
    from pytest_testdata.store.ingest import prepare, read_records

    collection = collection_name(args.collection)
    registry = SchemaRegistry(args.schemas)
    # Read, check and scrub everything before touching the store: a bad record must not leave half a file.
    patterns, report = prepare(read_records(args.file), collection=collection, entity=args.entity,
                               registry=registry, source=args.file)
    store = _open(args)
    try:
        store.add(patterns)
        print(f"testdata: {args.file} -> {collection} ({store.backend} store at {store.location}): "
              f"{report.summary()}")
    finally:
        store.close()
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from pytest_testdata.store import store_settings
    from pytest_testdata.store.base import collection_name

    collections = [collection_name(c) for c in args.collection] if args.collection else list(COLLECTIONS)
    if args.entity is not None:
        from pytest_testdata.schemas.registry import SchemaRegistry

        SchemaRegistry(args.schemas).get(args.entity)
    limit = store_settings(_options(args))["rag_top_k"]
    store = _open(args)
    try:
        hits = [(c, h) for c in collections for h in store.search(c, args.query, entity=args.entity, limit=limit)]
        hits.sort(key=lambda ch: -ch[1].score)  # stable: an empty query keeps collection, then key order
    finally:
        store.close()
    if args.json:
        print(json.dumps([{"score": round(h.score, 4), **h.pattern.as_dict()} for _, h in hits],
                         indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print(f"testdata: nothing in {', '.join(collections)} matches {args.query!r}"
              + (f" for {args.entity!r}" if args.entity else "")
              + " (an empty store? run `testdata rag seed`)", file=sys.stderr)
        return 1
    for collection, hit in hits:
        p = hit.pattern
        label = f" [defect: {p.defect}]" if p.defect else ""
        print(f"{hit.score:8.3f}  {collection.removeprefix('testdata_'):<12} {p.entity:<8} {p.key}{label}")
        if p.title:
            print(f"{'':10}{p.title}")
    return 0
