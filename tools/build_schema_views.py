"""Write ``pytest_testdata/schemas/builtin_views.json``: the built-in schemas as the loader computes them.

Run from the repository root after editing a built-in schema file (``schemas/*.json``)::

    python tools/build_schema_views.py

Each file is loaded the long way (``Schema.from_json_schema``: references resolved, keywords upgraded and
merged) and its result written under the file's name with the CRC-32 and length of its bytes, so that a fresh
process's first built-in record reads it instead of computing it (:mod:`pytest_testdata.schemas.prebuilt`).
``tests/test_prebuilt_schemas.py`` checks that the shipped table is what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.prebuilt import VIEWS_FILE, view_entry
from pytest_testdata.schemas.registry import builtin_schema_dir
from pytest_testdata.schemas.sources.files import files_in


def table(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The file's content: source file name -> its entry (only JSON Schema files with no recursion: a
    recursive view depends on the depth setting, so such a file would load the long way)."""
    out: dict[str, dict[str, Any]] = {}
    for path in files_in(folder or builtin_schema_dir()):
        raw = path.read_bytes()
        data = json.loads(raw)
        name = data.get("x-entity") or data.get("title") or path.stem  # as files.entities_in_file names it
        if not isinstance(name, str):
            name = path.stem
        schema = Schema.from_json_schema(data, source=str(path), name=name, meta_checked=True,
                                         base_uri=path.resolve().as_uri())
        if _recursive(schema):
            continue
        out[path.name] = view_entry(schema, raw, name)
    return out


def _recursive(schema: Schema) -> bool:
    """Whether the view is cut at a depth: loading it twice as deep gives another view."""
    from pytest_testdata.schemas.sources.jsonschema import load

    deeper = load(schema.document, schema.source, 6, meta_checked=True)
    return bool(deeper.recursive) or deeper.view != schema.json_schema


def text(folder: Path | None = None) -> str:
    """The file's text (compact, entries in file-name order)."""
    return json.dumps(table(folder), separators=(",", ":"), sort_keys=False, ensure_ascii=False) + "\n"


def main() -> None:
    VIEWS_FILE.write_text(text(), encoding="utf-8")


if __name__ == "__main__":
    main()
