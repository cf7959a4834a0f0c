"""The built-in schemas' shipped views (pytest_testdata/schemas/builtin_views.json) are what the loader
computes from the files in schemas/, and an edited file is never served its old view."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.schemas import registry as registry_module
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.prebuilt import VIEWS_FILE, shipped_views
from pytest_testdata.schemas.registry import SchemaRegistry, builtin_schema_dir

TOOLS = Path(__file__).resolve().parent.parent / "tools"
BUILTIN_FILES = sorted(builtin_schema_dir().glob("*.json"))


def tool(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_views_are_what_their_script_writes() -> None:
    # Edit a file of schemas/ and forget `python tools/build_schema_views.py`, and this fails.
    assert VIEWS_FILE.read_text("utf-8") == tool("build_schema_views").text()
    assert sorted(shipped_views()) == [path.name for path in BUILTIN_FILES]


def _long_way(path: Path) -> Schema:
    data = json.loads(path.read_bytes())
    return Schema.from_json_schema(data, source=str(path), name=data.get("title"), meta_checked=True,
                                   base_uri=path.resolve().as_uri())


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.stem)
def test_a_builtin_schema_from_its_shipped_view_is_the_one_its_file_loads_to(path: Path) -> None:
    registry = SchemaRegistry()
    ready = registry.get(path.stem)
    long_way = _long_way(path)
    for name in ("name", "json_schema", "version", "domain", "description", "source", "coherence", "digest",
                 "document", "dialect", "standard"):
        assert getattr(ready, name) == getattr(long_way, name), name
    assert ready.__dict__.get("_mentions") == long_way.__dict__.get("_mentions")
    assert ready.__dict__.get("_embeds_ids") == long_way.__dict__.get("_embeds_ids")
    assert list(ready.walk()) == list(long_way.walk())
    # Each registry's schema owns its trees, as when loaded the long way.
    assert SchemaRegistry().get(path.stem).json_schema is not ready.json_schema


def test_an_edited_builtin_file_is_loaded_the_long_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in BUILTIN_FILES:
        shutil.copy(path, tmp_path / path.name)
    order = json.loads((tmp_path / "order.json").read_text("utf-8"))
    order["description"] = "Edited after the views were written."
    order["properties"]["note"] = {"type": "string", "maxLength": 20}
    (tmp_path / "order.json").write_text(json.dumps(order), encoding="utf-8")
    monkeypatch.setattr(registry_module, "builtin_schema_dir", lambda: tmp_path)
    registry = SchemaRegistry()
    schema = registry.get("order")
    assert schema.description == "Edited after the views were written."
    assert schema.properties["note"] == {"type": "string", "maxLength": 20}
    assert registry.get("user").json_schema == SchemaRegistry().get("user").json_schema  # unchanged: shipped view
